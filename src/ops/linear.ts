// linear: y = x·W + b,  x [B, K], W [K, N], b [N].
// Backward: dx += dy·Wᵀ (written, not added, when dx has no gradient yet),  dW += xᵀ·dy,
// db += Σ_b dy — each only when that input needs a gradient, so a pass with frozen weights runs
// no weight-gradient GEMM (ALPT's second pass).
// linearConcat: y = [x₁ ‖ … ‖ x_m]·W + b without materializing the concatenation: each x_i
// meets its own block of rows of W (a DCN head saves a [B, K] activation and its gradient).
import { addBiasRows, gemm, sumRows } from "../kernels/dense.js";
import { record } from "../tensor/tape.js";
import { expectShape, gradOf, gradToWrite, type Tensor } from "../tensor/tensor.js";
import { HeapF32 } from "../wasm/heap.js";
import { output } from "./output.js";

/** Rows [start, start + count) of a row-major [*, width] block, as a view (no copy). */
function rowBlock(h: HeapF32, start: number, count: number, width: number): HeapF32 {
  return new HeapF32(h.heap, h.ptr + start * width * 4, count * width);
}

export function linearConcat(xs: readonly Tensor[], w: Tensor, b?: Tensor): Tensor {
  if (xs.length === 0) throw new RangeError("linearConcat: no inputs");
  const B = xs[0]!.shape[0]!;
  xs.forEach((x, i) => expectShape("linearConcat", `x${i}`, x, [B, undefined]));
  const K = xs.reduce((k, x) => k + x.shape[1]!, 0);
  expectShape("linearConcat", "W", w, [K, undefined]);
  const N = w.shape[1]!;
  if (b) expectShape("linearConcat", "b", b, [N]);
  const inputs = b ? [...xs, w, b] : [...xs, w];
  const y = output("linear", [B, N], inputs);
  const offsets = xs.map((_, i) => xs.slice(0, i).reduce((k, x) => k + x.shape[1]!, 0));
  xs.forEach((x, i) => gemm("xW", x.data, rowBlock(w.data, offsets[i]!, x.shape[1]!, N), y.data, B, x.shape[1]!, N, i > 0));
  if (b) addBiasRows(y.data, b.data, B, N);
  return record(y, inputs, () => {
    const dy = y.grad!;
    xs.forEach((x, i) => {
      const Ki = x.shape[1]!;
      if (x.requiresGrad) {
        const [dx, accumulate] = gradToWrite(x);
        gemm("dyWt", dy, rowBlock(w.data, offsets[i]!, Ki, N), dx, B, Ki, N, accumulate);
      }
      if (w.requiresGrad) gemm("xtdy", x.data, dy, rowBlock(gradOf(w), offsets[i]!, Ki, N), B, Ki, N, true);
    });
    if (b?.requiresGrad) sumRows(dy, B, N, gradOf(b), true);
  });
}

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
    if (x.requiresGrad) {
      const [dx, accumulate] = gradToWrite(x);
      gemm("dyWt", dy, w.data, dx, B, K, N, accumulate);
    }
    if (w.requiresGrad) gemm("xtdy", x.data, dy, gradOf(w), B, K, N, true);
    if (b?.requiresGrad) sumRows(dy, B, N, gradOf(b), true);
  });
}
