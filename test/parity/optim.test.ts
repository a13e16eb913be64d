// wasm vs reference twin, bit for bit, for the sparse row optimizers and fp32 row gathers.
import { beforeAll, describe, expect, it } from "vitest";
import { adagradRows, adamRows, sgdRows } from "../../src/kernels/optim.js";
import { gatherRowsF32 } from "../../src/kernels/embed.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine, expectBitEqual, onBoth, rng, snapshot } from "../helpers/engine.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

const DIMS = [1, 3, 4, 5, 15, 16, 17, 64];

function fixture(dim: number, n: number, seed: string) {
  const r = rng(seed);
  const rows = n + 5;
  const fill = (len: number, lo: number, hi: number) => {
    const b = e.heap.allocF32(len);
    for (let i = 0; i < len; i++) b.array[i] = lo + r() * (hi - lo);
    return b;
  };
  const perm = Array.from({ length: rows }, (_, i) => i).sort(() => r() - 0.5);
  const ids = e.heap.allocI32(n);
  ids.array.set(perm.slice(0, n));
  if (n >= 2) ids.array.set([0, rows - 1]);
  return {
    rows, ids, table: fill(rows * dim, -1, 1), temp: fill(n * dim, -1, 1), g: fill(n * dim, -0.5, 0.5),
    m: fill(rows * dim, -0.1, 0.1), v: fill(rows * dim, 0, 0.01), acc: fill(rows, 0, 0.5),
  };
}

describe.each(DIMS)("sparse optimizers, dim = %i", (dim) => {
  it.each([0, 1, 7])("SGD, lazy Adam, rowwise Adagrad on %i rows, fp32 table and temporaries", (n) => {
    for (const indexed of [true, false]) {
      const fx = fixture(dim, n, `opt-${dim}-${n}-${indexed}`);
      const target = { w: indexed ? fx.table : fx.temp, indexed };
      const common = { ids: fx.ids, n, rows: fx.rows, dim, g: fx.g };
      const w0 = snapshot(target.w.array), m0 = snapshot(fx.m.array), v0 = snapshot(fx.v.array), a0 = snapshot(fx.acc.array);
      const res = onBoth(() => {
        target.w.array.set(w0);
        fx.m.array.set(m0);
        fx.v.array.set(v0);
        fx.acc.array.set(a0);
        sgdRows(target, common, 0.05, 1e-3);
        adamRows(target, common, fx.m, fx.v, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 3e-6, step: 7 });
        adagradRows(target, common, fx.acc, 0.01, 1e-8, 1e-4);
        return { w: snapshot(target.w.array), m: snapshot(fx.m.array), v: snapshot(fx.v.array), a: snapshot(fx.acc.array) };
      });
      expectBitEqual(res.wasm.w, res.ref.w, "w");
      expectBitEqual(res.wasm.m, res.ref.m, "m");
      expectBitEqual(res.wasm.v, res.ref.v, "v");
      expectBitEqual(res.wasm.a, res.ref.a, "acc");
    }
  });

  it("gatherRowsF32 with duplicates and the extreme rows", () => {
    const fx = fixture(dim, 6, `gather-${dim}`);
    const ids = e.heap.allocI32(9);
    ids.array.set([fx.rows - 1, 0, 3, 3, 0, 2, 5, fx.rows - 1, 1]);
    const out = e.heap.allocF32(9 * dim);
    const res = onBoth(() => {
      gatherRowsF32(fx.table, fx.rows, dim, ids, out);
      return snapshot(out.array);
    });
    expectBitEqual(res.wasm, res.ref);
    expect(Array.from(res.wasm.subarray(0, dim))).toEqual(Array.from(fx.table.array.subarray((fx.rows - 1) * dim, fx.rows * dim)));
  });
});

it("the sparse optimizers match their formulas on a hand-computed row", () => {
  const ids = e.heap.allocI32(1);
  ids.array[0] = 1;
  const w = e.heap.allocF32(4);
  const g = e.heap.allocF32(2);
  const common = { ids, n: 1, rows: 2, dim: 2, g };
  w.array.set([9, 9, 1, -2]);
  g.array.set([0.5, -1]);
  sgdRows({ w, indexed: true }, common, 0.1);
  expect(Array.from(w.array)).toEqual([9, 9, Math.fround(0.95), Math.fround(-1.9)]);
  const acc = e.heap.allocF32(2);
  w.array.set([9, 9, 1, -2]);
  adagradRows({ w, indexed: true }, common, acc, 0.1, 0);
  const a = (0.25 + 1) / 2;
  expect(acc.array[1]).toBeCloseTo(a, 6);
  expect(w.array[2]).toBeCloseTo(1 - (0.1 / Math.sqrt(a)) * 0.5, 6);
  expect(w.array[3]).toBeCloseTo(-2 + 0.1 / Math.sqrt(a), 6);
  const m = e.heap.allocF32(4), v = e.heap.allocF32(4);
  w.array.set([9, 9, 1, -2]);
  adamRows({ w, indexed: true }, common, m, v, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 });
  expect(w.array[2]).toBeCloseTo(0.99, 6);
  expect(w.array[3]).toBeCloseTo(-1.99, 6);
  expect(Array.from(w.array.subarray(0, 2))).toEqual([9, 9]); // untouched row
});
