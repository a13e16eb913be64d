// Inverted dropout with a counter-based mask: element i of call `step` is kept when
// uniform(seed, step, i) ≥ p, and scaled by 1/(1 − p). Backward: dx += dy · mask / (1 − p).
// Identity when p = 0 or outside training.
import { uniform } from "../util/rng.js";
import { record } from "../tensor/tape.js";
import { gradOf, type Tensor } from "../tensor/tensor.js";
import { output } from "./output.js";

export function dropout(x: Tensor, p: number, seed: number, step: number, training = true): Tensor {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout: p = ${p} must be in [0, 1)`);
  if (!training || p === 0) return x;
  const y = output("dropout", x.shape, [x]);
  const keep = new Uint8Array(x.size);
  const scale = 1 / (1 - p);
  const xv = x.values, yv = y.values;
  for (let i = 0; i < xv.length; i++) {
    keep[i] = uniform(seed, step, i) >= p ? 1 : 0;
    yv[i] = keep[i] ? xv[i] * scale : 0;
  }
  return record(y, [x], () => {
    const dx = gradOf(x).array, dy = y.grad!.array;
    for (let i = 0; i < keep.length; i++) if (keep[i]) dx[i] += dy[i] * scale;
  });
}
