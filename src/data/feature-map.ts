// FeatureMap: raw values → embedding row ids, fitted on the training rows and saved with the
// model. Per field, local ids are
//
//   0 = missing value · 1 = OOV (unseen or rarer than minCount) · 2.. = vocabulary
//
// with the vocabulary ordered by count desc, then token asc (deterministic; the reserved ids never
// move when the vocabulary grows). Numeric fields become integer tokens through their transform.
// Global id = fieldOffsets[f] + local id; the table has totalRows = Σ fieldSizes rows.
import { unusedPart } from "./unused-part.js";
import { parseNumber } from "./cells.js";
import { fingerprint } from "./hash.js";
import { forEachRow, type RowSource } from "./rows.js";
import { NUMERIC_TRANSFORMS, type EncodingOptions, type FieldSpec, type FieldType, type NumericTransform, type RawValue } from "./schema.js";
import { applyTransform } from "./transform.js";

/** Local id of a missing value in every field. */
export const MISSING_ID = 0;
/** Local id of an out-of-vocabulary value in every field. */
export const OOV_ID = 1;
/** Number of reserved local ids per field. */
export const RESERVED_IDS = 2;
/** The `format` tag of the JSON form. */
export const FEATURE_MAP_FORMAT = "alpt-feature-map";
/** The version of the JSON form; fromJSON rejects other versions. */
export const FEATURE_MAP_VERSION = 1;

/** A vocabulary token: a string (categorical) or an integer/number (numeric, after its transform). */
export type Token = string | number;

/** Options of FeatureMap.fit / FeatureMapBuilder. */
export interface FeatureMapOptions {
  /** The fields, in the order of each row's values (a reader's `fields`). */
  fields: readonly FieldSpec[];
  /** Default minimum count of a token (integer ≥ 1, default 1). */
  minCount?: number;
  /** Per-field overrides by field name (transform, boundaries, minCount, maxSize, fillNa). */
  fieldOptions?: Record<string, EncodingOptions>;
  /** Fit on the first `fitRows` rows only (e.g. the training split by order). */
  fitRows?: number;
}

/** A field of a FeatureMap with its settings resolved. */
export interface FieldInfo {
  name: string;
  type: FieldType;
  transform: NumericTransform;
  boundaries?: number[];
  minCount: number;
  maxSize?: number;
  fillNa?: string | number;
}

/** The JSON form of a FeatureMap (saved inside checkpoints). */
export interface FeatureMapJson {
  format: typeof FEATURE_MAP_FORMAT;
  version: number;
  fitRowCount: number;
  fields: (FieldInfo & { vocab: Token[] })[];
}

const ENCODING_KEYS = new Set(["transform", "boundaries", "minCount", "maxSize", "fillNa"]);
const isInt = (v: unknown, min: number): v is number => typeof v === "number" && Number.isInteger(v) && v >= min;

/** Validates a field and its overrides; errors name the offending key. */
function resolveField(f: FieldSpec, i: number, override: EncodingOptions | undefined, defMin: number, where: string): FieldInfo {
  if (typeof f?.name !== "string" || f.name === "") throw new TypeError(`${where}: fields[${i}].name must be a non-empty string`);
  const at = (k: keyof EncodingOptions) => (override?.[k] !== undefined ? `fieldOptions.${f.name}.${k}` : `fields[${i}].${k}`);
  if (f.type !== "categorical" && f.type !== "numeric") throw new TypeError(`${where}: fields[${i}].type = "${String(f.type)}" (${f.name}) must be "categorical" or "numeric"`);
  const o: EncodingOptions = { ...pick(f), ...override };
  const transform = o.transform ?? "none";
  if (!NUMERIC_TRANSFORMS.includes(transform)) throw new TypeError(`${where}: ${at("transform")} = "${String(transform)}" is not one of ${NUMERIC_TRANSFORMS.join(", ")}`);
  if (f.type === "categorical" && transform !== "none") throw new TypeError(`${where}: ${at("transform")} = "${transform}" applies to numeric fields, ${f.name} is categorical`);
  if (transform === "bucketize") {
    const b = o.boundaries;
    const ok = Array.isArray(b) && b.length > 0 && b.every((x, k) => Number.isFinite(x) && (k === 0 || x > b[k - 1]!));
    if (!ok) throw new TypeError(`${where}: ${at("boundaries")} must be a non-empty, strictly increasing array of finite numbers for bucketize`);
  } else if (o.boundaries !== undefined) {
    throw new TypeError(`${where}: ${at("boundaries")} is given but ${at("transform")} is "${transform}", not "bucketize"`);
  }
  const minCount = o.minCount ?? defMin;
  if (!isInt(minCount, 1)) throw new RangeError(`${where}: ${at("minCount")} = ${String(minCount)} must be an integer ≥ 1`);
  if (o.maxSize !== undefined && !isInt(o.maxSize, 1)) throw new RangeError(`${where}: ${at("maxSize")} = ${String(o.maxSize)} must be an integer ≥ 1`);
  const na = o.fillNa;
  if (na !== undefined && (f.type === "numeric" ? !Number.isFinite(na) : typeof na !== "string")) {
    throw new TypeError(`${where}: ${at("fillNa")} = ${JSON.stringify(na)} must be a ${f.type === "numeric" ? "finite number" : "string"}`);
  }
  const info: FieldInfo = { name: f.name, type: f.type, transform, minCount };
  if (o.boundaries) info.boundaries = [...o.boundaries];
  if (o.maxSize !== undefined) info.maxSize = o.maxSize;
  if (na !== undefined) info.fillNa = na;
  return info;
}

function pick(o: EncodingOptions): EncodingOptions {
  const { transform, boundaries, minCount, maxSize, fillNa } = o;
  const r: EncodingOptions = {};
  if (transform !== undefined) r.transform = transform;
  if (boundaries !== undefined) r.boundaries = boundaries;
  if (minCount !== undefined) r.minCount = minCount;
  if (maxSize !== undefined) r.maxSize = maxSize;
  if (fillNa !== undefined) r.fillNa = fillNa;
  return r;
}

/** The fields of a FeatureMap's JSON form (`fields[].vocab` aside), validated as fromJSON does; errors name `where`. */
export function fieldInfosOf(fields: readonly FieldSpec[], where: string): FieldInfo[] {
  try {
    return resolveOptions({ fields });
  } catch (e) {
    throw new TypeError(`${where}: ${(e as Error).message.replace(/^FeatureMap: /, "")}`);
  }
}

/** First global id of each field and the table's rows, from the rows per field. */
export function fieldOffsetsOf(sizes: readonly number[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (const s of sizes) {
    offsets.push(total);
    total += s;
  }
  return { offsets, total };
}

/** Checks a FeatureMap JSON object's format, version, fitRowCount and that it has fields. */
export function checkFeatureMapHeader<T extends { format?: unknown; version?: unknown; fitRowCount?: unknown; fields?: unknown }>(
  o: T, where: string,
): asserts o is T & { fitRowCount: number; fields: unknown[] } {
  if (o.format !== FEATURE_MAP_FORMAT) throw new TypeError(`${where}: format = ${JSON.stringify(o.format)}, expected "${FEATURE_MAP_FORMAT}"`);
  if (o.version !== FEATURE_MAP_VERSION) throw new TypeError(`${where}: version = ${JSON.stringify(o.version)} is not supported (this build reads ${FEATURE_MAP_VERSION})`);
  if (!isInt(o.fitRowCount, 0)) throw new TypeError(`${where}: fitRowCount must be an integer ≥ 0`);
  if (!Array.isArray(o.fields) || o.fields.length === 0) throw new TypeError(`${where}: fields must be a non-empty array`);
}

function resolveOptions(o: FeatureMapOptions): FieldInfo[] {
  const where = "FeatureMap";
  if (!o || !Array.isArray(o.fields) || o.fields.length === 0) throw new TypeError(`${where}: options.fields must be a non-empty array of { name, type }`);
  for (const k of Object.keys(o)) if (!["fields", "minCount", "fieldOptions", "fitRows"].includes(k)) throw new TypeError(`${where}: unknown option "${k}"`);
  const defMin = o.minCount ?? 1;
  if (!isInt(defMin, 1)) throw new RangeError(`${where}: minCount = ${String(defMin)} must be an integer ≥ 1`);
  if (o.fitRows !== undefined && !isInt(o.fitRows, 0)) throw new RangeError(`${where}: fitRows = ${String(o.fitRows)} must be an integer ≥ 0`);
  const names = new Set(o.fields.map((f) => f?.name));
  if (names.size !== o.fields.length) throw new TypeError(`${where}: two fields have the same name`);
  for (const [name, ov] of Object.entries(o.fieldOptions ?? {})) {
    if (!names.has(name)) throw new TypeError(`${where}: fieldOptions.${name}: there is no field "${name}"`);
    for (const k of Object.keys(ov)) if (!ENCODING_KEYS.has(k)) throw new TypeError(`${where}: fieldOptions.${name}.${k} is not an option (${[...ENCODING_KEYS].join(", ")})`);
  }
  return o.fields.map((f, i) => resolveField(f, i, o.fieldOptions?.[f.name], defMin, where));
}

/** The token of a raw value for field `f` (null = missing); throws on a non-number in a numeric field. */
export function tokenOf(f: FieldInfo, v: RawValue | undefined): Token | null {
  if (v === null || v === undefined || v === "" || (typeof v === "number" && Number.isNaN(v))) {
    if (f.fillNa === undefined) return null;
    v = f.fillNa;
  }
  if (f.type === "categorical") return typeof v === "string" ? v : String(v);
  const x = typeof v === "number" ? v : parseNumber(v);
  if (!Number.isFinite(x)) throw new RangeError(`FeatureMap: field ${f.name}: ${JSON.stringify(v)} is not a finite number`);
  return applyTransform(f.transform, x, f.boundaries);
}

/**
 * The vocabulary of field `f` from distinct `tokens` and their `counts` (same index): the tokens
 * seen at least minCount times, by count desc, then token asc (numbers by value, strings by `<`), the first maxSize.
 * Sorted by count buckets, each bucket by the engine's own sort (strings by UTF-16 code units as
 * `<` compares them, numbers in a Float64Array): many tokens share a count, and a comparator in JS
 * is the slow part of building a large vocabulary.
 */
export function vocabularyOf(f: FieldInfo, tokens: readonly Token[], counts: ArrayLike<number>): Token[] {
  const buckets = new Map<number, Token[]>();
  for (let k = 0; k < tokens.length; k++) {
    const c = counts[k]!;
    if (c < f.minCount) continue;
    const b = buckets.get(c);
    if (b) b.push(tokens[k]!);
    else buckets.set(c, [tokens[k]!]);
  }
  const out: Token[] = [];
  for (const c of [...buckets.keys()].sort((a, b) => b - a)) {
    const b = buckets.get(c)!;
    if (f.type === "numeric") for (const x of Float64Array.from(b as number[]).sort()) out.push(x);
    else for (const x of (b as string[]).sort()) out.push(x);
    if (f.maxSize !== undefined && out.length >= f.maxSize) break;
  }
  if (f.maxSize !== undefined && out.length > f.maxSize) out.length = f.maxSize;
  return out;
}

/** Counts tokens row by row (pass 1), then builds the FeatureMap. */
export class FeatureMapBuilder {
  readonly fields: readonly FieldInfo[];
  // Per field: token → slot, and the count of each slot (one hash lookup per known token).
  private readonly slots: Map<Token, number>[];
  private readonly counts: number[][];
  private rows = 0;

  constructor(options: FeatureMapOptions) {
    this.fields = resolveOptions(options);
    this.slots = this.fields.map(() => new Map());
    this.counts = this.fields.map(() => []);
  }

  /** Counts the values of one row (field order). */
  add(values: readonly RawValue[]): void {
    const F = this.fields.length;
    if (values.length !== F) throw new RangeError(`FeatureMap: a row has ${values.length} values, expected ${F}`);
    for (let f = 0; f < F; f++) {
      const t = tokenOf(this.fields[f]!, values[f]);
      if (t === null) continue;
      const slots = this.slots[f]!, counts = this.counts[f]!;
      const k = slots.get(t);
      if (k === undefined) {
        slots.set(t, counts.length);
        counts.push(1);
      } else counts[k]!++;
    }
    this.rows++;
  }

  /** The FeatureMap of the rows added so far. */
  build(): FeatureMap {
    const vocabs = this.fields.map((f, k) => vocabularyOf(f, [...this.slots[k]!.keys()], this.counts[k]!));
    return new FeatureMap(this.fields, vocabs, this.rows);
  }
}

/** A fitted feature map (immutable). See the file header for the id layout. */
export class FeatureMap {
  readonly fields: readonly FieldInfo[];
  readonly fieldNames: readonly string[];
  /** Rows per field: RESERVED_IDS + vocabulary size. */
  readonly fieldSizes: readonly number[];
  /** First global id of each field. */
  readonly fieldOffsets: readonly number[];
  /** Rows of the embedding table: Σ fieldSizes. */
  readonly totalRows: number;
  /** Number of data rows the map was fitted on. */
  readonly fitRowCount: number;
  private readonly vocabs: readonly (readonly Token[])[];
  /** token → local id per field, built on first use (prepare's sharded path never needs it). */
  private indexCache: Map<Token, number>[] | undefined;
  private cachedHash: string | undefined;

  constructor(fields: readonly FieldInfo[], vocabs: readonly (readonly Token[])[], fitRowCount: number) {
    this.fields = fields;
    this.vocabs = vocabs;
    this.fitRowCount = fitRowCount;
    this.fieldNames = fields.map((f) => f.name);
    this.fieldSizes = vocabs.map((v) => RESERVED_IDS + v.length);
    const { offsets, total } = fieldOffsetsOf(this.fieldSizes);
    this.fieldOffsets = offsets;
    this.totalRows = total;
  }

  private get index(): Map<Token, number>[] {
    return (this.indexCache ??= this.vocabs.map((v) => new Map(v.map((t, i) => [t, RESERVED_IDS + i] as [Token, number]))));
  }

  /** Fits a FeatureMap on `rows` (streamed once; only the first `options.fitRows` if given). */
  static async fit(rows: RowSource, options: FeatureMapOptions): Promise<FeatureMap> {
    const b = new FeatureMapBuilder(options);
    const limit = options.fitRows ?? Infinity;
    if (limit > 0) await forEachRow(rows, (r, i) => (b.add(r.values), i + 1 < limit));
    return b.build();
  }

  /** Number of fields F. */
  get numFields(): number {
    return this.fields.length;
  }

  /** The vocabulary of field `f` in id order (local id = RESERVED_IDS + index). */
  vocabulary(f: number): readonly Token[] {
    return this.vocabs[f]!;
  }

  /** The local id of a raw value in field `f` (MISSING_ID, OOV_ID or a vocabulary id). */
  localId(f: number, value: RawValue | undefined): number {
    const t = tokenOf(this.fields[f]!, value);
    return t === null ? MISSING_ID : this.index[f]!.get(t) ?? OOV_ID;
  }

  /** The local id of a token of field `f` (already transformed): its vocabulary id or OOV_ID. */
  tokenId(f: number, token: Token): number {
    return this.index[f]!.get(token) ?? OOV_ID;
  }

  /** Encodes one row's values (field order) into global ids: out[offset + f], f < F. */
  encode(values: readonly RawValue[], out: Int32Array = new Int32Array(this.fields.length), offset = 0): Int32Array {
    const F = this.fields.length;
    if (values.length !== F) throw new RangeError(`FeatureMap.encode: ${values.length} values, expected ${F} (${this.fieldNames.join(",")})`);
    for (let f = 0; f < F; f++) out[offset + f] = this.fieldOffsets[f]! + this.localId(f, values[f]);
    return out;
  }

  /** Encodes a record keyed by field name (absent keys are missing); unknown keys are an error. */
  encodeRecord(record: Readonly<Record<string, RawValue>>, out?: Int32Array, offset = 0): Int32Array {
    for (const k of Object.keys(record)) if (!this.fieldNames.includes(k)) throw new RangeError(`FeatureMap.encodeRecord: unknown field "${k}"`);
    return this.encode(this.fieldNames.map((n) => record[n] ?? null), out, offset);
  }

  /** The plain-JSON form (FeatureMap.fromJSON reverses it). */
  toJSON(): FeatureMapJson {
    return {
      format: FEATURE_MAP_FORMAT,
      version: FEATURE_MAP_VERSION,
      fitRowCount: this.fitRowCount,
      fields: this.fields.map((f, k) => ({ ...f, vocab: [...this.vocabs[k]!] })),
    };
  }

  /** A 64-bit fingerprint (16 hex digits) of the JSON form; caches record it. */
  get hash(): string {
    return (this.cachedHash ??= fingerprint(JSON.stringify(this.toJSON())));
  }

  /** Rebuilds a FeatureMap from its JSON form (an object or a JSON string), validating it. */
  static fromJSON(json: unknown): FeatureMap {
    const where = "FeatureMap.fromJSON";
    const o = (typeof json === "string" ? JSON.parse(json) : json) as Partial<FeatureMapJson> | null;
    if (!o || typeof o !== "object") throw new TypeError(`${where}: expected an object`);
    checkFeatureMapHeader(o, where);
    const fields = resolveOptions({ fields: o.fields });
    const vocabs = o.fields.map((f, i) => {
      const v: unknown = f.vocab;
      if (!Array.isArray(v)) throw new TypeError(`${where}: fields[${i}].vocab must be an array`);
      const want = fields[i]!.type === "categorical" ? "string" : "number";
      v.forEach((t, k) => {
        if (typeof t !== want || (want === "number" && !Number.isFinite(t))) throw new TypeError(`${where}: fields[${i}].vocab[${k}] = ${JSON.stringify(t)} is not a ${want}`);
      });
      if (new Set(v).size !== v.length) throw new TypeError(`${where}: fields[${i}].vocab has duplicate tokens`);
      return v as Token[];
    });
    const map = new FeatureMap(fields, vocabs, o.fitRowCount);
    const extra = unusedPart(o, map.toJSON(), "");
    if (extra !== undefined) throw new TypeError(`${where}: ${extra} is not part of the FeatureMap it describes (an unknown or renamed key): the map was modified`);
    return map;
  }
}

const hashes = new WeakMap<object, string>();

/**
 * The FeatureMap.hash of a map in its JSON form (validated by fromJSON): what checkpoints and
 * exports record next to the map, so an edited map (a token moved between fields, a field renamed)
 * is refused on load. Cached per object: a trainer saving the same map every epoch hashes it once.
 */
export function featureMapHashOf(json: unknown): string {
  if (typeof json === "object" && json !== null) {
    let h = hashes.get(json);
    if (h === undefined) hashes.set(json, (h = FeatureMap.fromJSON(json).hash));
    return h;
  }
  return FeatureMap.fromJSON(json).hash;
}
