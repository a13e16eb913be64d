// Smoke tests of every registered model × embedding method (DeepCTR-Torch's check_model on a
// tiny synthetic Criteo-shaped fixture): two epochs lower the training loss and reach a
// validation AUC > 0.6, a checkpoint round trip predicts the same bits, and one seed gives
// bit-identical predictions.
import { beforeAll, describe, expect, it } from "vitest";
import { SyntheticCtr } from "../../src/data/synthetic.js";
import type { EmbeddingOptions } from "../../src/embedding/options.js";
import { encodeCheckpoint, restoreCheckpoint } from "../../src/io/checkpoint.js";
import { auc } from "../../src/metrics/index.js";
import { createModel, modelNames, type ModelOptions } from "../../src/models/registry.js";
import { Trainer } from "../../src/train/trainer.js";
import { engine, expectBitEqual } from "../helpers/engine.js";

beforeAll(engine);

const gen = new SyntheticCtr({ seed: 5, vocabSize: 2000, numericFields: 2, categoricalFields: 8, interactionPairs: 4 });
const train = gen.generate(0, 12_000);
const valid = gen.generate(12_000, 2000);

const METHODS: [string, Omit<EmbeddingOptions, "rows" | "dim">][] = [
  ["fp32", { method: "fp32" }],
  ["qat-lsq-b4", { method: "qat-lsq", bits: 4 }],
  ["lpt-sr-b4", { method: "lpt", bits: 4, rounding: "sr" }],
  ["alpt-b4", { method: "alpt", bits: 4 }],
];

// initStd 0.05 instead of the default 0.003: the LSQ step-size init is 2·E|w₀|/√(2^(b−1)), so
// with 0.003 a 4-bit row spans only ±0.013, and LR/FM (no dense layer to rescale the rows)
// cannot fit their linear weights in two epochs (validation AUC ≈ 0.52-0.56).
function options(embedding: Omit<EmbeddingOptions, "rows" | "dim">): ModelOptions {
  return {
    fieldSizes: gen.fieldSizes, embeddingDim: 8, hiddenUnits: [32, 16], crossLayers: 2, batchNorm: true, seed: 11,
    embedding: { lr: 1e-2, initStd: 0.05, ...embedding },
  };
}

function fit(name: string, embedding: Omit<EmbeddingOptions, "rows" | "dim">) {
  const modelOptions = options(embedding);
  const model = createModel(name, modelOptions);
  const losses: number[] = [];
  const trainer = new Trainer(model, {
    epochs: 2, batchSize: 256, seed: 3, optimizer: { lr: 1e-2 }, progress: false, restoreBest: false,
    onStep: (e) => losses.push(e.loss),
  });
  trainer.fit(train);
  return { model, modelOptions, trainer, losses, predictions: trainer.predict(valid) };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe.each(modelNames())("%s", (name) => {
  it.each(METHODS)("%s: learns, round-trips a checkpoint and is deterministic", (_, embedding) => {
    const a = fit(name, embedding);
    const steps = a.losses.length;
    expect(mean(a.losses.slice(steps - 10))).toBeLessThan(mean(a.losses.slice(0, 10)) - 0.01);
    expect(auc(valid.labels, a.predictions)).toBeGreaterThan(0.6);

    const { model: restored } = restoreCheckpoint(encodeCheckpoint(a.model, { model: name, modelOptions: a.modelOptions }));
    expectBitEqual(new Trainer(restored, { progress: false }).predict(valid), a.predictions, "restored predictions");
    restored.dispose();

    const b = fit(name, embedding);
    expectBitEqual(b.predictions, a.predictions, "second run");
    expect(b.losses).toEqual(a.losses);
    a.model.dispose();
    b.model.dispose();
  });
});
