// Test helpers: small checkpoints and exports built in code, and edits of their safetensors header
// with the checksum recomputed (what a hostile or careless user can do: the bytes stay "intact").
import { encodeCheckpoint } from "../../src/io/checkpoint.js";
import { encodeExport } from "../../src/io/export.js";
import { crc32 } from "../../src/io/safetensors.js";
import { createModel, type ModelOptions } from "../../src/models/registry.js";
import { Adam } from "../../src/optim/optimizer.js";

/** The JSON header (tensor entries and __metadata__) of a safetensors file. */
export type Header = Record<string, any> & { __metadata__: Record<string, string> };

/** The header and the tensor bytes of a file. */
export function split(bytes: Uint8Array): { header: Header; body: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Header;
  return { header, body: bytes.subarray(8 + n) };
}

/** A file of `header` and `body` with the checksum recomputed as alpt writes it. */
export function seal(header: Header, body: Uint8Array): Uint8Array {
  const placeholder = `"checksum":"crc32:00000000"`;
  let json = JSON.stringify({ ...header, __metadata__: { ...header.__metadata__, checksum: "crc32:00000000" } });
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const crc = crc32(body, crc32(new TextEncoder().encode(json)));
  json = json.replace(placeholder, `"checksum":"crc32:${crc.toString(16).padStart(8, "0")}"`);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(body, 8 + head.length);
  return out;
}

/** `bytes` with its header (and body, a copy) edited by `edit`, checksum recomputed. */
export function edited(bytes: Uint8Array, edit: (h: Header, body: Uint8Array) => void): Uint8Array {
  const { header, body } = split(bytes);
  const copy = body.slice();
  edit(header, copy);
  return seal(header, copy);
}

/** Reads, edits and writes back a JSON-valued metadata entry. */
export function editJson(h: Header, key: string, edit: (v: any) => any): void {
  const v = JSON.parse(h.__metadata__[key]!);
  const r = edit(v);
  h.__metadata__[key] = JSON.stringify(r === undefined ? v : r);
}

/** Writes f32 `value` at element `i` of tensor `name` in `body`. */
export function setF32(h: Header, body: Uint8Array, name: string, i: number, value: number): void {
  const at = h[name].data_offsets[0] + 4 * i;
  new DataView(body.buffer, body.byteOffset).setFloat32(at, value, true);
}

/** A FeatureMap in its JSON form with `sizes[f] - 2` tokens in field f ("f0".."fN"). */
export function featureMapJson(sizes: readonly number[]) {
  return {
    format: "alpt-feature-map", version: 1, fitRowCount: 100,
    fields: sizes.map((n, f) => ({ name: `f${f}`, type: "categorical", transform: "none", minCount: 1, vocab: Array.from({ length: n - 2 }, (_, i) => `t${f}.${i}`) })),
  };
}

export const SIZES = [5, 4, 6];

/** DCN options of the small test model: input 3 fields × 8 = 24, hidden [6, 5], 2 cross layers, alpt 4 bits (rows of 4 bytes). */
export function smallOptions(embedding: ModelOptions["embedding"] = { method: "alpt", bits: 4 }): ModelOptions {
  return { fieldSizes: SIZES, embeddingDim: 8, hiddenUnits: [6, 5], crossLayers: 2, batchNorm: true, seed: 1, embedding: { initStd: 0.05, ...embedding } };
}

/** A checkpoint of the small model (with Adam state and a FeatureMap). */
export function smallCheckpoint(name = "DCN", embedding?: ModelOptions["embedding"]): Uint8Array {
  const mo = smallOptions(embedding);
  const model = createModel(name, mo);
  try {
    const opt = new Adam(model.parameters(), { lr: 1e-2 });
    return encodeCheckpoint(model, { model: name, modelOptions: mo, featureMap: featureMapJson(SIZES), dataFormat: "criteo" }, opt);
  } finally {
    model.dispose();
  }
}

/** An export of the small model. */
export function smallExport(name = "DCN", embedding?: ModelOptions["embedding"], deltaDtype: "F32" | "F16" = "F32"): Uint8Array {
  const mo = smallOptions(embedding);
  const model = createModel(name, mo);
  try {
    return encodeExport(model, { model: name, modelOptions: mo, featureMap: featureMapJson(SIZES), dataFormat: "criteo" }, { deltaDtype });
  } finally {
    model.dispose();
  }
}
