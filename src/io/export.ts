// Inference artifacts: what serving needs and nothing else, in a safetensors file
// (DESIGN.md §9, read by serve/predictor.ts). No optimizer state, no Δ optimizer, no step counts.
//
//   embedding/codes    U8 [rows, rowBytes]   packed b-bit codes (lpt, alpt; qat-lsq: its DR codes)
//   embedding/delta    F32 | F16 [rows]      per-row Δ (F16: round to nearest even, kept > 0)
//   embedding/weights  F32 [rows, dim]       fp32 tables instead of the two above
//   dense/<param>      F32                   dense weights, as in checkpoints
//   buffer/<path>      F32                   batch-norm running statistics
//
// __metadata__: format "alpt-export", version, model + options, trained method, storage
// ("codes" | "weights"), bits, rows, dim, fields, deltaDtype, FeatureMap and its hash
// (featureMapHash), data format, checksum. Loading checks all of it against the tensors
// (io/validate.ts, shared with checkpoints).
// A qat-lsq table is served as its forward pass sees it: codes clip(floor(w/Δ + 1/2)) and Δ,
// the exact values of Δ·clip(round(w/Δ)).
import type { CtrModel } from "../models/base.js";
import { allocPackedTable, quantizeRows, rowStride } from "../kernels/quant.js";
import { encodeSafetensorsParts, type StoredTensor } from "./safetensors.js";
import type { CheckpointInfo } from "./checkpoint.js";
import { collectState, entryBytes } from "./state.js";
import { f16ToF32, toF16Array } from "./half.js";
import { concatBytes } from "../util/bytes.js";
import { featureMapMetadata } from "../data/feature-map-text.js";

export const EXPORT_FORMAT = "alpt-export";
export const EXPORT_VERSION = 1;

/** What an export describes besides the tensors: a checkpoint's description without progress. */
export type ExportInfo = Pick<CheckpointInfo, "model" | "modelOptions" | "featureMap" | "dataFormat" | "dataConfig">;

/** Options of an export. */
export interface ExportOptions {
  /** Element type of Δ: "F32" (exact, default) or "F16" (half the bytes, ~3 significant digits). */
  deltaDtype?: "F32" | "F16";
}

const bytesOf = (a: Float32Array | Uint8Array | Uint16Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Δ as F16 bits: round to nearest even, a Δ below the smallest f16 becomes it (Δ stays > 0). */
export function deltaToF16(delta: Float32Array): Uint16Array {
  const h = toF16Array(delta);
  for (let r = 0; r < h.length; r++) {
    if ((h[r] & 0x7fff) === 0) h[r] = 1;
    else if (!(f16ToF32(h[r]) < Infinity)) {
      throw new RangeError(`export: Δ of row ${r} = ${delta[r]} does not fit in F16 (max 65504); export with deltaDtype "F32"`);
    }
  }
  return h;
}

/**
 * Serializes the inference state of `model` into safetensors parts (header, then tensor bytes;
 * fp32 and lpt/alpt tensors are views of the heap: write them before the heap can grow).
 */
export function encodeExportParts(model: CtrModel, info: ExportInfo, options: ExportOptions = {}): Uint8Array[] {
  const deltaDtype = options.deltaDtype ?? "F32";
  if (deltaDtype !== "F32" && deltaDtype !== "F16") throw new RangeError(`export: deltaDtype = ${JSON.stringify(deltaDtype)} (expected "F32" or "F16")`);
  const t = model.embedding;
  const { rows, dim, bits, method } = t.options;
  const tensors = new Map<string, StoredTensor>();
  let storage: "codes" | "weights";
  if (t.packed || method === "qat-lsq") {
    storage = "codes";
    let codes: Uint8Array;
    if (t.packed) codes = new Uint8Array(t.packed.codes.array.buffer, t.packed.codes.ptr, t.packed.codes.length);
    else {
      // qat-lsq: the DR codes of the fp32 master rows, computed in a temporary packed table
      const tmp = allocPackedTable(rows, dim, bits);
      try {
        tmp.delta.array.set(t.delta!.array);
        quantizeRows(t.weights!, tmp, { rounding: "dr" });
        codes = tmp.codes.array.slice();
      } finally {
        tmp.codes.free();
        tmp.delta.free();
      }
    }
    tensors.set("embedding/codes", { dtype: "U8", shape: [rows, rowStride(dim, bits)], data: codes });
    const delta = t.delta!.array;
    tensors.set("embedding/delta", deltaDtype === "F32"
      ? { dtype: "F32", shape: [rows], data: bytesOf(delta) }
      : { dtype: "F16", shape: [rows], data: bytesOf(deltaToF16(delta)) });
  } else {
    storage = "weights";
    tensors.set("embedding/weights", { dtype: "F32", shape: [rows, dim], data: bytesOf(t.weights!.array.subarray(0, rows * dim)) });
  }
  for (const [name, e] of collectState(model).tensors) {
    if (!name.startsWith("dense/") && !name.startsWith("buffer/")) continue;
    tensors.set(name, { dtype: "F32", shape: e.shape, data: entryBytes(e) });
  }
  const metadata: Record<string, string> = {
    format: EXPORT_FORMAT,
    version: String(EXPORT_VERSION),
    model: info.model,
    modelOptions: JSON.stringify(info.modelOptions),
    method,
    storage,
    bits: String(storage === "codes" ? bits : 32),
    rows: String(rows),
    dim: String(dim),
    fields: String(model.embeddedFields),
    denseFeatures: String(model.denseFeatures),
    deltaDtype: storage === "codes" ? deltaDtype : "none",
    ...featureMapMetadata(info.featureMap),
  };
  if (info.dataFormat !== undefined) metadata.dataFormat = info.dataFormat;
  if (info.dataConfig != null) metadata.dataConfig = JSON.stringify(info.dataConfig);
  return encodeSafetensorsParts(tensors, metadata);
}

/** Serializes the inference state of `model` into one safetensors buffer. */
export function encodeExport(model: CtrModel, info: ExportInfo, options: ExportOptions = {}): Uint8Array {
  return concatBytes(encodeExportParts(model, info, options));
}

/** Writes an export atomically (Node). */
export async function saveExport(path: string, model: CtrModel, info: ExportInfo, options: ExportOptions = {}): Promise<void> {
  const { writeFileAtomic } = await import("./atomic.js");
  await writeFileAtomic(path, encodeExportParts(model, info, options));
}
