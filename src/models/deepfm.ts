// DeepFM (Guo et al. 2017, IJCAI): FM and a DNN sharing the field embeddings — Wide & Deep
// with the FM second-order term added.
//   logit = b + Σ_f w[x_f] + ½ Σ_d ((Σ_f v)² − Σ_f v²) + w_out · MLP([v₁ ‖ … ‖ v_F ‖ dense])
// Initialisation as Wide & Deep (PyTorch's nn.Linear for the MLP and head, zero bias b). The
// ALPT author's DeepFM leaves out the first-order term; the paper's model (and this one) has it.
import { add } from "../ops/elementwise.js";
import { fm } from "../ops/interaction.js";
import type { Tensor } from "../tensor/tensor.js";
import { WideDeep } from "./wide-deep.js";

export class DeepFM extends WideDeep {
  override forwardEmbedded(e: Tensor, dense?: Tensor): Tensor {
    const { vectors, wide, deep } = this.parts(e, dense);
    return add(add(wide, fm(vectors)), deep);
  }
}
