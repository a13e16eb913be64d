// relu: y = max(x, 0). Backward: dx += dy · [x > 0].
import { record } from "../tensor/tape.js";
import { gradOf, type Tensor } from "../tensor/tensor.js";
import { output } from "./output.js";

export function relu(x: Tensor): Tensor {
  const y = output("relu", x.shape, [x]);
  const xv = x.values, yv = y.values;
  for (let i = 0; i < xv.length; i++) yv[i] = xv[i] > 0 ? xv[i] : 0;
  return record(y, [x], () => {
    const dx = gradOf(x).array, dy = y.grad!.array, xs = x.values;
    for (let i = 0; i < xs.length; i++) if (xs[i] > 0) dx[i] += dy[i];
  });
}
