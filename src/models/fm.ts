// FM, Factorization Machines (Rendle 2010, ICDM):
//   logit = b + Σ_f w[x_f] + ½ Σ_d ((Σ_f v_{f,d})² − Σ_f v_{f,d}²)
// No dense layers: b starts at 0 (torchfm's FeaturesLinear); w and v are table columns. A bag
// field is one more field whose w and v are pooled over its values; dense inputs enter the
// logit linearly (fm.dense.W [nd, 1], as in LR), not the pairwise term.
import { expandBias } from "../ops/bias.js";
import { add } from "../ops/elementwise.js";
import { fm } from "../ops/interaction.js";
import { Tensor } from "../tensor/tensor.js";
import { CtrModel, type CtrModelOptions } from "./base.js";
import { splitFirstOrder } from "./first-order.js";
import { withDenseTerm } from "./lr.js";
import type { Linear } from "../layers/linear.js";

export class FM extends CtrModel {
  readonly bias: Tensor;
  readonly denseLinear: Linear | undefined;

  constructor(options: CtrModelOptions) {
    super(options, true);
    this.bias = this.param(Tensor.param([1], "fm.bias"));
    this.denseLinear = this.denseTerm("fm.dense");
  }

  forwardEmbedded(e: Tensor, dense?: Tensor): Tensor {
    const { vectors, linear } = splitFirstOrder(e);
    return withDenseTerm(add(add(linear, expandBias(this.bias, e.shape[0])), fm(vectors!)), this.denseLinear, dense);
  }
}
