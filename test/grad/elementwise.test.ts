import { beforeAll, describe, expect, it } from "vitest";
import { add, mul } from "../../src/ops/elementwise.js";
import { relu } from "../../src/ops/relu.js";
import { sigmoid } from "../../src/ops/sigmoid.js";
import { bceWithLogits } from "../../src/ops/bce.js";
import { backward, scope } from "../../src/tensor/tape.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { engine } from "../helpers/engine.js";
import { gradcheck } from "../helpers/gradcheck.js";

beforeAll(engine);

describe("elementwise ops match central differences", () => {
  it("relu (inputs away from 0)", () => {
    expect(gradcheck((x) => relu(x), [[4, 7]], { kinks: [0] })).toBeLessThanOrEqual(1);
    // in place over a fresh op output (a + b, away from 0 as a whole: b is small)
    expect(gradcheck((a, b) => relu(add(a, b), { inPlace: true }), [[4, 7], [4, 7]], { kinks: [0], init: (i, s) => (i === 1 ? Array(s[0]! * s[1]!).fill(0.001) : undefined) })).toBeLessThanOrEqual(1);
  });
  it("sigmoid", () => {
    expect(gradcheck((x) => sigmoid(x), [[3, 5]], { range: [-4, 4] })).toBeLessThanOrEqual(1);
  });
  it("add and mul, including a shared input in both branches", () => {
    expect(gradcheck((a, b) => add(a, b), [[3, 4], [3, 4]])).toBeLessThanOrEqual(1);
    expect(gradcheck((a, b) => mul(a, b), [[5, 2], [5, 2]], { seed: 1 })).toBeLessThanOrEqual(1);
    expect(gradcheck((a) => add(mul(a, a), a), [[6]], { seed: 2 })).toBeLessThanOrEqual(1);
  });
  it("bce with logits", () => {
    const labels = [1, 0, 1, 1, 0, 0, 1];
    expect(gradcheck((z) => bceWithLogits(z, labels), [[7, 1]], { range: [-3, 3] })).toBeLessThanOrEqual(1);
  });
});

describe("bce with logits is exact and stable", () => {
  it("matches −y·log σ(z) − (1−y)·log(1−σ(z)) and stays finite for |z| = 1000", () => {
    scope(() => {
      const z = Tensor.from([0, 2, -3, 1000, -1000], [5], true);
      const y = [1, 0, 1, 0, 1];
      const loss = bceWithLogits(z, y).values[0];
      const s = (v: number) => 1 / (1 + Math.exp(-v));
      const expected = (-Math.log(s(0)) - Math.log(1 - s(2)) - Math.log(s(-3)) + 1000 + 1000) / 5;
      expect(loss).toBeCloseTo(expected, 4);
      expect(Number.isFinite(loss)).toBe(true);
      backward(bceWithLogits(z, y));
      expect(Array.from(z.grad!.array).every(Number.isFinite)).toBe(true);
    });
  });
});

describe("gradients accumulate", () => {
  it("two backward passes add up", () => {
    scope(() => {
      const x = Tensor.from([1, -2, 3], [3], true);
      backward(relu(x));
      backward(relu(x));
      expect(Array.from(x.grad!.array)).toEqual([2, 0, 2]);
    });
  });
});
