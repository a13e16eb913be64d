// Elementwise binary ops on tensors of the same shape.
//   add: y = a + b      da += dy, db += dy
//   mul: y = a ⊙ b      da += dy ⊙ b, db += dy ⊙ a
import { record } from "../tensor/tape.js";
import { gradOf, type Tensor } from "../tensor/tensor.js";
import { output } from "./output.js";

function sameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new RangeError(`${op}: shapes [${a.shape.join(", ")}] and [${b.shape.join(", ")}] differ`);
  }
}

export function add(a: Tensor, b: Tensor): Tensor {
  sameShape("add", a, b);
  const y = output("add", a.shape, [a, b]);
  const av = a.values, bv = b.values, yv = y.values;
  for (let i = 0; i < yv.length; i++) yv[i] = av[i] + bv[i];
  return record(y, [a, b], () => {
    for (const t of [a, b]) {
      if (!t.requiresGrad) continue;
      // gradOf may grow the heap: take every view after it
      const d = gradOf(t).array, dy = y.grad!.array;
      for (let i = 0; i < t.size; i++) d[i] += dy[i];
    }
  });
}

export function mul(a: Tensor, b: Tensor): Tensor {
  sameShape("mul", a, b);
  const y = output("mul", a.shape, [a, b]);
  const av = a.values, bv = b.values, yv = y.values;
  for (let i = 0; i < yv.length; i++) yv[i] = av[i] * bv[i];
  return record(y, [a, b], () => {
    // gradOf may grow the heap: take every view after it
    if (a.requiresGrad) {
      const da = gradOf(a).array, dy = y.grad!.array, bs = b.values;
      for (let i = 0; i < a.size; i++) da[i] += dy[i] * bs[i];
    }
    if (b.requiresGrad) {
      const db = gradOf(b).array, dy = y.grad!.array, as = a.values;
      for (let i = 0; i < b.size; i++) db[i] += dy[i] * as[i];
    }
  });
}
