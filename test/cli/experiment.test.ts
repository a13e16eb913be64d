// The real-data experiment script (`npm run experiment`) end to end on generated stand-ins for
// the shared data folder: Criteo-format TSV (gzip) and Avazu-format CSV + label file. Checks the
// skip message without data, usage errors, the JSON records, and the paper grid's resumable
// records, lpt's Δ selection, and that a run learns the generator's planted signal. The real
// data is never needed.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyntheticCtr } from "../../src/data/synthetic.js";
import { DEFAULT_DELTA_LR_RATIO, lsqDelta } from "../../src/embedding/options.js";
import { cliSession, type CliSession } from "../helpers/cli-session.js";

let cli: CliSession;
let dir: string;

const experiment = (data: string, ...args: string[]) =>
  cli.run(process.execPath, [join(cli.cliDir, "experiment.js"), ...args], 0, { ...process.env, ALPT_DATA: data });

const records = (s: string) => s.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(() => {
  cli = cliSession("alpt-experiment-");
  dir = cli.dir;
  const gen = new SyntheticCtr({ seed: 5, vocabSize: 2000 });
  mkdirSync(join(dir, "data/criteo"), { recursive: true });
  writeFileSync(join(dir, "data/criteo/criteo_w261_toy_train.txt.gz"), gzipSync(gen.criteoText(0, 6000)));
  // Avazu layout: a CSV of categorical columns with a header, labels in a separate file
  const rows = gen.criteoText(6000, 1000).split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
  mkdirSync(join(dir, "data/avazu"), { recursive: true });
  const header = Array.from({ length: 8 }, (_, k) => `C${k + 1}`).join(",");
  writeFileSync(join(dir, "data/avazu/X_test_xsmall.csv"), [header, ...rows.map((r) => r.slice(14, 22).join(","))].join("\n") + "\n");
  writeFileSync(join(dir, "data/avazu/y_test_xsmall.csv"), ["click", ...rows.map((r) => r[0])].join("\n") + "\n");
  mkdirSync(join(dir, "empty"));
}, 120_000);

afterAll(() => cli?.cleanup());

describe("npm run experiment", () => {
  it("skips with a message naming the missing file when the data folder is absent", async () => {
    const r = await experiment(join(dir, "empty"), "criteo", "--quick");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("experiment: criteo skipped");
    expect(r.stderr).toContain(join("empty", "criteo", "criteo_w261_toy_train.txt.gz"));
  });

  it("rejects bad flags with exit code 2 and names the flag", async () => {
    const bad = await experiment(join(dir, "data"), "criteo", "--bits", "4,x");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--bits/);
    const unknown = await experiment(join(dir, "data"), "criteo", "--methods", "fp16");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/fp16/);
    expect((await experiment(join(dir, "data"), "mnist")).code).toBe(2);
    const dropout = await experiment(join(dir, "data"), "criteo", "--dropout", "1");
    expect(dropout.code).toBe(2);
    expect(dropout.stderr).toContain('--dropout expects a number in [0, 1), got "1"');
  });

  it("prints one record per run with the issue's fields, split 8:1:1 by line order, and learns the planted signal", async () => {
    // batch 128 and 3 epochs (38 steps each): enough to learn part of the generator's signal
    const r = await experiment(join(dir, "data"), "criteo", "--quick", "--methods", "fp32,alpt", "--bits", "4", "--batch-size", "128", "--epochs", "3");
    expect(r.code, r.stderr).toBe(0);
    const [fp32, alpt] = records(r.stdout);
    expect(fp32).toMatchObject({
      case: "experiment/criteo-dcn-bs128-fp32-s0", dataset: "criteo, batch 128", model: "DCN", batchSize: 128, init: "torch",
      unit: "AUC", method: "fp32", bits: 32, seed: 0, rows: { train: 4800, valid: 600, test: 600 }, rowLr: 1e-3, dropout: 0,
    });
    expect(alpt).toMatchObject({ case: "experiment/criteo-dcn-bs128-alpt-b4-s0", method: "alpt", bits: 4, deltaLr: DEFAULT_DELTA_LR_RATIO * lsqDelta(0.003, 4) });
    for (const rec of [fp32!, alpt!]) {
      for (const k of ["testAuc", "testLogloss", "valAuc", "seconds"]) expect(Number.isFinite(rec[k]), k).toBe(true);
      // a model that learned nothing scores 0.5 ± 0.027 on 600 rows (± 0.019 for the mean of the
      // two splits); these runs reach 0.65–0.67
      expect(((rec.testAuc as number) + (rec.valAuc as number)) / 2).toBeGreaterThan(0.6);
      expect(rec.value).toBe(rec.testAuc);
    }
    expect(alpt!.bytesPerRow).toBeLessThan(fp32!.bytesPerRow as number);
    const d = alpt!.delta as { median: number; histogram: { counts: number[]; below: number; above: number } };
    expect(d.histogram.counts.reduce((a, b) => a + b, d.histogram.below + d.histogram.above)).toBe(alpt!.embeddingRows);
    // the floor is 0.1 × the measured mean Δ₀, within a few % of the expected LSQ value
    expect((alpt!.deltaFloor as number) / (0.1 * lsqDelta(0.003, 4))).toBeCloseTo(1, 1);
    expect(fp32!.delta).toBeUndefined();
  }, 180_000);

  it("paper: appends each case to <results-dir>/paper-<setup>.jsonl, picks lpt's Δ on validation, skips recorded cases on rerun", async () => {
    const args = ["paper", "--quick", "--no-report", "--methods", "fp32,lpt-sr", "--bits", "2", "--batch-sizes", "2048,1024", "--models", "none", "--lpt-delta", "1,2", "--results-dir", "runs"];
    const first = await experiment(join(dir, "data"), ...args);
    expect(first.code, first.stderr).toBe(0);
    const read = (d: string) => records(readFileSync(join(dir, "runs", `${d}.jsonl`), "utf8"));
    expect(read("paper-criteo").map((x) => x.case)).toEqual(["experiment/criteo-dcn-fp32-s0", "experiment/criteo-dcn-lpt-sr-b2-s0"]);
    expect(read("paper-criteo-batch-1024").map((x) => x.case)).toEqual(["experiment/criteo-dcn-bs1024-fp32-s0", "experiment/criteo-dcn-bs1024-lpt-sr-b2-s0"]);
    expect(read("paper-avazu").map((x) => x.case)).toEqual(["experiment/avazu-dcn-fp32-s0", "experiment/avazu-dcn-lpt-sr-b2-s0"]);
    expect(read("paper-avazu")[0]).toMatchObject({ rows: { train: 800, valid: 100, test: 100 } });
    // lpt: Δ = 1 and 2 × the LSQ value trained on seed 0; the better validation AUC is the cell's record
    const tried = read("lpt-delta-criteo");
    expect(tried.map((x) => [x.case, x.lptDeltaMultiple])).toEqual([["experiment/criteo-dcn-lpt-sr-b2-s0-dx1", 1], ["experiment/criteo-dcn-lpt-sr-b2-s0-dx2", 2]]);
    const cell = read("paper-criteo")[1]!;
    const best = (tried[1]!.valAuc as number) > (tried[0]!.valAuc as number) ? tried[1]! : tried[0]!;
    expect(cell).toMatchObject({ valAuc: best.valAuc, testAuc: best.testAuc, deltaInit: best.deltaInit, lptDeltaGrid: tried.map((x) => ({ multiple: x.lptDeltaMultiple, valAuc: x.valAuc })) });
    const again = await experiment(join(dir, "data"), ...args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe("");
    expect(again.stderr).toContain("experiment/avazu-dcn-lpt-sr-b2-s0: recorded, skipped");
    expect(read("paper-criteo")).toHaveLength(2);
    // the report goes next to records kept outside the repository's docs/
    const report = await experiment(join(dir, "data"), ...args.filter((x) => x !== "--no-report"));
    expect(report.code, report.stderr).toBe(0);
    const md = readFileSync(join(dir, "runs", "RESULTS.md"), "utf8");
    expect(md).toContain("from 6 runs");
    expect(md).toContain("Criteo, batch 1024");
    expect(readdirSync(join(dir, "runs", "figures")).some((f) => f.endsWith(".svg"))).toBe(true);
  }, 240_000);
});
