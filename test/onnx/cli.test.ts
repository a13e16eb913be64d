// `alpt export --format onnx` end to end with the built command: a checkpoint (a 2-bit ALPT
// DCN with a FeatureMap, trained briefly on synthetic rows) → an ONNX file that ONNX Runtime
// Node loads and that predicts what the `alpt export` artifact of the same checkpoint predicts;
// the FeatureMap is in metadata_props, raw rows encoded with it give the same probabilities;
// usage errors exit with code 2 and name the flag.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FeatureMap } from "../../src/data/feature-map.js";
import { SyntheticCtr } from "../../src/data/synthetic.js";
import { encodeCheckpoint } from "../../src/io/checkpoint.js";
import { createModel, type ModelOptions } from "../../src/models/registry.js";
import { loadPredictor } from "../../src/serve/predictor.js";
import { Trainer } from "../../src/train/trainer.js";
import { cliSession, type CliSession } from "../helpers/cli-session.js";
import { engine } from "../helpers/engine.js";
import { readModel } from "./read-model.js";

let cli: CliSession;
let dir: string;
const alpt = (...args: string[]) => cli.alpt(...args);

const gen = new SyntheticCtr({ seed: 11, vocabSize: 500, numericFields: 2, categoricalFields: 6, interactionPairs: 4 });
/** A FeatureMap with the generator's field sizes (tokens "v0", "v1", …). */
const featureMap = (() => {
  const fields = gen.fieldNames.map((name) => ({ name, type: "categorical" as const, transform: "none" as const, minCount: 1 }));
  return new FeatureMap(fields, gen.fieldSizes.map((n) => Array.from({ length: n - 2 }, (_, i) => `v${i}`)), 2000);
})();

beforeAll(async () => {
  await engine();
  cli = cliSession("alpt-onnx-cli-");
  dir = cli.dir;
  const modelOptions: ModelOptions = {
    fieldSizes: featureMap.fieldSizes, embeddingDim: 8, hiddenUnits: [16, 8], crossLayers: 2, seed: 1,
    embedding: { method: "alpt", bits: 2, lr: 3e-2, initStd: 0.05 },
  };
  const model = createModel("DCN", modelOptions);
  try {
    new Trainer(model, { epochs: 1, batchSize: 128, seed: 1, optimizer: { lr: 1e-2 }, progress: false }).fit(gen.generate(0, 2000));
    writeFileSync(join(dir, "dcn.safetensors"), encodeCheckpoint(model, { model: "DCN", modelOptions, featureMap: featureMap.toJSON() }));
  } finally {
    model.dispose();
  }
}, 120_000);

afterAll(() => cli?.cleanup());

describe("alpt export --format onnx", () => {
  it("writes an ONNX file that ONNX Runtime serves as alpt does", async () => {
    const [onnxRun, alptRun] = await Promise.all([
      alpt("export", "dcn.safetensors", "--format", "onnx", "--ids-dtype", "int32", "--out", "dcn.onnx", "--json"),
      alpt("export", "dcn.safetensors", "--out", "dcn.export.safetensors", "--json"),
    ]);
    expect(onnxRun.code, onnxRun.stderr).toBe(0);
    expect(alptRun.code, alptRun.stderr).toBe(0);
    const rec = JSON.parse(onnxRun.stdout.trim()) as Record<string, unknown>;
    expect(rec).toMatchObject({ command: "export", format: "onnx", model: "DCN", method: "alpt", storage: "2-bit codes + F32 Δ" });
    const onnx = readFileSync(join(dir, "dcn.onnx"));
    expect(rec.bytes).toBe(onnx.length);
    const alptBytes = JSON.parse(alptRun.stdout.trim()).bytes as number;
    expect(onnx.length / alptBytes).toBeLessThanOrEqual(1.1);

    // raw rows → ids with the FeatureMap the file carries
    const meta = readModel(onnx).metadata;
    const fm = FeatureMap.fromJSON(JSON.parse(meta.featureMap!));
    expect(fm.hash).toBe(featureMap.hash);
    const raw = Array.from({ length: 64 }, (_, k) => gen.fieldNames.map((_, f) => (k + f) % 5 === 0 ? "" : k % 7 === 0 ? "never-seen" : `v${(k * 3 + f) % 20}`));
    const ids = new Int32Array(raw.length * fm.fields.length);
    raw.forEach((r, k) => fm.encode(r, ids, k * fm.fields.length));

    const predictor = loadPredictor(readFileSync(join(dir, "dcn.export.safetensors")));
    const expected = predictor.predictBatch(raw);
    predictor.dispose();
    const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1 });
    const out = await session.run({ ids: new ort.Tensor("int32", ids, [raw.length, fm.fields.length]) });
    await session.release();
    const got = out.probability!.data as Float32Array;
    let diff = 0;
    for (let i = 0; i < raw.length; i++) diff = Math.max(diff, Math.abs(got[i]! - expected[i]!));
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it("refuses an unknown format or ids type (exit code 2, naming the flag)", async () => {
    const bad = await alpt("export", "dcn.safetensors", "--format", "tflite", "--out", "x");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format/);
    const ids = await alpt("export", "dcn.safetensors", "--format", "onnx", "--ids-dtype", "int16", "--out", "x");
    expect(ids.code).toBe(2);
    expect(ids.stderr).toMatch(/--ids-dtype/);
  });
});
