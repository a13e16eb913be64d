import { beforeAll, expect, it } from "vitest";
import { concat, reshape, slice } from "../../src/ops/shape.js";
import { sumFields, fm } from "../../src/ops/interaction.js";
import { crossV1 } from "../../src/ops/cross.js";
import { mul } from "../../src/ops/elementwise.js";
import { engine } from "../helpers/engine.js";
import { gradcheck } from "../helpers/gradcheck.js";

beforeAll(engine);

it("concat, slice, reshape", () => {
  expect(gradcheck((a, b, c) => concat([a, b, c]), [[3, 2], [3, 5], [3, 1]])).toBeLessThanOrEqual(1);
  expect(gradcheck((x) => slice(x, 2, 6), [[4, 7]])).toBeLessThanOrEqual(1);
  expect(gradcheck((x) => mul(reshape(x, [6, 2]), reshape(x, [6, 2])), [[3, 4]])).toBeLessThanOrEqual(1);
});

it("sumFields and the FM interaction", () => {
  expect(gradcheck((x) => sumFields(x), [[3, 4, 5]])).toBeLessThanOrEqual(1);
  expect(gradcheck((x) => fm(x), [[3, 4, 5]], { seed: 3 })).toBeLessThanOrEqual(1);
});

it("FM equals the pairwise sum Σ_{i<j} <v_i, v_j>", async () => {
  const { scope } = await import("../../src/tensor/tape.js");
  const { Tensor } = await import("../../src/tensor/tensor.js");
  scope(() => {
    const v = [1, 2, -1, 0.5, 3, -2]; // F = 3, D = 2
    const y = fm(Tensor.from(v, [1, 3, 2])).values[0];
    const dot = (i: number, j: number) => v[2 * i] * v[2 * j] + v[2 * i + 1] * v[2 * j + 1];
    expect(y).toBeCloseTo(dot(0, 1) + dot(0, 2) + dot(1, 2), 5);
  });
});

it("cross layer v1", () => {
  expect(gradcheck((x0, xl, w, b) => crossV1(x0, xl, w, b), [[4, 6], [4, 6], [6], [6]], { seed: 4 })).toBeLessThanOrEqual(1);
});
