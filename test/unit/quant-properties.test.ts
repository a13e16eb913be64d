// Properties of the quantizer and the LSQ gradient, and the test vectors of ALPT.md §8.
import { beforeAll, describe, expect, it } from "vitest";
import {
  allocPackedTable, codeMax, codeMin, dequantizeRows, fakeQuantRows, lsqGradRows, quantizeRows,
  unpackCodes, rowStride, type PackedTable,
} from "../../src/index.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine, rng } from "../helpers/engine.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

/** Quantizes `values` as one row of a fresh table with step `delta`; returns the codes. */
function quantize(values: number[], bits: number, delta: number, rounding: "dr" | "sr", seed = 0, step = 0): number[] {
  const dim = values.length;
  const t = allocPackedTable(1, dim, bits, delta);
  const src = e.heap.allocF32(dim);
  src.array.set(values);
  quantizeRows(src, t, { rounding, seed, step });
  const codes = e.heap.allocI32(dim);
  unpackCodes(t.codes, 1, dim, bits, codes);
  const out = Array.from(codes.array);
  src.free(); codes.free(); t.codes.free(); t.delta.free();
  return out;
}

describe("ALPT.md §8 test vectors (b = 8, Δ = 0.01)", () => {
  const f = Math.fround;
  it("deterministic rounding and clipping", () => {
    expect(quantize([0.0234, 2.0, -1.5], 8, 0.01, "dr")).toEqual([2, 127, -128]);
  });
  it("stochastic rounding of 0.0234 gives 3 with probability 0.34, clipped values stay clipped", () => {
    const n = 20000;
    const t = allocPackedTable(n, 3, 8, 0.01);
    const src = e.heap.allocF32(n * 3);
    for (let k = 0; k < n; k++) src.array.set([0.0234, 2.0, -1.5], k * 3);
    quantizeRows(src, t, { rounding: "sr", seed: 11, step: 0 });
    const codes = e.heap.allocI32(n * 3);
    unpackCodes(t.codes, n, 3, 8, codes);
    let threes = 0;
    for (let k = 0; k < n; k++) {
      const c = codes.array[k * 3];
      expect(c === 2 || c === 3).toBe(true);
      threes += c === 3 ? 1 : 0;
      expect(codes.array[k * 3 + 1]).toBe(127);
      expect(codes.array[k * 3 + 2]).toBe(-128);
    }
    const p = f(f(0.0234) / f(0.01)) - 2; // ≈ 0.34 in f32
    expect(Math.abs(threes / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
  });
  it("LSQ gradient ∂ŵ/∂Δ: 2 − 2.34, Q_P, Q_N", () => {
    const t = allocPackedTable(3, 1, 8, 0.01);
    const w = e.heap.allocF32(3);
    w.array.set([0.0234, 2.0, -1.5]);
    const g = e.heap.allocF32(3);
    g.array.fill(1);
    const ids = e.heap.allocI32(3);
    ids.array.set([0, 1, 2]);
    const out = e.heap.allocF32(3);
    lsqGradRows(w, g, t, ids, 1, out);
    expect(out.array[0]).toBeCloseTo(-0.34, 5);
    expect(out.array[1]).toBe(127);
    expect(out.array[2]).toBe(-128);
    const fq = e.heap.allocF32(3);
    fakeQuantRows(w, t, ids, fq);
    expect(Array.from(fq.array)).toEqual([f(2 * f(0.01)), f(127 * f(0.01)), f(-128 * f(0.01))]);
  });
  it("the LSQ boundary is inclusive: w/Δ exactly Q_P gives Q_P, exactly Q_N gives Q_N", () => {
    const t = allocPackedTable(2, 1, 4, 0.5);
    const w = e.heap.allocF32(2);
    w.array.set([3.5, -4]); // 7 and -8 steps: the bounds of b = 4
    const g = e.heap.allocF32(2);
    g.array.fill(1);
    const ids = e.heap.allocI32(2);
    ids.array.set([0, 1]);
    const out = e.heap.allocF32(2);
    lsqGradRows(w, g, t, ids, 1, out);
    expect(Array.from(out.array)).toEqual([7, -8]);
  });
});

describe.each([1, 2, 3, 4, 8, 16])("quantizer properties, bits = %i", (bits) => {
  const lo = codeMin(bits), hi = codeMax(bits);
  it("DR error is at most Δ/2 inside the range, and values beyond it clip to the ends", () => {
    const r = rng(`dr-${bits}`);
    const delta = 0.037;
    const inside = Array.from({ length: 64 }, () => (lo + r() * (hi - lo)) * delta);
    const codes = quantize(inside, bits, delta, "dr");
    codes.forEach((c, i) => expect(Math.abs(c * delta - inside[i])).toBeLessThanOrEqual(delta / 2 + 1e-6));
    expect(quantize([(hi + 3.7) * delta, (lo - 9) * delta, 1e9, -1e9], bits, delta, "dr")).toEqual([hi, lo, hi, lo]);
  });
  it("DR rounds ties half up", () => {
    // 0.25 / 0.5 = +0.5 rounds up to 1 (clipped to 0 at b = 1); −0.5 rounds up to 0
    expect(quantize([0.25, -0.25, 0.75], bits, 0.5, "dr")).toEqual([Math.min(1, hi), 0, Math.min(2, hi)]);
  });
  it("SR is never more than one step away, and clips", () => {
    const r = rng(`sr-${bits}`);
    const delta = 0.21;
    const xs = Array.from({ length: 64 }, () => (lo + r() * (hi - lo)) * delta);
    const codes = quantize(xs, bits, delta, "sr", 5, 9);
    codes.forEach((c, i) => {
      const v = Math.fround(xs[i] / delta);
      expect(c === Math.floor(v) || c === Math.ceil(v)).toBe(true);
    });
    expect(quantize([(hi + 2) * delta, (lo - 2) * delta], bits, delta, "sr", 5, 9)).toEqual([hi, lo]);
  });
});

it("SR is unbiased: 10^6 draws, mean error within 4 standard errors", () => {
  const rows = 62_500;
  const dim = 16; // 10^6 elements
  const t = allocPackedTable(rows, dim, 4, 0.1);
  const src = e.heap.allocF32(rows * dim);
  const r = rng("unbiased");
  for (let i = 0; i < src.length; i++) src.array[i] = (r() * 14 - 7) * 0.1; // inside [−8, 7]·Δ
  quantizeRows(src, t, { rounding: "sr", seed: 123, step: 4 });
  const out = e.heap.allocF32(rows * dim);
  dequantizeRows(t, out);
  let sum = 0, sum2 = 0;
  const n = src.length;
  for (let i = 0; i < n; i++) {
    const err = out.array[i] - src.array[i];
    sum += err;
    sum2 += err * err;
  }
  const mean = sum / n;
  const se = Math.sqrt((sum2 / n - mean * mean) / n);
  expect(Math.abs(mean)).toBeLessThan(4 * se);
  src.free(); out.free();
});

it("SR draws depend on (seed, step, row, column) only: same row gives the same codes in any batch order", () => {
  const dim = 8;
  const t = allocPackedTable(10, dim, 4, 0.1);
  const src = e.heap.allocF32(3 * dim);
  for (let i = 0; i < src.length; i++) src.array[i] = 0.033 * i - 0.3;
  const ids = e.heap.allocI32(3);
  ids.array.set([7, 2, 5]);
  quantizeRows(src, t, { ids, rounding: "sr", seed: 9, step: 1 });
  const a = t.codes.array.slice();
  // the same rows in another order
  const src2 = e.heap.allocF32(3 * dim);
  src2.array.set(src.array.subarray(2 * dim, 3 * dim), 0);
  src2.array.set(src.array.subarray(0, dim), dim);
  src2.array.set(src.array.subarray(dim, 2 * dim), 2 * dim);
  ids.array.set([5, 7, 2]);
  t.codes.array.fill(0);
  quantizeRows(src2, t, { ids, rounding: "sr", seed: 9, step: 1 });
  expect(Array.from(t.codes.array)).toEqual(Array.from(a));
  // another step gives other draws
  t.codes.array.fill(0);
  quantizeRows(src2, t, { ids, rounding: "sr", seed: 9, step: 2 });
  expect(Array.from(t.codes.array)).not.toEqual(Array.from(a));
});

describe("wrappers reject bad input with the value in the message", () => {
  let t: PackedTable;
  beforeAll(() => {
    t = allocPackedTable(4, 5, 4, 0.1);
  });
  it("ids out of range", async () => {
    const { gatherDequant } = await import("../../src/index.js");
    const ids = e.heap.allocI32(3);
    const out = e.heap.allocF32(15);
    ids.array.set([0, 4, 1]);
    expect(() => gatherDequant(t, ids, out)).toThrow("gatherDequant: ids[1] = 4 is out of range [0, 4)");
    ids.array.set([0, 1, -3]);
    expect(() => gatherDequant(t, ids, out)).toThrow("ids[2] = -3 is out of range");
    const src = e.heap.allocF32(15);
    ids.array.set([9, 1, 2]);
    expect(() => quantizeRows(src, t, { ids, rounding: "dr" })).toThrow("quantizeRows: ids[0] = 9");
  });
  it("unsupported bit widths", () => {
    expect(() => allocPackedTable(2, 4, 9)).toThrow("bits = 9 is not supported (expected 1..8 or 16)");
    expect(() => allocPackedTable(2, 4, 0)).toThrow("bits = 0");
    expect(() => allocPackedTable(2, 4, 2.5)).toThrow("bits = 2.5");
  });
  it("wrong buffer lengths", async () => {
    const { gatherDequant, packCodes } = await import("../../src/index.js");
    const ids = e.heap.allocI32(3);
    const out = e.heap.allocF32(14);
    expect(() => gatherDequant(t, ids, out)).toThrow("gatherDequant: out has 14 elements, expected 15 for shape [n=3, dim=5]");
    const codes = e.heap.allocI32(10);
    const dst = e.heap.allocU8(rowStride(5, 4));
    expect(() => packCodes(codes, 2, 5, 4, dst)).toThrow("packCodes: dst has 3 elements, expected 6");
    codes.array[7] = 8;
    const dst2 = e.heap.allocU8(6);
    expect(() => packCodes(codes, 2, 5, 4, dst2)).toThrow("packCodes: src[1, 2] = 8 is outside [-8, 7] for bits = 4");
  });
  it("non-positive or NaN step sizes", async () => {
    const { gatherDequant } = await import("../../src/index.js");
    const ids = e.heap.allocI32(2);
    ids.array.set([1, 2]);
    const out = e.heap.allocF32(10);
    t.delta.array[2] = 0;
    expect(() => gatherDequant(t, ids, out)).toThrow("gatherDequant: delta[2] = 0 (ids[1]) is not a positive step size");
    t.delta.array[2] = NaN;
    expect(() => gatherDequant(t, ids, out)).toThrow("delta[2] = NaN");
    const src = e.heap.allocF32(10);
    t.delta.array[1] = -1;
    expect(() => quantizeRows(src, t, { rounding: "sr", n: 2 })).toThrow("quantizeRows: delta[1] = -1 is not a positive step size");
    expect(() => allocPackedTable(2, 2, 4, 0)).toThrow("delta = 0 is not a positive step size");
    t.delta.array.fill(0.1);
  });
  it("bad rounding names", () => {
    const src = e.heap.allocF32(5);
    expect(() => quantizeRows(src, t, { rounding: "nearest" as "dr", n: 1 })).toThrow('rounding = nearest (expected "dr" or "sr")');
  });
});
