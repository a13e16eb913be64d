// DCN cross layer v1 (Wang et al. 2017, "Deep & Cross Network for Ad Click Predictions"):
//   y = x0 · (xl·w) + b + xl,  s[b] = Σ_d xl[b, d] w[d]
//   dx0 += dy · s;  ds[b] = Σ_d dy[b, d] x0[b, d];  dxl += ds ⊗ w + dy;  dw += Σ_b ds[b] xl[b];  db += Σ_b dy
// (The v2 layer x0 ⊙ (xl·W + b) + xl is composed from linear, mul and add in layers/.)
import { record } from "../tensor/tape.js";
import { expectShape, gradOf, type Tensor } from "../tensor/tensor.js";
import { output } from "./output.js";

export function crossV1(x0: Tensor, xl: Tensor, w: Tensor, bias: Tensor): Tensor {
  expectShape("crossV1", "x0", x0, [undefined, undefined]);
  const [B, D] = x0.shape;
  expectShape("crossV1", "xl", xl, [B, D]);
  expectShape("crossV1", "w", w, [D]);
  expectShape("crossV1", "b", bias, [D]);
  const y = output("crossV1", [B, D], [x0, xl, w, bias]);
  const x0v = x0.values, xlv = xl.values, wv = w.values, bv = bias.values, yv = y.values;
  const s = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let acc = 0;
    for (let d = 0; d < D; d++) acc += xlv[b * D + d] * wv[d];
    s[b] = acc;
    for (let d = 0; d < D; d++) yv[b * D + d] = x0v[b * D + d] * acc + bv[d] + xlv[b * D + d];
  }
  return record(y, [x0, xl, w, bias], () => {
    const dy = y.grad!.array, x0s = x0.values, xls = xl.values, ws = w.values;
    const dx0 = x0.requiresGrad ? gradOf(x0).array : undefined;
    const dxl = xl.requiresGrad ? gradOf(xl).array : undefined;
    const dw = w.requiresGrad ? gradOf(w).array : undefined;
    const db = bias.requiresGrad ? gradOf(bias).array : undefined;
    for (let b = 0; b < B; b++) {
      let ds = 0;
      for (let d = 0; d < D; d++) ds += dy[b * D + d] * x0s[b * D + d];
      for (let d = 0; d < D; d++) {
        const i = b * D + d;
        if (dx0) dx0[i] += dy[i] * s[b];
        if (dxl) dxl[i] += ds * ws[d] + dy[i];
        if (dw) dw[d] += ds * xls[i];
        if (db) db[d] += dy[i];
      }
    }
  });
}
