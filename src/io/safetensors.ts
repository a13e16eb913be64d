// The safetensors container (the format of Hugging Face's `safetensors` library), so a Python
// user can open our checkpoints:
//
//   ┌ u64 LE: N ┬ N bytes of JSON header (space-padded to 8) ┬ tensor bytes, little-endian ┐
//   header = { "<name>": { "dtype": "F32" | "F16" | "I32" | "U8", "shape": [...],
//                          "data_offsets": [begin, end] },    (relative to the tensor bytes)
//              "__metadata__": { "<key>": "<string>" } }
//
// We add a CRC-32 of the tensor bytes to the metadata; decode verifies it, and every other
// inconsistency (short file, bad JSON, offsets out of range or overlapping, shape × dtype ≠
// length) is an error that says what is wrong.

/** Element types we write. */
export type Dtype = "F32" | "F16" | "I32" | "U8";

const SIZE: Record<Dtype, number> = { F32: 4, F16: 2, I32: 4, U8: 1 };

/** One tensor: raw little-endian bytes and a shape. */
export interface StoredTensor {
  dtype: Dtype;
  shape: number[];
  data: Uint8Array;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE) of bytes. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** Serializes tensors (in the given order) and string metadata into one safetensors file. */
export function encodeSafetensors(tensors: Map<string, StoredTensor>, metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of tensors) {
    const need = t.shape.reduce((a, b) => a * b, 1) * SIZE[t.dtype];
    if (need !== t.data.length) {
      throw new RangeError(`safetensors: tensor "${name}" has ${t.data.length} bytes, shape [${t.shape.join(", ")}] of ${t.dtype} needs ${need}`);
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + need] };
    offset += need;
  }
  const body = new Uint8Array(offset);
  let at = 0;
  for (const t of tensors.values()) {
    body.set(t.data, at);
    at += t.data.length;
  }
  header.__metadata__ = { ...metadata, crc32: String(crc32(body)) };
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(body, 8 + head.length);
  return out;
}

/** Parses and verifies a safetensors file; tensor data are views into `bytes`. */
export function decodeSafetensors(bytes: Uint8Array, what = "checkpoint"): { metadata: Record<string, string>; tensors: Map<string, StoredTensor> } {
  const bad = (msg: string): never => {
    throw new Error(`${what}: not a valid safetensors file: ${msg}`);
  };
  if (bytes.length < 8) bad(`${bytes.length} bytes, shorter than the 8-byte header length`);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n > bytes.length - 8) bad(`the header claims ${n} bytes but only ${bytes.length - 8} follow (truncated?)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch (e) {
    return bad(`the JSON header does not parse (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) bad("the header is not a JSON object");
  const body = bytes.subarray(8 + n);
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const tensors = new Map<string, StoredTensor>();
  const spans: [number, number, string][] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const t = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = t.dtype as Dtype;
    if (!(dtype in SIZE)) bad(`tensor "${name}" has dtype ${String(t.dtype)} (expected F32, F16, I32 or U8)`);
    const shape = t.shape as number[];
    const offs = t.data_offsets as number[];
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) bad(`tensor "${name}" has a bad shape`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(Number.isInteger) || offs[0] < 0 || offs[1] < offs[0]) {
      bad(`tensor "${name}" has bad data_offsets`);
    }
    if (offs[1] > body.length) bad(`tensor "${name}" ends at byte ${offs[1]} of a ${body.length}-byte body (truncated?)`);
    const need = shape.reduce((a, b) => a * b, 1) * SIZE[dtype];
    if (offs[1] - offs[0] !== need) bad(`tensor "${name}" has ${offs[1] - offs[0]} bytes for shape [${shape.join(", ")}] of ${dtype}`);
    spans.push([offs[0], offs[1], name]);
    tensors.set(name, { dtype, shape, data: body.subarray(offs[0], offs[1]) });
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) if (spans[i][0] < spans[i - 1][1]) bad(`tensors "${spans[i - 1][2]}" and "${spans[i][2]}" overlap`);
  if (metadata.crc32 !== undefined && String(crc32(body)) !== metadata.crc32) {
    bad(`the tensor bytes do not match their CRC-32 (stored ${metadata.crc32}, computed ${crc32(body)}): the file is corrupted`);
  }
  return { metadata, tensors };
}
