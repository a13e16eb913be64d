// GEMM benches for the three products of a linear layer at x[M,K]·W[K,N], K = 429 (Criteo
// DeepFM input: 13 dense + 26·16 embedding values), N = 400, M = 2048 and 256: forward xW,
// backward dyWt and xtdy (accumulating, as the linear op calls them). Also the TS twin (-ref)
// at a small M for the ratio and a naive JS triple loop for scale. Parity is asserted first.
import { useBackend } from "../src/index.js";
import { gemm, type GemmLayout } from "../src/kernels/dense.js";
import type { HeapF32 } from "../src/wasm/heap.js";
import type { Engine } from "../src/wasm/load.js";
import type { BenchCase } from "./harness.js";

const K = 429;
const N = 400;
const LAYOUTS: GemmLayout[] = ["xW", "dyWt", "xtdy"];

function filled(e: Engine, len: number, seed: number, what: string): HeapF32 {
  const b = e.heap.allocF32(len, what);
  const a = b.array;
  for (let i = 0; i < len; i++) a[i] = Math.sin(i * 0.37 + seed) * 0.5;
  return b;
}

/** x, W, y, dy, dx, dW for M rows, and the (a, b, c) triple of each layout. */
function operands(e: Engine, M: number, k = K, n = N): Record<GemmLayout, [HeapF32, HeapF32, HeapF32]> {
  const x = filled(e, M * k, 1, "bench x"), w = filled(e, k * n, 2, "bench W"), dy = filled(e, M * n, 3, "bench dy");
  const y = e.heap.allocF32(M * n, "bench y"), dx = e.heap.allocF32(M * k, "bench dx"), dw = e.heap.allocF32(k * n, "bench dW");
  return { xW: [x, w, y], dyWt: [dy, w, dx], xtdy: [x, dy, dw] };
}

const accumulates = (layout: GemmLayout): boolean => layout !== "xW";

/**
 * Throws unless wasm and the TS twin give the same bits for every layout on a small shape (the
 * relaxed core fuses multiply-add: within 1e-5 of the twin's value here; test/unit/relaxed-simd
 * checks it against the f64 bound).
 */
function assertParity(e: Engine): void {
  const [M, k, n] = [37, 45, 29];
  const ops = operands(e, M, k, n);
  for (const layout of LAYOUTS) {
    const [a, b, c] = ops[layout];
    const run = (name: "wasm-simd" | "ref"): Uint32Array => {
      useBackend(name);
      c.array.fill(0.25);
      gemm(layout, a, b, c, M, k, n, accumulates(layout));
      return new Uint32Array(c.array.slice().buffer);
    };
    const w = run("wasm-simd"), r = run("ref");
    useBackend("wasm-simd");
    const [wf, rf] = [new Float32Array(w.buffer), new Float32Array(r.buffer)];
    for (let i = 0; i < w.length; i++) {
      if (e.simd === "exact" ? w[i] !== r[i] : !(Math.abs(wf[i] - rf[i]) <= 1e-5)) throw new Error(`gemm ${layout} (${e.simd}): wasm and ref differ at element ${i}`);
    }
  }
  for (const v of new Set(Object.values(ops).flat())) v.free();
}

/** The triple loop a user would write: y = x·W, i-j-k order, double accumulator. */
function naiveMatmul(x: Float32Array, w: Float32Array, y: Float32Array, M: number): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += x[i * K + k] * w[k * N + j];
      y[i * N + j] = s;
    }
  }
}

export function gemmCases(e: Engine, quick: boolean): BenchCase[] {
  assertParity(e);
  const cases: BenchCase[] = [];
  for (const M of [2048, 256]) {
    const ops = operands(e, M);
    for (const layout of LAYOUTS) {
      const [a, b, c] = ops[layout];
      const accumulate = accumulates(layout);
      cases.push({
        name: `${layout}${M === 2048 ? "" : `-m${M}`}`, unit: "GFLOP/s", work: (2 * M * K * N) / 1e9,
        meta: { M, K, N, layout, accumulate },
        fn: () => gemm(layout, a, b, c, M, K, N, accumulate),
      });
    }
    if (M === 256 && e.simd === "exact") {
      const [x, w, y] = ops.xW;
      cases.push({
        name: "xW-naive-js", unit: "GFLOP/s", work: (2 * M * K * N) / 1e9, meta: { M, K, N, layout: "xW" },
        fn: () => naiveMatmul(x.array, w.array, y.array, M),
      });
    }
  }
  if (e.simd === "relaxed") return cases; // the JS loop and the TS twin do not depend on the core
  const refM = quick ? 4 : 32;
  const [x, w, y] = operands(e, refM).xW;
  cases.push({
    name: "xW-ref", unit: "GFLOP/s", work: (2 * refM * K * N) / 1e9, meta: { M: refM, K, N, layout: "xW" },
    fn: () => {
      useBackend("ref");
      try {
        gemm("xW", x, w, y, refM, K, N);
      } finally {
        useBackend("wasm-simd");
      }
    },
  });
  return cases;
}
