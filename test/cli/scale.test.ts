// The command-line side of docs/SCALE.md. `alpt train` states the memory a run needs before it
// loads the data: --dry-run prints the plan (text, or a {"event":"plan"} record with --json) and
// stops; a run above --max-memory-mb stops with exit 2, the figure and the table methods that fit,
// before any training output. `alpt export --format fbgemm-rowwise` writes the tables per field in
// FBGEMM's row-wise layout (the bytes are checked in test/io/fbgemm-rowwise.test.ts).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyntheticCtr } from "../../src/data/synthetic.js";
import { decodeSafetensors } from "../../src/io/safetensors.js";
import { cliSession, type CliSession } from "../helpers/cli-session.js";

let cli: CliSession;
let dir: string;
const alpt = (...args: string[]) => cli.alpt(...args);

beforeAll(async () => {
  cli = cliSession("alpt-plan-");
  dir = cli.dir;
  writeFileSync(join(dir, "train.txt"), new SyntheticCtr({ seed: 5, vocabSize: 20000 }).criteoText(0, 3000));
  const r = await alpt("prepare", "train.txt", "--out", "prep");
  expect(r.code, r.stderr).toBe(0);
}, 180_000);

afterAll(() => cli?.cleanup());

describe("alpt train: the memory plan", () => {
  it("--dry-run prints the plan part by part and stops without training or writing", async () => {
    const r = await alpt("train", "--data", "prep", "--method", "alpt", "--bits", "4", "--embedding-optimizer", "adagrad", "--dry-run", "--out", "dry.safetensors");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^memory plan of DCN \(alpt 4-bit \+ rowwise Adagrad, [\d,]+ rows × dim 16, batch 2048\):\n {2}table .* 24 B\/row: weights 0\.0 MB, codes [\d.]+ MB, Δ [\d.]+ MB, row optimizer [\d.]+ MB, Δ optimizer [\d.]+ MB\n {2}dense .*\n {2}batch .*\n {2}total .* of a ceiling of 4 GiB \(wasm32\): fits\n {2}data .* outside the heap, every row in memory: train [\d.]+ MB, valid [\d.]+ MB \(160 B\/row\)\n$/);
    expect(existsSync(join(dir, "dry.safetensors"))).toBe(false);
    const j = await alpt("train", "--data", "prep", "--dry-run", "--json", "--max-memory-mb", "64", "--batch-size", "256");
    expect(j.code, j.stderr).toBe(0);
    const rec = JSON.parse(j.stdout.trim()) as Record<string, unknown> & { table: { total: number }; batchSize: number };
    expect(rec).toMatchObject({ event: "plan", command: "train", model: "DCN", method: "alpt", bits: 8, ceilingBytes: 64 * 2 ** 20, fits: true, batchSize: 256 });
    expect(rec.table.total).toBeGreaterThan(0);
  });

  it("a run above --max-memory-mb stops (exit 2) with the figure and the methods that fit, before training", async () => {
    const small = ["--batch-size", "16", "--hidden-units", "8", "--cross-layers", "1", "--threads", "1"];
    const r = await alpt("train", "--data", "prep", "--method", "fp32", "--embedding-optimizer", "adam", "--max-memory-mb", "1", ...small, "--out", "big.safetensors");
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^alpt train: cannot train DCN: fp32 \+ Adam needs [\d.]+ MB > 1 MiB \(--max-memory-mb\) \(table [\d.]+ MB: [\d,]+ rows × 192 B\/row; dense network [\d.]+ MB; batch of 16 [\d.]+ MB\): .*alpt train --method alpt --bits 4 --embedding-optimizer adagrad needs 0\.\d MB/);
    expect(r.stdout).not.toMatch(/training DCN/);
    expect(existsSync(join(dir, "big.safetensors"))).toBe(false);
    // the default MLP (1024-512-256) at batch 2048: no table method helps, the message says what does
    const b = await alpt("train", "--data", "prep", "--max-memory-mb", "40");
    expect(b.code, b.stderr).toBe(2);
    expect(b.stderr).toMatch(/cannot train DCN: alpt 8-bit \+ Adam needs 0\.\d\d GB > 40 MiB \(--max-memory-mb\) .*batch of 2048 [\d.]+ MB\): no table method fits \(alpt 2-bit \+ rowwise Adagrad needs 0\.\d\d GB\); lower --batch-size or --hidden-units/);
  });
});

describe("alpt export --format fbgemm-rowwise", () => {
  it("one (weight, scale_shift) pair per field, named after the FeatureMap, with the dense weights", async () => {
    const t = await alpt("train", "--data", "prep", "--method", "alpt", "--bits", "4", "--batch-size", "256", "--hidden-units", "8", "--cross-layers", "1", "--out", "b4.safetensors", "--no-resume-file");
    expect(t.code, t.stderr).toBe(0);
    const e = await alpt("export", "b4.safetensors", "--format", "fbgemm-rowwise", "--out", "b4.fbgemm.safetensors", "--json");
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout.trim())).toMatchObject({ command: "export", format: "fbgemm-rowwise", storage: "INT4 rows + fp16 scale, bias per field", deltaDtype: "F16" });
    const file = decodeSafetensors(new Uint8Array(readFileSync(join(dir, "b4.fbgemm.safetensors"))), "b4.fbgemm.safetensors");
    expect(file.metadata).toMatchObject({ format: "alpt-fbgemm-rowwise", sparseType: "INT4", codeBits: "4", dim: "16", model: "DCN" });
    const tables = JSON.parse(file.metadata.tables!) as { name: string; rows: number; offset: number }[];
    const fm = JSON.parse(file.metadata.featureMap!) as { fields: { name: string }[] };
    expect(tables.map((x) => x.name)).toEqual(fm.fields.map((f) => f.name));
    for (const x of tables) {
      expect(file.tensors.get(`embedding/${x.name}.weight`)!.shape).toEqual([x.rows, 8]);
      expect(file.tensors.get(`embedding/${x.name}.scale_shift`)!.shape).toEqual([x.rows, 4]);
    }
    expect(file.tensors.has("dense/head.W")).toBe(true);
  });
});
