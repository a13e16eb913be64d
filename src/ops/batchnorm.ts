// Batch normalization over the batch axis of x [B, N] (Ioffe & Szegedy 2015):
//   x̂ = (x − μ) / √(σ² + ε),  y = γ ⊙ x̂ + β
//   "train":       μ, σ² of the batch (biased σ²); running stats ← (1 − m)·running + m·batch
//                  (running σ² takes the unbiased batch variance, as PyTorch) with
//                  m = max(momentum, 1/(updates + 1)): a plain average of the batches seen until
//                  1/momentum updates have passed (PyTorch's momentum=None), then the usual
//                  exponential average. The initial 0 / 1 never weigh on the statistics, so an
//                  evaluation after a short epoch (54 steps) is calibrated (ALPT.md P15).
//   "batch-stats": batch statistics, running stats untouched (ALPT's second pass)
//   "eval":        running statistics
// Backward with batch statistics: dx = (γ/√(σ²+ε)) · (dy − mean(dy) − x̂ · mean(dy ⊙ x̂));
// the O(B·N) passes are wasm kernels (kernels/layers.ts), the O(N) parts plain TS.
// with running statistics: dx = dy · γ / √(σ²_run + ε). dγ += Σ_b dy ⊙ x̂, dβ += Σ_b dy.
import { record } from "../tensor/tape.js";
import { expectShape, gradOf, type Tensor } from "../tensor/tensor.js";
import { bnColumnSums, bnForward, bnInputGrad, bnStats } from "../kernels/layers.js";
import type { HeapF32 } from "../wasm/heap.js";
import { getEngine } from "../wasm/load.js";
import { output } from "./output.js";

/** Running statistics of one batch-norm layer (persistent). */
export interface BatchNormState {
  runningMean: HeapF32;
  runningVar: HeapF32;
  momentum: number;
  eps: number;
  /** Running-statistics updates so far (a training-mode pass adds one). */
  updates: number;
}

export type BatchNormMode = "train" | "batch-stats" | "eval";

export function batchNorm(x: Tensor, gamma: Tensor, beta: Tensor, state: BatchNormState, mode: BatchNormMode): Tensor {
  expectShape("batchNorm", "x", x, [undefined, undefined]);
  const [B, N] = x.shape;
  expectShape("batchNorm", "gamma", gamma, [N]);
  expectShape("batchNorm", "beta", beta, [N]);
  if (mode !== "eval" && B < 2) throw new RangeError(`batchNorm: batch statistics need at least 2 rows, got ${B}`);
  const { heap } = getEngine();
  const y = output("batchNorm", [B, N], [x, gamma, beta]);
  const mean = heap.scratchF32(N, "bn mean"), invStd = heap.scratchF32(N, "bn invStd");
  const xhat = heap.scratchF32(B * N, "bn xhat");
  const useBatch = mode !== "eval";
  if (useBatch) {
    const variance = heap.scratchF32(N, "bn variance");
    bnStats(x.data, B, N, mean, variance);
    const v = variance.array, is = invStd.array;
    for (let n = 0; n < N; n++) is[n] = 1 / Math.sqrt(v[n] + state.eps);
    if (mode === "train") {
      const rm = state.runningMean.array, rv = state.runningVar.array, mu = mean.array;
      const m = Math.max(state.momentum, 1 / ++state.updates);
      for (let n = 0; n < N; n++) {
        rm[n] = (1 - m) * rm[n] + m * mu[n];
        rv[n] = (1 - m) * rv[n] + m * v[n] * (B / (B - 1));
      }
    }
  } else {
    const rm = state.runningMean.array, rv = state.runningVar.array, mu = mean.array, is = invStd.array;
    for (let n = 0; n < N; n++) {
      mu[n] = rm[n];
      is[n] = 1 / Math.sqrt(rv[n] + state.eps);
    }
  }
  bnForward(x.data, B, N, mean, invStd, gamma.data, beta.data, xhat, y.data);
  return record(y, [x, gamma, beta], () => {
    const dy = y.grad!;
    const sdy = heap.scratchF32(N, "bn sdy"), sdyx = heap.scratchF32(N, "bn sdyx");
    bnColumnSums(dy, xhat, B, N, sdy, sdyx);
    if (gamma.requiresGrad) {
      const dg = gradOf(gamma).array, c = sdyx.array;
      for (let n = 0; n < N; n++) dg[n] += c[n];
    }
    if (beta.requiresGrad) {
      const db = gradOf(beta).array, c = sdy.array;
      for (let n = 0; n < N; n++) db[n] += c[n];
    }
    if (!x.requiresGrad) return;
    const coef = heap.scratchF32(N, "bn coef");
    const g = gamma.values, is = invStd.array, k = coef.array;
    for (let n = 0; n < N; n++) k[n] = g[n] * is[n];
    bnInputGrad(dy, xhat, B, N, coef, sdy, sdyx, gradOf(x), useBatch);
  });
}
