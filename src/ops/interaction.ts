// Feature interactions over field embeddings x [B, F, D].
//   sumFields: y[b, d] = Σ_f x[b, f, d]                     dx[b, f, d] += dy[b, d]
//   fm:        y[b]    = ½ Σ_d ((Σ_f x)² − Σ_f x²)          dx[b, f, d] += dy[b] · (S[b, d] − x[b, f, d])
//              (Rendle 2010, second-order term in O(F·D))
import { record } from "../tensor/tape.js";
import { expectShape, gradOf, type Tensor } from "../tensor/tensor.js";
import { output } from "./output.js";

function dims(op: string, x: Tensor): [number, number, number] {
  expectShape(op, "x", x, [undefined, undefined, undefined]);
  return [x.shape[0], x.shape[1], x.shape[2]];
}

export function sumFields(x: Tensor): Tensor {
  const [B, F, D] = dims("sumFields", x);
  const y = output("sumFields", [B, D], [x]);
  const xv = x.values, yv = y.values;
  yv.fill(0);
  for (let b = 0; b < B; b++) {
    for (let f = 0; f < F; f++) for (let d = 0; d < D; d++) yv[b * D + d] += xv[(b * F + f) * D + d];
  }
  return record(y, [x], () => {
    const dx = gradOf(x).array, dy = y.grad!.array;
    for (let b = 0; b < B; b++) {
      for (let f = 0; f < F; f++) for (let d = 0; d < D; d++) dx[(b * F + f) * D + d] += dy[b * D + d];
    }
  });
}

/** FM second-order interaction: [B, F, D] → [B, 1]. */
export function fm(x: Tensor): Tensor {
  const [B, F, D] = dims("fm", x);
  const y = output("fm", [B, 1], [x]);
  const xv = x.values, yv = y.values;
  const S = new Float64Array(B * D);
  for (let b = 0; b < B; b++) {
    let acc = 0;
    for (let d = 0; d < D; d++) {
      let s = 0, s2 = 0;
      for (let f = 0; f < F; f++) {
        const v = xv[(b * F + f) * D + d];
        s += v;
        s2 += v * v;
      }
      S[b * D + d] = s;
      acc += s * s - s2;
    }
    yv[b] = 0.5 * acc;
  }
  return record(y, [x], () => {
    const dx = gradOf(x).array, dy = y.grad!.array, xs = x.values;
    for (let b = 0; b < B; b++) {
      for (let f = 0; f < F; f++) {
        for (let d = 0; d < D; d++) {
          const i = (b * F + f) * D + d;
          dx[i] += dy[b] * (S[b * D + d] - xs[i]);
        }
      }
    }
  });
}
