// `alpt train` states the memory a run needs before it loads the data: --dry-run prints the plan
// (text, or a {"event":"plan"} record with --json) and stops; a run above --max-memory-mb stops
// with exit 2, the figure and the table methods that fit, before any training output.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyntheticCtr } from "../../src/data/synthetic.js";
import { builtCli } from "../helpers/built-cli.js";

let MAIN = "";
let cleanupBuild = () => {};
let dir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function alpt(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [MAIN, ...args], { cwd: dir, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  const cli = builtCli();
  MAIN = join(cli.dir, "main.js");
  cleanupBuild = cli.cleanup;
  dir = mkdtempSync(join(tmpdir(), "alpt-plan-"));
  writeFileSync(join(dir, "train.txt"), new SyntheticCtr({ seed: 5, vocabSize: 20000 }).criteoText(0, 3000));
  const r = await alpt("prepare", "train.txt", "--out", "prep");
  expect(r.code, r.stderr).toBe(0);
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  cleanupBuild();
});

describe("alpt train: the memory plan", () => {
  it("--dry-run prints the plan part by part and stops without training or writing", async () => {
    const r = await alpt("train", "--data", "prep", "--method", "alpt", "--bits", "4", "--embedding-optimizer", "adagrad", "--dry-run", "--out", "dry.safetensors");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^memory plan of DCN \(alpt 4-bit \+ rowwise Adagrad, [\d,]+ rows × dim 16, batch 2048\):\n {2}table .* 24 B\/row: weights 0\.0 MB, codes [\d.]+ MB, Δ [\d.]+ MB, row optimizer [\d.]+ MB, Δ optimizer [\d.]+ MB\n {2}dense .*\n {2}batch .*\n {2}total .* of a ceiling of 4 GiB \(wasm32\): fits\n$/);
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
