// wasm vs reference twin, bit for bit, for relu, batch-norm and cross-layer kernels.
import { beforeAll, describe, it } from "vitest";
import {
  bnColumnSums, bnForward, bnInputGrad, bnStats, crossBackward, crossForward, reluBackward, reluForward,
} from "../../src/kernels/layers.js";
import type { HeapF32 } from "../../src/wasm/heap.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine, expectBitEqual, onBoth, rng, snapshot } from "../helpers/engine.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

function rand(len: number, seed: string, lo = -1, hi = 1): HeapF32 {
  const r = rng(seed);
  const b = e.heap.allocF32(len);
  for (let i = 0; i < len; i++) b.array[i] = lo + r() * (hi - lo);
  return b;
}

const SHAPES: [number, number][] = [[1, 1], [3, 5], [4, 4], [7, 17], [2, 63], [5, 65], [33, 16]];

describe.each(SHAPES)("B = %i, N = %i", (B, N) => {
  it("relu forward and backward", () => {
    const x = rand(B * N, `x${B}${N}`), dy = rand(B * N, `dy${B}${N}`), y = e.heap.allocF32(B * N), dx = rand(B * N, `dx${B}${N}`);
    x.array[0] = -0;
    const dx0 = snapshot(dx.array);
    const res = onBoth(() => {
      reluForward(x, y, B * N);
      dx.array.set(dx0);
      reluBackward(x, dy, dx, B * N);
      return [snapshot(y.array), snapshot(dx.array)];
    });
    expectBitEqual(res.wasm[0], res.ref[0], "y");
    expectBitEqual(res.wasm[1], res.ref[1], "dx");
  });

  it("batch-norm kernels", () => {
    const x = rand(B * N, `bx${B}${N}`, -3, 5), dy = rand(B * N, `bdy${B}${N}`);
    const [mean, variance, invStd, gamma, beta, sdy, sdyx, coef] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => rand(N, `v${i}${B}${N}`, 0.5, 1.5));
    const xhat = e.heap.allocF32(B * N), y = e.heap.allocF32(B * N), dx = rand(B * N, `bdx${B}${N}`);
    const dx0 = snapshot(dx.array);
    const res = onBoth(() => {
      bnStats(x, B, N, mean, variance);
      bnForward(x, B, N, mean, invStd, gamma, beta, xhat, y);
      bnColumnSums(dy, xhat, B, N, sdy, sdyx);
      dx.array.set(dx0);
      bnInputGrad(dy, xhat, B, N, coef, sdy, sdyx, dx, true);
      const a = snapshot(dx.array);
      bnInputGrad(dy, xhat, B, N, coef, sdy, sdyx, dx, false);
      return [mean, variance, xhat, y, sdy, sdyx].map((b) => snapshot(b.array)).concat([a, snapshot(dx.array)]);
    });
    res.wasm.forEach((v, i) => expectBitEqual(v, res.ref[i], `output ${i}`));
  });

  it("cross layer forward and backward", () => {
    const D = N;
    const x0 = rand(B * D, `c0${B}${D}`), xl = rand(B * D, `cl${B}${D}`), w = rand(D, `cw${B}${D}`), bias = rand(D, `cb${B}${D}`);
    const dy = rand(B * D, `cdy${B}${D}`), s = e.heap.allocF32(B), y = e.heap.allocF32(B * D);
    const grads = { dx0: rand(B * D, "g1"), dxl: rand(B * D, "g2"), dw: rand(D, "g3"), db: rand(D, "g4") };
    const init = Object.values(grads).map((g) => snapshot(g.array));
    const res = onBoth(() => {
      Object.values(grads).forEach((g, i) => g.array.set(init[i]));
      crossForward(x0, xl, w, bias, B, D, s, y);
      crossBackward(x0, xl, w, s, dy, B, D, grads);
      crossBackward(x0, xl, w, s, dy, B, D, { dxl: grads.dxl }); // partial: skip the others
      return [snapshot(s.array), snapshot(y.array), ...Object.values(grads).map((g) => snapshot(g.array))];
    });
    res.wasm.forEach((v, i) => expectBitEqual(v, res.ref[i], `output ${i}`));
  });
});
