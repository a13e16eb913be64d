// A checkpoint's tables in FBGEMM's row-wise n-bit layout, the weights TorchRec's quantized
// EmbeddingBagCollection takes (table_name_to_quantized_weights: {name: (weight, scale_shift)})
// and hands to fbgemm_gpu's IntNBitTableBatchedEmbeddingBagsCodegen (docs/SCALE.md):
//
//   embedding/<field>.weight       U8 [rows_f, dim·B/8]  unsigned B-bit codes q, element j in byte
//                                  ⌊j/(8/B)⌋ at bit (j mod 8/B)·B (low bits first), B = 2, 4 or 8
//   embedding/<field>.scale_shift  U8 [rows_f, 4]        fp16 scale, fp16 bias (little-endian);
//                                  the value is scale·q + bias
//   embedding/<field>.weight       F32 [rows_f, dim]     instead, for fp32 and 16-bit tables (FP32)
//   dense/<param>, buffer/<path>   F32                   as in the export (io/export.ts)
//
// Our codes are signed, value c·Δ: q = c + 2^(B−1), scale = Δ, bias = −2^(B−1)·Δ gives
// scale·q + bias = c·Δ. Δ is rounded to fp16 (as `alpt export --delta-dtype f16`); the bias is then
// exact. At b = B the bytes are ours with the top bit of each field flipped; narrower codes (1, 3,
// 5–7 bits) widen to the next B, and B widens further until dim is a multiple of 8/B (FBGEMM packs
// whole bytes per row): dim 17 (models with a first-order column) is INT8. One table per field:
// rows [fieldOffsets[f], fieldOffsets[f+1]) of ours, named after the FeatureMap's field.
import type { CtrModel } from "../models/base.js";
import { readCode, rowStride } from "../ref/quant/codes.js";
import { concatBytes } from "../util/bytes.js";
import { featureMapMetadata } from "../data/feature-map-text.js";
import { encodeExport, type ExportInfo } from "./export.js";
import { f16ToF32, f32ToF16 } from "./half.js";
import { decodeSafetensors, encodeSafetensorsParts, type StoredTensor } from "./safetensors.js";

export const FBGEMM_FORMAT = "alpt-fbgemm-rowwise";
export const FBGEMM_VERSION = 1;

/** FBGEMM's SparseType of a table written from `bits`-bit codes of dimension `dim` (32: fp32 rows). */
export function fbgemmSparseType(bits: number, dim: number): { type: "INT2" | "INT4" | "INT8" | "FP32"; bits: number } {
  if (bits > 8) return { type: "FP32", bits: 32 };
  let B = bits <= 2 ? 2 : bits <= 4 ? 4 : 8;
  while (B < 8 && dim % (8 / B) !== 0) B *= 2;
  return { type: `INT${B}` as "INT2" | "INT4" | "INT8", bits: B };
}

/**
 * Rows [r0, r0 + n) of a table of packed signed `bits`-bit codes (our layout, `codes` [rows,
 * rowStride]) with fp16 Δ (`delta16`, bits of f16) as FBGEMM B-bit rows: weight [n, dim·B/8] and
 * scale_shift [n, 4].
 */
export function toFbgemmRows(codes: Uint8Array, delta16: Uint16Array, r0: number, n: number, dim: number, bits: number, B: number): { weight: Uint8Array; scaleShift: Uint8Array } {
  if (![2, 4, 8].includes(B) || bits > B || dim % (8 / B) !== 0) throw new RangeError(`toFbgemmRows: ${bits}-bit codes of dim ${dim} cannot be written as INT${B}`);
  const stride = rowStride(dim, bits), out = (dim * B) / 8, perByte = 8 / B, offset = 2 ** (B - 1);
  const weight = new Uint8Array(n * out);
  const scaleShift = new Uint8Array(n * 4);
  const ss = new DataView(scaleShift.buffer);
  // at b = B the rows are the same bytes with each field's sign bit flipped: c + 2^(B−1) mod 2^B
  const flip = B === 8 ? 0x80 : B === 4 ? 0x88 : 0xaa;
  for (let k = 0; k < n; k++) {
    const src = (r0 + k) * stride, dst = k * out;
    if (bits === B) for (let i = 0; i < out; i++) weight[dst + i] = codes[src + i]! ^ flip;
    else {
      for (let j = 0; j < dim; j++) {
        const q = readCode(codes, src, j, bits) + offset;
        const at = dst + Math.floor(j / perByte);
        weight[at] = weight[at]! | (q << ((j % perByte) * B));
      }
    }
    const h = delta16[r0 + k]!;
    ss.setUint16(k * 4, h, true);
    ss.setUint16(k * 4 + 2, f32ToF16(-offset * f16ToF32(h)), true);
  }
  return { weight, scaleShift };
}

const f32Bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The field names of an export's FeatureMap JSON, else f0, f1, …. */
function tableNames(featureMap: unknown, fields: number): string[] {
  const fs = (featureMap as { fields?: { name?: unknown }[] } | null)?.fields;
  const names = Array.isArray(fs) && fs.length === fields && fs.every((f) => typeof f?.name === "string") ? fs.map((f) => f.name as string) : undefined;
  return names ?? Array.from({ length: fields }, (_, f) => `f${f}`);
}

/** Serializes `model`'s tables in FBGEMM's row-wise layout, one per field, with the dense weights (safetensors parts). */
export function encodeFbgemmRowwiseParts(model: CtrModel, info: ExportInfo): Uint8Array[] {
  const t = model.embedding;
  const { rows, dim, bits, method } = t.options;
  const codesBits = t.packed || method === "qat-lsq" ? bits : 32;
  const sparse = fbgemmSparseType(codesBits, dim);
  // the export's tensors: codes with an F16 Δ for INT tables, else fp32 rows or 16-bit codes + F32 Δ
  const exported = decodeSafetensors(encodeExport(model, info, { deltaDtype: sparse.type === "FP32" ? "F32" : "F16" }), "export");
  const get = (name: string) => exported.tensors.get(name)!.data;
  const tensors = new Map<string, StoredTensor>();
  const names = tableNames(info.featureMap, model.embeddedFields);
  const offsets = [...model.fieldOffsets, rows];
  const tables: { name: string; rows: number; offset: number }[] = [];
  for (let f = 0; f < model.embeddedFields; f++) {
    const r0 = offsets[f]!, n = offsets[f + 1]! - r0, name = names[f]!;
    tables.push({ name, rows: n, offset: r0 });
    if (sparse.type !== "FP32") {
      const d = get("embedding/delta");
      const delta16 = new Uint16Array(d.slice().buffer);
      const { weight, scaleShift } = toFbgemmRows(get("embedding/codes"), delta16, r0, n, dim, codesBits, sparse.bits);
      tensors.set(`embedding/${name}.weight`, { dtype: "U8", shape: [n, (dim * sparse.bits) / 8], data: weight });
      tensors.set(`embedding/${name}.scale_shift`, { dtype: "U8", shape: [n, 4], data: scaleShift });
    } else if (codesBits === 32) {
      const w = get("embedding/weights");
      tensors.set(`embedding/${name}.weight`, { dtype: "F32", shape: [n, dim], data: w.slice(r0 * dim * 4, (r0 + n) * dim * 4) });
    } else {
      // 16-bit codes: c·Δ in f32 (FP16 would round them)
      const codes = get("embedding/codes"), delta = new Float32Array(get("embedding/delta").slice().buffer);
      const w = new Float32Array(n * dim), stride = rowStride(dim, codesBits);
      for (let k = 0; k < n; k++) for (let j = 0; j < dim; j++) w[k * dim + j] = Math.fround(readCode(codes, (r0 + k) * stride, j, codesBits) * delta[r0 + k]!);
      tensors.set(`embedding/${name}.weight`, { dtype: "F32", shape: [n, dim], data: f32Bytes(w) });
    }
  }
  for (const [name, e] of exported.tensors) if (name.startsWith("dense/") || name.startsWith("buffer/")) tensors.set(name, e);
  const metadata: Record<string, string> = {
    format: FBGEMM_FORMAT,
    version: String(FBGEMM_VERSION),
    sparseType: sparse.type,
    qparams: sparse.type === "FP32" ? "none" : "scale_shift = fp16 scale, fp16 bias (little-endian); value = scale * q + bias",
    model: info.model,
    modelOptions: JSON.stringify(info.modelOptions),
    method,
    codeBits: String(codesBits),
    dim: String(dim),
    tables: JSON.stringify(tables),
    ...featureMapMetadata(info.featureMap),
  };
  return encodeSafetensorsParts(tensors, metadata);
}

/** encodeFbgemmRowwiseParts as one buffer. */
export function encodeFbgemmRowwise(model: CtrModel, info: ExportInfo): Uint8Array {
  return concatBytes(encodeFbgemmRowwiseParts(model, info));
}

/** Writes the FBGEMM row-wise file atomically (Node). */
export async function saveFbgemmRowwise(path: string, model: CtrModel, info: ExportInfo): Promise<void> {
  const { writeFileAtomic } = await import("./atomic.js");
  await writeFileAtomic(path, encodeFbgemmRowwiseParts(model, info));
}
