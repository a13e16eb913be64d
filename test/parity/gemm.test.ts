// wasm vs reference twin, bit for bit, for the three GEMM layouts, bias rows and row sums;
// the f32 result against a float64 oracle; wrapper errors.
import { beforeAll, describe, expect, it } from "vitest";
import { addBiasRows, gemm, sumRows, type GemmLayout } from "../../src/kernels/dense.js";
import type { HeapF32 } from "../../src/wasm/heap.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine, expectBitEqual, onBoth, rng, snapshot } from "../helpers/engine.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

const LAYOUTS: GemmLayout[] = ["xW", "dyWt", "xtdy"];
const DIMS = [1, 3, 4, 5, 17, 63, 65];
const SLACK = 7; // views longer than needed; the tail must stay untouched
const SENTINEL = -12345.5;

/** [rows, cols] of a, b, c for a layout. */
function shapes(layout: GemmLayout, M: number, K: number, N: number): [number, number][] {
  if (layout === "xW") return [[M, K], [K, N], [M, N]];
  if (layout === "dyWt") return [[M, N], [K, N], [M, K]];
  return [[M, K], [M, N], [K, N]];
}

function rand(len: number, seed: string): HeapF32 {
  const r = rng(seed);
  const b = e.heap.allocF32(len + SLACK);
  for (let i = 0; i < len; i++) b.array[i] = r() * 2 - 1;
  b.array.fill(SENTINEL, len);
  return b;
}

interface Operands {
  a: HeapF32;
  b: HeapF32;
  c: HeapF32;
  c0: Float32Array;
  sizes: number[];
}

function operands(layout: GemmLayout, M: number, K: number, N: number, seed: string): Operands {
  const sizes = shapes(layout, M, K, N).map(([r, c]) => r * c);
  const c = rand(sizes[2], `c${seed}`);
  return { a: rand(sizes[0], `a${seed}`), b: rand(sizes[1], `b${seed}`), c, c0: snapshot(c.array), sizes };
}

function free(o: Operands): void {
  o.a.free(); o.b.free(); o.c.free();
}

/** Runs both accumulate modes on both backends and compares the bits (and the untouched tail). */
function checkParity(layout: GemmLayout, M: number, K: number, N: number): void {
  const o = operands(layout, M, K, N, `${layout}-${M}-${K}-${N}`);
  for (const accumulate of [false, true]) {
    const res = onBoth(() => {
      o.c.array.set(o.c0);
      // without accumulate the old contents must not be read
      if (!accumulate) o.c.array.fill(NaN, 0, o.sizes[2]);
      gemm(layout, o.a, o.b, o.c, M, K, N, accumulate);
      return snapshot(o.c.array);
    });
    const what = `${layout} M=${M} K=${K} N=${N} accumulate=${accumulate}`;
    expectBitEqual(res.wasm, res.ref, what);
    for (let i = o.sizes[2]; i < o.sizes[2] + SLACK; i++) expect(res.wasm[i], `${what} tail`).toBe(SENTINEL);
    for (let i = 0; i < o.sizes[2]; i++) if (Number.isNaN(res.wasm[i])) expect.fail(`${what}: NaN at ${i}`);
  }
  free(o);
}

describe.each(LAYOUTS)("gemm %s", (layout) => {
  it("wasm equals the reference bit for bit on every M, K, N in {1, 3, 4, 5, 17, 63, 65}", () => {
    for (const M of DIMS) for (const K of DIMS) for (const N of DIMS) checkParity(layout, M, K, N);
  });

  it("wasm equals the reference across K and column blocks, and on larger shapes", () => {
    // the N = 1 shapes: the logit layer's products (one column, no packing)
    for (const [M, K, N] of [[129, 77, 200], [9, 260, 530], [300, 7, 9], [5, 530, 9], [6, 9, 260], [67, 530, 1], [530, 67, 1], [2048, 429, 1]]) {
      checkParity(layout, M, K, N);
    }
  });

  it("is within the f32 summation bound of a float64 oracle", () => {
    for (const [M, K, N] of [[17, 63, 5], [65, 129, 33], [1, 300, 1]]) {
      const o = operands(layout, M, K, N, `oracle-${layout}-${M}-${K}-${N}`);
      const cols = shapes(layout, M, K, N)[2][1];
      const A = o.a.array, B = o.b.array;
      // element (r, s) of A' and (s, q) of B' for this layout
      const at = (r: number, s: number): number => (layout === "xtdy" ? A[s * K + r] : A[r * (layout === "xW" ? K : N) + s]);
      const bt = (s: number, q: number): number => (layout === "dyWt" ? B[q * N + s] : B[s * N + q]);
      const S = layout === "xW" ? K : layout === "dyWt" ? N : M;
      gemm(layout, o.a, o.b, o.c, M, K, N, true);
      const y = o.c.array;
      let worst = 0;
      for (let i = 0; i < o.sizes[2]; i++) {
        const r = Math.floor(i / cols), q = i % cols;
        let exact = o.c0[i], mag = Math.abs(o.c0[i]);
        for (let s = 0; s < S; s++) {
          exact += at(r, s) * bt(s, q);
          mag += Math.abs(at(r, s) * bt(s, q));
        }
        // recursive summation: |error| <= (S + 1)·u·Σ|terms| / (1 − (S + 1)·u), u = 2^-24
        const bound = ((S + 1) * 2 ** -24 * mag) / (1 - (S + 1) * 2 ** -24);
        worst = Math.max(worst, Math.abs(y[i] - exact) / bound);
      }
      expect(worst, `${layout} M=${M} K=${K} N=${N}`).toBeLessThanOrEqual(1);
      free(o);
    }
  });
});

describe("addBiasRows and sumRows", () => {
  it.each([[1, 1], [3, 5], [4, 4], [7, 17], [2, 63], [5, 65], [33, 16], [9, 129]])("M = %i, N = %i", (M, N) => {
    const y = rand(M * N, `y${M}-${N}`), bias = rand(N, `bias${M}-${N}`), out = rand(N, `out${M}-${N}`);
    const y0 = snapshot(y.array), out0 = snapshot(out.array);
    const res = onBoth(() => {
      y.array.set(y0);
      addBiasRows(y, bias, M, N);
      const biased = snapshot(y.array);
      out.array.set(out0);
      sumRows(y, M, N, out, true);
      const acc = snapshot(out.array);
      out.array.fill(NaN, 0, N);
      sumRows(y, M, N, out, false);
      return [biased, acc, snapshot(out.array)];
    });
    res.wasm.forEach((v, i) => expectBitEqual(v, res.ref[i], `output ${i}`));
    const [biased, acc, sums] = res.wasm;
    expect(biased[M * N]).toBe(SENTINEL);
    expect(sums[N]).toBe(SENTINEL);
    expect(biased[N * (M - 1)]).toBe(Math.fround(y0[N * (M - 1)] + bias.array[0]));
    let s = 0;
    for (let m = 0; m < M; m++) s = Math.fround(s + biased[m * N + N - 1]);
    expect(sums[N - 1]).toBe(s);
    expect(acc[0]).toBe(Array.from({ length: M }, (_, m) => biased[m * N]).reduce((t, v) => Math.fround(t + v), out0[0]));
    y.free(); bias.free(); out.free();
  });
});

describe("wrapper errors", () => {
  it("name the kernel, the argument, the expected and the actual length", () => {
    const a = e.heap.allocF32(6), b = e.heap.allocF32(12), c = e.heap.allocF32(8);
    expect(() => gemm("xW", a, b, c, 2, 3, 4)).not.toThrow();
    expect(() => gemm("xW", a, b, c, 2, 4, 3)).toThrow("gemm: a (x) has 6 elements, expected 8 for shape [M=2, K=4]");
    expect(() => gemm("dyWt", a, b, c, 2, 3, 4)).toThrow("gemm: a (dy) has 6 elements, expected 8 for shape [M=2, N=4]");
    expect(() => gemm("dyWt", c, b, a, 2, 4, 4)).toThrow("gemm: b (W) has 12 elements, expected 16 for shape [K=4, N=4]");
    expect(() => gemm("xtdy", a, c, a, 2, 3, 4)).toThrow("gemm: c (dW) has 6 elements, expected 12 for shape [K=3, N=4]");
    expect(() => gemm("xtdy", a, c, b, 2, 3, 4)).not.toThrow();
    a.free(); b.free(); c.free();
  });

  it("reject bad layouts, dims and aliasing", () => {
    const a = e.heap.allocF32(64), b = e.heap.allocF32(64), c = e.heap.allocF32(64);
    expect(() => gemm("Wx" as GemmLayout, a, b, c, 2, 2, 2)).toThrow('gemm: layout = "Wx" (expected "xW", "dyWt" or "xtdy")');
    expect(() => gemm("toString" as GemmLayout, a, b, c, 2, 2, 2)).toThrow("gemm: layout");
    expect(() => gemm("xW", a, b, c, 0, 2, 2)).toThrow("gemm: M = 0 is not a positive integer");
    expect(() => gemm("xW", a, b, c, 2, 1.5, 2)).toThrow("gemm: K = 1.5 is not a positive integer");
    expect(() => gemm("xW", a, b, c, 2, 2, -1)).toThrow("gemm: N = -1 is not a positive integer");
    expect(() => gemm("xW", a, b, a, 2, 2, 2)).toThrow("gemm: c (y) and a (x) overlap");
    expect(() => gemm("xtdy", a, b, b, 2, 2, 2)).toThrow("gemm: c (dW) and b (dy) overlap");
    expect(() => addBiasRows(a, b, 2, 40)).toThrow("addBiasRows: y has 64 elements, expected 80 for shape [M=2, N=40]");
    expect(() => addBiasRows(a, b, 0, 4)).toThrow("addBiasRows: M = 0 is not a positive integer");
    const short = e.heap.allocF32(4);
    expect(() => sumRows(a, 2, 8, short)).toThrow("sumRows: out has 4 elements, expected 8 for shape [N=8]");
    expect(() => sumRows(a, 2, 8, a)).toThrow("sumRows: out and dy overlap");
    a.free(); b.free(); c.free(); short.free();
  });

  it("release the packing scratch", () => {
    const a = rand(65 * 63, "sa"), b = rand(63 * 17, "sb"), c = e.heap.allocF32(65 * 17);
    gemm("xW", a, b, c, 65, 63, 17);
    const inUse = e.heap.bytesInUse;
    for (const layout of LAYOUTS) gemm(layout, a, b, c, 17, 63, 17, true);
    expect(e.heap.bytesInUse).toBe(inUse);
    a.free(); b.free(); c.free();
  });
});
