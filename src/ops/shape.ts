// Shape ops along the feature (last) axis of 2-D tensors [B, n], and reshape.
//   concat: y = [x₁ ‖ x₂ ‖ …]      dxᵢ += the matching columns of dy
//   slice:  y = x[:, start:end]    dx[:, start:end] += dy
//   reshape: same values, new shape; dx += dy
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
  const yv = y.values;
  let off = 0;
  xs.forEach((x, i) => {
    const w = widths[i], xv = x.values;
    for (let b = 0; b < B; b++) yv.set(xv.subarray(b * w, (b + 1) * w), b * W + off);
    off += w;
  });
  return record(y, xs, () => {
    const dy = y.grad!.array;
    let o = 0;
    xs.forEach((x, i) => {
      const w = widths[i];
      if (x.requiresGrad) {
        const dx = gradOf(x).array;
        for (let b = 0; b < B; b++) for (let j = 0; j < w; j++) dx[b * w + j] += dy[b * W + o + j];
      }
      o += w;
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
  const xv = x.values, yv = y.values;
  for (let b = 0; b < B; b++) yv.set(xv.subarray(b * W + start, b * W + end), b * w);
  return record(y, [x], () => {
    const dx = gradOf(x).array, dy = y.grad!.array;
    for (let b = 0; b < B; b++) for (let j = 0; j < w; j++) dx[b * W + start + j] += dy[b * w + j];
  });
}

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== x.size) throw new RangeError(`reshape: [${x.shape.join(", ")}] has ${x.size} values, not ${size}`);
  const y = new Tensor(x.data, shape, "activation", isRecording() && x.requiresGrad, "reshape");
  return record(y, [x], () => {
    const dx = gradOf(x).array, dy = y.grad!.array;
    for (let i = 0; i < size; i++) dx[i] += dy[i];
  });
}
