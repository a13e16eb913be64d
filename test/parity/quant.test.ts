// wasm vs reference twin, bit for bit, for the packed-code kernels on seeded random inputs.
import { beforeAll, describe, expect, it } from "vitest";
import {
  allocPackedTable, codeMax, codeMin, fakeQuantRows, gatherDequant, lsqGradRows, packCodes,
  quantizeRows, unpackCodes, dequantizeRows, rowStride, type PackedTable,
} from "../../src/index.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine, expectBitEqual, onBoth, rng, snapshot } from "../helpers/engine.js";

const BITS = [1, 2, 3, 4, 5, 6, 7, 8, 16];
const DIMS = [1, 3, 4, 5, 8, 15, 16, 17, 24, 33, 64];
const NS = [0, 1, 9];

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

interface Case {
  table: PackedTable;
  src: Float32Array;
  ids: Int32Array;
}

/** A table with random codes and Δ, src rows that cover ties, clipping and the interior. */
function makeCase(bits: number, dim: number, n: number, seed: string): Case {
  const r = rng(seed);
  const rows = n + 4;
  const table = allocPackedTable(rows, dim, bits);
  const codes = table.codes.array;
  for (let i = 0; i < codes.length; i++) codes[i] = Math.floor(r() * 256);
  // padding bits beyond dim·bits are zero in a well-formed table
  const stride = rowStride(dim, bits);
  const used = dim * bits;
  if (used % 8) for (let k = 0; k < rows; k++) codes[k * stride + stride - 1] &= (1 << used % 8) - 1;
  const delta = table.delta.array;
  for (let k = 0; k < rows; k++) delta[k] = Math.fround(0.01 + r() * 0.5);
  const ids = new Int32Array(n);
  for (let k = 0; k < n; k++) ids[k] = k === 0 ? rows - 1 : k === 1 ? 0 : Math.floor(r() * rows);
  if (n > 3) ids[3] = ids[2]; // a duplicate
  const src = new Float32Array(n * dim);
  const span = (codeMax(bits) - codeMin(bits)) * 1.5;
  for (let i = 0; i < src.length; i++) {
    const d = delta[ids[Math.floor(i / dim)]];
    const pick = r();
    src[i] =
      pick < 0.2 ? (Math.floor((r() - 0.5) * span) + 0.5) * d // exact ties
        : (r() - 0.5) * span * d;
  }
  return { table, src, ids };
}

describe.each(BITS)("packed kernels, bits = %i", (bits) => {
  it.each(DIMS)("pack / unpack, dim = %i", (dim) => {
    for (const n of NS) {
      const r = rng(`pack-${bits}-${dim}-${n}`);
      const codes = e.heap.allocI32(n * dim);
      const lo = codeMin(bits), span = codeMax(bits) - lo + 1;
      for (let i = 0; i < codes.length; i++) codes.array[i] = lo + Math.floor(r() * span);
      const packed = e.heap.allocU8(n * rowStride(dim, bits));
      const back = e.heap.allocI32(n * dim);
      const res = onBoth(() => {
        packed.array.fill(0xaa);
        packCodes(codes, n, dim, bits, packed);
        const p = snapshot(packed.array);
        back.array.fill(0);
        unpackCodes(packed, n, dim, bits, back);
        return { p, u: snapshot(back.array) };
      });
      expectBitEqual(res.wasm.p, res.ref.p, `pack n=${n}`);
      expectBitEqual(res.wasm.u, res.ref.u, `unpack n=${n}`);
      expectBitEqual(res.wasm.u, codes.array, `unpack(pack(x)) = x, n=${n}`);
      codes.free(); packed.free(); back.free();
    }
  });

  it.each(DIMS)("quantize DR and SR, gather, dequantize, dim = %i", (dim) => {
    for (const n of NS) {
      const c = makeCase(bits, dim, n, `q-${bits}-${dim}-${n}`);
      const src = e.heap.allocF32(n * dim);
      src.array.set(c.src);
      const ids = e.heap.allocI32(n);
      ids.array.set(c.ids);
      const out = e.heap.allocF32(n * dim);
      const all = e.heap.allocF32(c.table.rows * dim);
      const initial = snapshot(c.table.codes.array);
      for (const rounding of ["dr", "sr"] as const) {
        const res = onBoth(() => {
          c.table.codes.array.set(initial);
          quantizeRows(src, c.table, { ids, rounding, seed: 7, step: 3 });
          const codes = snapshot(c.table.codes.array);
          gatherDequant(c.table, ids, out);
          dequantizeRows(c.table, all);
          return { codes, out: snapshot(out.array), all: snapshot(all.array) };
        });
        expectBitEqual(res.wasm.codes, res.ref.codes, `${rounding} codes n=${n}`);
        expectBitEqual(res.wasm.out, res.ref.out, `${rounding} gather n=${n}`);
        expectBitEqual(res.wasm.all, res.ref.all, `${rounding} dequantize n=${n}`);
      }
      // contiguous form (no ids): rows 0..n-1
      const res = onBoth(() => {
        c.table.codes.array.set(initial);
        quantizeRows(src, c.table, { rounding: "sr", seed: 1, step: 2, n });
        return snapshot(c.table.codes.array);
      });
      expectBitEqual(res.wasm, res.ref, `contiguous sr n=${n}`);
      src.free(); ids.free(); out.free(); all.free();
    }
  });

  it.each(DIMS)("fake quantization and the LSQ gradient, dim = %i", (dim) => {
    for (const n of NS) {
      const c = makeCase(bits, dim, n, `lsq-${bits}-${dim}-${n}`);
      const r = rng(`g-${bits}-${dim}-${n}`);
      const w = e.heap.allocF32(n * dim);
      w.array.set(c.src);
      const g = e.heap.allocF32(n * dim);
      for (let i = 0; i < g.length; i++) g.array[i] = r() * 2 - 1;
      const ids = e.heap.allocI32(n);
      ids.array.set(c.ids);
      const fq = e.heap.allocF32(n * dim);
      const gd = e.heap.allocF32(n);
      const res = onBoth(() => {
        fakeQuantRows(w, c.table, ids, fq);
        lsqGradRows(w, g, c.table, ids, 0.125, gd);
        return { fq: snapshot(fq.array), gd: snapshot(gd.array) };
      });
      expectBitEqual(res.wasm.fq, res.ref.fq, `fakeQuant n=${n}`);
      expectBitEqual(res.wasm.gd, res.ref.gd, `lsqGrad n=${n}`);
      w.free(); g.free(); ids.free(); fq.free(); gd.free();
    }
  });
});

describe("non-finite inputs", () => {
  it("saturate (±Inf) or give code 0 (NaN) on both backends", () => {
    for (const bits of [2, 4, 8, 16, 3]) {
      const dim = 20;
      const t = allocPackedTable(1, dim, bits, 0.1);
      const src = e.heap.allocF32(dim);
      src.array.set([Infinity, -Infinity, NaN, 1e30, -1e30, 0, -0]);
      const res = onBoth(() => {
        quantizeRows(src, t, { rounding: "sr", seed: 3 });
        const out = e.heap.allocF32(dim);
        dequantizeRows(t, out);
        const v = snapshot(out.array);
        out.free();
        return v;
      });
      expectBitEqual(res.wasm, res.ref, `bits=${bits}`);
      const d = Math.fround(0.1);
      expect(res.wasm[0]).toBe(Math.fround(codeMax(bits) * d));
      expect(res.wasm[1]).toBe(Math.fround(codeMin(bits) * d));
      expect(res.wasm[2]).toBe(0);
    }
  });
});
