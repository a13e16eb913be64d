// relu: y = max(x, 0). Backward: dx += dy · [x > 0]. (wasm kernels: branch-free lanes)
// In place, y overwrites x's values (one activation buffer less per MLP layer); the backward
// mask stays right because y > 0 exactly where x > 0. Only for an x that nothing else reads:
// the fresh output of a linear layer or batch norm, whose backward does not read its output.
import { reluBackward, reluForward } from "../kernels/layers.js";
import { isRecording, record } from "../tensor/tape.js";
import { gradOf, Tensor } from "../tensor/tensor.js";
import { output } from "./output.js";

export function relu(x: Tensor, { inPlace = false } = {}): Tensor {
  const y = inPlace ? new Tensor(x.data, x.shape, "activation", isRecording() && x.requiresGrad, "relu") : output("relu", x.shape, [x]);
  reluForward(x.data, y.data, x.size);
  return record(y, [x], () => reluBackward(x.data, y.grad!, gradOf(x), x.size));
}
