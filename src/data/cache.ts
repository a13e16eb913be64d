// The binary cache of an encoded dataset, so epochs do not re-parse text. All little-endian:
//
//   0        8 B   magic "ALPTDS1\0"
//   8        4 B   u32 H = byte length of the JSON header
//   12       H B   JSON { version, n, fields, fieldNames, featureMapHash, checksum[, split] }
//   idsOff         i32 ids [n, F]     idsOff    = align16(12 + H)
//   labelsOff      f32 labels [n]     labelsOff = align16(idsOff + 4·n·F); a version-1 file ends at labelsOff + 4·n
//
// Version 2 (written only when a dataset has dense inputs or bag fields, so version-1 files stay
// as they were and still read) adds optional sections after the labels, each at the next
// multiple of 16, and header keys `dense` (D), `denseNames`, `bags` { fields Fb, pooling, names, ids }:
//   denseOff       f32 dense [n, D]
//   bagOffsetsOff  i32 offsets [n·Fb + 1]   (bag-fields.ts: offsets[0] = 0, non-decreasing)
//   bagIdsOff      i32 bag ids [offsets[n·Fb]]; the file ends after them
//
// Gaps are zero bytes. checksum = checksumWords (hash.ts) over the ids then the labels words (then,
// in version 2, the dense, bag offsets and bag ids words). The
// header is outside the checksum: decodeCache checks it against what the reader knows (the
// FeatureMap's hash, field names and sizes), and every label (0/1) and id (inside its field).
// Encoding and decoding are runtime-agnostic; cache-file.ts reads and writes files (Node).
import { concatBytes } from "../util/bytes.js";
import { checksumWords } from "./hash.js";
import { createDataset, type EncodedDataset } from "./dataset.js";
import type { BagData, BagPooling } from "./bag-fields.js";

/** A dataset with the optional inputs of config datasets: dense [n, D] and bag fields. */
export type DatasetWithInputs = EncodedDataset & { dense?: Float32Array; denseNames?: readonly string[]; bags?: BagData };

/** The 8 magic bytes "ALPTDS1\0". */
export const CACHE_MAGIC = new Uint8Array([0x41, 0x4c, 0x50, 0x54, 0x44, 0x53, 0x31, 0x00]);
/** The format version written in the header; readers reject other versions. */
export const CACHE_VERSION = 1;
/** The version of caches with dense inputs or bag fields (readers take 1 and 2). */
export const CACHE_VERSION_INPUTS = 2;

/** The JSON header of a cache. */
export interface CacheHeader {
  version: number;
  n: number;
  fields: number;
  fieldNames: string[] | null;
  /** FeatureMap.hash of the map that produced the ids (null if unknown). */
  featureMapHash: string | null;
  checksum: number;
  /** The split the cache holds ("train", "valid", "test"), when written by a prepared folder. */
  split?: string;
  /** Version 2: dense inputs per row D (≥ 1). */
  dense?: number;
  denseNames?: string[];
  /** Version 2: the bag fields and their total number of ids. */
  bags?: { fields: number; pooling: BagPooling[]; names: string[]; ids: number };
}

/** Where the parts of a cache are. */
export interface CacheLayout {
  idsOffset: number;
  labelsOffset: number;
  byteLength: number;
  /** Version 2 sections (equal to byteLength when absent). */
  denseOffset?: number;
  bagOffsetsOffset?: number;
  bagIdsOffset?: number;
}

/** The sizes of the version-2 sections: D dense inputs per row, Fb bag fields, nnz bag ids. */
export interface CacheExtras {
  dense: number;
  bagFields: number;
  bagIds: number;
}

const align16 = (x: number) => Math.ceil(x / 16) * 16;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function requireLittleEndian(): void {
  if (!LITTLE_ENDIAN) throw new Error("dataset cache: big-endian hosts are not supported");
}

/** The layout of a cache whose JSON header is `headerBytes` long. */
export function cacheLayout(headerBytes: number, n: number, fields: number, extras?: CacheExtras): CacheLayout {
  const idsOffset = align16(12 + headerBytes);
  const labelsOffset = align16(idsOffset + 4 * n * fields);
  if (!extras) return { idsOffset, labelsOffset, byteLength: labelsOffset + 4 * n };
  const denseOffset = align16(labelsOffset + 4 * n);
  const bagOffsetsOffset = align16(denseOffset + 4 * n * extras.dense);
  const bagIdsOffset = align16(bagOffsetsOffset + (extras.bagFields > 0 ? 4 * (n * extras.bagFields + 1) : 0));
  return { idsOffset, labelsOffset, denseOffset, bagOffsetsOffset, bagIdsOffset, byteLength: bagIdsOffset + 4 * extras.bagIds };
}

function extrasOf(ds: DatasetWithInputs): CacheExtras | undefined {
  const D = ds.dense ? ds.dense.length / Math.max(ds.n, 1) : 0;
  if (!ds.bags && !ds.dense) return undefined;
  return { dense: ds.dense && ds.n > 0 ? D : (ds.denseNames?.length ?? 0), bagFields: ds.bags?.fields ?? 0, bagIds: ds.bags ? ds.bags.offsets[ds.n * ds.bags.fields]! : 0 };
}

function words(a: Int32Array | Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/** The checksum of a dataset's ids and labels (then its dense inputs and bag fields, when it has them). */
export function datasetChecksum(ds: DatasetWithInputs): number {
  let h = checksumWords(words(ds.labels.subarray(0, ds.n)), checksumWords(words(ds.ids.subarray(0, ds.n * ds.fields))));
  const x = extrasOf(ds);
  if (!x) return h;
  if (ds.dense) h = checksumWords(words(ds.dense.subarray(0, ds.n * x.dense)), h);
  if (ds.bags) h = checksumWords(words(ds.bags.ids.subarray(0, x.bagIds)), checksumWords(words(ds.bags.offsets.subarray(0, ds.n * x.bagFields + 1)), h));
  return h;
}

/**
 * The cache as consecutive byte parts (preamble + header + padding, ids, padding, labels), so a
 * writer can stream them without building one big buffer. The parts view `ds` (no copy).
 */
export function encodeCacheParts(ds: DatasetWithInputs, featureMapHash: string | null = null, split?: string): Uint8Array[] {
  requireLittleEndian();
  const { n, fields: F } = ds;
  if (ds.ids.length < n * F || ds.labels.length < n) throw new RangeError(`encodeCache: arrays shorter than n = ${n}, F = ${F}`);
  const x = extrasOf(ds);
  if (x && ds.dense && ds.dense.length !== n * x.dense) throw new RangeError(`encodeCache: dense has ${ds.dense.length} values, not a multiple of n = ${n}`);
  if (x && ds.bags && ds.bags.offsets.length !== n * x.bagFields + 1) throw new RangeError(`encodeCache: bag offsets have ${ds.bags.offsets.length} entries, expected n·Fb + 1 = ${n * x.bagFields + 1}`);
  const header: CacheHeader = {
    version: x ? CACHE_VERSION_INPUTS : CACHE_VERSION, n, fields: F, fieldNames: ds.fieldNames ? [...ds.fieldNames] : null,
    featureMapHash, checksum: datasetChecksum(ds), ...(split === undefined ? {} : { split }),
  };
  if (x && ds.dense) {
    header.dense = x.dense;
    header.denseNames = ds.denseNames ? [...ds.denseNames] : Array.from({ length: x.dense }, (_, k) => `dense${k}`);
  }
  if (x && ds.bags) header.bags = { fields: x.bagFields, pooling: [...ds.bags.pooling], names: ds.bags.names ? [...ds.bags.names] : Array.from({ length: x.bagFields }, (_, k) => `bag${k}`), ids: x.bagIds };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const L = cacheLayout(json.length, n, F, x);
  const head = new Uint8Array(L.idsOffset);
  head.set(CACHE_MAGIC, 0);
  new DataView(head.buffer).setUint32(8, json.length, true);
  head.set(json, 12);
  const bytesOf = (a: Int32Array | Float32Array, len: number) => new Uint8Array(a.buffer, a.byteOffset, 4 * len);
  const ids = bytesOf(ds.ids, n * F);
  const pad = new Uint8Array(L.labelsOffset - L.idsOffset - 4 * n * F);
  const labels = bytesOf(ds.labels, n);
  if (!x) return [head, ids, pad, labels];
  const parts = [head, ids, pad, labels, new Uint8Array(L.denseOffset! - L.labelsOffset - 4 * n)];
  if (ds.dense) parts.push(bytesOf(ds.dense, n * x.dense));
  parts.push(new Uint8Array(L.bagOffsetsOffset! - L.denseOffset! - 4 * n * x.dense));
  if (ds.bags) {
    parts.push(bytesOf(ds.bags.offsets, n * x.bagFields + 1));
    parts.push(new Uint8Array(L.bagIdsOffset! - L.bagOffsetsOffset! - 4 * (n * x.bagFields + 1)));
    parts.push(bytesOf(ds.bags.ids, x.bagIds));
  }
  return parts;
}

/** The cache as one byte array. */
export function encodeCache(ds: DatasetWithInputs, featureMapHash: string | null = null, split?: string): Uint8Array {
  return concatBytes(encodeCacheParts(ds, featureMapHash, split));
}

/** Options of decodeCache. */
export interface DecodeCacheOptions {
  /** Name in error messages (default "dataset cache"). */
  what?: string;
  /** When given, the cache must have been built with this FeatureMap.hash. */
  featureMapHash?: string;
  /** When given, a header that names its split must name this one (a cache renamed to another split). */
  split?: string;
  /** When given, the header's fieldNames must be these (the checksum does not cover the header). */
  fieldNames?: readonly string[];
  /** When given, the ids of field f must lie in [offset_f, offset_f + size_f) (FeatureMap.fieldSizes). */
  fieldSizes?: readonly number[];
  /** Fewest rows accepted (default 0). */
  minRows?: number;
  /** Labels must be 0 or 1 (default: 0, 1 or NaN, the label of an unlabeled row). */
  requireLabels?: boolean;
  /** When given, the ids of bag field j must lie in [lo, hi) = bagRanges[j] (the FeatureMap's ranges of the bag fields). */
  bagRanges?: readonly (readonly [number, number])[];
  /** When given, the header's bag field names must be these. */
  bagNames?: readonly string[];
  /** When given, the header's dense input names must be these. */
  denseNames?: readonly string[];
  /** Copy the arrays out of `bytes` (default: views when aligned). */
  copy?: boolean;
}

const HEADER_KEYS = ["version", "n", "fields", "fieldNames", "featureMapHash", "checksum", "split"];
const HEADER_KEYS_INPUTS = [...HEADER_KEYS, "dense", "denseNames", "bags"];
const isStrings = (v: unknown, n: number) => Array.isArray(v) && v.length === n && v.every((x) => typeof x === "string");

/** Checks the 12-byte preamble (magic) and returns the byte length of the JSON header. */
export function decodeCachePreamble(bytes: Uint8Array, what = "dataset cache"): number {
  requireLittleEndian();
  if (bytes.length < 12) throw new Error(`${what}: truncated (${bytes.length} bytes, shorter than the 12-byte preamble)`);
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== CACHE_MAGIC[i]) throw new Error(`${what}: not an alpt dataset cache (bad magic bytes; expected "ALPTDS1\\0")`);
  }
  return new DataView(bytes.buffer, bytes.byteOffset, 12).getUint32(8, true);
}

/**
 * Parses and checks the preamble and JSON header of a cache from its first bytes (at least the
 * 12-byte preamble and the header), so a reader can compare the layout with the file's size
 * before reading the rest.
 */
export function decodeCacheHeader(bytes: Uint8Array, what = "dataset cache"): { header: CacheHeader; layout: CacheLayout; headerBytes: number } {
  const H = decodeCachePreamble(bytes, what);
  if (12 + H > bytes.length) throw new Error(`${what}: truncated (header of ${H} bytes, file of ${bytes.length})`);
  let h: CacheHeader;
  try {
    h = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(12, 12 + H))) as CacheHeader;
  } catch {
    // the message of JSON.parse quotes the text: not repeated here
    throw new Error(`${what}: corrupted header (not valid JSON)`);
  }
  if (h?.version !== CACHE_VERSION && h?.version !== CACHE_VERSION_INPUTS) throw new Error(`${what}: version ${JSON.stringify(h?.version)?.slice(0, 40)} is not supported (this build reads ${CACHE_VERSION} and ${CACHE_VERSION_INPUTS})`);
  const ok = Number.isSafeInteger(h.n) && h.n >= 0 && Number.isSafeInteger(h.fields) && h.fields >= 1 && Number.isSafeInteger(h.checksum)
    && (h.fieldNames === null || (Array.isArray(h.fieldNames) && h.fieldNames.length === h.fields && h.fieldNames.every((x) => typeof x === "string")))
    && (h.featureMapHash === null || typeof h.featureMapHash === "string") && (h.split === undefined || typeof h.split === "string");
  if (!ok) throw new Error(`${what}: corrupted header (n, fields, fieldNames, featureMapHash or checksum invalid)`);
  const unknown = Object.keys(h).find((k) => !(h.version === CACHE_VERSION ? HEADER_KEYS : HEADER_KEYS_INPUTS).includes(k));
  if (unknown !== undefined) throw new Error(`${what}: corrupted header (unknown key ${JSON.stringify(unknown.slice(0, 40))})`);
  if (h.version === CACHE_VERSION) return { header: h, layout: cacheLayout(H, h.n, h.fields), headerBytes: H };
  const b = h.bags;
  const okDense = h.dense === undefined ? h.denseNames === undefined : Number.isSafeInteger(h.dense) && h.dense >= 1 && isStrings(h.denseNames, h.dense);
  const okBags = b === undefined || (typeof b === "object" && b !== null && Number.isSafeInteger(b.fields) && b.fields >= 1 && Number.isSafeInteger(b.ids) && b.ids >= 0
    && isStrings(b.names, b.fields) && Array.isArray(b.pooling) && b.pooling.length === b.fields && b.pooling.every((p) => p === "mean" || p === "sum")
    && Object.keys(b).every((k) => ["fields", "pooling", "names", "ids"].includes(k)));
  if (!okDense || !okBags || (h.dense === undefined && b === undefined)) throw new Error(`${what}: corrupted header (dense, denseNames or bags invalid)`);
  return { header: h, layout: cacheLayout(H, h.n, h.fields, { dense: h.dense ?? 0, bagFields: b?.fields ?? 0, bagIds: b?.ids ?? 0 }), headerBytes: H };
}

/** Checks the header against what the reader expects (before the rows are read). */
function checkHeader(h: CacheHeader, what: string, o: DecodeCacheOptions): void {
  if (o.featureMapHash !== undefined && h.featureMapHash !== o.featureMapHash) {
    throw new Error(`${what}: built with FeatureMap ${String(h.featureMapHash).slice(0, 40)}, expected ${o.featureMapHash} (re-encode the data)`);
  }
  if (o.split !== undefined && h.split !== undefined && h.split !== o.split) {
    throw new Error(`${what}: holds the ${JSON.stringify(h.split.slice(0, 20))} split, not "${o.split}" (the folder was modified)`);
  }
  if (o.fieldNames !== undefined) {
    if (h.fields !== o.fieldNames.length) throw new Error(`${what}: ${h.fields} fields, the FeatureMap has ${o.fieldNames.length}`);
    const k = h.fieldNames ? h.fieldNames.findIndex((x, i) => x !== o.fieldNames![i]) : -1;
    if (k >= 0) throw new Error(`${what}: field ${k + 1} is named ${JSON.stringify(h.fieldNames![k]!.slice(0, 40))} in the header, "${o.fieldNames[k]}" in the FeatureMap: the header is corrupted`);
  }
  if (o.fieldSizes !== undefined && h.fields !== o.fieldSizes.length) throw new Error(`${what}: ${h.fields} fields, the FeatureMap has ${o.fieldSizes.length}`);
  const bagNames = h.bags?.names ?? [];
  if (o.bagNames !== undefined && bagNames.join("\u0000") !== o.bagNames.join("\u0000")) throw new Error(`${what}: bag fields ${JSON.stringify(bagNames).slice(0, 200)}, expected ${JSON.stringify(o.bagNames).slice(0, 200)}`);
  const denseNames = h.denseNames ?? [];
  if (o.denseNames !== undefined && denseNames.join("\u0000") !== o.denseNames.join("\u0000")) throw new Error(`${what}: dense inputs ${JSON.stringify(denseNames).slice(0, 200)}, expected ${JSON.stringify(o.denseNames).slice(0, 200)}`);
  const min = o.minRows ?? 0;
  if (h.n < min) throw new Error(`${what}: ${h.n} rows, at least ${min} needed (an empty split cannot be used; prepare the data again)`);
}

/** Checks every label (0/1, or NaN unless requireLabels) and every id against its field's range. */
function checkRows(ds: DatasetWithInputs, what: string, o: DecodeCacheOptions): void {
  const { n, fields: F, ids, labels } = ds;
  if (ds.dense) {
    const D = ds.dense.length / Math.max(n, 1);
    for (let i = 0; i < ds.dense.length; i++) if (!Number.isFinite(ds.dense[i]!)) throw new Error(`${what}: row ${Math.floor(i / D) + 1}, dense input ${(i % D) + 1} is ${ds.dense[i]}, expected a finite number`);
  }
  if (ds.bags) {
    const { offsets, ids: bagIds, fields: Fb } = ds.bags;
    if (offsets[0] !== 0 || offsets[n * Fb] !== bagIds.length) throw new Error(`${what}: bag offsets do not start at 0 and end at the ${bagIds.length} bag ids`);
    for (let k = 0; k < n * Fb; k++) {
      if (offsets[k + 1]! < offsets[k]!) throw new Error(`${what}: row ${Math.floor(k / Fb) + 1}, bag field ${(k % Fb) + 1}: offsets decrease (${offsets[k]} then ${offsets[k + 1]})`);
      const range = o.bagRanges?.[k % Fb];
      if (!range) continue;
      for (let i = offsets[k]!; i < offsets[k + 1]!; i++) {
        const id = bagIds[i]!;
        if (id < range[0] || id >= range[1]) throw new Error(`${what}: row ${Math.floor(k / Fb) + 1}, bag field ${(k % Fb) + 1} has id ${id}, outside the field's ids [${range[0]}, ${range[1]})`);
      }
    }
  }
  for (let r = 0; r < n; r++) {
    const y = labels[r]!;
    if (y === 0 || y === 1 || (!o.requireLabels && Number.isNaN(y))) continue;
    throw new Error(`${what}: row ${r + 1} has label ${Number.isNaN(y) ? "NaN (unlabeled)" : y}, expected 0 or 1`);
  }
  if (!o.fieldSizes) return;
  const lo = new Int32Array(F), hi = new Int32Array(F);
  let off = 0;
  o.fieldSizes.forEach((size, f) => {
    lo[f] = off;
    hi[f] = off + size;
    off += size;
  });
  for (let r = 0, k = 0; r < n; r++) {
    for (let f = 0; f < F; f++, k++) {
      const id = ids[k]!;
      if (id < lo[f]! || id >= hi[f]!) throw new Error(`${what}: row ${r + 1}, field ${f + 1} has id ${id}, outside the field's ids [${lo[f]}, ${hi[f]})`);
    }
  }
}

/**
 * Parses and verifies cache bytes: magic, version, sizes, checksum, and the labels (and, with the
 * options, the FeatureMap hash, field names and id ranges).
 */
export function decodeCache(bytes: Uint8Array, options: DecodeCacheOptions = {}): DatasetWithInputs & { header: CacheHeader } {
  const what = options.what ?? "dataset cache";
  const { header: h, layout: L, headerBytes } = decodeCacheHeader(bytes, what);
  if (bytes.length < L.byteLength) throw new Error(`${what}: truncated (${bytes.length} bytes, expected ${L.byteLength} for n = ${h.n}, F = ${h.fields})`);
  if (bytes.length > L.byteLength) throw new Error(`${what}: ${bytes.length - L.byteLength} unexpected bytes after the labels (expected ${L.byteLength} bytes)`);
  checkHeader(h, what, options);
  // the gaps (after the header, after the ids) are zero bytes: anything else is damage
  const gaps: [number, number][] = [[12 + headerBytes, L.idsOffset], [L.idsOffset + 4 * h.n * h.fields, L.labelsOffset]];
  const D = h.dense ?? 0, Fb = h.bags?.fields ?? 0;
  if (L.denseOffset !== undefined) {
    gaps.push([L.labelsOffset + 4 * h.n, L.denseOffset], [L.denseOffset + 4 * h.n * D, L.bagOffsetsOffset!]);
    gaps.push([L.bagOffsetsOffset! + (Fb ? 4 * (h.n * Fb + 1) : 0), L.bagIdsOffset!]);
  }
  for (const [from, to] of gaps) {
    for (let i = from; i < to; i++) if (bytes[i] !== 0) throw new Error(`${what}: corrupted (byte ${i} of the padding is not zero)`);
  }
  const nIds = h.n * h.fields;
  const aligned = (bytes.byteOffset + L.idsOffset) % 4 === 0;
  const view = !options.copy && aligned;
  const ids = view ? new Int32Array(bytes.buffer, bytes.byteOffset + L.idsOffset, nIds)
    : new Int32Array(bytes.slice(L.idsOffset, L.idsOffset + 4 * nIds).buffer);
  const labels = view ? new Float32Array(bytes.buffer, bytes.byteOffset + L.labelsOffset, h.n)
    : new Float32Array(bytes.slice(L.labelsOffset, L.labelsOffset + 4 * h.n).buffer);
  const ds: DatasetWithInputs = createDataset(ids, labels, h.fields, h.fieldNames ?? undefined);
  const section = <T extends Int32Array | Float32Array>(Type: new (b: ArrayBufferLike, o: number, l: number) => T, at: number, len: number): T =>
    view ? new Type(bytes.buffer, bytes.byteOffset + at, len) : new Type(bytes.slice(at, at + 4 * len).buffer, 0, len);
  if (h.dense !== undefined) {
    ds.dense = section(Float32Array, L.denseOffset!, h.n * D);
    ds.denseNames = h.denseNames!;
  }
  if (h.bags !== undefined) {
    ds.bags = { fields: Fb, pooling: h.bags.pooling, names: h.bags.names, offsets: section(Int32Array, L.bagOffsetsOffset!, h.n * Fb + 1), ids: section(Int32Array, L.bagIdsOffset!, h.bags.ids) };
  }
  const sum = datasetChecksum(ds);
  if (sum !== h.checksum) throw new Error(`${what}: checksum mismatch (stored ${h.checksum}, computed ${sum}): the data is corrupted`);
  checkRows(ds, what, options);
  return { ...ds, header: h };
}
