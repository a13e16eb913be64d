// ONNX exports checked by the real engine: every model of the zoo × every embedding method
// (fp32, qat-lsq, lpt, alpt; 1..8 and 16 bits through the three unpack paths of
// src/onnx/embedding.ts), trained briefly on synthetic rows, is loaded in ONNX Runtime Node and
// predicts what alpt's predictor (loadPredictor on the `alpt export` of the same model) predicts
// on the same rows, within 1e-5. Also: int32 ids, F16 Δ, the file's opset / IR version /
// metadata_props, the codes kept low precision, and the file size next to `alpt export`.
import * as ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import { SyntheticCtr } from "../../src/data/synthetic.js";
import { FeatureMap } from "../../src/data/feature-map.js";
import type { EmbeddingOptions } from "../../src/embedding/options.js";
import { encodeExport } from "../../src/io/export.js";
import { createModel, type ModelOptions } from "../../src/models/registry.js";
import { exportOnnx, ONNX_IR_VERSION, ONNX_OPSET, onnxFromExport } from "../../src/onnx/export.js";
import { loadPredictor } from "../../src/serve/predictor.js";
import { Trainer, type EncodedData } from "../../src/train/trainer.js";
import { engine, rng } from "../helpers/engine.js";
import { readModel } from "./read-model.js";

beforeAll(engine);

const gen = new SyntheticCtr({ seed: 7, vocabSize: 600, numericFields: 2, categoricalFields: 5, interactionPairs: 3 });
const ND = 3;
const withDense = (d: ReturnType<SyntheticCtr["generate"]>, seed: number): EncodedData => {
  const r = rng(seed);
  return { ...d, dense: Float32Array.from({ length: d.n * ND }, () => 2 * r() - 1) };
};
const train = withDense(gen.generate(0, 1500), 1);
const rows = withDense(gen.generate(1500, 300), 2);

type Emb = Omit<EmbeddingOptions, "rows" | "dim">;
const MODELS = ["LR", "FM", "DNN", "WideDeep", "DeepFM", "DCN", "DCNv2"];
const METHODS: [string, Emb][] = [
  ["fp32", { method: "fp32" }],
  ["qat-lsq b4", { method: "qat-lsq", bits: 4 }],
  ["lpt sr b2", { method: "lpt", bits: 2 }],
  ["alpt b4", { method: "alpt", bits: 4 }],
  ["alpt b8 Δ per field", { method: "alpt", bits: 8, granularity: "field" }],
  ["alpt b3", { method: "alpt", bits: 3 }],
  ["lpt dr b16", { method: "lpt", bits: 16, rounding: "dr" }],
  ["alpt b1", { method: "alpt", bits: 1 }],
];

function fit(name: string, embedding: Emb) {
  const dense = name !== "LR" && name !== "FM";
  const modelOptions: ModelOptions = {
    fieldSizes: gen.fieldSizes, embeddingDim: 6, hiddenUnits: [16, 8], crossLayers: 2, batchNorm: true, dropout: 0.1, seed: 3,
    denseFeatures: dense ? ND : 0, embedding: { lr: 3e-2, initStd: 0.05, ...embedding },
  };
  const model = createModel(name, modelOptions);
  const data: EncodedData = dense ? train : { ...train, dense: undefined };
  new Trainer(model, { epochs: 1, batchSize: 128, seed: 1, optimizer: { lr: 1e-2 }, progress: false }).fit(data);
  return { model, modelOptions, dense };
}

async function ortPredict(onnx: Uint8Array, ids: Int32Array, dense: Float32Array | undefined, idsDtype: "int64" | "int32" = "int64"): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const n = ids.length / gen.numFields;
    const feeds: Record<string, ort.Tensor> = {
      ids: idsDtype === "int64" ? new ort.Tensor("int64", BigInt64Array.from(ids, (v) => BigInt(v)), [n, gen.numFields]) : new ort.Tensor("int32", ids, [n, gen.numFields]),
    };
    if (dense) feeds.dense = new ort.Tensor("float32", dense, [n, ND]);
    const out = await session.run(feeds);
    const p = out.probability!;
    expect(p.dims).toEqual([n, 1]);
    return p.data as Float32Array;
  } finally {
    await session.release();
  }
}

const maxAbsDiff = (a: Float32Array, b: Float32Array): number => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe("ONNX Runtime Node predicts what alpt predicts (max abs diff ≤ 1e-5)", () => {
  it.each(METHODS)("%s: every model", async (_, emb) => {
    for (const name of MODELS) {
      const { model, modelOptions, dense } = fit(name, emb);
      try {
        const info = { model: name, modelOptions };
        const predictor = loadPredictor(encodeExport(model, info));
        const expected = predictor.predictIds(rows.ids, dense ? rows.dense : undefined);
        predictor.dispose();
        const got = await ortPredict(exportOnnx(model, info), rows.ids, dense ? rows.dense : undefined);
        const diff = maxAbsDiff(got, expected);
        expect(diff, `${name} ${emb.method} b${emb.bits ?? 32}: max |Δp| = ${diff}`).toBeLessThanOrEqual(1e-5);
        // not a constant model: the check compares something
        expect(Math.max(...expected) - Math.min(...expected), name).toBeGreaterThan(1e-3);
      } finally {
        model.dispose();
      }
    }
  });
});

describe("the ONNX file", () => {
  it("states opset 17 and IR version 8, carries the FeatureMap and the model in metadata_props, keeps 4-bit codes as bytes", async () => {
    const { model, modelOptions } = fit("DCN", { method: "alpt", bits: 4 });
    try {
      const fm = syntheticFeatureMap();
      const info = { model: "DCN", modelOptions, featureMap: fm.toJSON() };
      const onnx = exportOnnx(model, info);
      const s = readModel(onnx);
      expect(s.irVersion).toBe(ONNX_IR_VERSION);
      expect(s.opsets).toEqual({ "": ONNX_OPSET });
      expect(s.metadata.format).toBe("alpt-onnx");
      expect(s.metadata.model).toBe("DCN");
      expect(s.metadata.method).toBe("alpt");
      expect(s.metadata.bits).toBe("4");
      expect(FeatureMap.fromJSON(JSON.parse(s.metadata.featureMap!)).hash).toBe(fm.hash);
      expect(s.metadata.featureMapHash).toBe(fm.hash);
      // codes: UINT8 [rows, ceil(dim·4/8)], Δ: FLOAT [rows, 1]; no BatchNormalization node (folded)
      const rowsTotal = gen.totalRows;
      expect(s.initializers["embedding.codes"]).toEqual({ dataType: 2, dims: [rowsTotal, 3], bytes: rowsTotal * 3 });
      expect(s.initializers["embedding.delta"]).toEqual({ dataType: 1, dims: [rowsTotal, 1], bytes: rowsTotal * 4 });
      expect(s.ops).not.toContain("BatchNormalization");
      expect(s.ops.filter((o) => o === "Sigmoid")).toHaveLength(1);
    } finally {
      model.dispose();
    }
  });

  it("takes int32 ids when asked, and F16 Δ as FLOAT16 (predicting as the F16 alpt export)", async () => {
    const { model, modelOptions } = fit("DeepFM", { method: "alpt", bits: 2 });
    try {
      const info = { model: "DeepFM", modelOptions };
      const f16 = encodeExport(model, info, { deltaDtype: "F16" });
      const predictor = loadPredictor(f16);
      const expected = predictor.predictIds(rows.ids, rows.dense);
      predictor.dispose();
      const onnx = onnxFromExport(f16, { idsDtype: "int32" });
      expect(readModel(onnx).initializers["embedding.delta"]!.dataType).toBe(10);
      const got = await ortPredict(onnx, rows.ids, rows.dense, "int32");
      expect(maxAbsDiff(got, expected)).toBeLessThanOrEqual(1e-5);
    } finally {
      model.dispose();
    }
  });

  it("is within 1.1× of the alpt export's size (4-bit DCN, 20k rows)", () => {
    const big = new SyntheticCtr({ seed: 8, vocabSize: 20000, numericFields: 2, categoricalFields: 12 });
    const modelOptions: ModelOptions = { fieldSizes: big.fieldSizes, embeddingDim: 16, hiddenUnits: [64, 32], crossLayers: 3, seed: 1, embedding: { method: "alpt", bits: 4 } };
    const model = createModel("DCN", modelOptions);
    try {
      const info = { model: "DCN", modelOptions };
      const alpt = encodeExport(model, info).length, onnx = exportOnnx(model, info).length;
      expect(onnx / alpt, `onnx ${onnx} B, alpt export ${alpt} B`).toBeLessThanOrEqual(1.1);
    } finally {
      model.dispose();
    }
  });

  it("describes a live model from its class when no ExportInfo is given (LR, DCNv2)", async () => {
    for (const name of ["LR", "DCNv2"]) {
      const { model, modelOptions, dense } = fit(name, { method: "alpt", bits: 4 });
      try {
        const predictor = loadPredictor(encodeExport(model, { model: name, modelOptions }));
        const expected = predictor.predictIds(rows.ids, dense ? rows.dense : undefined);
        predictor.dispose();
        const onnx = exportOnnx(model);
        expect(readModel(onnx).metadata.model).toBe(name);
        expect(maxAbsDiff(await ortPredict(onnx, rows.ids, dense ? rows.dense : undefined), expected)).toBeLessThanOrEqual(1e-5);
      } finally {
        model.dispose();
      }
    }
  });

  it("refuses what is not an alpt export, naming the input", () => {
    expect(() => onnxFromExport(new Uint8Array(16), { what: "x.safetensors" })).toThrow(/x\.safetensors/);
  });
});

/** A FeatureMap with the synthetic generator's field sizes (tokens "v0", "v1", …). */
function syntheticFeatureMap(): FeatureMap {
  const fields = gen.fieldNames.map((name) => ({ name, type: "categorical" as const, transform: "none" as const, minCount: 1 }));
  return new FeatureMap(fields, gen.fieldSizes.map((n) => Array.from({ length: n - 2 }, (_, i) => `v${i}`)), 1500);
}
