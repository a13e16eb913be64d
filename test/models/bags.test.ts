// Models with bag (multi-valued) fields and dense inputs, on generated data with a learnable
// signal: 3 single-valued fields, 1 tag field pooled by mean (0 to 5 tags, duplicates allowed),
// 2 dense inputs. DCN trains (loss falls, AUC > 0.5) for fp32 and alpt-4, a checkpoint round trip
// predicts the same bits, and predictions are bit-identical on one thread, on the pool's threads
// and on the reference kernels. Every other model takes the same data.
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "../../src/entry/default.js";
import type { EmbeddingOptions } from "../../src/embedding/options.js";
import { encodeCheckpoint, restoreCheckpoint } from "../../src/io/checkpoint.js";
import { encodeExport } from "../../src/io/export.js";
import { loadPredictor, predictorFromModel } from "../../src/serve/predictor.js";
import { auc } from "../../src/metrics/index.js";
import { createModel, modelNames, type ModelOptions } from "../../src/models/registry.js";
import { Trainer } from "../../src/train/trainer.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine, expectBitEqual } from "../helpers/engine.js";
import { FIELD_SIZES, generate } from "../helpers/bag-data.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

const train = generate(6000, "train"), valid = generate(1500, "valid");

function options(embedding: Omit<EmbeddingOptions, "rows" | "dim">): ModelOptions {
  return {
    fieldSizes: FIELD_SIZES, bagPooling: ["mean"], denseFeatures: 2, embeddingDim: 8, hiddenUnits: [16], crossLayers: 2, seed: 7,
    embedding: { lr: 1e-2, initStd: 0.05, ...embedding },
  };
}

function fit(name: string, embedding: Omit<EmbeddingOptions, "rows" | "dim">) {
  const modelOptions = options(embedding);
  const model = createModel(name, modelOptions);
  const losses: number[] = [];
  const trainer = new Trainer(model, { epochs: 2, batchSize: 128, seed: 3, optimizer: { lr: 1e-2 }, progress: false, restoreBest: false, onStep: (ev) => losses.push(ev.loss) });
  trainer.fit(train);
  return { model, modelOptions, trainer, losses };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Predictions in batches of 2048 (large enough for the kernels to split among threads). */
const predictAll = (t: Trainer) => t.predict(valid, 2048);

describe.each([["fp32", { method: "fp32" }], ["alpt-b4", { method: "alpt", bits: 4 }]] as const)("DCN with a bag field and dense inputs, %s", (_, embedding) => {
  it("learns, round-trips a checkpoint, and predicts the same bits on any thread count", () => {
    const a = fit("DCN", embedding);
    const n = a.losses.length;
    expect(mean(a.losses.slice(n - 10))).toBeLessThan(mean(a.losses.slice(0, 10)) - 0.02);
    const p = predictAll(a.trainer);
    expect(auc(valid.labels, p)).toBeGreaterThan(0.7);

    const { model: restored } = restoreCheckpoint(encodeCheckpoint(a.model, { model: "DCN", modelOptions: a.modelOptions }));
    expect(restored.bagPooling).toEqual(["mean"]);
    expectBitEqual(predictAll(new Trainer(restored, { progress: false })), p, "restored predictions");
    restored.dispose();

    // the export (F32 Δ) and the live model serve the same bits from encoded rows with their bags
    const served = loadPredictor(encodeExport(a.model, { model: "DCN", modelOptions: a.modelOptions }, { deltaDtype: "F32" }));
    expect(served.info.fields).toBe(3);
    expect(served.info.bagPooling).toEqual(["mean"]);
    expectBitEqual(served.predictIds(valid.ids, valid.dense, valid.bags), p, "export predictions");
    expect(() => served.predictIds(valid.ids, valid.dense)).toThrow(/takes 1 bag fields .*pass their bags/);
    served.dispose();
    const live = predictorFromModel(a.model, { model: "DCN", modelOptions: a.modelOptions });
    expectBitEqual(live.predictIds(valid.ids, valid.dense, valid.bags), p, "live predictor");
    live.dispose();

    // one wasm thread, and the reference twins (one thread), give the pool's bits
    const pool = e.pool;
    const holder = e as unknown as { pool: unknown };
    try {
      holder.pool = undefined;
      expectBitEqual(predictAll(a.trainer), p, "one thread");
      holder.pool = pool;
      useBackend("ref");
      expectBitEqual(predictAll(a.trainer), p, "reference kernels");
    } finally {
      holder.pool = pool;
      useBackend("wasm-simd");
    }
    if (!pool) console.warn("one thread only: the split was not exercised");
    a.model.dispose();
  });
});

describe.each(modelNames())("%s with a bag field and dense inputs", (name) => {
  it.each([["fp32", { method: "fp32" }], ["lpt-b8", { method: "lpt", bits: 8 }]] as const)("%s: trains and predicts", (_, embedding) => {
    const a = fit(name, embedding);
    const p = predictAll(a.trainer);
    expect(p.every((x) => x > 0 && x < 1)).toBe(true);
    expect(auc(valid.labels, p)).toBeGreaterThan(0.6);
    a.model.dispose();
  });
});

it("refuses data whose bag fields do not match the model", () => {
  const model = createModel("DNN", options({ method: "fp32" }));
  const t = new Trainer(model, { progress: false });
  const { bags: _bags, ...noBags } = valid;
  expect(() => t.predict(noBags)).toThrow(/has no bag fields, the model takes 1/);
  expect(() => t.predict({ ...valid, bags: { ...valid.bags!, pooling: ["sum"] } })).toThrow(/Trainer: data has bag fields pooled \["sum"\], the model \["mean"\]/);
  const bad = { ...valid, bags: { ...valid.bags!, offsets: valid.bags!.offsets.slice() } };
  bad.bags.offsets[5] = bad.bags.offsets[6]! + 1;
  expect(() => t.predict(bad)).toThrow(/offsets\[6\] = \d+ is below offsets\[5\] = \d+ \(row 5, bag field tags\)/);
  model.dispose();
});
