// relu: y = max(x, 0). Backward: dx += dy · [x > 0]. (wasm kernels: branch-free lanes)
import { reluBackward, reluForward } from "../kernels/layers.js";
import { record } from "../tensor/tape.js";
import { gradOf, type Tensor } from "../tensor/tensor.js";
import { output } from "./output.js";

export function relu(x: Tensor): Tensor {
  const y = output("relu", x.shape, [x]);
  reluForward(x.data, y.data, x.size);
  return record(y, [x], () => reluBackward(x.data, y.grad!, gradOf(x), x.size));
}
