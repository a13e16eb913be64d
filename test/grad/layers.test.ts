// Gradient checks of linear and of whole networks (MLP with batch norm, cross networks v1 and
// v2), and a frozen pass that must leave weight gradients untouched.
import { beforeAll, describe, expect, it } from "vitest";
import { linear, linearConcat } from "../../src/ops/linear.js";
import { concat } from "../../src/ops/shape.js";
import { CrossNet } from "../../src/layers/cross-net.js";
import { MLP } from "../../src/layers/mlp.js";
import { Linear } from "../../src/layers/linear.js";
import { add } from "../../src/ops/elementwise.js";
import { backward, scope } from "../../src/tensor/tape.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { getEngine } from "../../src/wasm/load.js";
import { engine } from "../helpers/engine.js";
import { gradcheck } from "../helpers/gradcheck.js";

beforeAll(engine);

describe("linear", () => {
  it.each([[1, 1, 1], [3, 5, 2], [4, 17, 9], [7, 3, 65]])("x [%i, %i] · W [., %i] + b", (B, K, N) => {
    expect(gradcheck((x, w, b) => linear(x, w, b), [[B, K], [K, N], [N]], { seed: B + K + N })).toBeLessThanOrEqual(1);
  });
  it("writes dx over stale scratch (its first gradient is not zero-filled, then not added to)", () => {
    scope(() => {
      const [B, K, N] = [6, 9, 5];
      const { heap } = getEngine();
      const x = Tensor.from(Array.from({ length: B * K }, (_, i) => (i % 7) - 3), [B, K], true);
      const w = Tensor.from(Array.from({ length: K * N }, (_, i) => (i % 5) - 2), [K, N]);
      const y = linear(x, w);
      // a freed block of NaNs where dy and then dx will be allocated (the allocator reuses it)
      const stale = heap.scratchF32(1024);
      stale.array.fill(NaN);
      heap.freeScratch(stale.ptr);
      backward(y); // dy = 1: dx[b, k] = Σ_n W[k, n]
      expect(x.grad!.ptr).toBeGreaterThanOrEqual(stale.ptr);
      expect(x.grad!.ptr + B * K * 4).toBeLessThanOrEqual(stale.ptr + 1024 * 4);
      const rowSums = Array.from({ length: K }, (_, k) => w.values.slice(k * N, (k + 1) * N).reduce((s, v) => s + v, 0));
      expect(Array.from(x.grad!.array)).toEqual(Array.from({ length: B }, () => rowSums).flat());
    });
  });
  it("without bias, and with a shared input", () => {
    expect(gradcheck((x, w) => add(linear(x, w), linear(x, w)), [[3, 4], [4, 4]])).toBeLessThanOrEqual(1);
  });
  it.each([[1], [3]])("linearConcat of three parts equals linear of their concatenation, N = %i", (N) => {
    expect(gradcheck((a, b, c, w, bias) => linearConcat([a, b, c], w, bias), [[5, 3], [5, 8], [5, 1], [12, N], [N]], { seed: N })).toBeLessThanOrEqual(1);
    expect(gradcheck((a, w) => linearConcat([a], w), [[4, 6], [6, N]], { seed: 7 })).toBeLessThanOrEqual(1);
    scope(() => {
      const parts = [Tensor.from([1, 2, 3, 4, 5, 6], [2, 3]), Tensor.from([7, -8], [2, 1])];
      const w = Tensor.from(Array.from({ length: 4 * N }, (_, i) => (i % 5) - 2), [4, N]);
      expect(Array.from(linearConcat(parts, w).values)).toEqual(Array.from(linear(concat(parts), w).values));
    });
  });
});

describe("whole networks", () => {
  it("an MLP with batch norm (batch statistics) and a head", () => {
    const mlp = new MLP(6, { hiddenUnits: [8, 5], batchNorm: true, seed: 3 });
    mlp.setStatsUpdate(false);
    const head = new Linear(5, 1, { seed: 3 });
    // inputs only: the check perturbs x; weight gradients are checked through a parameter-free copy
    // a small step keeps the ReLU inputs on one side of their kink
    expect(gradcheck((x) => head.forward(mlp.forward(x)), [[7, 6]], { seed: 9, eps: 1e-3, atol: 2e-3, rtol: 2e-2 })).toBeLessThanOrEqual(1);
    mlp.dispose();
    head.dispose();
  });
  it.each([1, 2] as const)("a cross network v%i", (version) => {
    const net = new CrossNet(5, 3, { version, seed: 4 });
    expect(gradcheck((x) => net.forward(x), [[4, 5]], { seed: 11 })).toBeLessThanOrEqual(1);
    net.dispose();
  });
  it("weight gradients of a linear layer inside a network match central differences", () => {
    // W as an input tensor, so gradcheck perturbs it
    const f = (x: Tensor, w: Tensor, b: Tensor) => linear(linear(x, w, b), w, b);
    expect(gradcheck(f, [[3, 4], [4, 4], [4]], { seed: 12 })).toBeLessThanOrEqual(1);
  });
});

it("a frozen pass computes input gradients only", () => {
  const mlp = new MLP(4, { hiddenUnits: [6, 3], seed: 1 });
  scope(() => {
    const x = Tensor.from([0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, 0.8], [2, 4], true);
    mlp.gradientOnlyPass(() => backward(mlp.forward(x)));
    expect(x.grad!.array.some((g) => g !== 0)).toBe(true);
    for (const p of mlp.parameters()) expect(p.grad!.array.every((g) => g === 0)).toBe(true);
    expect(mlp.parameters().every((p) => !p.frozen)).toBe(true);
  });
  mlp.dispose();
});
