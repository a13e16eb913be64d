// Exports and the predictor: with F32 Δ the artifact predicts exactly what the trained model
// predicts (every method, several models), with F16 Δ within a stated AUC delta; raw rows go
// through the saved FeatureMap (unseen → OOV, empty → missing); no optimizer state is stored;
// damaged artifacts are refused; the predictor loads nothing from train/ or optim/.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { criteoOptions } from "../../src/data/criteo.js";
import { openDelimited } from "../../src/data/delimited.js";
import { MISSING_ID, OOV_ID } from "../../src/data/feature-map.js";
import { prepareDataset } from "../../src/data/prepare.js";
import { forEachRow } from "../../src/data/rows.js";
import type { RawValue } from "../../src/data/schema.js";
import { SyntheticCtr } from "../../src/data/synthetic.js";
import type { EmbeddingOptions } from "../../src/embedding/options.js";
import { encodeExport } from "../../src/io/export.js";
import { decodeSafetensors } from "../../src/io/safetensors.js";
import { auc } from "../../src/metrics/index.js";
import { createModel, type ModelOptions } from "../../src/models/registry.js";
import { loadPredictor, predictorFromModel } from "../../src/serve/predictor.js";
import { Trainer } from "../../src/train/trainer.js";
import { engine, expectBitEqual } from "../helpers/engine.js";

beforeAll(engine);

const gen = new SyntheticCtr({ seed: 4, vocabSize: 2000, numericFields: 2, categoricalFields: 8, interactionPairs: 4 });
const train = gen.generate(0, 6000);
const valid = gen.generate(6000, 3000);

type Emb = Omit<EmbeddingOptions, "rows" | "dim">;

function fit(name: string, embedding: Emb, epochs = 1) {
  const modelOptions: ModelOptions = {
    fieldSizes: gen.fieldSizes, embeddingDim: 8, hiddenUnits: [32, 16], crossLayers: 2, batchNorm: true, dropout: 0.1, seed: 2,
    embedding: { lr: 1e-2, ...embedding },
  };
  const model = createModel(name, modelOptions);
  const trainer = new Trainer(model, { epochs, batchSize: 256, seed: 1, optimizer: { lr: 1e-2 }, progress: false });
  trainer.fit(train);
  return { model, modelOptions, predictions: trainer.predict(valid) };
}

const METHODS: [string, Emb][] = [
  ["fp32", { method: "fp32" }],
  ["qat-lsq b4", { method: "qat-lsq", bits: 4 }],
  ["lpt sr b2", { method: "lpt", bits: 2 }],
  ["alpt b4", { method: "alpt", bits: 4 }],
  ["alpt b8, Δ per field", { method: "alpt", bits: 8, granularity: "field" }],
];

describe("an F32 export predicts exactly what the trained model predicts", () => {
  it.each(METHODS)("%s", (_, emb) => {
    for (const name of ["DCN", "DeepFM", "LR"]) {
      const a = fit(name, emb);
      const bytes = encodeExport(a.model, { model: name, modelOptions: a.modelOptions });
      const names = [...decodeSafetensors(bytes).tensors.keys()];
      expect(names.every((n) => /^(embedding\/(codes|delta|weights)|dense\/.+|buffer\/.+)$/.test(n)), names.join()).toBe(true);
      const p = loadPredictor(bytes, { batchSize: 700 });
      expectBitEqual(p.predictIds(valid.ids), a.predictions, `${name} export`);
      expect(p.info.storage).toBe(emb.method === "fp32" ? "weights" : "codes");
      p.dispose();
      const live = predictorFromModel(a.model, { model: name, modelOptions: a.modelOptions });
      expectBitEqual(live.predictIds(valid.ids), a.predictions, `${name} live`);
      live.dispose();
      a.model.dispose();
    }
  });
});

describe("an F16-Δ export", () => {
  it("is smaller by 2 bytes per row and loses at most 0.002 AUC (alpt 8 and 4 bits)", () => {
    for (const bits of [8, 4]) {
      const a = fit("DCN", { method: "alpt", bits }, 2);
      const info = { model: "DCN", modelOptions: a.modelOptions };
      const f32 = encodeExport(a.model, info);
      const f16 = encodeExport(a.model, info, { deltaDtype: "F16" });
      expect(f32.length - f16.length).toBeGreaterThanOrEqual(2 * gen.totalRows - 64); // header text differs a little
      const p = loadPredictor(f16);
      expect(p.info.deltaDtype).toBe("F16");
      const q = p.predictIds(valid.ids);
      const base = auc(valid.labels, a.predictions);
      expect(base).toBeGreaterThan(0.6);
      expect(Math.abs(auc(valid.labels, q) - base)).toBeLessThan(0.002);
      let worst = 0;
      for (let i = 0; i < q.length; i++) worst = Math.max(worst, Math.abs(q[i] - a.predictions[i]));
      expect(worst).toBeLessThan(0.02);
      p.dispose();
      a.model.dispose();
    }
  });
});

describe("raw rows through the saved FeatureMap", () => {
  it("predict / predictBatch on raw values equal the model on encoded ids; unseen → OOV, empty → missing", async () => {
    const syn = new SyntheticCtr({ seed: 9, vocabSize: 3000 });
    const text = syn.criteoText(0, 1500);
    const bytesOf = () => [new TextEncoder().encode(text)];
    const { featureMap, dataset } = await prepareDataset({ open: bytesOf, reader: criteoOptions({ file: "mem.tsv" }), featureMap: { minCount: 2 } });
    const modelOptions: ModelOptions = { fieldSizes: featureMap.fieldSizes, embeddingDim: 4, hiddenUnits: [8], seed: 1, embedding: { method: "alpt", bits: 4 } };
    const model = createModel("DeepFM", modelOptions);
    const trainer = new Trainer(model, { epochs: 1, batchSize: 128, progress: false });
    trainer.fit(dataset);
    const expected = trainer.predict(dataset);
    const p = loadPredictor(encodeExport(model, { model: "DeepFM", modelOptions, featureMap: featureMap.toJSON(), dataFormat: "criteo" }));
    expect(p.info.dataFormat).toBe("criteo");
    const raw: RawValue[][] = [];
    await forEachRow(await openDelimited(bytesOf(), criteoOptions()), (r) => void raw.push(r.values));
    expectBitEqual(p.predictBatch(raw), expected, "predictBatch");
    expect(p.predict(raw[7])).toBe(expected[7]);
    const record = Object.fromEntries(featureMap.fieldNames.map((n, f) => [n, raw[7][f]]));
    expect(p.predict(record)).toBe(expected[7]);
    // an unseen token and an empty cell
    const F = featureMap.numFields, c1 = featureMap.fieldNames.indexOf("C1");
    const row = [...raw[3]];
    row[c1] = "never-seen";
    row[0] = null;
    const ids = dataset.ids.slice(3 * F, 4 * F);
    ids[c1] = featureMap.fieldOffsets[c1] + OOV_ID;
    ids[0] = featureMap.fieldOffsets[0] + MISSING_ID;
    expect(p.predict(row)).toBe(p.predictIds(ids)[0]);
    // errors name the row and the problem
    expect(() => p.predictBatch([raw[0], raw[1].slice(1)])).toThrow(/row 1: .*values, expected 39/);
    expect(() => p.predict({ nope: "x" })).toThrow(/unknown field "nope"/);
    p.dispose();
    model.dispose();
  });
});

describe("damaged or wrong artifacts", () => {
  it("are refused with a clear error", () => {
    const mo: ModelOptions = { fieldSizes: [4, 5], embeddingDim: 2, hiddenUnits: [3], seed: 1, embedding: { method: "alpt", bits: 2 } };
    const model = createModel("DNN", mo);
    const bytes = encodeExport(model, { model: "DNN", modelOptions: mo }, { deltaDtype: "F16" });
    for (let i = 0; i < bytes.length; i += 3) {
      const bad = bytes.slice();
      bad[i] ^= 0x10;
      expect(() => loadPredictor(bad, { what: "m.safetensors" }), `byte ${i}`).toThrow(/^m\.safetensors: /);
    }
    for (let n = 0; n < bytes.length; n += 5) expect(() => loadPredictor(bytes.subarray(0, n), { what: "m" })).toThrow(/^m: /);
    expect(() => loadPredictor(bytes.subarray(0, bytes.length - 1), { what: "m" })).toThrow(/^m: /);
    model.dispose();
  });
});

describe("the predictor needs none of the training code", () => {
  it("its static imports never reach src/train or src/optim", () => {
    const root = resolve(__dirname, "../../src");
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(file, "utf8");
      for (const m of src.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+"(\.[^"]+)"/gms)) {
        visit(join(dirname(file), m[1].replace(/\.js$/, ".ts")));
      }
    };
    visit(join(root, "serve/predictor.ts"));
    const rel = [...seen].map((f) => f.slice(root.length + 1));
    expect(rel).toContain("models/dcn.ts");
    expect(rel.filter((f) => f.startsWith("train/") || f.startsWith("optim/"))).toEqual([]);
  });
});
