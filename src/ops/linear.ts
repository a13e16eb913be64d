// linear: y = x·W + b,  x [B, K], W [K, N], b [N].
// Backward: dx += dy·Wᵀ,  dW += xᵀ·dy,  db += Σ_b dy — each only when that input needs a
// gradient, so a pass with frozen weights runs no weight-gradient GEMM (ALPT's second pass).
import { addBiasRows, gemm, sumRows } from "../kernels/dense.js";
import { record } from "../tensor/tape.js";
import { expectShape, gradOf, type Tensor } from "../tensor/tensor.js";
import { output } from "./output.js";

export function linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  expectShape("linear", "x", x, [undefined, undefined]);
  const [B, K] = x.shape;
  expectShape("linear", "W", w, [K, undefined]);
  const N = w.shape[1];
  if (b) expectShape("linear", "b", b, [N]);
  const inputs = b ? [x, w, b] : [x, w];
  const y = output("linear", [B, N], inputs);
  gemm("xW", x.data, w.data, y.data, B, K, N, false);
  if (b) addBiasRows(y.data, b.data, B, N);
  return record(y, inputs, () => {
    const dy = y.grad!;
    if (x.requiresGrad) gemm("dyWt", dy, w.data, gradOf(x), B, K, N, true);
    if (w.requiresGrad) gemm("xtdy", x.data, dy, gradOf(w), B, K, N, true);
    if (b?.requiresGrad) sumRows(dy, B, N, gradOf(b), true);
  });
}
