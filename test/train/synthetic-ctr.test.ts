// On a synthetic CTR task with a planted signal (data/synthetic.ts), one seed: FP32 and ALPT at
// 8 bits reach the same validation AUC within 0.002, and ALPT at 2 bits beats LPT-DR at 2 bits.
// The MLP has no batch norm, the setting these bounds were set on (with it: fp32 0.6709, alpt-8
// 0.6679, alpt-2 0.6547, lpt-dr-2 0.5774 on this seed).
import { beforeAll, expect, it } from "vitest";
import { SyntheticCtr } from "../../src/data/synthetic.js";
import type { EmbeddingOptions } from "../../src/embedding/options.js";
import { createModel } from "../../src/models/registry.js";
import { Trainer } from "../../src/train/trainer.js";
import { engine } from "../helpers/engine.js";

beforeAll(engine);

const gen = new SyntheticCtr({ seed: 1, vocabSize: 20_000, numericFields: 3, categoricalFields: 10 });
const train = gen.generate(0, 60_000);
const valid = gen.generate(60_000, 20_000);

function validAuc(embedding: Omit<EmbeddingOptions, "rows" | "dim">): number {
  const model = createModel("DCN", {
    fieldSizes: gen.fieldSizes, embeddingDim: 8, crossLayers: 2, hiddenUnits: [64, 32], batchNorm: false, seed: 3, embedding: { lr: 1e-3, ...embedding },
  });
  const trainer = new Trainer(model, { epochs: 2, batchSize: 256, seed: 1, progress: false, optimizer: { lr: 1e-3 } });
  trainer.fit(train, valid);
  const { auc } = trainer.evaluate(valid);
  model.dispose();
  return auc;
}

it("8-bit ALPT matches FP32 and 2-bit ALPT beats 2-bit LPT-DR", () => {
  const fp32 = validAuc({ method: "fp32" });
  const alpt8 = validAuc({ method: "alpt", bits: 8 });
  const alpt2 = validAuc({ method: "alpt", bits: 2 });
  const lptDr2 = validAuc({ method: "lpt", bits: 2, rounding: "dr" });
  expect(fp32).toBeGreaterThan(0.65); // the models learn the planted signal
  expect(Math.abs(alpt8 - fp32)).toBeLessThan(0.002);
  expect(alpt2).toBeGreaterThan(lptDr2);
});
