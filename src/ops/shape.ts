// Shape ops along the feature (last) axis of 2-D tensors [B, n], and reshape.
//   concat: y = [x₁ ‖ x₂ ‖ …]      dxᵢ += the matching columns of dy
//   slice:  y = x[:, start:end]    dx[:, start:end] += dy
//   reshape: same values, new shape; the gradient buffer is shared with x's (no copy)
// The column moves are wasm kernels (moveColumns).
import { moveColumns } from "../kernels/layers.js";
import { isRecording, record } from "../tensor/tape.js";
import { gradOf, Tensor } from "../tensor/tensor.js";
import { output } from "./output.js";

function rowsOf(op: string, xs: readonly Tensor[]): number {
  const b = xs[0].shape[0];
  for (const x of xs) {
    if (x.shape.length !== 2 || x.shape[0] !== b) {
      throw new RangeError(`${op}: expected 2-D tensors with ${b} rows, got [${x.shape.join(", ")}]`);
    }
  }
  return b;
}

export function concat(xs: readonly Tensor[]): Tensor {
  if (xs.length === 0) throw new RangeError("concat: no tensors");
  const B = rowsOf("concat", xs);
  const widths = xs.map((x) => x.shape[1]);
  const W = widths.reduce((a, b) => a + b, 0);
  const y = output("concat", [B, W], xs);
  let off = 0;
  xs.forEach((x, i) => {
    moveColumns(x.data, widths[i], 0, y.data, W, off, B, widths[i], false);
    off += widths[i];
  });
  return record(y, xs, () => {
    let o = 0;
    xs.forEach((x, i) => {
      if (x.requiresGrad) moveColumns(y.grad!, W, o, gradOf(x), widths[i], 0, B, widths[i], true);
      o += widths[i];
    });
  });
}

export function slice(x: Tensor, start: number, end: number): Tensor {
  const B = rowsOf("slice", [x]);
  const W = x.shape[1];
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= W)) {
    throw new RangeError(`slice: [${start}, ${end}) is not a column range of [${B}, ${W}]`);
  }
  const w = end - start;
  const y = output("slice", [B, w], [x]);
  moveColumns(x.data, W, start, y.data, w, 0, B, w, false);
  return record(y, [x], () => moveColumns(y.grad!, w, 0, gradOf(x), W, start, B, w, true));
}

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== x.size) throw new RangeError(`reshape: [${x.shape.join(", ")}] has ${x.size} values, not ${size}`);
  const y = new Tensor(x.data, shape, "activation", isRecording() && x.requiresGrad, "reshape");
  if (!y.requiresGrad) return y;
  y.grad = gradOf(x); // gradients accumulate straight into x's buffer
  return record(y, [x], () => undefined);
}
