// The relaxed-SIMD core (core-relaxed.wasm: fused multiply-add in the GEMM micro-kernel) against
// the exact core, kernel by kernel on two engines side by side:
//   - the loader never mixes them up: each build says which it is, and asking for the other is
//     an error naming both files;
//   - every GEMM layout stays within the classical bound of a K-term f32 dot product,
//     |ŷ − y| ≤ γ_K·Σ|a·b| with γ_K = K·u / (1 − K·u), u = 2⁻²⁴ (y in f64), and on average it is
//     no less accurate than the exact core (a fused step rounds once, mul + add twice);
//   - it is deterministic: the same call twice gives the same bits;
//   - the kernels without a fused path give the exact core's bits;
//   - x·W on fewer rows than a tile (no packing) gives the tile's bits on both cores;
//   - the one-column products (N = 1, no packing) give the bits of the packed path on both cores.
// Node 20 has relaxed SIMD behind a V8 flag; the test sets it as the package entry does.
import { readFile } from "node:fs/promises";
import { setFlagsFromString } from "node:v8";
import { beforeAll, describe, expect, it } from "vitest";
import { createEngine, relaxedSimdSupported, type Engine } from "../../src/wasm/load.js";

const EXACT = new URL("../../build/core.wasm", import.meta.url);
const RELAXED = new URL("../../build/core-relaxed.wasm", import.meta.url);

if (!relaxedSimdSupported()) setFlagsFromString("--experimental-wasm-relaxed-simd");

let exact: Engine, relaxed: Engine;
beforeAll(async () => {
  exact = await createEngine(await readFile(EXACT));
  relaxed = await createEngine(await readFile(RELAXED), { simd: "relaxed" });
});

/** Deterministic values in [−1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Runs gemm(layout) on engine e; returns c. */
function gemm(e: Engine, layout: number, a: Float32Array, b: Float32Array, c0: Float32Array, M: number, K: number, N: number, acc: boolean): Float32Array {
  const mark = e.heap.mark();
  const put = (x: Float32Array) => {
    const p = e.heap.scratch(x.length * 4);
    e.heap.f32(p, x.length).set(x);
    return p;
  };
  const pa = put(a), pb = put(b), pc = put(c0);
  const scratch = e.heap.scratch(e.wasm!.gemmScratchBytes(layout, M, K, N));
  e.wasm!.gemm(layout, pa, pb, pc, M, K, N, acc ? 1 : 0, scratch);
  const out = e.heap.f32(pc, c0.length).slice();
  e.heap.release(mark);
  return out;
}

/** f64 products and Σ|a·b| per output, for layout 0 (xW), 1 (dy·Wᵀ) or 2 (xᵀ·dy). */
function reference(layout: number, a: Float32Array, b: Float32Array, c0: Float32Array, M: number, K: number, N: number, acc: boolean) {
  const [R, S, Q] = layout === 0 ? [M, K, N] : layout === 1 ? [M, N, K] : [K, M, N];
  const A = (r: number, s: number) => (layout === 2 ? a[s * K + r] : a[r * S + s]);
  const B = (s: number, q: number) => (layout === 1 ? b[q * N + s] : b[s * Q + q]);
  const y = new Float64Array(R * Q), mag = new Float64Array(R * Q);
  for (let r = 0; r < R; r++) {
    for (let q = 0; q < Q; q++) {
      let sum = acc ? c0[r * Q + q] : 0, m = Math.abs(sum);
      for (let s = 0; s < S; s++) {
        sum += A(r, s) * B(s, q);
        m += Math.abs(A(r, s) * B(s, q));
      }
      y[r * Q + q] = sum;
      mag[r * Q + q] = m;
    }
  }
  return { y, mag, S };
}

describe("the relaxed-SIMD core", () => {
  it("each build says which it is; asking for the other one is an error", async () => {
    expect(exact.info).toEqual({ name: "wasm-simd", simd: "exact", threads: 1 });
    expect(relaxed.info).toEqual({ name: "wasm-simd", simd: "relaxed", threads: 1 });
    await expect(createEngine(await readFile(EXACT), { simd: "relaxed" })).rejects.toThrow(/given the exact core \(core\.wasm\); pass core-relaxed\.wasm, or simd: "exact"/);
    await expect(createEngine(await readFile(RELAXED))).rejects.toThrow(/given the relaxed core \(core-relaxed\.wasm\); pass core\.wasm, or simd: "relaxed"/);
    await expect(createEngine(undefined, { simd: "relaxed", backend: "ref" })).rejects.toThrow(/needs the wasm backend/);
    await expect(createEngine(undefined, { simd: "fast" as "exact" })).rejects.toThrow(/simd must be "exact" or "relaxed", got "fast"/);
  });

  // edges in every dimension (tiles of 4×8, K blocks of 256), the DCN input width 429
  const SHAPES: [number, number, number][] = [[37, 429, 67], [64, 429, 136], [5, 600, 9], [130, 3, 1]];
  for (const layout of [0, 1, 2]) {
    it(`gemm layout ${layout}: within γ_K·Σ|a·b| of f64, no less accurate than exact, deterministic`, () => {
      let errFused = 0, errPlain = 0;
      for (const [M, K, N] of SHAPES) {
        for (const acc of [false, true]) {
          const a = values(layout === 1 ? M * N : M * K, M + K);
          const b = values(layout === 2 ? M * N : K * N, N + 7);
          const c0 = values(layout === 1 ? M * K : layout === 2 ? K * N : M * N, 3);
          const fused = gemm(relaxed, layout, a, b, c0, M, K, N, acc);
          const plain = gemm(exact, layout, a, b, c0, M, K, N, acc);
          expect(gemm(relaxed, layout, a, b, c0, M, K, N, acc)).toEqual(fused);
          const { y, mag, S } = reference(layout, a, b, c0, M, K, N, acc);
          const u = 2 ** -24, gamma = ((S + 1) * u) / (1 - (S + 1) * u);
          for (let i = 0; i < y.length; i++) {
            const e = Math.abs(fused[i] - y[i]);
            if (e > gamma * mag[i]) expect.fail(`layout ${layout} [${M},${K},${N}] acc ${acc} at ${i}: |${fused[i]} − ${y[i]}| > γ·${mag[i]}`);
            errFused += e;
            errPlain += Math.abs(plain[i] - y[i]);
          }
        }
      }
      // summed over every output of every shape: one rounding less per step shows on average
      expect(errFused).toBeLessThan(errPlain);
    });
  }

  it("x·W for 1–3 rows (the unpacked path for serving) gives the bits of the same rows inside a 4-row tile, on both cores", () => {
    const [K, N] = [429, 403];
    const b = values(K * N, 21);
    for (const e of [exact, relaxed]) {
      for (const acc of [false, true]) {
        const a4 = values(4 * K, 22), c4 = values(4 * N, 23);
        const tile = gemm(e, 0, a4, b, c4, 4, K, N, acc);
        for (const M of [1, 2, 3]) {
          const few = gemm(e, 0, a4.subarray(0, M * K), b, c4.subarray(0, M * N), M, K, N, acc);
          expect(few, `${e.simd}, M = ${M}, accumulate ${acc}`).toEqual(tile.subarray(0, M * N));
        }
      }
    }
  });

  it("one output column (N = 1: columnXW, unpacked) gives the bits of the packed path, on both cores", () => {
    const [M, K, W] = [67, 530, 9]; // K crosses a reduction block; 67 rows leave 3 past the last tile
    const column = (m: Float32Array, rows: number, cols: number) => Float32Array.from({ length: rows }, (_, r) => m[r * cols]);
    for (const e of [exact, relaxed]) {
      for (const acc of [false, true]) {
        const x = values(M * K, 31), wide = values(K * W, 32), c0 = values(M * W, 33);
        const w = column(wide, K, W);
        // x·W: column 0 of x·W[K, 9]
        const xw = gemm(e, 0, x, w, column(c0, M, W), M, K, 1, acc);
        expect(xw, `${e.simd} xW accumulate ${acc}`).toEqual(column(gemm(e, 0, x, wide, c0, M, K, W, acc), M, W));
        // xᵀ·dy: column 0 of xᵀ·dy[M, 9] (dy = wide's first M rows as [M, 9])
        const dy = values(M * W, 34), dW0 = values(K * W, 35);
        const xtdy = gemm(e, 2, x, column(dy, M, W), column(dW0, K, W), M, K, 1, acc);
        expect(xtdy, `${e.simd} xtdy accumulate ${acc}`).toEqual(column(gemm(e, 2, x, dy, dW0, M, K, W, acc), K, W));
        // dy·Wᵀ with N = 1 is the outer product dy[M, 1]·w[K]: x·W with K = 1 and N = K, packed
        const d = column(dy, M, W), dx0 = values(M * K, 36);
        expect(gemm(e, 1, d, w, dx0, M, K, 1, acc), `${e.simd} dyWt accumulate ${acc}`).toEqual(gemm(e, 0, d, w, dx0, M, 1, K, acc));
      }
    }
  });

  it("kernels without a fused path give the exact core's bits", () => {
    const n = 1000;
    const run = (e: Engine) => {
      const mark = e.heap.mark();
      const p = e.heap.scratch(n * 4), q = e.heap.scratch(n * 4);
      e.wasm!.fillUniform(p, n, 9, 1, 0);
      e.wasm!.reluForward(p, q, n);
      const out = e.heap.f32(q, n).slice();
      e.heap.release(mark);
      return out;
    };
    expect(run(relaxed)).toEqual(run(exact));
  });
});
