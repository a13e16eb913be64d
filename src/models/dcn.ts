// DCN, Deep & Cross Network (Wang, Fu, Fu, Wang 2017, ADKDD; DCNv2: Wang et al. 2021, WWW).
//   x0 = [e₁ ‖ … ‖ e_F ‖ dense]                       (B × (F·D + nd))
//   cross: x_{l+1} = x0·(x_l·w_l) + b_l + x_l          (v2: x0 ⊙ (x_l·W_l + b_l) + x_l)
//   deep:  MLP(x0) with hiddenUnits, BatchNorm (default on, as the PyTorch references), ReLU, dropout
//   logit = [x_L ‖ deep] · w_out + b_out
// Dense layers start as the ALPT author's PyTorch DCN (init "torch"): cross w_l ~ U(±1/√D),
// b_l = 0; MLP and head as nn.Linear, W and b ~ U(±1/√fanIn). DCNv2's W_l, b_l as nn.Linear(D, D).
import { concat, reshape } from "../ops/shape.js";
import { CrossNet } from "../layers/cross-net.js";
import { Linear } from "../layers/linear.js";
import { DEFAULT_HIDDEN_UNITS, MLP } from "../layers/mlp.js";
import type { Tensor } from "../tensor/tensor.js";
import { CtrModel, type CtrModelOptions } from "./base.js";

/** Options of DCN / DCNv2. */
export interface DCNOptions extends CtrModelOptions {
  crossLayers?: number;
  hiddenUnits?: readonly number[];
  /** BatchNorm after each hidden Linear (default true, as the reference recipes). */
  batchNorm?: boolean;
  /** Momentum of the batch-norm running statistics (default 0.3; PyTorch's is 0.1: layers/batchnorm.ts). */
  batchNormMomentum?: number;
  dropout?: number;
  /** 1 = DCN (vector cross weights), 2 = DCNv2 (matrix cross weights). */
  crossVersion?: 1 | 2;
}

export class DCN extends CtrModel {
  readonly cross: CrossNet;
  readonly deep: MLP | undefined;
  readonly head: Linear;
  readonly inputDim: number;

  constructor(readonly options: DCNOptions) {
    super(options);
    const { crossLayers = 3, hiddenUnits = DEFAULT_HIDDEN_UNITS, batchNorm = true, batchNormMomentum, dropout = 0, crossVersion = 1, seed = 0 } = options;
    this.inputDim = this.embeddedFields * this.embeddingDim + this.denseFeatures;
    this.cross = this.child("cross", new CrossNet(this.inputDim, crossLayers, { version: crossVersion, seed, init: this.init }));
    this.deep = hiddenUnits.length
      ? this.child("deep", new MLP(this.inputDim, { hiddenUnits, batchNorm, batchNormMomentum, dropout, name: "deep", seed, init: this.init }))
      : undefined;
    this.head = this.child("head", new Linear(this.inputDim + (this.deep?.outFeatures ?? 0), 1, { name: "head", seed, init: this.init }));
  }

  forwardEmbedded(e: Tensor, dense?: Tensor): Tensor {
    const B = e.shape[0];
    const flat = reshape(e, [B, this.embeddedFields * this.embeddingDim]);
    const x0 = dense ? concat([flat, dense]) : flat;
    const parts = [this.cross.forward(x0)];
    if (this.deep) parts.push(this.deep.forward(x0));
    return this.head.forwardParts(parts);
  }
}
