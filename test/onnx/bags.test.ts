// ONNX exports of models with a bag field (mean) and dense inputs, checked in ONNX Runtime Node:
// every model × fp32 / alpt-4 / lpt-2 (the three lookup paths of onnx/embedding.ts) predicts
// what alpt's predictor predicts from the same rows (bags padded to [n, 1, L] with a mask),
// within 1e-5; a sum-pooled field too; the inputs are named and shaped in the file.
import * as ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import type { BagPooling } from "../../src/data/bag-fields.js";
import type { EmbeddingOptions } from "../../src/embedding/options.js";
import { encodeExport } from "../../src/io/export.js";
import { createModel, modelNames, type ModelOptions } from "../../src/models/registry.js";
import { exportOnnx } from "../../src/onnx/export.js";
import { loadPredictor } from "../../src/serve/predictor.js";
import { Trainer, type EncodedData } from "../../src/train/trainer.js";
import { engine } from "../helpers/engine.js";
import { FIELD_SIZES, generate, padBags } from "../helpers/bag-data.js";
import { readModel } from "./read-model.js";

beforeAll(engine);

const train = generate(1500, "onnx-train"), rows = generate(300, "onnx-rows");
type Emb = Omit<EmbeddingOptions, "rows" | "dim">;

function fit(name: string, embedding: Emb, pooling: BagPooling, data: EncodedData) {
  const modelOptions: ModelOptions = {
    fieldSizes: FIELD_SIZES, bagPooling: [pooling], denseFeatures: 2, embeddingDim: 6, hiddenUnits: [16], crossLayers: 2, seed: 3,
    embedding: { lr: 3e-2, initStd: 0.05, ...embedding },
  };
  const model = createModel(name, modelOptions);
  new Trainer(model, { epochs: 1, batchSize: 128, seed: 1, optimizer: { lr: 1e-2 }, progress: false }).fit({ ...data, bags: { ...data.bags!, pooling: [pooling] } });
  return { model, modelOptions };
}

async function ortPredict(onnx: Uint8Array, data: EncodedData): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const n = data.n, { ids, mask, len } = padBags(data.bags!, n);
    const out = await session.run({
      ids: new ort.Tensor("int64", BigInt64Array.from(data.ids, (v) => BigInt(v)), [n, 3]),
      bag_ids: new ort.Tensor("int64", BigInt64Array.from(ids, (v) => BigInt(v)), [n, 1, len]),
      bag_mask: new ort.Tensor("float32", mask, [n, 1, len]),
      dense: new ort.Tensor("float32", data.dense!, [n, 2]),
    });
    return out.probability!.data as Float32Array;
  } finally {
    await session.release();
  }
}

const maxAbsDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe("ONNX Runtime Node predicts what alpt predicts, with a bag field and dense inputs", () => {
  it.each([["fp32", { method: "fp32" }], ["alpt b4", { method: "alpt", bits: 4 }], ["lpt b2", { method: "lpt", bits: 2 }]] as [string, Emb][])("%s: every model", async (_, emb) => {
    for (const name of modelNames()) {
      const { model, modelOptions } = fit(name, emb, "mean", train);
      try {
        const info = { model: name, modelOptions };
        const predictor = loadPredictor(encodeExport(model, info));
        const expected = predictor.predictIds(rows.ids, rows.dense, rows.bags);
        predictor.dispose();
        const got = await ortPredict(exportOnnx(model, info), rows);
        const diff = maxAbsDiff(got, expected);
        expect(diff, `${name}: max |Δp| = ${diff}`).toBeLessThanOrEqual(1e-5);
        expect(Math.max(...expected) - Math.min(...expected), name).toBeGreaterThan(1e-3);
      } finally {
        model.dispose();
      }
    }
  });

  it("a sum-pooled field, and the file's inputs", async () => {
    const { model, modelOptions } = fit("DeepFM", { method: "alpt", bits: 8 }, "sum", train);
    try {
      const info = { model: "DeepFM", modelOptions };
      const sumRows = { ...rows, bags: { ...rows.bags!, pooling: ["sum"] as BagPooling[] } };
      const predictor = loadPredictor(encodeExport(model, info));
      const expected = predictor.predictIds(sumRows.ids, sumRows.dense, sumRows.bags);
      predictor.dispose();
      const onnx = exportOnnx(model, info);
      expect(maxAbsDiff(await ortPredict(onnx, sumRows), expected)).toBeLessThanOrEqual(1e-5);
      const s = readModel(onnx);
      expect(s.metadata.fields).toBe("3");
      expect(s.metadata.bagPooling).toBe('["sum"]');
    } finally {
      model.dispose();
    }
  });
});
