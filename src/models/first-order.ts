// Models with a first-order (linear) term keep each feature's linear weight in the same
// embedding row as its vector: a table of dim D + 1 where column D is the weight. One row per
// feature then holds everything the feature learns, and low-precision storage covers both.
//   e [B, F, D+1] → vectors [B, F, D] and linear term Σ_f w_f [B, 1]
import { sumFields } from "../ops/interaction.js";
import { reshape, slice } from "../ops/shape.js";
import type { Tensor } from "../tensor/tensor.js";

/** Splits e [B, F, D+1] into the field vectors [B, F, D] (D > 0) and the linear term [B, 1]. */
export function splitFirstOrder(e: Tensor): { vectors: Tensor | undefined; linear: Tensor } {
  const [B, F, W] = e.shape;
  const D = W - 1;
  const rows = reshape(e, [B * F, W]);
  const linear = sumFields(reshape(slice(rows, D, W), [B, F, 1]));
  const vectors = D > 0 ? reshape(slice(rows, 0, D), [B, F, D]) : undefined;
  return { vectors, linear };
}
