// Initialisation guard (issue 12): a freshly built DCN and DeepFM at realistic sizes start as the
// PyTorch references do. Every Linear (MLP layers and head) has W and b ~ U(±1/√fan_in), PyTorch's
// nn.Linear default (kaiming-uniform, a = √5); DCN's cross weights w_l ∈ R^D ~ U(±1/√D) (the ALPT
// author's nn.Linear(D, 1, bias=False)) with zero cross biases. Checked from the statistics:
// every value within the bound, and the standard deviation within 10 % of bound/√3 (the std of
// U(±bound)) for tensors of at least 100 values. Glorot-uniform on DCN's 880 → 1 head (bound
// √(6/881) ≈ 0.083 vs 1/√880 ≈ 0.034) fails both. No python needed.
import { beforeAll, describe, expect, it } from "vitest";
import { CrossNet } from "../../src/layers/cross-net.js";
import { Linear } from "../../src/layers/linear.js";
import { createModel } from "../../src/models/registry.js";
import type { CtrModel } from "../../src/models/base.js";
import type { Tensor } from "../../src/tensor/tensor.js";
import { engine } from "../helpers/engine.js";

beforeAll(engine);

// Criteo-shaped: 39 fields of dim 16 (DCN input 624), MLP 1024-512-256 with BatchNorm, 3 cross
// layers, so DCN's head is [624 cross ‖ 256 deep] = 880 → 1 and DeepFM's is 256 → 1 (no bias).
const OPTIONS = {
  fieldSizes: Array.from({ length: 39 }, () => 5), embeddingDim: 16, crossLayers: 3,
  hiddenUnits: [1024, 512, 256], batchNorm: true, seed: 3,
};

/**
 * How a tensor departs from U(±bound): values outside the bound, or (n ≥ 100) a std off by more
 * than 10 % (the sampling error of the std of n uniform values is √(0.2/n) ≈ 1.5 % at n = 880).
 */
function uniformProblem(t: Tensor, bound: number): string | undefined {
  const v = t.values, n = v.length;
  let worst = 0, sum = 0, sq = 0;
  for (const x of v) {
    worst = Math.max(worst, Math.abs(x));
    sum += x;
    sq += x * x;
  }
  const where = `${t.name} (${n} values, bound 1/√fan_in = ${bound.toPrecision(3)})`;
  if (worst > bound * (1 + 1e-6)) return `${where}: |value| up to ${worst.toPrecision(3)}`;
  if (n < 100) return undefined;
  const std = Math.sqrt(sq / n - (sum / n) ** 2), want = bound / Math.sqrt(3);
  if (Math.abs(std / want - 1) > 0.1) return `${where}: std ${std.toPrecision(3)}, expected ${want.toPrecision(3)} ± 10 %`;
  return undefined;
}

/** Every departure from PyTorch's initialisation in the model's Linear and cross layers. */
function initProblems(model: CtrModel): string[] {
  const problems: string[] = [];
  const check = (p: string | undefined) => p && problems.push(p);
  let linears = 0;
  for (const m of model.modules()) {
    if (m instanceof Linear) {
      linears++;
      const bound = 1 / Math.sqrt(m.inFeatures);
      check(uniformProblem(m.W, bound));
      if (m.b) check(uniformProblem(m.b, bound));
    } else if (m instanceof CrossNet) {
      const bound = 1 / Math.sqrt(m.dim);
      for (const w of m.weights) check(uniformProblem(w, bound));
      for (const b of m.biases) if (b.values.some((x) => x !== 0)) problems.push(`${b.name}: cross biases must start at 0`);
    }
  }
  if (linears === 0) problems.push("no Linear layer found");
  return problems;
}

describe("dense layers start as PyTorch's nn.Linear", () => {
  it("DCN (624 inputs, MLP 1024-512-256, 3 cross layers, head 880 → 1)", () => {
    const model = createModel("DCN", OPTIONS);
    try {
      const head = model.modules().find((m): m is Linear => m instanceof Linear && m.W.name === "head.W");
      expect(head?.inFeatures).toBe(880);
      expect(initProblems(model)).toEqual([]);
    } finally {
      model.dispose();
    }
  });

  it("DeepFM (624 inputs, MLP 1024-512-256, head 256 → 1)", () => {
    const model = createModel("DeepFM", OPTIONS);
    try {
      expect(initProblems(model)).toEqual([]);
    } finally {
      model.dispose();
    }
  });
});
