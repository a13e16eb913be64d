// The built `alpt` command end to end on generated Criteo TSV in a temp folder: prepare → train
// (config with FuxiCTR keys + flags) → eval → predict (TSV and JSON lines) → export (f32, f16) →
// inspect, then the error cases: exit code 2 for usage errors, 1 for runtime errors, and
// messages that name the file, line, key or flag.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyntheticCtr } from "../../src/data/synthetic.js";
import { cliSession, type CliRun, type CliSession } from "../helpers/cli-session.js";

let cli: CliSession;
let dir: string;
const alpt = (...args: string[]) => cli.alpt(...args);

const lines = (s: string) => s.split("\n").filter((l) => l.trim() !== "");
const records = (s: string) => lines(s).map((l) => JSON.parse(l) as Record<string, unknown>);

const gen = new SyntheticCtr({ seed: 21, vocabSize: 1000 });
const TEST_ROWS = 200;

beforeAll(() => {
  cli = cliSession("alpt-cli-");
  dir = cli.dir;
  writeFileSync(join(dir, "train.txt"), gen.criteoText(0, 8000));
  // unlabeled test rows (39 columns, as Criteo's test.txt)
  const test = lines(gen.criteoText(8000, TEST_ROWS)).map((l) => l.split("\t").slice(1).join("\t"));
  writeFileSync(join(dir, "test.txt"), test.join("\n") + "\n");
  // the first 5 test rows as JSON records keyed by field name (numbers as numbers, empty = absent)
  const names = gen.fieldNames;
  const json = test.slice(0, 5).map((l) => {
    const cells = l.split("\t");
    return JSON.stringify(Object.fromEntries(names.flatMap((n, f) => (cells[f] === "" ? [] : [[n, f < 13 ? Number(cells[f]) : cells[f]]]))));
  });
  writeFileSync(join(dir, "rows.jsonl"), json.join("\n") + "\n");
  writeFileSync(join(dir, "config.json"), JSON.stringify({
    Base: { data: "prep", batch_size: 256, epochs: 2, task: "binary_classification", loss: "binary_crossentropy", seed: 3 },
    dcn_alpt4: { model: "DCN", method: "alpt", bits: 4, embedding_dim: 8, dnn_hidden_units: [32, 16], num_cross_layers: 2, batch_norm: true, learning_rate: 0.01, monitor: "AUC" },
    deepfm_fp32: { model: "DeepFM", method: "fp32", embedding_dim: 4 },
  }, null, 2));
}, 120_000);

afterAll(() => cli?.cleanup());

describe("alpt: prepare → train → eval → predict → export → inspect", () => {
  it("runs the whole flow", async () => {
    // prepare
    const prep = await alpt("prepare", "train.txt", "--out", "prep", "--min-count", "2", "--json");
    expect(prep.stderr).toBe("");
    expect(prep.code).toBe(0);
    // a record per shard written, then the summary
    const recs = records(prep.stdout);
    expect(recs.map((r) => r.event)).toEqual(["shard", "shard", "shard", "done"]);
    const p = recs[recs.length - 1]!;
    expect(p.rows).toEqual({ train: 6400, valid: 800, test: 800 });
    expect(p.fields).toBe(39);
    for (const f of ["dataset.json", "feature_map.json", "train.cache", "valid.cache", "test.cache"]) expect(existsSync(join(dir, "prep", f)), f).toBe(true);

    // train: config experiment + a flag that overrides it
    const tr = await alpt("train", "--config", "config.json", "--experiment", "dcn_alpt4", "--epochs", "3", "--out", "dcn.safetensors", "--json");
    expect(tr.code, tr.stderr).toBe(0);
    const ev = records(tr.stdout);
    expect(ev.filter((r) => r.event === "epoch").map((r) => r.epoch)).toEqual([1, 2, 3]);
    const done = ev[ev.length - 1]!;
    expect(done).toMatchObject({ event: "done", model: "DCN", method: "alpt", bits: 4, experiment: "dcn_alpt4", checkpoint: "dcn.safetensors" });
    expect(done.valAuc as number).toBeGreaterThan(0.6);
    const text = await alpt("train", "--config", "config.json", "--experiment", "deepfm_fp32", "--epochs", "1", "--out", "fm.safetensors", "--init", "glorot", "--batch-norm-momentum", "0.3");
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^training DeepFM \(experiment deepfm_fp32\): fp32 embeddings/m);
    expect(text.stdout).toMatch(/^epoch 1 step 25: train loss [\d.]+ {2}val AUC [\d.]+ logloss [\d.]+/m);
    const fmInfo = JSON.stringify(records((await alpt("inspect", "fm.safetensors", "--json")).stdout)[0]);
    expect(fmInfo).toContain('"init":"glorot"');
    expect(fmInfo).toContain('"batchNormMomentum":0.3');

    // eval
    const e1 = records((await alpt("eval", "dcn.safetensors", "--data", "prep", "--json")).stdout)[0]!;
    expect(e1).toMatchObject({ kind: "checkpoint", rows: 800, data: "prep (test)" });
    expect(e1.auc as number).toBeGreaterThan(0.6);
    const e2 = records((await alpt("eval", "dcn.safetensors", "--data", "prep", "--split", "valid", "--json")).stdout)[0]!;
    expect(e2.auc).toBeCloseTo(done.valAuc as number, 12);

    // export (f32 exact, f16 close) and eval of the artifacts
    const [x32, x16] = await Promise.all([
      alpt("export", "dcn.safetensors", "--out", "dcn.f32.safetensors", "--json"),
      alpt("export", "dcn.safetensors", "--out", "dcn.f16.safetensors", "--delta-dtype", "f16", "--json"),
    ]);
    expect([x32.code, x16.code]).toEqual([0, 0]);
    expect(records(x16.stdout)[0]!.bytes as number).toBeLessThan(records(x32.stdout)[0]!.bytes as number);
    const [a32, a16] = await Promise.all(["dcn.f32.safetensors", "dcn.f16.safetensors"].map((f) => alpt("eval", f, "--data", "prep", "--json")));
    expect(records(a32!.stdout)[0]!.auc).toBe(e1.auc);
    expect(Math.abs((records(a16!.stdout)[0]!.auc as number) - (e1.auc as number))).toBeLessThan(0.002);

    // predict: unlabeled TSV from the checkpoint and the export, CSV and JSON lines; records
    const [csvCk, csvEx, jl] = await Promise.all([
      alpt("predict", "dcn.safetensors", "--input", "test.txt", "--output", "p.csv"),
      alpt("predict", "dcn.f32.safetensors", "--input", "test.txt"),
      alpt("predict", "dcn.f32.safetensors", "--input", "rows.jsonl", "--format", "jsonl", "--json"),
    ]);
    expect([csvCk.code, csvEx.code, jl.code], csvCk.stderr + csvEx.stderr + jl.stderr).toEqual([0, 0, 0]);
    expect(csvCk.stdout).toMatch(/^200 predictions → p\.csv/);
    const fromFile = lines(readFileSync(join(dir, "p.csv"), "utf8"));
    expect(fromFile[0]).toBe("line,probability");
    expect(fromFile.length).toBe(TEST_ROWS + 1);
    expect(lines(csvEx.stdout)).toEqual(fromFile);
    for (const l of fromFile.slice(1)) {
      const v = Number(l.split(",")[1]);
      expect(v > 0 && v < 1).toBe(true);
    }
    const fromJson = records(jl.stdout);
    expect(fromJson.map((r) => r.line)).toEqual([1, 2, 3, 4, 5]);
    expect(fromJson.map((r) => String(r.probability))).toEqual(fromFile.slice(1, 6).map((l) => l.split(",")[1]));

    // inspect
    const [ick, iex] = await Promise.all([alpt("inspect", "dcn.safetensors", "--json"), alpt("inspect", "dcn.f16.safetensors")]);
    const r = records(ick.stdout)[0]!;
    expect(r).toMatchObject({ kind: "checkpoint", model: "DCN", method: "alpt", bits: 4, storage: "codes", dim: 8, hasOptimizer: true });
    const bpr = r.bytesPerRow as Record<string, number>;
    expect(bpr).toMatchObject({ codes: 4, delta: 4, fp32Rows: 0, rowOptimizer: 64, deltaOptimizer: 8, total: 80 });
    // the whole architecture, layer by layer (39 fields × dim 8 = 312 inputs, MLP 32-16, 2 cross layers)
    const layers = r.layers as { name: string; params: Record<string, number[]> }[];
    expect(layers.map((l) => l.name).sort()).toEqual(["cross.0", "cross.1", "deep.0", "deep.0.bn", "deep.1", "deep.1.bn", "head"]);
    expect(layers.find((l) => l.name === "deep.0")!.params).toEqual({ W: [312, 32], b: [32] });
    expect(iex.stdout).toMatch(/layers +cross\.0 +w \[312\] +b \[312\]/);
    const d = r.delta as Record<string, number>;
    expect(d.min).toBeGreaterThan(0);
    expect(d.min).toBeLessThanOrEqual(d.median);
    expect(d.median).toBeLessThanOrEqual(d.max);
    expect(iex.code).toBe(0);
    expect(iex.stdout).toMatch(/alpt export/);
    expect(iex.stdout).toMatch(/bytes\/row {2}6 = codes 4 \+ Δ 2 \(F16\)/);
    expect(iex.stdout).toMatch(/Δ {10}min [\d.e-]+ {2}median [\d.e-]+ {2}max/);
  });
});

describe("alpt train --resume", () => {
  it("continues a run from its resume file bit for bit, and refuses to change it", async () => {
    if (!existsSync(join(dir, "prep"))) await alpt("prepare", "train.txt", "--out", "prep");
    const common = ["--config", "config.json", "--experiment", "dcn_alpt4", "--patience", "3", "--lr-schedule", "paper", "--json"];
    const [full, part] = await Promise.all([
      alpt("train", ...common, "--epochs", "3", "--out", "full.safetensors"),
      alpt("train", ...common, "--epochs", "2", "--out", "part.safetensors"),
    ]);
    expect([full.code, part.code], full.stderr + part.stderr).toEqual([0, 0]);
    expect(existsSync(join(dir, "part.resume.safetensors"))).toBe(true);
    const resumed = await alpt("train", "--resume", "part.resume.safetensors", "--epochs", "3", "--out", "resumed.safetensors", "--json");
    expect(resumed.code, resumed.stderr).toBe(0);
    const epochs = (r: CliRun) => records(r.stdout).filter((x) => x.event === "epoch").map((x) => [x.epoch, x.step, x.trainLoss, x.valAuc, x.valLogloss]);
    expect(epochs(resumed)).toEqual(epochs(full).slice(2));
    const done = (r: CliRun) => records(r.stdout).find((x) => x.event === "done")!;
    expect(done(resumed)).toMatchObject({ steps: done(full).steps, bestEpoch: done(full).bestEpoch, valAuc: done(full).valAuc, valLogloss: done(full).valLogloss });
    const [pf, pr] = await Promise.all(["full", "resumed"].map((f) => alpt("predict", `${f}.safetensors`, "--input", "test.txt")));
    expect(pr!.stdout).toBe(pf!.stdout);

    const [changed, done3, notResume] = await Promise.all([
      alpt("train", "--resume", "part.resume.safetensors", "--epochs", "3", "--lr", "0.5"),
      alpt("train", "--resume", "resumed.resume.safetensors", "--epochs", "2"),
      alpt("train", "--resume", "full.safetensors", "--epochs", "4"),
    ]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/--lr = 0\.5: a resumed run keeps its settings \(it was 0\.01\)/);
    expect(done3.code).toBe(2);
    expect(done3.stderr).toMatch(/--epochs = 2: the saved run has done 3 epochs already; give --epochs 3 to write its checkpoint/);
    expect(notResume.code).toBe(1);
    expect(notResume.stderr).toMatch(/full\.safetensors: not a resume file/);
  });
});

describe("alpt: errors name the problem and exit with 1 (runtime) or 2 (usage)", () => {
  it("every command has --help", async () => {
    const cmds = ["prepare", "train", "eval", "predict", "export", "inspect", "plot", "bench", "generate", "demo"];
    const runs = await Promise.all([...cmds.map((c) => alpt(c, "--help")), alpt("--help")]);
    runs.slice(0, -1).forEach((r, k) => {
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: alpt ${cmds[k]}`);
      expect(r.stdout).toContain("--json");
    });
    expect(runs[runs.length - 1]!.stdout).toMatch(/Commands:[\s\S]*prepare[\s\S]*inspect/);
  });

  it("usage and runtime errors", async () => {
    writeFileSync(join(dir, "bad-key.json"), JSON.stringify({ x: { data: "prep", dnn_hiden_units: [8] } }));
    writeFileSync(join(dir, "bad-type.json"), JSON.stringify({ x: { data: "prep", embedding_dim: "16" } }));
    writeFileSync(join(dir, "bad-json.json"), '{\n  "x": {\n    "bits": 4,\n  }\n}\n');
    writeFileSync(join(dir, "broken.txt"), "1\t2\n");
    writeFileSync(join(dir, "unknown-field.jsonl"), '{"I1": 3}\n{"nope": 1}\n');
    writeFileSync(join(dir, "bad-rows.txt"), readFileSync(join(dir, "test.txt"), "utf8").split("\n").slice(0, 3).join("\n") + "\nonly\ttwo\n");
    if (!existsSync(join(dir, "prep"))) await alpt("prepare", "train.txt", "--out", "prep");
    const cases: [string[], number, RegExp][] = [
      [["prepare", "nope.txt", "--out", "p2"], 1, /^alpt prepare: input nope\.txt: the file does not exist/],
      [["prepare", "train.txt", "--split", "0.8,0.3"], 2, /--split expects .*got "0\.8,0\.3"/],
      [["train", "--config", "bad-key.json"], 2, /bad-key\.json:1:\d+: experiment "x": "dnn_hiden_units" is not a setting \(did you mean "dnn_hidden_units"\?\)/],
      [["train", "--config", "bad-type.json"], 2, /bad-type\.json:1:\d+: experiment "x": "embedding_dim" = "16": expected an integer ≥ 1/],
      [["train", "--config", "bad-json.json"], 2, /bad-json\.json:4:3: not valid JSON/],
      [["train", "--config", "missing.json"], 2, /config missing\.json: the file does not exist/],
      [["train", "--data", "prep", "--hiden-units", "8"], 2, /unknown option --hiden-units for alpt train \(did you mean --hidden-units\?\)/],
      [["train", "--data", "prep", "--bits", "x"], 2, /option --bits expects one of 1, 2, 3, 4, 5, 6, 7, 8, 16, got "x"/],
      [["train", "--data", "prep", "--model", "GPT"], 2, /option --model expects one of LR, FM, .*got "GPT"/],
      [["train", "--data", "prep", "--init", "kaiming"], 2, /option --init expects one of torch, glorot, xavier-normal, got "kaiming"/],
      [["train", "--data", "prep", "--batch-norm-momentum", "0"], 2, /option --batch-norm-momentum expects a number in \[0\.001, 1\], got "0"/],
      [["train"], 2, /train needs the data: --data DIR/],
      [["train", "--data", "missing-dir"], 1, /missing-dir\/dataset\.json: the file does not exist \(is missing-dir a folder written by `alpt prepare`\?\)/],
      [["eval", "missing.safetensors", "--data", "prep"], 1, /model missing\.safetensors: the file does not exist/],
      [["eval", "train.txt", "--data", "prep"], 1, /train\.txt: not a valid safetensors file/],
      [["eval", "dcn.safetensors"], 2, /exactly one of --data DIR or --input FILE/],
      [["predict", "dcn.safetensors", "--input", "bad-rows.txt"], 1, /bad-rows\.txt:4:\d+: expected 39 columns, got 2/],
      [["predict", "dcn.safetensors", "--input", "broken.txt", "--format", "jsonl"], 1, /broken\.txt:1: not valid JSON/],
      [["predict", "dcn.safetensors", "--input", "unknown-field.jsonl", "--format", "jsonl"], 1, /unknown-field\.jsonl:2: .*unknown field "nope"/],
      [["export", "dcn.safetensors"], 2, /export needs --out FILE/],
      [["inspect", "a", "b"], 2, /unexpected argument "b"/],
      [["bench", "nope"], 2, /unknown bench suite "nope"/],
      [["fit"], 2, /unknown command "fit"/],
    ];
    const runs = await Promise.all(cases.map(([args]) => alpt(...args)));
    runs.forEach((r, k) => {
      const [args, code, re] = cases[k]!;
      expect(r.stderr, args.join(" ")).toMatch(re);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(code);
    });
    const j = await alpt("train", "--data", "prep", "--bitz", "3", "--json");
    expect(JSON.parse(j.stderr)).toMatchObject({ kind: "usage", exitCode: 2, command: "train" });
  });

  it("a corrupted checkpoint is refused", async () => {
    if (!existsSync(join(dir, "dcn.safetensors"))) return;
    const bytes = readFileSync(join(dir, "dcn.safetensors"));
    bytes[bytes.length - 100] ^= 0x04;
    writeFileSync(join(dir, "flipped.safetensors"), bytes);
    writeFileSync(join(dir, "cut.safetensors"), bytes.subarray(0, bytes.length >> 1));
    const [a, b] = await Promise.all([alpt("eval", "flipped.safetensors", "--data", "prep"), alpt("inspect", "cut.safetensors")]);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/flipped\.safetensors: not a valid safetensors file: the bytes do not match their checksum .* the file is corrupted/);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/cut\.safetensors: not a valid safetensors file: .*truncated/);
  });
});
