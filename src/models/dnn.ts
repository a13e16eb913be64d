// DNN: an MLP on the concatenated field embeddings (and dense features), then one logit.
//   logit = w_out · MLP([e₁ ‖ … ‖ e_F ‖ dense]) + b_out
// MLP and head start as PyTorch's nn.Linear (init "torch", as the ALPT author's DNN).
import { concat, reshape } from "../ops/shape.js";
import { Linear } from "../layers/linear.js";
import { DEFAULT_HIDDEN_UNITS, MLP } from "../layers/mlp.js";
import type { Tensor } from "../tensor/tensor.js";
import { CtrModel, type CtrModelOptions } from "./base.js";

/** Options of models with a deep part. */
export interface DeepOptions extends CtrModelOptions {
  hiddenUnits?: readonly number[];
  /**
   * BatchNorm after each hidden Linear (default true, as the reference recipes: with embeddings
   * starting at N(0, 0.003²) an MLP without it barely learns in a short epoch).
   */
  batchNorm?: boolean;
  /** Momentum of the batch-norm running statistics (default 0.3; PyTorch's is 0.1: layers/batchnorm.ts). */
  batchNormMomentum?: number;
  dropout?: number;
}

/** Flattens e [B, F, D] and appends the dense features: [B, F·D + nd]. */
export function deepInput(e: Tensor, dense?: Tensor): Tensor {
  const [B, F, D] = e.shape;
  const flat = reshape(e, [B, F * D]);
  return dense ? concat([flat, dense]) : flat;
}

export class DNN extends CtrModel {
  readonly deep: MLP;
  readonly head: Linear;

  constructor(readonly options: DeepOptions) {
    super(options);
    const { hiddenUnits = DEFAULT_HIDDEN_UNITS, batchNorm = true, batchNormMomentum, dropout = 0, seed = 0 } = options;
    const inputDim = this.embeddedFields * this.embeddingDim + this.denseFeatures;
    this.deep = this.child("deep", new MLP(inputDim, { hiddenUnits, batchNorm, batchNormMomentum, dropout, name: "deep", seed, init: this.init }));
    this.head = this.child("head", new Linear(this.deep.outFeatures, 1, { name: "head", seed, init: this.init }));
  }

  forwardEmbedded(e: Tensor, dense?: Tensor): Tensor {
    return this.head.forward(this.deep.forward(deepInput(e, dense)));
  }
}
