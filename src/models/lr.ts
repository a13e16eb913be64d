// LR, logistic regression on one-hot features: logit = b + Σ_f w[x_f] (+ w_d · dense).
// The weights are the first-order column of a table with no vector part (trained with any
// embedding method). No dense layers: b starts at 0, as torchfm's FeaturesLinear. A bag field's
// weight is the pooled first-order column of its values (the mean or the sum of their weights);
// dense inputs get a linear weight each (lr.dense.W [nd, 1], no bias: b is the model's).
import { expandBias } from "../ops/bias.js";
import { add } from "../ops/elementwise.js";
import type { Linear } from "../layers/linear.js";
import { Tensor } from "../tensor/tensor.js";
import { CtrModel, type CtrModelOptions } from "./base.js";
import { splitFirstOrder } from "./first-order.js";

export class LR extends CtrModel {
  readonly bias: Tensor;
  readonly denseLinear: Linear | undefined;

  constructor(options: CtrModelOptions) {
    super({ ...options, embeddingDim: 0 }, true);
    this.bias = this.param(Tensor.param([1], "lr.bias"));
    this.denseLinear = this.denseTerm("lr.dense");
  }

  forwardEmbedded(e: Tensor, dense?: Tensor): Tensor {
    return withDenseTerm(add(splitFirstOrder(e).linear, expandBias(this.bias, e.shape[0])), this.denseLinear, dense);
  }
}

/** logit + w_d · dense (logit as is without dense inputs). */
export function withDenseTerm(logit: Tensor, term: Linear | undefined, dense: Tensor | undefined): Tensor {
  return term && dense ? add(logit, term.forward(dense)) : logit;
}
