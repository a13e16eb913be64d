// FM, Factorization Machines (Rendle 2010, ICDM):
//   logit = b + Σ_f w[x_f] + ½ Σ_d ((Σ_f v_{f,d})² − Σ_f v_{f,d}²)
// No dense layers: b starts at 0 (torchfm's FeaturesLinear); w and v are table columns.
import { expandBias } from "../ops/bias.js";
import { add } from "../ops/elementwise.js";
import { fm } from "../ops/interaction.js";
import { Tensor } from "../tensor/tensor.js";
import { CtrModel, type CtrModelOptions } from "./base.js";
import { splitFirstOrder } from "./first-order.js";

export class FM extends CtrModel {
  readonly bias: Tensor;

  constructor(options: CtrModelOptions) {
    super({ ...options, denseFeatures: 0 }, true);
    this.bias = this.param(Tensor.param([1], "fm.bias"));
  }

  forwardEmbedded(e: Tensor): Tensor {
    const { vectors, linear } = splitFirstOrder(e);
    return add(add(linear, expandBias(this.bias, e.shape[0])), fm(vectors!));
  }
}
