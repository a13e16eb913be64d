// The dense kernels split in two passes or by ranges, on large enough shapes to be split: the
// cross layer's backward (rows without the column sums, then dw and db by columns), the bias
// gradient's column sums (sumRows, by columns) and zeroFill give the bits of the reference twins, which run on one thread, for every subset of gradients.
import { beforeAll, describe, it } from "vitest";
import { sumRows } from "../../src/kernels/dense.js";
import { crossBackward, zeroFill } from "../../src/kernels/layers.js";
import type { HeapF32 } from "../../src/wasm/heap.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine, rng, snapshot } from "../helpers/engine.js";
import { expectThreadedLikeReference } from "../helpers/threaded-parity.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

function filled(n: number, r: () => number): HeapF32 {
  const b = e.heap.allocF32(n);
  for (let i = 0; i < n; i++) b.array[i] = r() * 2 - 1;
  return b;
}

describe("cross layer backward split among threads", () => {
  // 429 = the DCN criteo1m width; 45 leaves a column tail past the last 4-aligned slice
  for (const [B, D] of [[2048, 429], [1500, 45]]) {
    for (const which of [["dx0", "dxl", "dw", "db"], ["dw"], ["db", "dx0"], ["dxl"]]) {
      it(`B = ${B}, D = ${D}, gradients ${which.join(", ")}`, () => {
        const r = rng(`cross-${B}-${D}`);
        const [x0, xl, dy] = [0, 1, 2].map(() => filled(B * D, r));
        const [w] = [filled(D, r)];
        const s = filled(B, r);
        const grads = { dx0: filled(B * D, r), dxl: filled(B * D, r), dw: filled(D, r), db: filled(D, r) };
        const start = new Map(Object.entries(grads).map(([k, g]) => [k, snapshot(g.array)]));
        const run = (): Map<string, Float32Array> => {
          for (const [k, g] of Object.entries(grads)) g.array.set(start.get(k)!);
          const picked = Object.fromEntries(which.map((k) => [k, grads[k as keyof typeof grads]]));
          crossBackward(x0!, xl!, w!, s, dy!, B, D, picked);
          return new Map(Object.entries(grads).map(([k, g]) => [k, snapshot(g.array)]));
        };
        const sums = which.includes("dw") || which.includes("db");
        expectThreadedLikeReference(e, run, sums ? ["crossBackward", "crossColumnGrads"] : ["crossBackward"]);
        for (const b of [x0, xl, dy, w, s, ...Object.values(grads)]) b!.free();
      });
    }
  }
});

describe("zeroFill split among threads", () => {
  it.each([65536, 100_003, 429 * 2048])("%i floats, the block's tail untouched", (n) => {
    const r = rng(`zero-${n}`);
    const b = filled(n + 5, r);
    const start = snapshot(b.array);
    expectThreadedLikeReference(e, () => {
      b.array.set(start);
      zeroFill(b, n);
      return new Map([["block", snapshot(b.array)]]);
    }, ["zeroFill"]);
    b.free();
  });
});

describe("sumRows split by columns", () => {
  it.each([[2048, 400], [2048, 429], [700, 101]])("M = %i, N = %i, written and accumulated", (M, N) => {
    const r = rng(`sum-${M}-${N}`);
    const dy = filled(M * N, r), out = filled(N + 3, r);
    const start = snapshot(out.array);
    expectThreadedLikeReference(e, () => {
      const res = new Map<string, Float32Array>();
      for (const acc of [false, true]) {
        out.array.set(start);
        sumRows(dy, M, N, out, acc);
        res.set(`accumulate ${acc}`, snapshot(out.array));
      }
      return res;
    }, ["sumRows"]);
    dy.free();
    out.free();
  });
});
