// The embedding lookup as ONNX operators: ids [B, F] → e [B, F, dim] float, with a low-precision
// table kept low precision in the file (the same bytes as `alpt export`, io/export.ts):
//
//   fp32 rows      Gather(W [rows, dim], ids)
//   8-bit codes    Gather(codes INT8 [rows, dim], ids) → Cast float → Mul Gather(Δ [rows, 1], ids)
//   16-bit codes   the same with INT16 [rows, dim] (the packed bytes are little-endian int16)
//   1, 2, 4 bits   Gather(codes UINT8 [rows, rowBytes], ids) → Cast int32 → Gather(LUT INT8
//                  [256, 8/b]: each byte → its 8/b signed codes) → Reshape [B, F, rowBytes·8/b]
//                  → Slice the first dim → Cast float → Mul Δ
//   3, 5, 6, 7     the same with the byte → 8 bits LUT INT8 [256, 8], the first dim·b bits reshaped
//                  to [B, F, dim, b], Cast, MatMul'd with the two's-complement weights
//                  [1, 2, …, −2^(b−1)]
// The LUTs add at most 2 KB to the file.
//
// Codes are small integers, exact in float; code·Δ is one float multiplication, as
// gatherDequant computes it, so the lookup is bit-exact. An F16 Δ is stored as FLOAT16 and Cast
// (exactly) to float. Only standard operators of the default domain are used (not ONNX Runtime's
// GatherBlockQuantized: a com.microsoft contrib operator that other engines lack, with its own
// block/zero-point conventions and only some bit widths).
import { rowStride } from "../ref/quant/codes.js";
import type { GraphBuilder } from "./graph.js";

/** A table as an export stores it. */
export type TableData =
  | { storage: "weights"; rows: number; dim: number; weights: Float32Array }
  | { storage: "codes"; rows: number; dim: number; bits: number; codes: Uint8Array; delta: { dtype: "F32" | "F16"; bytes: Uint8Array } };

/** byte → the 8/bits signed codes it packs (bits ∈ {1, 2, 4}), element 0 in the low bits. */
function codeLut(bits: number): Int8Array {
  const k = 8 / bits, lut = new Int8Array(256 * k), half = 2 ** (bits - 1), mask = 2 ** bits - 1;
  for (let byte = 0; byte < 256; byte++) {
    for (let j = 0; j < k; j++) {
      const v = (byte >> (j * bits)) & mask;
      lut[byte * k + j] = v >= half ? v - 2 * half : v;
    }
  }
  return lut;
}

/** byte → its 8 bits, bit 0 first. */
function bitLut(): Int8Array {
  const lut = new Int8Array(256 * 8);
  for (let byte = 0; byte < 256; byte++) for (let t = 0; t < 8; t++) lut[byte * 8 + t] = (byte >> t) & 1;
  return lut;
}

/** Adds the lookup of `ids` ([B, F], int32 or int64) in `t` to `g`; returns e [B, F, dim]. */
export function lookup(g: GraphBuilder, ids: string, t: TableData): string {
  const { rows, dim } = t;
  if (t.storage === "weights") return g.op("Gather", [g.f32("embedding.weights", t.weights, [rows, dim]), ids], { axis: 0 }, "embedding");
  const { bits, codes } = t;
  const stride = rowStride(dim, bits);
  if (codes.length !== rows * stride) throw new RangeError(`onnx: codes have ${codes.length} bytes, ${rows} rows of ${dim} ${bits}-bit codes need ${rows * stride}`);
  const f16 = t.delta.dtype === "F16";
  if (t.delta.bytes.length !== rows * (f16 ? 2 : 4)) throw new RangeError(`onnx: Δ has ${t.delta.bytes.length} bytes, expected ${rows} ${t.delta.dtype} values`);
  const delta = g.constant("embedding.delta", f16 ? "float16" : "float", [rows, 1], t.delta.bytes);
  let rowDelta = g.op("Gather", [delta, ids], { axis: 0 }, "row_delta");
  if (f16) rowDelta = g.op("Cast", [rowDelta], { to: 1 }, "row_delta_f32");
  let values: string;
  if (bits === 8 || bits === 16) {
    const dtype = bits === 8 ? "int8" : "int16";
    const table = g.constant("embedding.codes", dtype, [rows, dim], codes);
    values = g.op("Cast", [g.op("Gather", [table, ids], { axis: 0 }, "row_codes")], { to: 1 }, "code_values");
  } else {
    const table = g.constant("embedding.codes", "uint8", [rows, stride], codes);
    const bytes = g.op("Cast", [g.op("Gather", [table, ids], { axis: 0 }, "row_bytes")], { to: 6 }, "row_bytes_i32");
    if (8 % bits === 0) {
      const k = 8 / bits;
      const unpacked = g.op("Gather", [g.constant("unpack.lut", "int8", [256, k], codeLut(bits)), bytes], { axis: 0 }, "unpacked");
      let codesOf = g.op("Reshape", [unpacked, g.i64("unpack.shape", [0, 0, stride * k])], undefined, "row_codes");
      if (stride * k > dim) codesOf = g.op("Slice", [codesOf, g.i64("unpack.start", [0]), g.i64("unpack.end", [dim]), g.i64("unpack.axis", [2])], undefined, "row_codes");
      values = g.op("Cast", [codesOf], { to: 1 }, "code_values");
    } else {
      const bitsOf = g.op("Gather", [g.constant("unpack.bits", "int8", [256, 8], bitLut()), bytes], { axis: 0 }, "row_bits");
      let flat = g.op("Reshape", [bitsOf, g.i64("unpack.shape", [0, 0, stride * 8])], undefined, "row_bits_flat");
      if (stride * 8 > dim * bits) flat = g.op("Slice", [flat, g.i64("unpack.start", [0]), g.i64("unpack.end", [dim * bits]), g.i64("unpack.axis", [2])], undefined, "row_bits_used");
      const perCode = g.op("Cast", [g.op("Reshape", [flat, g.i64("unpack.codes", [0, 0, dim, bits])], undefined, "code_bits")], { to: 1 }, "code_bits_f32");
      const weights = Array.from({ length: bits }, (_, t) => (t === bits - 1 ? -(2 ** t) : 2 ** t));
      const summed = g.op("MatMul", [perCode, g.f32("unpack.weights", weights, [bits, 1])], undefined, "code_sum");
      values = g.op("Reshape", [summed, g.i64("unpack.dims", [0, 0, dim])], undefined, "code_values");
    }
  }
  return g.op("Mul", [values, rowDelta], undefined, "embedding");
}

/**
 * The lookup of a model with bag fields: ids [B, F] and the bags padded to bag_ids [B, Fb, L]
 * with bag_mask float [B, Fb, L] (1 for a value, 0 for padding; a padded id must still be a row
 * of the table, e.g. 0, and L ≥ 1). ONNX has no EmbeddingBag operator, so:
 *
 *   rows   = lookup(Concat(ids, Reshape(bag_ids, [B, Fb·L])))     one Gather of the table
 *   single = rows[:, :F]                                           [B, F, W]
 *   sums   = ReduceSum(Reshape(rows[:, F:], [B, Fb, L, W]) · mask, axis 2)
 *   pooled = sums / (1 + mean_f · (max(Σ mask, 1) − 1))            sum fields ÷ 1, empty bags 0
 *   e      = Concat(single, pooled, axis 1)                         [B, F + Fb, W]
 *
 * The pooled rows equal the bag kernels' up to the order of the additions inside ReduceSum.
 */
export function lookupWithBags(
  g: GraphBuilder, ids: string, bagIds: string, bagMask: string, t: TableData, fields: number, pooling: readonly ("mean" | "sum")[],
): string {
  const Fb = pooling.length, W = t.dim;
  const flatBags = g.op("Reshape", [bagIds, g.i64("bag.flat_shape", [0, -1])], undefined, "bag_ids_flat");
  const rows = lookup(g, g.op("Concat", [ids, flatBags], { axis: 1 }, "all_ids"), t);
  const axis1 = g.i64("bag.axis1", [1]);
  const single = g.op("Slice", [rows, g.i64("bag.single_start", [0]), g.i64("bag.single_end", [fields]), axis1], undefined, "single_rows");
  const bagRows = g.op("Slice", [rows, g.i64("bag.start", [fields]), g.i64("bag.end", [2 ** 53]), axis1], undefined, "bag_rows_flat");
  const rows4 = g.op("Reshape", [bagRows, g.i64("bag.rows_shape", [0, Fb, -1, W])], undefined, "bag_rows");
  const mask4 = g.op("Unsqueeze", [bagMask, g.i64("bag.axis3", [3])], undefined, "bag_mask_4d");
  const axis2 = g.i64("bag.axis2", [2]);
  const sums = g.op("ReduceSum", [g.op("Mul", [rows4, mask4], undefined, "bag_rows_masked"), axis2], { keepdims: 0 }, "bag_sums");
  const count = g.op("ReduceSum", [bagMask, axis2], { keepdims: 1 }, "bag_lengths");
  const one = g.f32("bag.one", [1], [1]);
  const meanFlag = g.f32("bag.mean", pooling.map((p) => (p === "mean" ? 1 : 0)), [1, Fb, 1]);
  const denom = g.op("Add", [one, g.op("Mul", [meanFlag, g.op("Sub", [g.op("Max", [count, one], undefined, "bag_len_min1"), one], undefined, "bag_len_m1")], undefined, "bag_mean_len")], undefined, "bag_divisor");
  const pooled = g.op("Div", [sums, denom], undefined, "bag_pooled");
  return g.op("Concat", [single, pooled], { axis: 1 }, "embedding_pooled");
}
