// The Trainer: epochs of shuffled batches through trainStep, validation at each epoch end (and
// every N steps inside an epoch on request), early stopping on a monitored metric with restore of
// the best weights, learning-rate schedules (the ALPT paper's ÷10 after epochs 6 and 9, or
// reduce-on-plateau), callbacks, and a progress display (a bar on a TTY; lines or reports on
// request, see progress.ts). All randomness is counter-based: shuffles come from (seed, epoch).
// Training and validation data may also be sharded splits (data/shard-source.ts), streamed with a
// bounded shuffle buffer (data/stream.ts): fit() and evaluate() then return promises. One loop
// serves both: a generator that yields only when a shard is still loading, run synchronously for
// in-memory data (it never yields) and awaited for streamed data.
import type { CtrModel } from "../models/base.js";
import { auc as aucOf, logloss as loglossOf } from "../metrics/index.js";
import { Adam, AdamW, SGD, type Optimizer } from "../optim/optimizer.js";
import { ReduceOnPlateau, stepDecay, type PlateauOptions } from "../optim/schedule.js";
import { applyState, snapshotState } from "../io/state.js";
import { fillBatch, shuffledOrder } from "../data/batcher.js";
import type { EncodedDataset } from "../data/dataset.js";
import type { ShardedSplit } from "../data/shard-source.js";
import { StreamCursor, predictStream, streamBatches, type StreamBatch } from "../data/stream.js";
import type { BagData } from "../data/bag-fields.js";
import { batchBags, checkBagData } from "../data/bag-batch.js";
import { getEngine } from "../wasm/load.js";
import { refreshBatchNormStats } from "./precise-bn.js";
import { predict, trainStep, type Batch } from "./step.js";
import { Progress, type ProgressOptions } from "./progress.js";

/**
 * An encoded dataset, plus dense features [n, denseFeatures] and bag (multi-valued) fields for
 * models that take them.
 */
export type EncodedData = EncodedDataset & { dense?: Float32Array; bags?: BagData };

/** A sharded split (streamed) rather than data in memory. */
export function isSharded(d: EncodedData | ShardedSplit): d is ShardedSplit {
  return "shards" in d;
}

/** Steps of a loop that may wait for data: it yields the promises to await, and gets their values back. */
type Waits<T> = Generator<Promise<unknown>, T, unknown>;

/** Runs a loop over in-memory data, which never waits. */
function runNow<T>(g: Waits<T>): T {
  const r = g.next();
  if (r.done) return r.value;
  g.return(undefined as T);
  throw new Error("Trainer: a loop over in-memory data waited for data (internal error)");
}

/** Runs a loop over streamed data, awaiting what it waits for. */
async function runAwaiting<T>(g: Waits<T>): Promise<T> {
  let r = g.next();
  while (!r.done) {
    let v: unknown;
    try {
      v = await r.value;
    } catch (e) {
      r = g.throw(e);
      continue;
    }
    r = g.next(v);
  }
  return r.value;
}

/** Validation metrics. */
export interface Metrics {
  auc: number;
  logloss: number;
}

/** What callbacks receive. */
export interface TrainEvent {
  epoch: number;
  step: number;
  lr: number;
  loss: number;
  metrics?: Metrics;
  /** Evaluations only: true for an evalEvery evaluation inside an epoch, false at an epoch end. */
  midEpoch?: boolean;
}

/** A weights-only snapshot of a model (io/state.ts), e.g. the best weights so far. */
export type WeightsSnapshot = ReturnType<typeof snapshotState>;

/**
 * Where a run stands at an epoch end: with the model and optimizer state, all that resuming
 * needs to continue exactly as if the run had never stopped.
 */
export interface TrainerState {
  /** Epochs done. */
  epoch: number;
  steps: number;
  /** The learning rate before any schedule, and the current one. */
  baseLr: number;
  lr: number;
  best?: Metrics;
  bestEpoch: number;
  /** The step of the best evaluation (equal to `steps` when the current weights are the best). */
  bestStep: number;
  /** Evaluations in a row without improvement. */
  bad: number;
  plateau?: { best: number; bad: number };
  stoppedEarly: boolean;
}

/** Options of a Trainer. */
export interface TrainerOptions {
  epochs?: number;
  /**
   * Epochs already done (resuming from a checkpoint written at an epoch end): training goes on
   * with epoch startEpoch + 1, its shuffle and learning rate, as if it had never stopped.
   */
  startEpoch?: number;
  /**
   * Resume a run from its state at an epoch end (see onEpochDone), with the best weights so far
   * when they are not the current ones. Implies startEpoch = state.epoch.
   */
  resume?: { state: TrainerState; bestWeights?: WeightsSnapshot };
  batchSize?: number;
  /** The dense optimizer: an instance, or its settings (default Adam, lr 1e-3). */
  optimizer?: Optimizer | { kind?: "adam" | "adamw" | "sgd"; lr?: number; weightDecay?: number; momentum?: number };
  /** "paper": ÷10 after epochs 6 and 9; or explicit milestones; or reduce-on-plateau. */
  lrSchedule?: "none" | "paper" | { milestones: number[]; gamma?: number } | ({ kind: "plateau" } & PlateauOptions);
  /**
   * Also validate every N steps inside an epoch (default: only at the end of each epoch, which is
   * validated in either case).
   */
  evalEvery?: number;
  monitor?: "auc" | "logloss";
  /** Stop after this many evaluations without improvement (default: never). */
  patience?: number;
  minDelta?: number;
  /**
   * Before each validation, recompute the batch-norm running statistics as the average over this
   * many training batches of the current epoch (precise BN, train/precise-bn.ts; default 0: keep
   * the running averages).
   */
  preciseBn?: number;
  /** Restore the weights of the best evaluation at the end (default true with validation). */
  restoreBest?: boolean;
  /** Seed of the shuffles. */
  seed?: number;
  shuffle?: boolean;
  /**
   * Streamed training data (a ShardedSplit): rows of the shuffle buffer (whole shards, at least
   * one; default two of the largest shards). See data/stream.ts.
   */
  shuffleBuffer?: number;
  onStep?: (e: TrainEvent) => void;
  onEval?: (e: TrainEvent) => void;
  onEpochEnd?: (e: TrainEvent) => void;
  /**
   * After each epoch and its validation: the state to save for resuming, and the best weights
   * when they differ from the current ones (state.bestStep < state.steps).
   */
  onEpochDone?: (state: TrainerState, bestWeights: WeightsSnapshot | undefined) => void;
  /**
   * Progress on stderr: "auto" (a bar on a TTY, default), true (a bar), false, or options (lines
   * every N seconds, a callback per report, a label; see progress.ts).
   */
  progress?: boolean | "auto" | ProgressOptions;
}

/** What fit() returns. */
export interface History {
  evals: TrainEvent[];
  bestEpoch: number;
  /** The step of the best evaluation (0 without one). */
  bestStep: number;
  best: Metrics | undefined;
  steps: number;
  seconds: number;
  stoppedEarly: boolean;
}

/** The dense optimizer of `model` from an instance or its settings (as TrainerOptions.optimizer). */
export function createOptimizer(model: CtrModel, o: TrainerOptions["optimizer"]): Optimizer {
  if (o && "step" in o && typeof o.step === "function") return o as Optimizer;
  type Settings = { kind?: "adam" | "adamw" | "sgd"; lr?: number; weightDecay?: number; momentum?: number };
  const { kind = "adam", lr = 1e-3, weightDecay = 0, momentum = 0 } = (o ?? {}) as Settings;
  const ps = model.parameters();
  if (kind === "adam") return new Adam(ps, { lr, weightDecay });
  if (kind === "adamw") return new AdamW(ps, { lr, weightDecay });
  if (kind === "sgd") return new SGD(ps, { lr, momentum, weightDecay });
  throw new RangeError(`Trainer: optimizer.kind = "${String(kind)}" (expected adam, adamw or sgd)`);
}

export class Trainer {
  readonly optimizer: Optimizer;
  private readonly o: Required<Pick<TrainerOptions, "epochs" | "batchSize" | "monitor" | "minDelta" | "seed" | "shuffle">> & TrainerOptions;
  private readonly baseLr: number;
  private readonly startEpoch: number;

  constructor(readonly model: CtrModel, options: TrainerOptions = {}) {
    this.o = { epochs: 1, batchSize: 2048, monitor: "auc", minDelta: 0, seed: 0, shuffle: true, ...options };
    if (!Number.isInteger(this.o.epochs) || this.o.epochs < 1) throw new RangeError(`Trainer: epochs = ${this.o.epochs} must be a positive integer`);
    if (!Number.isInteger(this.o.batchSize) || this.o.batchSize < 1) throw new RangeError(`Trainer: batchSize = ${this.o.batchSize} must be a positive integer`);
    if (this.o.monitor !== "auc" && this.o.monitor !== "logloss") throw new RangeError(`Trainer: monitor = "${String(this.o.monitor)}" (expected auc or logloss)`);
    this.optimizer = createOptimizer(model, options.optimizer);
    const resume = this.o.resume?.state;
    this.startEpoch = resume ? resume.epoch : this.o.startEpoch ?? 0;
    if (!Number.isInteger(this.startEpoch) || this.startEpoch < 0 || this.startEpoch > this.o.epochs) {
      throw new RangeError(`Trainer: startEpoch = ${this.startEpoch} must be an integer in [0, epochs = ${this.o.epochs}]`);
    }
    if (resume) {
      this.baseLr = resume.baseLr;
      this.optimizer.lr = resume.lr;
      return;
    }
    // startEpoch alone: the optimizer's lr already has the decay of epoch startEpoch; recover the base
    const done = Math.max(0, this.startEpoch - 1);
    const sched = this.o.lrSchedule;
    const factor = sched === "paper" ? stepDecay(1, done) : typeof sched === "object" && "milestones" in sched ? stepDecay(1, done, sched.milestones, sched.gamma ?? 0.1) : 1;
    this.baseLr = this.optimizer.lr / factor;
  }

  private checkData(d: EncodedData | ShardedSplit, what: string): void {
    const m = this.model;
    if (isSharded(d)) {
      // the shards' own shapes are checked as they load (data/stream.ts)
      if (d.fields !== m.fields) throw new RangeError(`Trainer: ${what} has ${d.fields} fields, the model ${m.fields}`);
      return;
    }
    if (d.fields !== m.fields) throw new RangeError(`Trainer: ${what} has ${d.fields} fields, the model ${m.fields}`);
    if (d.ids.length < d.n * d.fields || d.labels.length < d.n) throw new RangeError(`Trainer: ${what} arrays are shorter than n = ${d.n}`);
    if (m.denseFeatures && (!d.dense || d.dense.length < d.n * m.denseFeatures)) {
      throw new RangeError(`Trainer: ${what} needs ${m.denseFeatures} dense features per row`);
    }
    if (m.bagFields && !d.bags) throw new RangeError(`Trainer: ${what} has no bag fields, the model takes ${m.bagFields} (bagPooling ${JSON.stringify(m.bagPooling)})`);
    if (d.bags) {
      checkBagData(d.bags, d.n, `Trainer: ${what}.bags`);
      if (JSON.stringify(d.bags.pooling) !== JSON.stringify(m.bagPooling)) throw new RangeError(`Trainer: ${what} has bag fields pooled ${JSON.stringify(d.bags.pooling)}, the model ${JSON.stringify(m.bagPooling)} (bagPooling)`);
    }
  }

  /** Predicted click probabilities for every row of `data`. */
  predict(data: EncodedData, batchSize = this.o.batchSize): Float32Array {
    this.checkData(data, "data");
    const { heap } = getEngine();
    const out = new Float32Array(data.n);
    const F = data.fields, nd = this.model.denseFeatures;
    const ids = heap.allocI32(batchSize * F, "predict ids");
    try {
      for (let s = 0; s < data.n; s += batchSize) {
        const size = Math.min(batchSize, data.n - s);
        ids.array.set(data.ids.subarray(s * F, (s + size) * F));
        const dense = nd ? data.dense!.subarray(s * nd, (s + size) * nd) : undefined;
        const bags = data.bags && batchBags(data.bags, undefined, s, size);
        predict(this.model, { ids, labels: data.labels.subarray(s, s + size), dense, bags, size }, out.subarray(s, s + size));
      }
    } finally {
      ids.free();
    }
    return out;
  }

  /** AUC and logloss on `data` (a promise for a sharded split, predicted one shard at a time). */
  evaluate(data: EncodedData): Metrics;
  evaluate(data: ShardedSplit): Promise<Metrics>;
  evaluate(data: EncodedData | ShardedSplit): Metrics | Promise<Metrics>;
  evaluate(data: EncodedData | ShardedSplit): Metrics | Promise<Metrics> {
    if (isSharded(data)) {
      this.checkData(data, "data");
      return runAwaiting(this.evaluateShards(data));
    }
    const p = this.predict(data);
    const y = data.labels.subarray(0, data.n);
    return { auc: aucOf(y, p), logloss: loglossOf(y, p) };
  }

  /** AUC and logloss over the shards of `data`: the predictions and labels (f32, 4 B/row each) in memory, the ids a shard at a time. */
  private *evaluateShards(data: ShardedSplit): Waits<Metrics> {
    const { heap } = getEngine();
    const B = this.o.batchSize;
    const ids = heap.allocI32(B * data.fields, "predict ids");
    try {
      const { predictions: p, labels: y } = (yield predictStream(data, B, (b, out) => {
        ids.array.set(b.ids);
        predict(this.model, { ids, labels: b.labels, dense: b.dense, bags: b.bags, size: b.size }, out);
      }, this.model.denseFeatures, this.model.bagPooling)) as Awaited<ReturnType<typeof predictStream>>;
      return { auc: aucOf(y, p), logloss: loglossOf(y, p) };
    } finally {
      ids.free();
    }
  }

  /**
   * Trains on `train`, validating on `valid` (if given). A sharded split is streamed (see
   * data/stream.ts and TrainerOptions.shuffleBuffer) and fit returns a promise.
   */
  fit(train: EncodedData, valid?: EncodedData): History;
  fit(train: ShardedSplit, valid?: EncodedData | ShardedSplit): Promise<History>;
  fit(train: EncodedData, valid: ShardedSplit): Promise<History>;
  fit(train: EncodedData | ShardedSplit, valid?: EncodedData | ShardedSplit): History | Promise<History>;
  fit(train: EncodedData | ShardedSplit, valid?: EncodedData | ShardedSplit): History | Promise<History> {
    this.checkData(train, "train");
    if (valid) this.checkData(valid, "valid");
    const steps = this.fitSteps(train, valid);
    return isSharded(train) || (valid && isSharded(valid)) ? runAwaiting(steps) : runNow(steps);
  }

  private *fitSteps(train: EncodedData | ShardedSplit, valid?: EncodedData | ShardedSplit): Waits<History> {
    const o = this.o;
    const { heap } = getEngine();
    const F = train.fields, nd = this.model.denseFeatures, B = o.batchSize;
    const streamed = isSharded(train) ? train : undefined;
    const stepsPerEpoch = Math.ceil((streamed ? streamed.rows : (train as EncodedData).n) / B);
    const better = (a: Metrics, b: Metrics | undefined) =>
      !b || (o.monitor === "auc" ? a.auc > b.auc + o.minDelta : a.logloss < b.logloss - o.minDelta);
    const plateau = typeof o.lrSchedule === "object" && "kind" in o.lrSchedule ? new ReduceOnPlateau(o.lrSchedule) : undefined;
    const restoreBest = o.restoreBest ?? !!valid;
    // the best weights are kept to restore them at the end, or to hand them to onEpochDone
    const keepBest = restoreBest || !!o.onEpochDone;
    if (plateau && o.resume?.state.plateau) plateau.load(o.resume.state.plateau);
    const progress = new Progress(o.progress ?? "auto");
    const startEpoch = this.startEpoch;
    const resumed = o.resume?.state;
    const history: History = {
      evals: [], bestEpoch: resumed?.bestEpoch ?? 0, bestStep: resumed?.bestStep ?? 0, best: resumed?.best, steps: resumed?.steps ?? startEpoch * stepsPerEpoch,
      seconds: 0, stoppedEarly: false,
    };
    if (resumed?.stoppedEarly) throw new RangeError(`Trainer: the run to resume stopped early at epoch ${resumed.epoch}; there is nothing to continue`);
    // the best weights so far: a snapshot, or (resuming with best = current) the weights as they are
    let bestState: WeightsSnapshot | undefined = o.resume?.bestWeights;
    if (keepBest && resumed?.best && !bestState) bestState = snapshotState(this.model, undefined, { weightsOnly: true });
    let bestStep = resumed?.bestStep ?? 0;
    let bad = resumed?.bad ?? 0;
    const t0 = performance.now();
    let samples = 0;
    const ids = heap.allocI32(B * F, "train batch ids");
    const labels = new Float32Array(B);
    const dense = nd ? new Float32Array(B * nd) : undefined;
    let loss = NaN;
    let order: Uint32Array | undefined;
    const batchAt = (s: number): Batch => {
      const data = train as EncodedData;
      const size = Math.min(B, data.n - s * B);
      fillBatch(data, order, s * B, size, ids.array, labels, dense);
      const bags = data.bags && batchBags(data.bags, order, s * B, size);
      return { ids, labels, dense, bags, size };
    };
    // streamed training: a pass per epoch, and its next batch (waiting while a shard loads)
    const streamOptions = (epoch: number) => ({ batchSize: B, shuffle: o.shuffle, seed: o.seed, epoch, bufferRows: o.shuffleBuffer, denseFeatures: nd, bagPooling: this.model.bagPooling });
    let cursor: StreamCursor | undefined;
    function* streamedBatch(): Waits<Batch> {
      for (;;) {
        const r = cursor!.next(ids.array, labels, dense);
        if (typeof r === "number") return { ids, labels, dense, bags: cursor!.bags, size: r };
        yield r;
      }
    }
    let epochNow = 0;
    function* firstBatches(count: number): Generator<Batch> {
      for (let s = 0; s < Math.min(count, stepsPerEpoch); s++) yield batchAt(s);
    }
    // precise BN on streamed data: the epoch's first batches again, from a second pass (copies)
    const firstStreamedBatches = async (count: number): Promise<StreamBatch[]> => {
      const got: StreamBatch[] = [];
      for await (const b of streamBatches(streamed!, streamOptions(epochNow))) {
        got.push(b);
        if (got.length >= count) break;
      }
      return got;
    };
    function* replay(bs: StreamBatch[]): Generator<Batch> {
      for (const b of bs) {
        ids.array.set(b.ids);
        yield { ids, labels: b.labels, dense: b.dense, bags: b.bags, size: b.size };
      }
    }
    const validate = function* (this: Trainer, epoch: number, midEpoch: boolean): Waits<boolean> {
      if (!valid) return false;
      if (o.preciseBn) {
        refreshBatchNormStats(this.model, streamed ? replay((yield firstStreamedBatches(o.preciseBn)) as StreamBatch[]) : firstBatches(o.preciseBn));
      }
      const metrics = isSharded(valid) ? yield* this.evaluateShards(valid) : this.evaluate(valid);
      const ev: TrainEvent = { epoch, step: history.steps, lr: this.optimizer.lr, loss, metrics, midEpoch };
      history.evals.push(ev);
      progress.clear();
      o.onEval?.(ev);
      progress.note(`epoch ${epoch} step ${history.steps}${midEpoch ? " (mid-epoch)" : ""}: val AUC ${metrics.auc.toFixed(4)} logloss ${metrics.logloss.toFixed(4)}`);
      if (plateau) this.optimizer.lr = plateau.observe(o.monitor === "auc" ? metrics.auc : metrics.logloss, this.optimizer.lr);
      if (better(metrics, history.best)) {
        history.best = metrics;
        history.bestEpoch = epoch;
        bad = 0;
        bestStep = history.steps;
        history.bestStep = bestStep;
        if (keepBest) bestState = snapshotState(this.model, undefined, { weightsOnly: true });
        return false;
      }
      bad++;
      return o.patience !== undefined && bad >= o.patience;
    };
    try {
      outer: for (let epoch = startEpoch + 1; epoch <= o.epochs; epoch++) {
        if (o.lrSchedule === "paper") this.optimizer.lr = stepDecay(this.baseLr, epoch - 1);
        else if (typeof o.lrSchedule === "object" && "milestones" in o.lrSchedule) {
          this.optimizer.lr = stepDecay(this.baseLr, epoch - 1, o.lrSchedule.milestones, o.lrSchedule.gamma ?? 0.1);
        }
        epochNow = epoch;
        if (streamed) cursor = new StreamCursor(streamed, streamOptions(epoch));
        else order = o.shuffle ? shuffledOrder((train as EncodedData).n, o.seed, epoch) : undefined;
        for (let s = 0; s < stepsPerEpoch; s++) {
          const batch = streamed ? yield* streamedBatch() : batchAt(s);
          loss = trainStep(this.model, batch, this.optimizer).loss;
          history.steps++;
          samples += batch.size;
          o.onStep?.({ epoch, step: history.steps, lr: this.optimizer.lr, loss });
          progress.update({
            epoch, epochs: o.epochs, step: history.steps, epochStep: s + 1, stepsPerEpoch, stepsLeft: (o.epochs - epoch + 1) * stepsPerEpoch - (s + 1),
            loss, samples, ms: performance.now() - t0,
          });
          // mid-epoch evaluations; the epoch's last step is validated below, at the epoch end
          if (o.evalEvery && history.steps % o.evalEvery === 0 && s + 1 < stepsPerEpoch && (yield* validate.call(this, epoch, true))) {
            history.stoppedEarly = true;
            break outer;
          }
        }
        cursor?.close();
        cursor = undefined;
        progress.clear();
        o.onEpochEnd?.({ epoch, step: history.steps, lr: this.optimizer.lr, loss });
        if (yield* validate.call(this, epoch, false)) history.stoppedEarly = true;
        if (o.onEpochDone) {
          const state: TrainerState = {
            epoch, steps: history.steps, baseLr: this.baseLr, lr: this.optimizer.lr, bestEpoch: history.bestEpoch, bestStep, bad,
            stoppedEarly: history.stoppedEarly,
          };
          if (history.best) state.best = { ...history.best };
          if (plateau) state.plateau = plateau.state();
          o.onEpochDone(state, bestStep < history.steps ? bestState : undefined);
        }
        if (history.stoppedEarly) break;
      }
    } finally {
      cursor?.close();
      ids.free();
      progress.done();
    }
    if (restoreBest && bestState) applyState(this.model, undefined, bestState, "best weights", { weightsOnly: true });
    history.seconds = (performance.now() - t0) / 1000;
    return history;
  }
}
