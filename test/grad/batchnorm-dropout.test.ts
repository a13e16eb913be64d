import { beforeAll, describe, expect, it } from "vitest";
import { batchNorm, type BatchNormMode, type BatchNormState } from "../../src/ops/batchnorm.js";
import { dropout } from "../../src/ops/dropout.js";
import { scope } from "../../src/tensor/tape.js";
import { Tensor } from "../../src/tensor/tensor.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine } from "../helpers/engine.js";
import { gradcheck } from "../helpers/gradcheck.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

function state(n: number): BatchNormState {
  const s = { runningMean: e.heap.allocF32(n), runningVar: e.heap.allocF32(n), momentum: 0.1, eps: 1e-5, updates: 0 };
  s.runningVar.array.fill(1);
  s.runningMean.array.set(Array.from({ length: n }, (_, i) => 0.1 * i));
  return s;
}

describe.each(["train", "batch-stats", "eval"] as BatchNormMode[])("batchNorm (%s)", (mode) => {
  it("matches central differences", () => {
    // "train" updates the running stats on every call; the check uses a fresh copy per call
    const s = state(5);
    const f = (x: Tensor, g: Tensor, b: Tensor) => batchNorm(x, g, b, s, mode === "train" ? "batch-stats" : mode);
    expect(gradcheck(f, [[6, 5], [5], [5]], { seed: 5, range: [-2, 2] })).toBeLessThanOrEqual(1);
  });
});

it("batchNorm normalises, updates running stats in train mode only", () => {
  scope(() => {
    const s = state(2);
    const x = Tensor.from([1, 10, 3, 20, 5, 30, 7, 40], [4, 2]);
    const g = Tensor.from([1, 1], [2]);
    const b = Tensor.from([0, 0], [2]);
    const y = batchNorm(x, g, b, s, "batch-stats").values;
    const col0 = [y[0], y[2], y[4], y[6]];
    expect(col0.reduce((a, c) => a + c, 0)).toBeCloseTo(0, 5);
    expect(col0.reduce((a, c) => a + c * c, 0) / 4).toBeCloseTo(1, 3);
    expect(Array.from(s.runningMean.array)).toEqual([0, Math.fround(0.1)]);
    // the first update replaces the initial values: column 0 has mean 4, unbiased variance 20/3
    batchNorm(x, g, b, s, "train");
    expect(s.runningMean.array[0]).toBeCloseTo(4, 5);
    expect(s.runningVar.array[0]).toBeCloseTo(20 / 3, 4);
    expect(s.updates).toBe(1);
  });
});

it("batchNorm running stats: a plain average for the first 1/momentum updates, then exponential", () => {
  scope(() => {
    const s = state(1);
    const g = Tensor.from([1], [1]), b = Tensor.from([0], [1]);
    const means = Array.from({ length: 14 }, (_, k) => 3 * k - 5);
    let expectMean = 0;
    means.forEach((mu, k) => {
      batchNorm(Tensor.from([mu - 1, mu + 1], [2, 1]), g, b, s, "train");
      const m = Math.max(0.1, 1 / (k + 1));
      expectMean = (1 - m) * expectMean + m * mu;
      if (k < 10) expect(expectMean).toBeCloseTo(means.slice(0, k + 1).reduce((x, y) => x + y, 0) / (k + 1), 10);
      expect(s.runningMean.array[0]).toBeCloseTo(expectMean, 4);
      expect(s.runningVar.array[0]).toBeCloseTo(2, 4); // every batch has unbiased variance 2
    });
    expect(s.updates).toBe(14);
  });
});

describe("dropout", () => {
  it("matches central differences and is deterministic per (seed, step)", () => {
    expect(gradcheck((x) => dropout(x, 0.3, 7, 1), [[5, 8]])).toBeLessThanOrEqual(1);
    scope(() => {
      const x = Tensor.from(new Array(1000).fill(1), [10, 100]);
      const a = Array.from(dropout(x, 0.25, 3, 9).values);
      const b = Array.from(dropout(x, 0.25, 3, 9).values);
      const c = Array.from(dropout(x, 0.25, 3, 10).values);
      expect(a).toEqual(b);
      expect(a).not.toEqual(c);
      const kept = a.filter((v) => v !== 0);
      expect(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
      expect(Math.abs(kept.length / 1000 - 0.75)).toBeLessThan(0.05);
      expect(dropout(x, 0.5, 1, 1, false)).toBe(x);
    });
  });
});
