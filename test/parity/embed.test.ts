// wasm vs reference twin for coalescing and segment sums; both against a naive oracle.
import { beforeAll, describe, expect, it } from "vitest";
import { coalesceIds, segmentSumRows } from "../../src/index.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine, expectBitEqual, onBoth, rng, snapshot } from "../helpers/engine.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

describe.each([0, 1, 2, 17, 1000, 53248])("coalesce, n = %i", (n) => {
  it.each([1, 3, 4, 16, 17])("unique ids, inverse and summed rows agree, dim = %i", (dim) => {
    const r = rng(`co-${n}-${dim}`);
    const rows = 5000;
    const ids = e.heap.allocI32(n);
    // Zipf-like: many duplicates of small ids, plus the extremes 0 and rows - 1
    for (let k = 0; k < n; k++) ids.array[k] = Math.min(rows - 1, Math.floor(1 / (r() + 1e-4)));
    if (n > 1) {
      ids.array[0] = rows - 1;
      ids.array[n - 1] = 0;
    }
    const g = e.heap.allocF32(n * dim);
    for (let i = 0; i < g.length; i++) g.array[i] = r() * 2 - 1;
    const out = e.heap.allocF32(n * dim);
    const res = onBoth(() => {
      const mark = e.heap.mark();
      const c = coalesceIds(ids, rows);
      segmentSumRows(g, c, dim, out);
      const v = {
        count: c.count,
        unique: snapshot(c.unique.array.subarray(0, c.count)),
        inverse: snapshot(c.inverse.array),
        sums: snapshot(out.array.subarray(0, c.count * dim)),
      };
      e.heap.release(mark);
      return v;
    });
    expect(res.wasm.count).toBe(res.ref.count);
    expectBitEqual(res.wasm.unique, res.ref.unique, "unique");
    expectBitEqual(res.wasm.inverse, res.ref.inverse, "inverse");
    expectBitEqual(res.wasm.sums, res.ref.sums, "sums");
    // oracle: distinct ids in first-occurrence order, sums in double precision
    const distinct = [...new Set(ids.array)];
    expect(Array.from(res.wasm.unique)).toEqual(distinct);
    for (let k = 0; k < n; k++) expect(res.wasm.unique[res.wasm.inverse[k]]).toBe(ids.array[k]);
    const exact = new Float64Array(distinct.length * dim);
    for (let k = 0; k < n; k++) {
      for (let j = 0; j < dim; j++) exact[res.wasm.inverse[k] * dim + j] += g.array[k * dim + j];
    }
    for (let i = 0; i < exact.length; i++) {
      expect(Math.abs(res.wasm.sums[i] - exact[i])).toBeLessThan(1e-4 * (1 + Math.abs(exact[i])));
    }
    ids.free(); g.free(); out.free();
  });
});

it("coalesce rejects ids outside the table", () => {
  const ids = e.heap.allocI32(3);
  ids.array.set([1, 7, 2]);
  expect(() => coalesceIds(ids, 5)).toThrow(/ids\[1\] = 7 is out of range \[0, 5\)/);
  ids.array.set([1, -1, 2]);
  expect(() => coalesceIds(ids, 5)).toThrow(/ids\[1\] = -1/);
  ids.free();
});
