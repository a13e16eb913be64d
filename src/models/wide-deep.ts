// Wide & Deep (Cheng et al. 2016, DLRS): a wide linear part on the one-hot features and a deep
// MLP on their embeddings, summed into one logit.
//   logit = b + Σ_f w[x_f] + w_out · MLP([e₁ ‖ … ‖ e_F ‖ dense])
// MLP and head start as PyTorch's nn.Linear (init "torch"); the head has no bias (b is the
// wide part's, zero at the start, as torchfm's FeaturesLinear); the first-order weights are
// table columns initialised like the rest of the row.
import { expandBias } from "../ops/bias.js";
import { add } from "../ops/elementwise.js";
import { Linear } from "../layers/linear.js";
import { DEFAULT_HIDDEN_UNITS, MLP } from "../layers/mlp.js";
import { Tensor } from "../tensor/tensor.js";
import { CtrModel } from "./base.js";
import { deepInput, type DeepOptions } from "./dnn.js";
import { splitFirstOrder } from "./first-order.js";

export class WideDeep extends CtrModel {
  readonly bias: Tensor;
  readonly deep: MLP;
  readonly head: Linear;

  constructor(readonly options: DeepOptions) {
    super(options, true);
    const { hiddenUnits = DEFAULT_HIDDEN_UNITS, batchNorm = true, batchNormMomentum, dropout = 0, seed = 0 } = options;
    this.bias = this.param(Tensor.param([1], "wide.bias"));
    const inputDim = this.embeddedFields * this.embeddingDim + this.denseFeatures;
    this.deep = this.child("deep", new MLP(inputDim, { hiddenUnits, batchNorm, batchNormMomentum, dropout, name: "deep", seed, init: this.init }));
    this.head = this.child("head", new Linear(this.deep.outFeatures, 1, { name: "head", bias: false, seed, init: this.init }));
  }

  /** The field vectors, the wide logit b + Σ w and the deep logit. */
  protected parts(e: Tensor, dense?: Tensor): { vectors: Tensor; wide: Tensor; deep: Tensor } {
    const { vectors, linear } = splitFirstOrder(e);
    const wide = add(linear, expandBias(this.bias, e.shape[0]));
    return { vectors: vectors!, wide, deep: this.head.forward(this.deep.forward(deepInput(vectors!, dense))) };
  }

  forwardEmbedded(e: Tensor, dense?: Tensor): Tensor {
    const { wide, deep } = this.parts(e, dense);
    return add(wide, deep);
  }
}
