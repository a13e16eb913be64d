// DCN cross layer v1 (Wang et al. 2017, "Deep & Cross Network for Ad Click Predictions"):
//   y = x0 · (xl·w) + b + xl,  s[b] = Σ_d xl[b, d] w[d]
//   dx0 += dy · s;  ds[b] = Σ_d dy[b, d] x0[b, d];  dxl += ds ⊗ w + dy;  dw += Σ_b ds[b] xl[b];  db += Σ_b dy
// (The v2 layer x0 ⊙ (xl·W + b) + xl is composed from linear, mul and add in layers/.)
import { crossBackward, crossForward } from "../kernels/layers.js";
import { getEngine } from "../wasm/load.js";
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
  const s = getEngine().heap.scratchF32(B, "crossV1 s");
  crossForward(x0.data, xl.data, w.data, bias.data, B, D, s, y.data);
  return record(y, [x0, xl, w, bias], () => {
    const g = (t: Tensor) => (t.requiresGrad ? gradOf(t) : undefined);
    crossBackward(x0.data, xl.data, w.data, s, y.grad!, B, D, { dx0: g(x0), dxl: g(xl), dw: g(w), db: g(bias) });
  });
}
