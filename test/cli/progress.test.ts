// The built `alpt` without a terminal: progress lines on stderr while prepare and train run
// (--progress-every 0: a line per step, no sleeping), --json `progress` records, evaluations at
// every epoch end with --eval-every (mid-epoch ones labelled), the --log JSON lines, and
// `alpt plot` drawing two runs on one chart, written atomically.
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyntheticCtr } from "../../src/data/synthetic.js";
import { cliSession, type CliSession } from "../helpers/cli-session.js";

let cli: CliSession;
let dir: string;
const alpt = (...args: string[]) => cli.alpt(...args);

const lines = (s: string) => s.split("\n").filter((l) => l.trim() !== "");
const records = (s: string) => lines(s).map((l) => JSON.parse(l) as Record<string, unknown>);
const SMALL = ["--batch-size", "256", "--embedding-dim", "4", "--hidden-units", "16", "--cross-layers", "1"];

beforeAll(async () => {
  cli = cliSession("alpt-progress-");
  dir = cli.dir;
  // 3000 rows → 2400 train rows → 10 steps of 256 per epoch
  writeFileSync(join(dir, "train.txt"), new SyntheticCtr({ seed: 5, vocabSize: 300 }).criteoText(0, 3000));
  const prep = await alpt("prepare", "train.txt", "--out", "prep", "--progress-every", "0");
  expect(prep.code, prep.stderr).toBe(0);
  // a line per chunk read in each of the three passes (the line count, the counting, the encoding)
  const passes = lines(prep.stderr).filter((l) => /^train\.txt pass \d\/3 \(/.test(l));
  expect(new Set(passes.map((l) => l.slice(0, 16)))).toEqual(new Set(["train.txt pass 1", "train.txt pass 2", "train.txt pass 3"]));
  expect(passes.find((l) => l.startsWith("train.txt pass 1"))).toMatch(/^train\.txt pass 1\/3 \(counting lines\): [\d.]+ MB of [\d.]+ MB \(\d+%\), [\d.]+ MB\/s, ETA \S+ for this pass$/);
  expect(passes[passes.length - 1]).toMatch(/^train\.txt pass 3\/3 \(encoding into shards\): [\d.]+ MB of [\d.]+ MB \(100%\), [\d,]+ rows, [\d,]+ rows\/s, [\d.]+ MB\/s, ETA 0s for this pass$/);
  // a line per shard written
  expect(lines(prep.stderr).filter((l) => l.startsWith("wrote ")).map((l) => l.replace(/, [\d.]+ MB, at \S+$/, ""))).toEqual([
    "wrote train.cache: 2,400 rows of train", "wrote valid.cache: 300 rows of valid", "wrote test.cache: 300 rows of test",
  ]);
}, 180_000);

afterAll(() => cli?.cleanup());

describe("alpt train without a terminal", () => {
  it("prints a progress line per interval (here every step), evaluates each epoch end and labels mid-epoch evaluations", async () => {
    const r = await alpt("train", "--data", "prep", ...SMALL, "--epochs", "2", "--eval-every", "4", "--progress-every", "0", "--out", "a.safetensors", "--no-resume-file");
    expect(r.code, r.stderr).toBe(0);
    const progress = lines(r.stderr).filter((l) => l.startsWith("epoch "));
    expect(progress).toHaveLength(20);
    expect(progress[0]).toMatch(/^epoch 1\/2 step 1\/10 \(10%\)  loss \d\.\d{4}  [\d,]+ samples\/s  elapsed \d+s  ETA \S+$/);
    expect(progress[19]).toMatch(/^epoch 2\/2 step 10\/10 \(100%\) .* ETA 0s$/);
    expect(r.stderr).not.toContain("\r"); // no redrawing in a log
    // evaluations: steps 4, 8 (mid-epoch), 10 (epoch end), 12, 16 (mid-epoch), 20 (epoch end)
    const evals = lines(r.stdout).filter((l) => /^epoch \d step \d+/.test(l));
    expect(evals.map((l) => /^(epoch \d step \d+(?: \(mid-epoch\))?):/.exec(l)![1]))
      .toEqual(["epoch 1 step 4 (mid-epoch)", "epoch 1 step 8 (mid-epoch)", "epoch 1 step 10", "epoch 2 step 12 (mid-epoch)", "epoch 2 step 16 (mid-epoch)", "epoch 2 step 20"]);
  });

  it("prints nothing on stderr with --progress off", async () => {
    const r = await alpt("train", "--data", "prep", ...SMALL, "--epochs", "1", "--progress", "off", "--progress-every", "0", "--out", "b.safetensors", "--no-resume-file");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
  });

  it("--json: progress records on stdout, evaluations as eval (mid-epoch) and epoch records, nothing on stderr", async () => {
    const r = await alpt("train", "--data", "prep", ...SMALL, "--epochs", "1", "--eval-every", "3", "--progress-every", "0", "--out", "c.safetensors", "--no-resume-file", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const recs = records(r.stdout);
    const progress = recs.filter((x) => x.event === "progress");
    expect(progress).toHaveLength(10);
    expect(progress[0]).toMatchObject({ command: "train", epoch: 1, epochs: 1, step: 1, epochStep: 1, stepsPerEpoch: 10, lossSteps: 1 });
    for (const k of ["loss", "samplesPerSec", "etaSeconds", "elapsedSeconds"]) expect(typeof progress[0]![k]).toBe("number");
    const evals = recs.filter((x) => x.event === "eval" || x.event === "epoch").map((x) => [x.event, x.step, x.midEpoch]);
    expect(evals).toEqual([["eval", 3, true], ["eval", 6, true], ["eval", 9, true], ["epoch", 10, false]]);
  });
});

describe("alpt prepare --json", () => {
  it("progress records per pass on stdout, a record per shard, then the summary; nothing on stderr", async () => {
    const r = await alpt("prepare", "train.txt", "--out", "prep-json", "--progress-every", "0", "--json", "--shard-rows", "1000");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const recs = records(r.stdout);
    const progress = recs.filter((x) => x.event === "progress");
    expect(new Set(progress.map((x) => x.passName))).toEqual(new Set(["counting lines", "counting values", "encoding into shards"]));
    expect(progress[0]).toMatchObject({ command: "prepare", file: "train.txt", pass: 1, passes: 3 });
    expect(progress.every((x) => (x.bytes as number) <= (x.totalBytes as number))).toBe(true);
    expect(progress[progress.length - 1]).toMatchObject({ pass: 3, rows: expect.any(Number), rowsPerSec: expect.any(Number) });
    // one record per shard, as it is written (--shard-rows 1000: train in three shards)
    const shards = recs.filter((x) => x.event === "shard");
    expect(shards.map((x) => [x.split, x.shard, x.file, x.rows])).toEqual([
      ["train", 0, "train-00000.cache", 1000], ["train", 1, "train-00001.cache", 1000], ["train", 2, "train-00002.cache", 400], ["valid", 0, "valid.cache", 300], ["test", 0, "test.cache", 300],
    ]);
    for (const x of shards) expect(x).toMatchObject({ command: "prepare", bytes: expect.any(Number), elapsedMs: expect.any(Number) });
    expect(recs[recs.length - 1]).toMatchObject({ event: "done", command: "prepare", rows: { train: 2400, valid: 300, test: 300 }, shards: { train: 3, valid: 1, test: 1 } });
  });
});

describe("alpt train --log and alpt plot", () => {
  it("logs every step and evaluation, and plots two runs on one chart", async () => {
    const a = await alpt("train", "--data", "prep", ...SMALL, "--epochs", "2", "--eval-every", "4", "--bits", "4", "--log", "b4.jsonl", "--out", "b4.safetensors", "--no-resume-file", "--progress", "off");
    expect(a.code, a.stderr).toBe(0);
    const b = await alpt("train", "--data", "prep", ...SMALL, "--epochs", "2", "--bits", "2", "--log", "b2.jsonl", "--out", "b2.safetensors", "--no-resume-file", "--progress", "off");
    expect(b.code, b.stderr).toBe(0);

    const log = records(readFileSync(join(dir, "b4.jsonl"), "utf8"));
    expect(log[0]).toMatchObject({ kind: "header", format: "alpt-train-log", model: "DCN", method: "alpt", bits: 4, stepsPerEpoch: 10, batchSize: 256, epochs: 2, trainRows: 2400 });
    expect(log.filter((x) => x.kind === "step").map((x) => x.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(log.filter((x) => x.kind === "eval").map((x) => [x.step, x.midEpoch])).toEqual([[4, true], [8, true], [10, false], [12, true], [16, true], [20, false]]);
    expect(log[log.length - 1]).toMatchObject({ kind: "end", steps: 20 });
    expect(records(readFileSync(join(dir, "b2.jsonl"), "utf8")).filter((x) => x.kind === "eval")).toHaveLength(2);

    const p = await alpt("plot", "b4.jsonl", "b2.jsonl", "--out", "bits.svg");
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toContain("plotted 2 runs into bits.svg");
    const svg = readFileSync(join(dir, "bits.svg"), "utf8");
    for (const label of ["b4 (DCN alpt 4-bit)", "b2 (DCN alpt 2-bit)"]) {
      expect(svg.split(`<g data-series="${label}">`)).toHaveLength(3); // in the loss panel and in the AUC panel
      expect(svg).toContain(`>${label}</text>`);
    }
    expect(svg.match(/<circle /g)).toHaveLength(6 + 2); // one marker per evaluation
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    // --labels, --json, and the errors
    const q = await alpt("plot", "b4.jsonl", "b2.jsonl", "--labels", "four,two", "--out", "named.svg", "--json");
    expect(q.code, q.stderr).toBe(0);
    expect(records(q.stdout)[0]).toMatchObject({ command: "plot", out: "named.svg", runs: [{ label: "four", steps: 20, evals: 6, finished: true }, { label: "two", steps: 20, evals: 2, finished: true }] });
    expect(readFileSync(join(dir, "named.svg"), "utf8")).toContain('data-series="two"');
    const bad = await alpt("plot", "train.txt", "--out", "x.svg");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("train.txt:1: not an alpt training log");
    expect(existsSync(join(dir, "x.svg"))).toBe(false);
    const usage = await alpt("plot", "b4.jsonl", "--labels", "a,b");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--labels has 2 name(s) for 1 log(s)");
  }, 120_000);
});
