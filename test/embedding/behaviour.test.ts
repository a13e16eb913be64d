// Behaviour of the low-precision update: Δ floor, SR unbiased / DR stagnation inside the update,
// shared-Δ granularities, memory accounting, determinism and option errors.
import { beforeAll, describe, expect, it } from "vitest";
import { EmbeddingTable } from "../../src/embedding/table.js";
import { DEFAULT_DELTA_LR_RATIO, deltaLrOf, lsqDelta, type EmbeddingOptions } from "../../src/embedding/options.js";
import { scope } from "../../src/tensor/tape.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine } from "../helpers/engine.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

/** Applies one update with gradient `g` (the same row for every id) to rows `ids`. */
function update(t: EmbeddingTable, ids: number[], g: number[], samples = ids.length, pass2Grad?: number[]): void {
  scope(() => {
    const idsH = e.heap.scratchI32(ids.length);
    idsH.array.set(ids);
    const grad = e.heap.scratchF32(ids.length * t.dim);
    for (let k = 0; k < ids.length; k++) grad.array.set(g, k * t.dim);
    const p = t.applyGradient(idsH, ids.length, grad, samples);
    if (p) {
      t.alptPass2Input(p, [ids.length, t.dim]);
      const g2 = e.heap.scratchF32(ids.length * t.dim);
      for (let k = 0; k < ids.length; k++) g2.array.set(pass2Grad ?? g, k * t.dim);
      t.alptFinish(p, g2);
    }
  });
}

function rowValues(t: EmbeddingTable, row: number): number[] {
  return scope(() => {
    const ids = e.heap.scratchI32(1);
    ids.array[0] = row;
    return Array.from(t.lookup(ids, 1, [1, t.dim], false).values);
  });
}

const lpt = (o: Partial<EmbeddingOptions>) =>
  new EmbeddingTable({ rows: 4000, dim: 4, method: "lpt", bits: 4, optimizer: "sgd", lr: 1, initStd: 0, deltaInit: 0.1, ...o });

describe("inside the update", () => {
  it("DR stagnates: an update smaller than Δ/2 is rounded away, every time", () => {
    const t = lpt({ rounding: "dr" });
    const ids = Array.from({ length: 4000 }, (_, i) => i);
    for (let s = 0; s < 5; s++) update(t, ids, [-0.03, 0.03, -0.049, 0.02]); // lr·g < Δ/2 = 0.05
    for (const r of [0, 17, 3999]) expect(rowValues(t, r)).toEqual([0, 0, 0, 0]);
  });

  it("SR is unbiased: the mean of the requantized rows moves by the full update", () => {
    const t = lpt({ rounding: "sr" });
    const ids = Array.from({ length: 4000 }, (_, i) => i);
    update(t, ids, [-0.03, 0.03, -0.07, 0.012]); // w' = 0.03, −0.03, 0.07, −0.012
    const mean = [0, 0, 0, 0];
    for (const r of ids) rowValues(t, r).forEach((v, j) => (mean[j] += v / ids.length));
    const expected = [0.03, -0.03, 0.07, -0.012];
    // each value is one of two grid points 0.1 apart: standard error ≤ 0.05 / √4000
    mean.forEach((m, j) => expect(Math.abs(m - expected[j])).toBeLessThan(4 * (0.05 / Math.sqrt(4000))));
    // and never more than one step from the update
    for (const r of [0, 1, 2]) {
      rowValues(t, r).forEach((v, j) => expect(Math.abs(v - expected[j])).toBeLessThan(0.1 + 1e-7));
    }
  });
});

describe("Δ learning", () => {
  it("never goes below the floor", () => {
    const t = new EmbeddingTable({
      rows: 10, dim: 4, method: "alpt", bits: 2, initStd: 0.01, deltaFloor: 1e-4, gradScale: "none",
      deltaOptimizer: { kind: "sgd", lr: 1e3 },
    });
    // pass-2 gradient pushing Δ up hard... then down hard
    for (const sign of [1, -1, -1]) update(t, [1, 2, 3], [0.01, 0.01, 0.01, 0.01], 3, [sign, sign, sign, sign].map((x) => x * 10));
    for (const d of t.delta!.array) expect(d).toBeGreaterThanOrEqual(Math.fround(1e-4));
    expect(Array.from(t.delta!.array.subarray(1, 4))).toEqual([1e-4, 1e-4, 1e-4].map(Math.fround));
  });

  it("by default the floor is 0.1 × the mean initial Δ and the Δ learning rate DEFAULT_DELTA_LR_RATIO × its expected value", () => {
    const t = new EmbeddingTable({
      rows: 2000, dim: 8, method: "alpt", bits: 4, initStd: 0.01, gradScale: "none", deltaOptimizer: { kind: "sgd" },
    });
    const d0 = t.delta!.array;
    const mean = d0.reduce((a, b) => a + b, 0) / d0.length;
    expect(t.deltaFloor).toBeCloseTo(0.1 * mean, 9);
    expect(t.options.deltaOptimizer.lr).toBeCloseTo(DEFAULT_DELTA_LR_RATIO * lsqDelta(0.01, 4), 12);
    expect(Math.abs(mean / lsqDelta(0.01, 4) - 1)).toBeLessThan(0.02); // the expectation is the measured mean
    expect(deltaLrOf({ bits: 2, initStd: 0.01 })).toBeCloseTo(2 * deltaLrOf({ bits: 4, initStd: 0.01 }), 12); // Δ₀ ∝ 1/√(2^(b−1))
    expect(deltaLrOf({ deltaInit: 0.5 })).toBeCloseTo(0.5 * DEFAULT_DELTA_LR_RATIO, 15);
    expect(deltaLrOf({ deltaOptimizer: { lr: 3e-4 }, deltaInit: 0.5 })).toBe(3e-4);
    // a gradient that would drive Δ far below zero stops at the relative floor
    t.options.deltaOptimizer.lr = 1e3;
    update(t, [1, 2], new Array(8).fill(0.01), 2, new Array(8).fill(10));
    expect(t.delta!.array[1]).toBe(Math.fround(t.deltaFloor!));
    expect(() => new EmbeddingTable({ rows: 2, dim: 2, method: "alpt", deltaFloorRatio: 1 })).toThrow(/deltaFloorRatio = 1 must be in \[0, 1\)/);
  });

  it("field and table granularity share one learned Δ per group", () => {
    for (const granularity of ["field", "table"] as const) {
      const t = new EmbeddingTable({
        rows: 9, dim: 4, method: "alpt", bits: 4, initStd: 0.05, granularity, fieldOffsets: [0, 3, 7],
        gradScale: "none", deltaOptimizer: { lr: 1e-3 },
      });
      const before = Array.from(t.delta!.array);
      update(t, [4, 5], [0.01, -0.02, 0.03, 0.01], 2, [0.5, 0.5, 0.5, 0.5]);
      const d = Array.from(t.delta!.array);
      if (granularity === "field") {
        expect(new Set(d.slice(3, 7)).size).toBe(1); // field 1 moved together
        expect(d[3]).not.toBe(before[3]);
        expect(d.slice(0, 3)).toEqual(before.slice(0, 3)); // fields 0 and 2 untouched
        expect(d.slice(7)).toEqual(before.slice(7));
      } else {
        expect(new Set(d).size).toBe(1);
        expect(d[0]).not.toBe(before[0]);
      }
      expect(t.memory().deltaBytes).toBe(9 * 4 + (granularity === "field" ? 3 : 1) * 4);
    }
  });
});

describe("memory accounting", () => {
  const per = (o: Partial<EmbeddingOptions>) => new EmbeddingTable({ rows: 1000, dim: 16, ...o }).memory();
  it("reports codes, Δ and optimizer state per row", () => {
    expect(per({ method: "fp32", optimizer: "adam" }).bytesPerRow).toBe(192);
    expect(per({ method: "lpt", bits: 4, optimizer: "adagrad" }).bytesPerRow).toBe(16);
    const alpt = per({ method: "alpt", bits: 4, optimizer: "adagrad", deltaOptimizer: { kind: "sgd" } });
    expect(alpt).toMatchObject({ codesBytes: 8000, deltaBytes: 4000, optimizerBytes: 4000, deltaOptimizerBytes: 0, bytesPerRow: 16 });
    expect(per({ method: "alpt", bits: 4, optimizer: "adagrad" }).bytesPerRow).toBe(24); // + Adam on Δ
    expect(per({ method: "alpt", bits: 2, optimizer: "sgd", deltaOptimizer: { kind: "sgd" } }).bytesPerRow).toBe(8);
    expect(per({ method: "qat-lsq", bits: 8, optimizer: "adam" }).bytesPerRow).toBe(192 + 4 + 8);
  });
});

it("one seed gives bit-identical tables; another seed differs", () => {
  const run = (seed: number) => {
    const t = new EmbeddingTable({ rows: 50, dim: 8, method: "alpt", bits: 4, seed, initStd: 0.05 });
    for (let s = 0; s < 4; s++) update(t, [3, 7, 3, 49, 0], [0.01, -0.02, 0.03, 0.01, 0, 0.2, -0.1, 0.05]);
    const out = [Array.from(t.packed!.codes.array), Array.from(t.delta!.array)];
    t.dispose();
    return out;
  };
  expect(run(1)).toEqual(run(1));
  expect(run(1)).not.toEqual(run(2));
});

describe("options are validated with the key and value in the message", () => {
  const bad: [Partial<EmbeddingOptions>, string][] = [
    [{ method: "int8" as "fp32" }, 'method = "int8"'],
    [{ method: "lpt", bits: 9 }, "bits = 9"],
    [{ rows: 0 }, "rows = 0"],
    [{ granularity: "field", fieldOffsets: [1, 5] }, "fieldOffsets = [1, 5]"],
    [{ deltaInit: -1 }, "deltaInit = -1"],
    [{ optimizer: "rmsprop" as "sgd" }, 'optimizer = "rmsprop"'],
    [{ lr: 0 }, "lr = 0 must be > 0"],
    [{ gradScale: "lsq" as "none" }, "gradScale = lsq"],
  ];
  it.each(bad)("%o", (o, msg) => {
    expect(() => new EmbeddingTable({ rows: 10, dim: 4, ...o })).toThrow(msg);
  });
});
