// The safetensors container (the format of Hugging Face's `safetensors` library), so a Python
// user can open our checkpoints and exports:
//
//   ┌ u64 LE: N ┬ N bytes of JSON header (space-padded to 8) ┬ tensor bytes, little-endian ┐
//   header = { "<name>": { "dtype": "F32" | "F16" | "I32" | "U8", "shape": [...],
//                          "data_offsets": [begin, end] },    (relative to the tensor bytes)
//              "__metadata__": { "<key>": "<string>" } }
//
// Tensors are laid out by element size, largest first (as the Python writer does), so each one
// is aligned to its element size. The tensor bytes are contiguous, without holes (the spec).
// We add `checksum` = "crc32:<8 hex>" to the metadata: the CRC-32 of the header bytes (with
// those 8 digits as "00000000") followed by the tensor bytes, so one flipped byte anywhere is
// caught. Every other inconsistency (short file, bad JSON, offsets out of range, overlapping or
// leaving holes, shape × dtype ≠ length) is an error that says what is wrong.

/** Element types we read and write. */
import { concatBytes } from "../util/bytes.js";
import { FileFormatError } from "./errors.js";
export type Dtype = "F32" | "F16" | "I32" | "U8";

const SIZE: Record<Dtype, number> = { F32: 4, F16: 2, I32: 4, U8: 1 };
const isDtype = (d: unknown): d is Dtype => typeof d === "string" && Object.hasOwn(SIZE, d);

/** Bytes per element of a dtype. */
export const dtypeSize = (d: Dtype): number => SIZE[d];

/** One tensor: raw little-endian bytes and a shape. */
export interface StoredTensor {
  dtype: Dtype;
  shape: number[];
  data: Uint8Array;
}

/** The metadata key of our checksum. */
export const CHECKSUM_KEY = "checksum";
const CHECKSUM_PREFIX = "crc32:";
const PLACEHOLDER = "00000000";

// CRC-32 (IEEE, reflected 0xEDB88320), slicing by 4: four tables, one 32-bit word per step.
const CRC_TABLES = (() => {
  const t = new Uint32Array(4 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 4; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n] >>> 8) ^ t[t[(k - 1) * 256 + n] & 0xff];
  }
  return t;
})();

/** CRC-32 (IEEE) of bytes, continuing from `crc` (the CRC of the bytes before). */
export function crc32(bytes: Uint8Array, crc = 0): number {
  const t = CRC_TABLES;
  let c = ~crc >>> 0;
  let i = 0;
  const n = bytes.length;
  for (; i + 4 <= n; i += 4) {
    c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    c = t[768 + (c & 0xff)] ^ t[512 + ((c >>> 8) & 0xff)] ^ t[256 + ((c >>> 16) & 0xff)] ^ t[c >>> 24];
  }
  for (; i < n; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const hex8 = (x: number): string => x.toString(16).padStart(8, "0");

/**
 * Serializes tensors and string metadata into safetensors parts: the 8-byte length and JSON
 * header, then each tensor's bytes (views of the inputs, not copies), in file order.
 * Write them in order (or concatenate them: encodeSafetensors).
 */
export function encodeSafetensorsParts(tensors: Map<string, StoredTensor>, metadata: Record<string, string>): Uint8Array[] {
  const header: Record<string, unknown> = {};
  // largest element size first (stable): every tensor starts at a multiple of its element size
  const order = [...tensors].sort((a, b) => SIZE[b[1].dtype] - SIZE[a[1].dtype]);
  let offset = 0;
  for (const [name, t] of order) {
    if (name === "__metadata__" || name === "") throw new RangeError(`safetensors: "${name}" is not a valid tensor name`);
    if (!isDtype(t.dtype)) throw new RangeError(`safetensors: tensor "${name}" has dtype ${String(t.dtype)}`);
    if (t.shape.some((d) => !Number.isInteger(d) || d < 0)) throw new RangeError(`safetensors: tensor "${name}" has a bad shape [${t.shape.join(", ")}]`);
    const need = t.shape.reduce((a, b) => a * b, 1) * SIZE[t.dtype];
    if (need !== t.data.length) {
      throw new RangeError(`safetensors: tensor "${name}" has ${t.data.length} bytes, shape [${t.shape.join(", ")}] of ${t.dtype} needs ${need}`);
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + need] };
    offset += need;
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") throw new TypeError(`safetensors: metadata "${k}" must be a string, got ${typeof v}`);
  }
  header.__metadata__ = { ...metadata, [CHECKSUM_KEY]: CHECKSUM_PREFIX + PLACEHOLDER };
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  // JSON.stringify escapes nothing in the ASCII placeholder: find it and patch it after the CRC
  const mark = `"${CHECKSUM_KEY}":"${CHECKSUM_PREFIX}`;
  const at = json.lastIndexOf(mark + PLACEHOLDER) + mark.length;
  let crc = crc32(head);
  for (const [, t] of order) crc = crc32(t.data, crc);
  const digits = hex8(crc);
  // the header is ASCII up to the checksum only if no multi-byte character precedes it
  const byteAt = new TextEncoder().encode(json.slice(0, at)).length;
  for (let k = 0; k < 8; k++) head[byteAt + k] = digits.charCodeAt(k);
  const first = new Uint8Array(8 + head.length);
  new DataView(first.buffer).setBigUint64(0, BigInt(head.length), true);
  first.set(head, 8);
  return [first, ...order.map(([, t]) => t.data)];
}

/** Serializes tensors and string metadata into one safetensors file (see encodeSafetensorsParts). */
export function encodeSafetensors(tensors: Map<string, StoredTensor>, metadata: Record<string, string>): Uint8Array {
  return concatBytes(encodeSafetensorsParts(tensors, metadata));
}

/** Options of decodeSafetensors. */
export interface DecodeOptions {
  /** Name of the input in messages (a path). */
  what?: string;
  /** Reject a file without our checksum (default false: other writers' files have none). */
  requireChecksum?: boolean;
}

/** Parses and verifies a safetensors file; tensor data are views into `bytes`. */
export function decodeSafetensors(bytes: Uint8Array, options: DecodeOptions | string = {}): { metadata: Record<string, string>; tensors: Map<string, StoredTensor> } {
  const { what = "safetensors", requireChecksum = false } = typeof options === "string" ? { what: options } : options;
  const bad = (msg: string): never => {
    throw new FileFormatError(`${what}: not a valid safetensors file: ${msg}`);
  };
  if (!(bytes instanceof Uint8Array)) bad("expected the file's bytes (a Uint8Array)");
  if (bytes.length < 8) bad(`${bytes.length} bytes, shorter than the 8-byte header length`);
  const big = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (big > BigInt(bytes.length - 8)) bad(`the header length says ${big} bytes but only ${bytes.length - 8} follow (truncated?)`);
  const n = Number(big);
  if (n < 2 || bytes[8] !== 0x7b) bad(`the header does not start with "{" (header length ${n})`);
  const headBytes = bytes.subarray(8, 8 + n);
  let text: string;
  let header: unknown;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(headBytes);
    header = JSON.parse(text);
  } catch (e) {
    return bad(`the JSON header does not parse (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) return bad("the header is not a JSON object");
  const entries = header as Record<string, unknown>;
  const body = bytes.subarray(8 + n);
  const rawMeta = entries.__metadata__ ?? {};
  if (typeof rawMeta !== "object" || rawMeta === null || Array.isArray(rawMeta)) return bad("__metadata__ is not an object");
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawMeta)) {
    if (typeof v !== "string") bad(`__metadata__.${k} is not a string`);
    metadata[k] = v as string;
  }
  const tensors = new Map<string, StoredTensor>();
  const spans: [number, number, string][] = [];
  for (const [name, raw] of Object.entries(entries)) {
    if (name === "__metadata__") continue;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return bad(`entry "${name}" is not an object`);
    const t = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    for (const k of Object.keys(t)) if (!["dtype", "shape", "data_offsets"].includes(k)) bad(`tensor "${name}" has an unknown key "${k}"`);
    if (!isDtype(t.dtype)) return bad(`tensor "${name}" has dtype ${JSON.stringify(t.dtype)} (expected F32, F16, I32 or U8)`);
    const dtype = t.dtype;
    const shape = t.shape;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) return bad(`tensor "${name}" has a bad shape ${JSON.stringify(shape)}`);
    const offs = t.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((x) => Number.isSafeInteger(x) && x >= 0) || offs[1] < offs[0]) {
      return bad(`tensor "${name}" has bad data_offsets ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    if (end > body.length) bad(`tensor "${name}" ends at byte ${end} of a ${body.length}-byte body (truncated?)`);
    const need = (shape as number[]).reduce((a, b) => a * b, 1) * SIZE[dtype];
    if (end - begin !== need) bad(`tensor "${name}" has ${end - begin} bytes for shape [${shape.join(", ")}] of ${dtype} (${need} bytes)`);
    spans.push([begin, end, name]);
    tensors.set(name, { dtype, shape: shape as number[], data: body.subarray(begin, end) });
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let covered = 0;
  for (const [begin, end, name] of spans) {
    if (begin < covered) bad(`tensor "${name}" overlaps the one before it`);
    if (begin > covered) bad(`bytes [${covered}, ${begin}) of the body belong to no tensor (before "${name}")`);
    covered = end;
  }
  if (covered !== body.length) bad(`the body has ${body.length} bytes but the tensors cover ${covered} (truncated or padded?)`);
  const sum = metadata[CHECKSUM_KEY];
  if (sum === undefined) {
    if (requireChecksum) bad(`__metadata__ has no "${CHECKSUM_KEY}" (the file was not written by alpt, or its header is damaged)`);
  } else {
    if (!new RegExp(`^${CHECKSUM_PREFIX}[0-9a-f]{8}$`).test(sum)) bad(`__metadata__.${CHECKSUM_KEY} = ${JSON.stringify(sum)} is not "${CHECKSUM_PREFIX}" + 8 hex digits`);
    const mark = `"${CHECKSUM_KEY}":"${sum}"`;
    const at = text!.indexOf(mark);
    if (at < 0 || text!.indexOf(mark, at + 1) >= 0) bad(`the checksum entry is not written as alpt writes it`);
    const byteAt = new TextEncoder().encode(text!.slice(0, at + mark.length - 9)).length;
    const head = headBytes.slice();
    for (let k = 0; k < 8; k++) head[byteAt + k] = 0x30;
    const crc = crc32(body, crc32(head));
    if (hex8(crc) !== sum.slice(CHECKSUM_PREFIX.length)) {
      bad(`the bytes do not match their checksum (stored ${sum.slice(CHECKSUM_PREFIX.length)}, computed ${hex8(crc)}): the file is corrupted`);
    }
  }
  return { metadata, tensors };
}
