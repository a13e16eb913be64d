// wasm vs reference twin, bit for bit, for the embedding-bag kernels: pooled fp32 rows, pooled
// dequantized rows at every bit width, and the coalesced backward; both poolings (and a mix per
// field), empty bags, duplicate ids within and across bags; plus a double-precision oracle.
import { beforeAll, describe, expect, it } from "vitest";
import { coalesceIds } from "../../src/kernels/embed.js";
import { bagDequant, bagRowsF32, bagSegmentSumRows, type HeapBags } from "../../src/kernels/bag.js";
import { allocPackedTable, dequantizeRows, rowStride } from "../../src/kernels/quant.js";
import { scope } from "../../src/tensor/tape.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine, expectBitEqual, onBoth, rng, snapshot } from "../helpers/engine.js";

const BITS = [1, 2, 3, 4, 5, 6, 7, 8, 16];
const DIMS = [1, 3, 8, 16, 17, 33];
/** Pooling flags per field: all sum, all mean, mixed. */
const POOLINGS: [string, number[] | undefined][] = [["sum", undefined], ["mean", [1, 1, 1]], ["mixed", [0, 1, 1]]];

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

/** `samples` × 3 bags with lengths 0..5 (some empty), ids skewed (duplicates within and across bags). */
function makeBags(samples: number, rows: number, flags: number[] | undefined, seed: string): HeapBags {
  const r = rng(seed);
  const fields = 3, bags = samples * fields;
  const lens = Array.from({ length: bags }, (_, b) => (b === 1 ? 0 : b === 2 ? 1 : Math.floor(r() * 6)));
  const nnz = lens.reduce((a, l) => a + l, 0);
  const offsets = e.heap.scratchI32(bags + 1);
  const ids = e.heap.scratchI32(Math.max(1, nnz));
  let k = 0;
  for (let b = 0; b < bags; b++) {
    offsets.array[b] = k;
    for (let i = 0; i < lens[b]; i++, k++) ids.array[k] = Math.floor(rows * r() ** 2);
    if (lens[b] >= 3) ids.array[k - 1] = ids.array[k - 2]; // a duplicate within the bag
  }
  offsets.array[bags] = k;
  if (k > 1) ids.array[k - 1] = rows - 1;
  if (k > 0) ids.array[0] = 0;
  let mean;
  if (flags) {
    mean = e.heap.scratchI32(fields);
    mean.array.set(flags);
  }
  return { ids, offsets, bags, fields, mean };
}

/** The pooled rows in double precision from rows given as a function. */
function oracle(b: HeapBags, dim: number, row: (r: number) => Float32Array): Float64Array {
  const out = new Float64Array(b.bags * dim);
  const o = b.offsets.array;
  for (let i = 0; i < b.bags; i++) {
    const len = o[i + 1] - o[i];
    for (let k = o[i]; k < o[i + 1]; k++) {
      const v = row(b.ids ? b.ids.array[k] : k);
      for (let j = 0; j < dim; j++) out[i * dim + j] += v[j];
    }
    if (len > 0 && b.mean?.array[i % b.fields]) for (let j = 0; j < dim; j++) out[i * dim + j] /= len;
  }
  return out;
}

/** Within f32 rounding of a few sums, relative to the largest value (16-bit codes reach 2^15·Δ). */
function expectClose(a: Float32Array, exact: Float64Array): void {
  const scale = 1 + exact.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  for (let i = 0; i < exact.length; i++) expect(Math.abs(a[i] - exact[i])).toBeLessThanOrEqual(1e-6 * scale);
}

describe.each(POOLINGS)("embedding bags, %s pooling", (_name, flags) => {
  it.each(DIMS)("fp32 rows: pooled rows and their coalesced gradient agree, dim = %i", (dim) => {
    scope(() => {
      const rows = 50, samples = 40;
      const r = rng(`bag-f32-${dim}-${_name}`);
      const src = e.heap.scratchF32(rows * dim);
      for (let i = 0; i < src.length; i++) src.array[i] = Math.fround(r() * 2 - 1);
      const b = makeBags(samples, rows, flags, `bags-${dim}-${_name}`);
      const out = e.heap.scratchF32(b.bags * dim);
      out.array.fill(NaN); // every element must be written (empty bags too)
      const g = e.heap.scratchF32(b.bags * dim);
      for (let i = 0; i < g.length; i++) g.array[i] = Math.fround(r() * 2 - 1);
      const res = onBoth(() => {
        bagRowsF32(src, rows, dim, b, out);
        const pooled = snapshot(out.array);
        const mark = e.heap.mark();
        const c = coalesceIds(b.ids!, rows, b.offsets.array[b.bags]);
        const dst = e.heap.scratchF32(c.count * dim);
        bagSegmentSumRows(g, b, c, dim, dst);
        const grads = snapshot(dst.array);
        const unique = snapshot(c.unique.array.subarray(0, c.count));
        e.heap.release(mark);
        return { pooled, grads, unique };
      });
      expectBitEqual(res.wasm.pooled, res.ref.pooled, "pooled");
      expectBitEqual(res.wasm.grads, res.ref.grads, "grads");
      expectClose(res.wasm.pooled, oracle(b, dim, (id) => src.array.subarray(id * dim, (id + 1) * dim)));
      // a bag of one id is its row, bit for bit; an empty bag is zeros
      expectBitEqual(res.wasm.pooled.subarray(2 * dim, 3 * dim), src.array.subarray(b.ids!.array[b.offsets.array[2]] * dim, (b.ids!.array[b.offsets.array[2]] + 1) * dim), "bag of one");
      expect(Array.from(res.wasm.pooled.subarray(dim, 2 * dim))).toEqual(new Array(dim).fill(0));
      // the gradient oracle: Σ over the positions of each id of g[bag] (÷ len for mean)
      const slot = new Map(Array.from(res.wasm.unique, (id, u) => [id, u]));
      const exact = new Float64Array(res.wasm.unique.length * dim);
      const o = b.offsets.array;
      for (let i = 0; i < b.bags; i++) {
        const len = o[i + 1] - o[i];
        const div = flags?.[i % 3] ? len : 1;
        for (let k = o[i]; k < o[i + 1]; k++) {
          const u = slot.get(b.ids!.array[k])!;
          for (let j = 0; j < dim; j++) exact[u * dim + j] += g.array[i * dim + j] / div;
        }
      }
      expectClose(res.wasm.grads, exact);
    });
  });

  it("fp32 rows without ids (position k is row k) agree", () => {
    scope(() => {
      const dim = 17, samples = 30;
      const b0 = makeBags(samples, 10, flags, `bags-noid-${_name}`);
      const nnz = b0.offsets.array[b0.bags];
      const b: HeapBags = { ...b0, ids: undefined };
      const r = rng("noid");
      const src = e.heap.scratchF32(nnz * dim);
      for (let i = 0; i < src.length; i++) src.array[i] = Math.fround(r() - 0.5);
      const out = e.heap.scratchF32(b.bags * dim);
      const res = onBoth(() => (bagRowsF32(src, nnz, dim, b, out), snapshot(out.array)));
      expectBitEqual(res.wasm, res.ref, "pooled");
      expectClose(res.wasm, oracle(b, dim, (k) => src.array.subarray(k * dim, (k + 1) * dim)));
    });
  });

  describe.each(BITS)("packed rows, bits = %i", (bits) => {
    it.each(DIMS)("pooled dequantized rows agree, dim = %i", (dim) => {
      scope(() => {
        const rows = 40, samples = 40;
        const r = rng(`bag-q-${bits}-${dim}-${_name}`);
        const t = allocPackedTable(rows, dim, bits);
        const codes = t.codes.array;
        for (let i = 0; i < codes.length; i++) codes[i] = Math.floor(r() * 256);
        const stride = rowStride(dim, bits), used = dim * bits;
        if (used % 8) for (let k = 0; k < rows; k++) codes[k * stride + stride - 1] &= (1 << used % 8) - 1;
        for (let k = 0; k < rows; k++) t.delta.array[k] = Math.fround(0.01 + r() * 0.5);
        const b = makeBags(samples, rows, flags, `bags-q-${bits}-${dim}-${_name}`);
        const out = e.heap.scratchF32(b.bags * dim);
        out.array.fill(NaN);
        const res = onBoth(() => (bagDequant(t, b, out), snapshot(out.array)));
        expectBitEqual(res.wasm, res.ref, "pooled");
        const full = e.heap.scratchF32(rows * dim);
        dequantizeRows(t, full);
        expectClose(res.wasm, oracle(b, dim, (id) => full.array.subarray(id * dim, (id + 1) * dim)));
        // the same as pooling the dequantized table with the fp32 kernel, bit for bit
        const viaF32 = e.heap.scratchF32(b.bags * dim);
        bagRowsF32(full, rows, dim, b, viaF32);
        expectBitEqual(res.wasm, viaF32.array, "packed vs dequantized fp32");
        t.codes.free();
        t.delta.free();
      });
    });
  });
});

describe("bad bags are refused before anything is written", () => {
  it("names the id, its bag, sample and field; and offsets out of order", () => {
    scope(() => {
      const b = makeBags(4, 10, undefined, "bad");
      const src = e.heap.scratchF32(10 * 4);
      const out = e.heap.scratchF32(b.bags * 4);
      let bag = 4;
      while (b.offsets.array[bag + 1] === b.offsets.array[bag]) bag++;
      const k = b.offsets.array[bag];
      b.ids!.array[k] = 10;
      const where = `ids\\[${k}\\] \\(bag ${bag}: sample ${Math.floor(bag / 3)}, field ${bag % 3}\\)`;
      expect(() => bagRowsF32(src, 10, 4, b, out)).toThrow(new RegExp(`bagRowsF32: ${where} = 10 is out of range \\[0, 10\\)`));
      const t = allocPackedTable(10, 4, 4, 0.1);
      b.ids!.array[k] = 3;
      t.delta.array[3] = 0;
      expect(() => bagDequant(t, b, out)).toThrow(new RegExp(`bagDequant: delta\\[3\\] = 0 \\(${where}\\) is not a positive step size`));
      b.offsets.array[5] = b.offsets.array[6] + 1;
      expect(() => bagRowsF32(src, 10, 4, b, out)).toThrow(/offsets\[6\] = \d+ is below offsets\[5\]/);
      t.codes.free();
      t.delta.free();
    });
  });
});
