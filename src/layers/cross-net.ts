// Cross network of DCN (Wang et al. 2017) and DCNv2 (Wang et al. 2021), L layers on x0 [B, D]:
//   v1: x_{l+1} = x0 · (x_l·w_l) + b_l + x_l        w_l, b_l ∈ R^D
//   v2: x_{l+1} = x0 ⊙ (x_l·W_l + b_l) + x_l        W_l ∈ R^{D×D}
// Initialisation ("torch", the default) as the ALPT author's PyTorch DCN: v1's w_l is an
// nn.Linear(D, 1, bias=False), so U(±1/√D), with b_l = 0; v2's W_l, b_l are an nn.Linear(D, D):
// U(±1/√D) both. FuxiCTR builds the same layers but re-initialises every Linear Xavier-normal with
// zero bias ("xavier-normal"); Keras/TF-Ranking use Glorot-uniform ("glorot"): init.ts.
import { crossV1 } from "../ops/cross.js";
import { add, mul } from "../ops/elementwise.js";
import { linear } from "../ops/linear.js";
import { Tensor } from "../tensor/tensor.js";
import { initDense, type DenseInit } from "./init.js";
import { Module } from "./module.js";

export class CrossNet extends Module {
  readonly weights: Tensor[] = [];
  readonly biases: Tensor[] = [];

  constructor(
    readonly dim: number,
    readonly layers: number,
    { version = 1, name = "cross", seed = 0, init = "torch" }: { version?: 1 | 2; name?: string; seed?: number; init?: DenseInit } = {},
  ) {
    super();
    this.version = version;
    for (let l = 0; l < layers; l++) {
      const w = this.param(Tensor.param(version === 1 ? [dim] : [dim, dim], `${name}.${l}.w`));
      const b = this.param(Tensor.param([dim], `${name}.${l}.b`));
      // v1: b_l is not part of the Linear (zero in every reference), so it is left at 0
      initDense(w, version === 1 ? undefined : b, dim, version === 1 ? 1 : dim, init, seed);
      this.weights.push(w);
      this.biases.push(b);
    }
  }

  readonly version: 1 | 2;

  forward(x0: Tensor): Tensor {
    let x = x0;
    for (let l = 0; l < this.layers; l++) {
      x = this.version === 1
        ? crossV1(x0, x, this.weights[l], this.biases[l])
        : add(mul(x0, linear(x, this.weights[l], this.biases[l])), x);
    }
    return x;
  }
}
