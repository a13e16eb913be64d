// The Trainer: validation per epoch or every N steps, early stopping with restore of the best
// weights, the paper's learning-rate schedule, callbacks, and determinism.
import { beforeAll, describe, expect, it } from "vitest";
import { SyntheticCtr } from "../../src/data/synthetic.js";
import { createModel } from "../../src/models/registry.js";
import { Trainer } from "../../src/train/trainer.js";
import { engine } from "../helpers/engine.js";

beforeAll(engine);

const gen = new SyntheticCtr({ seed: 2, vocabSize: 2000, numericFields: 2, categoricalFields: 6, interactionPairs: 4 });
const train = gen.generate(0, 4000);
const valid = gen.generate(4000, 2000);
const model = (seed = 1) => createModel("DeepFM", { fieldSizes: gen.fieldSizes, embeddingDim: 4, hiddenUnits: [16], seed, embedding: { method: "alpt", bits: 4 } });

describe("Trainer", () => {
  it("validates, schedules the learning rate, calls back, and restores the best weights", () => {
    const m = model();
    const lrs: number[] = [];
    let steps = 0;
    const t = new Trainer(m, {
      epochs: 8, batchSize: 512, lrSchedule: "paper", optimizer: { lr: 1e-2 }, progress: false,
      onStep: () => steps++, onEpochEnd: (e) => lrs.push(e.lr),
    });
    const h = t.fit(train, valid);
    expect(steps).toBe(8 * Math.ceil(4000 / 512));
    expect(h.evals).toHaveLength(8);
    expect(lrs.slice(0, 6).every((v) => v === 1e-2)).toBe(true);
    expect(lrs[6]).toBeCloseTo(1e-3, 10);
    const best = Math.max(...h.evals.map((e) => e.metrics!.auc));
    expect(h.best!.auc).toBe(best);
    // the restored weights give the best validation AUC again
    expect(t.evaluate(valid).auc).toBeCloseTo(best, 10);
    m.dispose();
  });

  it("stops early after `patience` evaluations without improvement, evaluating every N steps", () => {
    const m = model();
    const t = new Trainer(m, { epochs: 50, batchSize: 256, evalEvery: 4, patience: 1, optimizer: { lr: 5e-2 }, progress: false });
    const h = t.fit(train, valid);
    expect(h.stoppedEarly).toBe(true);
    expect(h.steps % 4).toBe(0);
    expect(h.steps).toBeLessThan(50 * Math.ceil(4000 / 256));
    m.dispose();
  });

  it("one seed gives identical histories", () => {
    const run = () => {
      const m = model(7);
      const h = new Trainer(m, { epochs: 2, batchSize: 512, seed: 3, progress: false }).fit(train, valid);
      m.dispose();
      return h.evals.map((e) => [e.loss, e.metrics!.auc, e.metrics!.logloss]);
    };
    expect(run()).toEqual(run());
  });

  it("rejects bad options and mismatched data with the key in the message", () => {
    const m = model();
    expect(() => new Trainer(m, { epochs: 0 })).toThrow("epochs = 0");
    expect(() => new Trainer(m, { monitor: "acc" as "auc" })).toThrow('monitor = "acc"');
    const t = new Trainer(m, { progress: false });
    expect(() => t.fit({ ...train, fields: 3 })).toThrow(`train has 3 fields, the model ${gen.numFields}`);
    m.dispose();
  });
});

describe("resuming", () => {
  it("a checkpoint at an epoch end plus startEpoch continues exactly as an uninterrupted run", async () => {
    const { encodeCheckpoint, restoreCheckpoint } = await import("../../src/io/checkpoint.js");
    const { Adam } = await import("../../src/optim/optimizer.js");
    const options = { fieldSizes: gen.fieldSizes, embeddingDim: 4, hiddenUnits: [16], seed: 4, embedding: { method: "alpt" as const, bits: 4 } };
    const settings = { batchSize: 512, seed: 6, progress: false as const, lrSchedule: { milestones: [1], gamma: 0.5 } };
    const full = createModel("DeepFM", options);
    const fullTrainer = new Trainer(full, { ...settings, epochs: 3 });
    fullTrainer.fit(train);
    const expected = fullTrainer.predict(valid);
    // the same run, stopped after epoch 2 (lr already halved) and resumed from its checkpoint
    const first = createModel("DeepFM", options);
    const firstTrainer = new Trainer(first, { ...settings, epochs: 2 });
    firstTrainer.fit(train);
    const bytes = encodeCheckpoint(first, { model: "DeepFM", modelOptions: options }, firstTrainer.optimizer);
    first.dispose();
    const { model, optimizer } = restoreCheckpoint(bytes, (m) => new Adam(m.parameters(), { lr: 1e-3 }));
    const resumed = new Trainer(model, { ...settings, epochs: 3, startEpoch: 2, optimizer });
    expect(resumed.optimizer.lr).toBe(5e-4);
    resumed.fit(train);
    expect(Array.from(resumed.predict(valid))).toEqual(Array.from(expected));
    full.dispose();
    model.dispose();
  });

  it("resume (trainer state + best weights at an epoch end) gives the same history, best and restored weights", () => {
    type Captured = { state: import("../../src/train/trainer.js").TrainerState; best?: import("../../src/train/trainer.js").WeightsSnapshot };
    const settings = { batchSize: 256, seed: 5, progress: false as const, optimizer: { lr: 0.2 }, patience: 3, lrSchedule: { kind: "plateau" as const, patience: 0, factor: 0.5 } };
    const full = model(9);
    const fullTrainer = new Trainer(full, { ...settings, epochs: 5 });
    const fh = fullTrainer.fit(train, valid);
    const expected = fullTrainer.predict(valid);
    // the same run, stopped after epoch 4, its state captured as a resume file would hold it
    const first = model(9);
    let captured: Captured | undefined;
    const firstTrainer = new Trainer(first, { ...settings, epochs: 4, restoreBest: false, onEpochDone: (state, best) => (captured = { state, best }) });
    firstTrainer.fit(train, valid);
    expect(captured!.state).toMatchObject({ epoch: 4, steps: 4 * Math.ceil(4000 / 256), stoppedEarly: false });
    expect(captured!.best, "the best weights are older than epoch 4").toBeDefined();
    const resumed = new Trainer(first, { ...settings, epochs: 5, optimizer: firstTrainer.optimizer, resume: { state: captured!.state, bestWeights: captured!.best } });
    const rh = resumed.fit(train, valid);
    expect(rh.evals.map((e) => e.metrics)).toEqual(fh.evals.slice(4).map((e) => e.metrics));
    expect([rh.best, rh.bestEpoch, rh.steps, rh.stoppedEarly]).toEqual([fh.best, fh.bestEpoch, fh.steps, fh.stoppedEarly]);
    expect(Array.from(resumed.predict(valid))).toEqual(Array.from(expected));
    full.dispose();
    first.dispose();
  });
});


describe("Trainer: --eval-every with epochs that are not a multiple", () => {
  it("also validates at each epoch end, and labels the mid-epoch evaluations", () => {
    const m = model();
    const evals: [number, number, boolean | undefined][] = [];
    // 4000 / 512 → 8 steps per epoch; every 3 steps: 3, 6 | end 8 | 9, 12, 15 | end 16
    const h = new Trainer(m, { epochs: 2, batchSize: 512, evalEvery: 3, progress: false, onEval: (e) => evals.push([e.epoch, e.step, e.midEpoch]) }).fit(train, valid);
    expect(evals).toEqual([[1, 3, true], [1, 6, true], [1, 8, false], [2, 9, true], [2, 12, true], [2, 15, true], [2, 16, false]]);
    expect(h.evals.map((e) => e.step)).toEqual([3, 6, 8, 9, 12, 15, 16]);
    expect(h.evals.map((e) => e.step)).toContain(h.bestStep);
    m.dispose();
  });

  it("validates a step that ends an epoch once, as the epoch end", () => {
    const m = model();
    const evals: [number, boolean | undefined][] = [];
    new Trainer(m, { epochs: 1, batchSize: 512, evalEvery: 4, progress: false, onEval: (e) => evals.push([e.step, e.midEpoch]) }).fit(train, valid);
    expect(evals).toEqual([[4, true], [8, false]]);
    m.dispose();
  });
});
