// The binary cache of an encoded dataset, so epochs do not re-parse text. All little-endian:
//
//   0        8 B   magic "ALPTDS1\0"
//   8        4 B   u32 H = byte length of the JSON header
//   12       H B   JSON { version, n, fields, fieldNames, featureMapHash, checksum }
//   idsOff         i32 ids [n, F]     idsOff    = align16(12 + H)
//   labelsOff      f32 labels [n]     labelsOff = align16(idsOff + 4·n·F); file ends at labelsOff + 4·n
//
// Gaps are zero bytes. checksum = checksumWords (hash.ts) over the ids then the labels words.
// Encoding and decoding are runtime-agnostic; cache-file.ts reads and writes files (Node).
import { concatBytes } from "../util/bytes.js";
import { checksumWords } from "./hash.js";
import { createDataset, type EncodedDataset } from "./dataset.js";

/** The 8 magic bytes "ALPTDS1\0". */
export const CACHE_MAGIC = new Uint8Array([0x41, 0x4c, 0x50, 0x54, 0x44, 0x53, 0x31, 0x00]);
/** The format version written in the header; readers reject other versions. */
export const CACHE_VERSION = 1;

/** The JSON header of a cache. */
export interface CacheHeader {
  version: number;
  n: number;
  fields: number;
  fieldNames: string[] | null;
  /** FeatureMap.hash of the map that produced the ids (null if unknown). */
  featureMapHash: string | null;
  checksum: number;
}

/** Where the parts of a cache are. */
export interface CacheLayout {
  idsOffset: number;
  labelsOffset: number;
  byteLength: number;
}

const align16 = (x: number) => Math.ceil(x / 16) * 16;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function requireLittleEndian(): void {
  if (!LITTLE_ENDIAN) throw new Error("dataset cache: big-endian hosts are not supported");
}

/** The layout of a cache whose JSON header is `headerBytes` long. */
export function cacheLayout(headerBytes: number, n: number, fields: number): CacheLayout {
  const idsOffset = align16(12 + headerBytes);
  const labelsOffset = align16(idsOffset + 4 * n * fields);
  return { idsOffset, labelsOffset, byteLength: labelsOffset + 4 * n };
}

function words(a: Int32Array | Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/** The checksum of a dataset's ids and labels. */
export function datasetChecksum(ds: EncodedDataset): number {
  return checksumWords(words(ds.labels.subarray(0, ds.n)), checksumWords(words(ds.ids.subarray(0, ds.n * ds.fields))));
}

/**
 * The cache as consecutive byte parts (preamble + header + padding, ids, padding, labels), so a
 * writer can stream them without building one big buffer. The parts view `ds` (no copy).
 */
export function encodeCacheParts(ds: EncodedDataset, featureMapHash: string | null = null): Uint8Array[] {
  requireLittleEndian();
  const { n, fields: F } = ds;
  if (ds.ids.length < n * F || ds.labels.length < n) throw new RangeError(`encodeCache: arrays shorter than n = ${n}, F = ${F}`);
  const header: CacheHeader = {
    version: CACHE_VERSION, n, fields: F, fieldNames: ds.fieldNames ? [...ds.fieldNames] : null,
    featureMapHash, checksum: datasetChecksum(ds),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const L = cacheLayout(json.length, n, F);
  const head = new Uint8Array(L.idsOffset);
  head.set(CACHE_MAGIC, 0);
  new DataView(head.buffer).setUint32(8, json.length, true);
  head.set(json, 12);
  const ids = new Uint8Array(ds.ids.buffer, ds.ids.byteOffset, 4 * n * F);
  const pad = new Uint8Array(L.labelsOffset - L.idsOffset - 4 * n * F);
  const labels = new Uint8Array(ds.labels.buffer, ds.labels.byteOffset, 4 * n);
  return [head, ids, pad, labels];
}

/** The cache as one byte array. */
export function encodeCache(ds: EncodedDataset, featureMapHash: string | null = null): Uint8Array {
  return concatBytes(encodeCacheParts(ds, featureMapHash));
}

/** Options of decodeCache. */
export interface DecodeCacheOptions {
  /** Name in error messages (default "dataset cache"). */
  what?: string;
  /** When given, the cache must have been built with this FeatureMap.hash. */
  featureMapHash?: string;
  /** Copy the arrays out of `bytes` (default: views when aligned). */
  copy?: boolean;
}

/** Parses and verifies cache bytes (magic, version, sizes, checksum). */
export function decodeCache(bytes: Uint8Array, options: DecodeCacheOptions = {}): EncodedDataset & { header: CacheHeader } {
  requireLittleEndian();
  const what = options.what ?? "dataset cache";
  if (bytes.length < 12) throw new Error(`${what}: truncated (${bytes.length} bytes, shorter than the 12-byte preamble)`);
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== CACHE_MAGIC[i]) throw new Error(`${what}: not an alpt dataset cache (bad magic bytes; expected "ALPTDS1\\0")`);
  }
  const H = new DataView(bytes.buffer, bytes.byteOffset, 12).getUint32(8, true);
  if (12 + H > bytes.length) throw new Error(`${what}: truncated (header of ${H} bytes, file of ${bytes.length})`);
  let h: CacheHeader;
  try {
    h = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(12, 12 + H))) as CacheHeader;
  } catch (e) {
    throw new Error(`${what}: corrupted header (${e instanceof Error ? e.message : String(e)})`);
  }
  if (h?.version !== CACHE_VERSION) throw new Error(`${what}: version ${JSON.stringify(h?.version)} is not supported (this build reads ${CACHE_VERSION})`);
  const ok = Number.isInteger(h.n) && h.n >= 0 && Number.isInteger(h.fields) && h.fields >= 1 && Number.isInteger(h.checksum)
    && (h.fieldNames === null || (Array.isArray(h.fieldNames) && h.fieldNames.length === h.fields));
  if (!ok) throw new Error(`${what}: corrupted header (n, fields, fieldNames or checksum invalid)`);
  const L = cacheLayout(H, h.n, h.fields);
  if (bytes.length < L.byteLength) throw new Error(`${what}: truncated (${bytes.length} bytes, expected ${L.byteLength} for n = ${h.n}, F = ${h.fields})`);
  if (bytes.length > L.byteLength) throw new Error(`${what}: ${bytes.length - L.byteLength} unexpected bytes after the labels (expected ${L.byteLength} bytes)`);
  if (options.featureMapHash !== undefined && h.featureMapHash !== options.featureMapHash) {
    throw new Error(`${what}: built with FeatureMap ${String(h.featureMapHash)}, expected ${options.featureMapHash} (re-encode the data)`);
  }
  const nIds = h.n * h.fields;
  const aligned = (bytes.byteOffset + L.idsOffset) % 4 === 0;
  const view = !options.copy && aligned;
  const ids = view ? new Int32Array(bytes.buffer, bytes.byteOffset + L.idsOffset, nIds)
    : new Int32Array(bytes.slice(L.idsOffset, L.idsOffset + 4 * nIds).buffer);
  const labels = view ? new Float32Array(bytes.buffer, bytes.byteOffset + L.labelsOffset, h.n)
    : new Float32Array(bytes.slice(L.labelsOffset, L.labelsOffset + 4 * h.n).buffer);
  const ds = createDataset(ids, labels, h.fields, h.fieldNames ?? undefined);
  const sum = datasetChecksum(ds);
  if (sum !== h.checksum) throw new Error(`${what}: checksum mismatch (stored ${h.checksum}, computed ${sum}): the data is corrupted`);
  return { ...ds, header: h };
}
