// FeatureMapText: a FeatureMap's JSON text as read from a file, with what training needs of it —
// field names, settings and sizes, offsets, total rows, fingerprint — but not its vocabulary.
// The vocabulary arrays are only counted (one pass over the characters, no token is parsed or
// kept), so a process that works with ids (train, eval --data) holds the text (~1 B per
// character) instead of a parsed map (token → id Maps, several times larger). parse() gives the
// full FeatureMap when raw rows have to be encoded. Checkpoints and exports carry `text` as read:
// for a map written by `alpt prepare` (JSON.stringify(map.toJSON())) it is byte for byte what
// they held when they re-serialised the parsed map, and `hash` (the fingerprint of the text) is
// then FeatureMap.hash.
import { fingerprint } from "./hash.js";
import {
  FEATURE_MAP_FORMAT, FEATURE_MAP_VERSION, FeatureMap, RESERVED_IDS, checkFeatureMapHeader, featureMapHashOf, fieldInfosOf, fieldOffsetsOf, type FieldInfo,
} from "./feature-map.js";
import type { FieldSpec } from "./schema.js";
import { unusedPart } from "./unused-part.js";

const QUOTE = 0x22, BACKSLASH = 0x5c, COLON = 0x3a, COMMA = 0x2c;
const OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d, OPEN_OBJECT = 0x7b, CLOSE_OBJECT = 0x7d;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * `text` with the value of every `"vocab": [...]` replaced by its element count (`"vocab":N`),
 * without parsing the elements: strings are skipped by their quotes and escapes, nesting by its
 * brackets. Anything malformed is left for JSON.parse of the result to report.
 */
export function countVocabularies(text: string): string {
  const parts: string[] = [];
  let from = 0, i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c !== QUOTE) {
      i++;
      continue;
    }
    // a string: find its end
    const start = i++;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (d === BACKSLASH) i += 2;
      else if (d === QUOTE) break;
      else i++;
    }
    i++;
    if (i - start !== 7 || text.slice(start, i) !== '"vocab"') continue;
    // a key "vocab" followed by an array?
    let j = i;
    while (j < n && isSpace(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) !== COLON) continue;
    j++;
    while (j < n && isSpace(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) !== OPEN_ARRAY) continue;
    const open = j++;
    let depth = 1, commas = 0, empty = true;
    while (j < n && depth > 0) {
      const d = text.charCodeAt(j);
      if (d === QUOTE) {
        empty = false;
        j++;
        while (j < n) {
          const e = text.charCodeAt(j);
          if (e === BACKSLASH) j += 2;
          else if (e === QUOTE) break;
          else j++;
        }
      } else if (d === OPEN_ARRAY || d === OPEN_OBJECT) {
        depth++;
        empty = false;
      } else if (d === CLOSE_ARRAY || d === CLOSE_OBJECT) depth--;
      else if (d === COMMA && depth === 1) commas++;
      else if (!isSpace(d)) empty = false;
      j++;
    }
    if (depth > 0) break; // unterminated: JSON.parse reports it
    parts.push(text.slice(from, open), String(empty ? 0 : commas + 1));
    from = i = j;
  }
  parts.push(text.slice(from));
  return parts.join("");
}

/** A FeatureMap as JSON text, summarised without its vocabulary (see the file header). */
export class FeatureMapText {
  /** The JSON text as read (what checkpoints and exports carry). */
  readonly text: string;
  /** The fingerprint of `text`: FeatureMap.hash when the text is the map's JSON.stringify(toJSON()). */
  readonly hash: string;
  readonly fields: readonly FieldInfo[];
  readonly fieldNames: readonly string[];
  /** Rows per field: RESERVED_IDS + vocabulary size. */
  readonly fieldSizes: readonly number[];
  /** First global id of each field. */
  readonly fieldOffsets: readonly number[];
  /** Rows of the embedding table: Σ fieldSizes. */
  readonly totalRows: number;
  readonly fitRowCount: number;

  private constructor(text: string, hash: string, fields: FieldInfo[], sizes: number[], fitRowCount: number) {
    this.text = text;
    this.hash = hash;
    this.fields = fields;
    this.fieldNames = fields.map((f) => f.name);
    this.fieldSizes = sizes;
    const { offsets, total } = fieldOffsetsOf(sizes);
    this.fieldOffsets = offsets;
    this.totalRows = total;
    this.fitRowCount = fitRowCount;
  }

  /** Number of fields F. */
  get numFields(): number {
    return this.fields.length;
  }

  /**
   * Summarises a FeatureMap's JSON text: everything but the tokens is checked as
   * FeatureMap.fromJSON checks it (format, version, fitRowCount, the fields' settings, no unknown
   * key); the vocabularies are only counted. Errors name `where` and the problem. `hash`: the
   * text's fingerprint when the caller has it already (a long text is hashed once).
   */
  static read(text: string, where = "FeatureMap", hash = fingerprint(text)): FeatureMapText {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(countVocabularies(text)) as Record<string, unknown>;
    } catch (e) {
      throw new TypeError(`${where}: not valid JSON (${(e as Error).message})`);
    }
    if (!o || typeof o !== "object" || Array.isArray(o)) throw new TypeError(`${where}: expected an object`);
    checkFeatureMapHeader(o, where);
    const rows = o.fitRowCount;
    const raw = o.fields as (FieldSpec & { vocab?: unknown })[];
    const fields = fieldInfosOf(raw, where);
    const sizes = raw.map((f, i) => {
      if (typeof f.vocab !== "number") throw new TypeError(`${where}: fields[${i}].vocab must be an array`);
      return RESERVED_IDS + f.vocab;
    });
    const extra = unusedPart(o, { format: FEATURE_MAP_FORMAT, version: FEATURE_MAP_VERSION, fitRowCount: rows, fields: fields.map((f, k) => ({ ...f, vocab: raw[k]!.vocab })) }, "");
    if (extra !== undefined) throw new TypeError(`${where}: ${extra} is not part of the FeatureMap it describes (an unknown or renamed key): the map was modified`);
    return new FeatureMapText(text, hash, fields, sizes, rows);
  }

  /** The text of a FeatureMap in its JSON form (as `alpt prepare` writes it). */
  static of(map: FeatureMap): FeatureMapText {
    return FeatureMapText.read(JSON.stringify(map.toJSON()), "FeatureMap", map.hash);
  }

  /** The full FeatureMap (tokens parsed and validated): heavy, for encoding raw rows. */
  parse(): FeatureMap {
    return FeatureMap.fromJSON(this.text);
  }
}

/**
 * The metadata entries of a model file for its FeatureMap (`featureMap`, `featureMapHash`): a
 * FeatureMapText's text and fingerprint as they are, any other value (a FeatureMap's JSON form,
 * null) serialised and hashed as before.
 */
export function featureMapMetadata(featureMap: unknown): { featureMap: string; featureMapHash?: string } {
  if (featureMap instanceof FeatureMapText) return { featureMap: featureMap.text, featureMapHash: featureMap.hash };
  return { featureMap: JSON.stringify(featureMap ?? null), ...(featureMap != null ? { featureMapHash: featureMapHashOf(featureMap) } : {}) };
}
