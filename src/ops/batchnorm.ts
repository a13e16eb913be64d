// Batch normalization over the batch axis of x [B, N] (Ioffe & Szegedy 2015):
//   x̂ = (x − μ) / √(σ² + ε),  y = γ ⊙ x̂ + β
//   "train":       μ, σ² of the batch (biased σ²); running stats ← (1 − m)·running + m·batch
//                  (running σ² takes the unbiased batch variance, as PyTorch)
//   "batch-stats": batch statistics, running stats untouched (ALPT's second pass)
//   "eval":        running statistics
// Backward with batch statistics: dx = (γ/√(σ²+ε)) · (dy − mean(dy) − x̂ · mean(dy ⊙ x̂));
// with running statistics: dx = dy · γ / √(σ²_run + ε). dγ += Σ_b dy ⊙ x̂, dβ += Σ_b dy.
import { record } from "../tensor/tape.js";
import { expectShape, gradOf, type Tensor } from "../tensor/tensor.js";
import type { HeapF32 } from "../wasm/heap.js";
import { output } from "./output.js";

/** Running statistics of one batch-norm layer (persistent). */
export interface BatchNormState {
  runningMean: HeapF32;
  runningVar: HeapF32;
  momentum: number;
  eps: number;
}

export type BatchNormMode = "train" | "batch-stats" | "eval";

export function batchNorm(x: Tensor, gamma: Tensor, beta: Tensor, state: BatchNormState, mode: BatchNormMode): Tensor {
  expectShape("batchNorm", "x", x, [undefined, undefined]);
  const [B, N] = x.shape;
  expectShape("batchNorm", "gamma", gamma, [N]);
  expectShape("batchNorm", "beta", beta, [N]);
  if (mode !== "eval" && B < 2) throw new RangeError(`batchNorm: batch statistics need at least 2 rows, got ${B}`);
  const y = output("batchNorm", [B, N], [x, gamma, beta]);
  const xv = x.values, yv = y.values, g = gamma.values, bt = beta.values;
  const mean = new Float64Array(N);
  const invStd = new Float64Array(N);
  const xhat = new Float32Array(B * N);
  const useBatch = mode !== "eval";
  if (useBatch) {
    const v = new Float64Array(N);
    for (let b = 0; b < B; b++) for (let n = 0; n < N; n++) mean[n] += xv[b * N + n];
    for (let n = 0; n < N; n++) mean[n] /= B;
    for (let b = 0; b < B; b++) {
      for (let n = 0; n < N; n++) {
        const c = xv[b * N + n] - mean[n];
        v[n] += c * c;
      }
    }
    for (let n = 0; n < N; n++) {
      v[n] /= B;
      invStd[n] = 1 / Math.sqrt(v[n] + state.eps);
    }
    if (mode === "train") {
      const rm = state.runningMean.array, rv = state.runningVar.array, m = state.momentum;
      for (let n = 0; n < N; n++) {
        rm[n] = (1 - m) * rm[n] + m * mean[n];
        rv[n] = (1 - m) * rv[n] + m * v[n] * (B / (B - 1));
      }
    }
  } else {
    const rm = state.runningMean.array, rv = state.runningVar.array;
    for (let n = 0; n < N; n++) {
      mean[n] = rm[n];
      invStd[n] = 1 / Math.sqrt(rv[n] + state.eps);
    }
  }
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < N; n++) {
      const i = b * N + n;
      xhat[i] = (xv[i] - mean[n]) * invStd[n];
      yv[i] = g[n] * xhat[i] + bt[n];
    }
  }
  return record(y, [x, gamma, beta], () => {
    const dy = y.grad!.array, gs = gamma.values;
    if (gamma.requiresGrad || beta.requiresGrad) {
      const dg = gamma.requiresGrad ? gradOf(gamma).array : undefined;
      const db = beta.requiresGrad ? gradOf(beta).array : undefined;
      for (let b = 0; b < B; b++) {
        for (let n = 0; n < N; n++) {
          const i = b * N + n;
          if (dg) dg[n] += dy[i] * xhat[i];
          if (db) db[n] += dy[i];
        }
      }
    }
    if (!x.requiresGrad) return;
    const dx = gradOf(x).array;
    if (!useBatch) {
      for (let b = 0; b < B; b++) for (let n = 0; n < N; n++) dx[b * N + n] += dy[b * N + n] * gs[n] * invStd[n];
      return;
    }
    const sdy = new Float64Array(N), sdyx = new Float64Array(N);
    for (let b = 0; b < B; b++) {
      for (let n = 0; n < N; n++) {
        const i = b * N + n;
        sdy[n] += dy[i];
        sdyx[n] += dy[i] * xhat[i];
      }
    }
    for (let b = 0; b < B; b++) {
      for (let n = 0; n < N; n++) {
        const i = b * N + n;
        dx[i] += gs[n] * invStd[n] * (dy[i] - sdy[n] / B - (xhat[i] * sdyx[n]) / B);
      }
    }
  });
}
