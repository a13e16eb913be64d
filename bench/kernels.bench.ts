// Kernel benches on the criteo1m shapes: gather-dequantize and quantize of 2048 × 26
// Zipf-distributed ids against a 1,000,000 × 16 packed table, the same kernels through the
// TS twin (-ref), a naive JS loop for scale, and coalescing. Parity is asserted before timing.
// embedding-bag-b4: the same 53,248 ids as 2048 samples × 4 mean-pooled bags of 6, 7, 6, 7 ids,
// gathered, dequantized and pooled in one kernel; Mrows/s counts looked-up rows (ids), as the
// gathers do (pooled rows are 26/4 = 6.5× fewer); -unfused gathers [nnz, 16] first, then pools;
// embedding-bag-backward-b4 coalesces the ids and scatters the pooled gradients (as "coalesce"
// does for [nnz, 16] gradients).
import {
  allocPackedTable, bagDequant, bagRowsF32, bagSegmentSumRows, coalesceIds, gatherDequant, quantizeRows, rowStride, segmentSumRows,
  useBackend, type HeapBags, type PackedTable,
} from "../src/index.js";
import type { Engine } from "../src/wasm/load.js";
import type { BenchCase } from "./harness.js";
import { fieldSizes, zipfIds } from "./data.js";

const ROWS = 1_000_000;
const DIM = 16;
const BATCH = 2048;

function sameBits(a: Float32Array | Uint8Array, b: Float32Array | Uint8Array, what: string): void {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) throw new Error(`${what}: wasm and ref differ at byte ${i}`);
}

/** The naive JS gather a user would write for b = 4 (Int8-style nibble decode, no SIMD). */
function naiveGather4(codes: Uint8Array, delta: Float32Array, ids: Int32Array, out: Float32Array): void {
  const stride = DIM / 2;
  for (let k = 0; k < ids.length; k++) {
    const r = ids[k];
    const d = delta[r];
    const base = r * stride;
    for (let j = 0; j < DIM; j++) {
      const byte = codes[base + (j >> 1)];
      const nib = j & 1 ? byte >> 4 : byte & 15;
      out[k * DIM + j] = (nib >= 8 ? nib - 16 : nib) * d;
    }
  }
}

export function kernelCases(e: Engine, quick: boolean): BenchCase[] {
  const sizes = fieldSizes(ROWS);
  const rows = sizes.reduce((a, b) => a + b, 0);
  const idsArr = zipfIds(sizes, BATCH, 1);
  const n = idsArr.length;
  const ids = e.heap.allocI32(n, "bench ids");
  ids.array.set(idsArr);
  const out = e.heap.allocF32(n * DIM, "bench out");
  const src = e.heap.allocF32(n * DIM, "bench src");
  for (let i = 0; i < src.length; i++) src.array[i] = Math.sin(i) * 0.05;
  const tables = new Map<number, PackedTable>();
  for (const bits of [2, 4, 8]) {
    const t = allocPackedTable(rows, DIM, bits, 0.01);
    const c = t.codes.array;
    for (let i = 0; i < c.length; i++) c[i] = (i * 2654435761) >>> 24;
    for (let r = 0; r < rows; r++) t.delta.array[r] = 0.001 + (r % 97) * 1e-4;
    tables.set(bits, t);
  }
  const Mrows = n / 1e6;
  const meta = { rows, dim: DIM, ids: n, batch: BATCH, fields: sizes.length, distribution: "zipf-1.05", layout: "frequency" };

  // parity on the bench inputs before anything is timed
  for (const [bits, t] of tables) {
    useBackend("wasm-simd");
    gatherDequant(t, ids, out);
    const w = out.array.slice();
    useBackend("ref");
    gatherDequant(t, ids, out);
    sameBits(w, out.array, `gather b=${bits}`);
    useBackend("wasm-simd");
  }

  const cases: BenchCase[] = [];
  for (const bits of [8, 4, 2]) {
    const t = tables.get(bits)!;
    const m = { ...meta, bits, bytesPerRow: rowStride(DIM, bits) + 4 };
    cases.push({ name: `gather-dequant-b${bits}`, unit: "Mrows/s", work: Mrows, meta: m, fn: () => gatherDequant(t, ids, out) });
  }
  const t4 = tables.get(4)!;
  // bags over the same ids: 4 per sample of 6, 7, 6, 7 ids, mean pooled
  const BAG_LENS = [6, 7, 6, 7];
  const bagCount = BATCH * BAG_LENS.length;
  const bagOffsets = e.heap.allocI32(bagCount + 1, "bench bag offsets");
  for (let b = 0; b < bagCount; b++) bagOffsets.array[b + 1] = bagOffsets.array[b]! + BAG_LENS[b % BAG_LENS.length]!;
  const bagMean = e.heap.allocI32(BAG_LENS.length, "bench bag pooling");
  bagMean.array.fill(1);
  const bags: HeapBags = { ids, offsets: bagOffsets, bags: bagCount, fields: BAG_LENS.length, mean: bagMean };
  const pooled = e.heap.allocF32(bagCount * DIM, "bench pooled");
  bagDequant(t4, bags, pooled);
  const pw = pooled.array.slice();
  useBackend("ref");
  bagDequant(t4, bags, pooled);
  sameBits(pw, pooled.array, "embedding bag b=4");
  useBackend("wasm-simd");
  const bagMeta = { ...meta, bits: 4, bags: bagCount, bagLengths: BAG_LENS.join(","), pooling: "mean", unitCounts: "looked-up rows (ids)" };
  cases.push({ name: "embedding-bag-b4", unit: "Mrows/s", work: Mrows, meta: bagMeta, fn: () => bagDequant(t4, bags, pooled) });
  cases.push({
    name: "embedding-bag-b4-unfused", unit: "Mrows/s", work: Mrows, meta: { ...bagMeta, variant: "gatherDequant [nnz, 16] then bagRowsF32" },
    fn: () => {
      gatherDequant(t4, ids, out);
      bagRowsF32(out, n, DIM, { ...bags, ids: undefined }, pooled);
    },
  });
  // the backward: coalesce the 53,248 ids, scatter the 8192 pooled gradients (÷ length) to them
  cases.push({
    name: "embedding-bag-backward-b4", unit: "Mrows/s", work: Mrows, meta: bagMeta,
    fn: () => {
      const mark = e.heap.mark();
      const c = coalesceIds(ids, rows);
      bagSegmentSumRows(pooled, bags, c, DIM, out);
      e.heap.release(mark);
    },
  });
  const scattered = e.heap.allocI32(n, "bench scattered ids");
  scattered.array.set(zipfIds(sizes, BATCH, 1, 1.05, "scattered"));
  cases.push({
    name: "gather-dequant-b4-scattered", unit: "Mrows/s", work: Mrows, meta: { ...meta, bits: 4, layout: "scattered" },
    fn: () => gatherDequant(t4, scattered, out),
  });
  for (const rounding of ["sr", "dr"] as const) {
    cases.push({
      name: `quantize-${rounding}-b4`, unit: "Mrows/s", work: Mrows, meta: { ...meta, bits: 4 },
      fn: () => quantizeRows(src, t4, { ids, rounding, seed: 1, step: 2 }),
    });
  }
  cases.push({
    name: "coalesce", unit: "Mrows/s", work: Mrows, meta,
    fn: () => {
      const mark = e.heap.mark();
      const c = coalesceIds(ids, rows);
      segmentSumRows(src, c, DIM, out);
      e.heap.release(mark);
    },
  });
  // the same kernels through the TS twin (one row in 8 to keep the run short)
  const refN = quick ? 512 : 8192;
  const refIds = e.heap.allocI32(refN, "bench ref ids");
  refIds.array.set(idsArr.subarray(0, refN));
  const ref = (fn: () => void) => () => {
    useBackend("ref");
    try {
      fn();
    } finally {
      useBackend("wasm-simd");
    }
  };
  for (const bits of [8, 4, 2]) {
    const t = tables.get(bits)!;
    cases.push({ name: `gather-dequant-b${bits}-ref`, unit: "Mrows/s", work: refN / 1e6, meta: { ...meta, ids: refN, bits }, fn: ref(() => gatherDequant(t, refIds, out)) });
  }
  for (const rounding of ["sr", "dr"] as const) {
    cases.push({
      name: `quantize-${rounding}-b4-ref`, unit: "Mrows/s", work: refN / 1e6, meta: { ...meta, ids: refN, bits: 4 },
      fn: ref(() => quantizeRows(src, t4, { ids: refIds, rounding, seed: 1, step: 2, n: refN })),
    });
  }
  cases.push({
    name: "gather-dequant-b4-naive-js", unit: "Mrows/s", work: Mrows, meta: { ...meta, bits: 4 },
    fn: () => naiveGather4(t4.codes.array, t4.delta.array, ids.array, out.array),
  });
  return cases;
}
