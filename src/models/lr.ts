// LR, logistic regression on one-hot features: logit = b + Σ_f w[x_f].
// The weights are the first-order column of a table with no vector part (trained with any
// embedding method). No dense layers: b starts at 0, as torchfm's FeaturesLinear.
import { expandBias } from "../ops/bias.js";
import { add } from "../ops/elementwise.js";
import { Tensor } from "../tensor/tensor.js";
import { CtrModel, type CtrModelOptions } from "./base.js";
import { splitFirstOrder } from "./first-order.js";

export class LR extends CtrModel {
  readonly bias: Tensor;

  constructor(options: CtrModelOptions) {
    super({ ...options, embeddingDim: 0, denseFeatures: 0 }, true);
    this.bias = this.param(Tensor.param([1], "lr.bias"));
  }

  forwardEmbedded(e: Tensor): Tensor {
    return add(splitFirstOrder(e).linear, expandBias(this.bias, e.shape[0]));
  }
}
