// BatchNorm1d over [B, N]: γ = 1, β = 0, momentum 0.1; the running statistics are a plain
// average of the batches until 1/momentum updates have passed, then exponential (ops/batchnorm.ts).
// `statsUpdate = false` (ALPT's second pass) uses batch statistics without updating the
// running ones.
import { batchNorm, type BatchNormState } from "../ops/batchnorm.js";
import { Tensor } from "../tensor/tensor.js";
import type { HeapF32 } from "../wasm/heap.js";
import { getEngine } from "../wasm/load.js";
import { Module } from "./module.js";

export class BatchNorm1d extends Module {
  readonly gamma: Tensor;
  readonly beta: Tensor;
  readonly state: BatchNormState;
  /** When false, training-mode passes leave the running statistics untouched. */
  statsUpdate = true;

  constructor(readonly features: number, { name = "bn", momentum = 0.1, eps = 1e-5 } = {}) {
    super();
    this.gamma = this.param(Tensor.param([features], `${name}.gamma`));
    this.gamma.data.array.fill(1);
    this.beta = this.param(Tensor.param([features], `${name}.beta`));
    const { heap } = getEngine();
    this.state = {
      runningMean: heap.allocF32(features, `${name}.runningMean`),
      runningVar: heap.allocF32(features, `${name}.runningVar`),
      momentum,
      eps,
      updates: 0,
    };
    this.state.runningVar.array.fill(1);
  }

  forward(x: Tensor): Tensor {
    const mode = !this.training ? "eval" : this.statsUpdate ? "train" : "batch-stats";
    return batchNorm(x, this.gamma, this.beta, this.state, mode);
  }

  override buffers(prefix = ""): [string, HeapF32][] {
    return [[`${prefix}runningMean`, this.state.runningMean], [`${prefix}runningVar`, this.state.runningVar]];
  }

  override scalars(prefix = ""): [string, number][] {
    return [[`${prefix}updates`, this.state.updates]];
  }

  override loadScalars(values: Record<string, number>, prefix = ""): void {
    const u = values[`${prefix}updates`];
    if (typeof u === "number") this.state.updates = u;
  }

  override setStatsUpdate(on: boolean): void {
    this.statsUpdate = on;
  }

  override dispose(): void {
    super.dispose();
    this.state.runningMean.free();
    this.state.runningVar.free();
  }
}
