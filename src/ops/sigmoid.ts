// sigmoid: y = 1 / (1 + e^−x), evaluated without overflow for large |x|.
// Backward: dx += dy · y · (1 − y).
import { record } from "../tensor/tape.js";
import { gradOf, type Tensor } from "../tensor/tensor.js";
import { output } from "./output.js";

/** σ(x) for one number, stable at both ends. */
export function sigmoidOf(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export function sigmoid(x: Tensor): Tensor {
  const y = output("sigmoid", x.shape, [x]);
  const xv = x.values, yv = y.values;
  for (let i = 0; i < xv.length; i++) yv[i] = sigmoidOf(xv[i]);
  return record(y, [x], () => {
    const dx = gradOf(x).array, dy = y.grad!.array, ys = y.values;
    for (let i = 0; i < ys.length; i++) dx[i] += dy[i] * ys[i] * (1 - ys[i]);
  });
}
