// Linear layer y = x·W + b, W [inFeatures, outFeatures]. Initialised as PyTorch's nn.Linear by
// default (W and b ~ U(±1/√inFeatures)); `init` picks another convention (init.ts).
import { linear, linearConcat } from "../ops/linear.js";
import { Tensor } from "../tensor/tensor.js";
import { initDense, type DenseInit } from "./init.js";
import { Module } from "./module.js";

export class Linear extends Module {
  readonly W: Tensor;
  readonly b: Tensor | undefined;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    { name = "linear", bias = true, seed = 0, init = "torch" }: { name?: string; bias?: boolean; seed?: number; init?: DenseInit } = {},
  ) {
    super();
    for (const [k, v] of [["inFeatures", inFeatures], ["outFeatures", outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`Linear ${name}: ${k} = ${v} must be a positive integer`);
    }
    this.W = this.param(Tensor.param([inFeatures, outFeatures], `${name}.W`));
    this.b = bias ? this.param(Tensor.param([outFeatures], `${name}.b`)) : undefined;
    initDense(this.W, this.b, inFeatures, outFeatures, init, seed);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.W, this.b);
  }

  /** The layer applied to [x₁ ‖ … ‖ x_m] without building the concatenation. */
  forwardParts(xs: readonly Tensor[]): Tensor {
    return xs.length === 1 ? linear(xs[0]!, this.W, this.b) : linearConcat(xs, this.W, this.b);
  }
}
