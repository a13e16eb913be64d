// A 2-bit ALPT DCN trained on the real Criteo sample (the Kaggle train rows of the shared data
// folder, never part of the repository; ALPT_DATA, default ../shared/data) round-trips through
// ONNX Runtime Node within 1e-5 of alpt's predictor, raw rows encoded with the FeatureMap the
// ONNX file carries. Skipped, with a message, when the folder is absent.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import { criteoOptions } from "../../src/data/criteo.js";
import { FeatureMap } from "../../src/data/feature-map.js";
import { prepareDataset } from "../../src/data/prepare.js";
import { readFileBytes } from "../../src/data/source.js";
import { encodeExport } from "../../src/io/export.js";
import { createModel, type ModelOptions } from "../../src/models/registry.js";
import { exportOnnx } from "../../src/onnx/export.js";
import { loadPredictor } from "../../src/serve/predictor.js";
import { Trainer } from "../../src/train/trainer.js";
import { engine } from "../helpers/engine.js";
import { readModel } from "./read-model.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const dataDir = process.env.ALPT_DATA ?? resolve(root, "../shared/data");
const sample = join(dataDir, "criteo", "criteo_kaggle_train_sample.txt");
const present = existsSync(sample);
if (!present) console.warn(`ONNX Criteo test skipped: ${sample} not found (set ALPT_DATA to the shared data folder)`);

beforeAll(engine);

describe("2-bit ALPT DCN on the Criteo sample", () => {
  it.skipIf(!present)("predicts the same in ONNX Runtime Node as in alpt (max abs diff ≤ 1e-5)", async () => {
    const { featureMap, dataset } = await prepareDataset({
      open: () => readFileBytes(sample), reader: criteoOptions({ file: sample }), featureMap: { minCount: 2 },
    });
    const modelOptions: ModelOptions = {
      fieldSizes: featureMap.fieldSizes, embeddingDim: 16, hiddenUnits: [64, 32], crossLayers: 3, seed: 1,
      embedding: { method: "alpt", bits: 2 },
    };
    const model = createModel("DCN", modelOptions);
    try {
      new Trainer(model, { epochs: 2, batchSize: 256, seed: 1, progress: false }).fit(dataset);
      const info = { model: "DCN", modelOptions, featureMap: featureMap.toJSON(), dataFormat: "criteo" };
      const predictor = loadPredictor(encodeExport(model, info));
      const onnx = exportOnnx(model, info);
      expect(FeatureMap.fromJSON(JSON.parse(readModel(onnx).metadata.featureMap!)).hash).toBe(featureMap.hash);
      const n = dataset.n, F = dataset.fields;
      const expected = predictor.predictIds(dataset.ids);
      predictor.dispose();
      const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1 });
      const out = await session.run({ ids: new ort.Tensor("int64", BigInt64Array.from(dataset.ids, (v) => BigInt(v)), [n, F]) });
      await session.release();
      const got = out.probability!.data as Float32Array;
      let diff = 0;
      for (let i = 0; i < n; i++) diff = Math.max(diff, Math.abs(got[i]! - expected[i]!));
      expect(diff).toBeLessThanOrEqual(1e-5);
    } finally {
      model.dispose();
    }
  }, 120_000);
});
