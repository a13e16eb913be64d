// The rows of a delimited source read from bytes into per-field slots (slots.ts), for the fast
// prepare path: a line of the usual shape (no quote, the right column count, labels "0"/"1",
// numeric cells plain integers) is parsed in one pass over its bytes — integers from digits,
// categorical cells hashed from their bytes — with no string per line or cell. Any other line
// goes through the string parser of delimited.ts (compileDelimited), so every row it keeps, every
// error (file:line:column, reason) and every count is the one openDelimited gives. Cell maps and
// derived fields (Avazu `hour`) see the decoded cell, as before; they are taken to be pure
// functions of the cell (the result of a repeated cell is reused).
import { readByteLineBatches, type ByteLineBatch } from "./byte-lines.js";
import { parseNumber } from "./cells.js";
import { CAT, LABEL, NUM, compileDelimited, delimitedSyntax, headerNames, type DelimitedOptions, type ReaderStats } from "./delimited.js";
import { tokenOf, type FieldInfo } from "./feature-map.js";
import type { ByteSource } from "./lines.js";
import type { FieldSpec } from "./schema.js";
import { ByteSlots, NumberSlots, decodeBytes } from "./slots.js";
import { applyTransform } from "./transform.js";

/**
 * Rows as slots, in blocks (no copy as they grow): the first block holds `expectedRows` rows when
 * given, every other block SLOT_BLOCK_ROWS. Row r, field f has the token `dictionaries[f].token(k)`
 * with k the block's element (row in block)·F + f (−1: missing).
 */
export interface SlotRows {
  file: string;
  /** The column names of the file. */
  columns: readonly string[];
  /** The fields, as a reader gives them. */
  fields: readonly FieldSpec[];
  /** The fields as resolved for tokens (transform, fillNa…). */
  infos: readonly FieldInfo[];
  hasLabel: boolean;
  stats: ReaderStats;
  /** Number of rows. */
  n: number;
  /** i32 [rows of the block, F] each (the last one partly used): the slot of each value, −1 when missing. */
  blocks: Int32Array[];
  /** f32 [≥ n]: 0/1, NaN when the file has no labels. */
  labels: Float32Array;
  /** Per field: categorical → ByteSlots, numeric → NumberSlots. */
  dictionaries: (ByteSlots | NumberSlots)[];
}

/** The bytes of the last cell a map saw and the slot it gave (maps are pure). */
class CellCache {
  len = -1;
  readonly bytes = new Uint8Array(32);
  slot = -1;
  hit(b: Uint8Array, s: number, e: number): boolean {
    const len = e - s;
    if (len !== this.len) return false;
    for (let i = 0; i < len; i++) if (this.bytes[i] !== b[s + i]) return false;
    return true;
  }
  set(b: Uint8Array, s: number, e: number, slot: number): void {
    if (e - s > this.bytes.length) {
      this.len = -1;
      return;
    }
    this.bytes.set(b.subarray(s, e));
    this.len = e - s;
    this.slot = slot;
  }
}

const NOT_CACHED = -2;
/** Rows per block of slots (65,536 rows × 39 fields = 10 MB). */
export const SLOT_BLOCK_ROWS = 65_536;
const RAW_CACHE = 4096;

/**
 * Streaming mode of parseSlots (out-of-core prepare): rows are handed over block by block, in
 * one block buffer that is reused, so memory does not grow with the rows; `blocks` and `labels`
 * of the result are then empty.
 */
export interface SlotStream {
  /** Dictionaries of an earlier pass over the same fields (the slots then agree between passes). */
  dictionaries?: (ByteSlots | NumberSlots)[];
  /** Rows per block (default SLOT_BLOCK_ROWS). */
  blockRows?: number;
  /**
   * A full block (and at the end the last, partial one): slots i32 [rows, F] (−1: missing) and
   * labels f32 [rows] of rows firstRow.. firstRow + rows − 1. The arrays are reused: copy what you
   * keep. Awaited before the parse goes on. `dictionaries` are the parse's (given or made).
   */
  onBlock(slots: Int32Array, labels: Float32Array, rows: number, firstRow: number, dictionaries: readonly (ByteSlots | NumberSlots)[]): void | Promise<void>;
  /** The rows parsed so far, after each chunk of lines (for progress; finer than the blocks). */
  onRows?(rows: number): void;
}

/**
 * Reads `source` (delimited text, `options` as for openDelimited) into slots. `resolve` turns the
 * reader's fields into the FieldInfo the tokens follow (a FeatureMapBuilder's or a fitted map's),
 * and may throw (it runs after the header, before the first row). With `expectedRows` (e.g. from
 * countLines) the first block holds that many rows, so that a whole file fits one block. With
 * `stream`, the rows go block by block to stream.onBlock instead (see SlotStream).
 */
export async function parseSlots(
  source: ByteSource, options: DelimitedOptions, resolve: (fields: readonly FieldSpec[]) => readonly FieldInfo[], expectedRows?: number,
  stream?: SlotStream,
): Promise<SlotRows> {
  const syntax = delimitedSyntax(options);
  const { file, delim, quote } = syntax;
  const lines = readByteLineBatches(source, { file, maxLineLength: options.maxLineLength });
  let names: string[] | undefined;
  let first: ByteLineBatch | undefined;
  const h = options.header ?? false;
  if (h === true) {
    const r = await lines.next();
    if (r.done) throw new Error(`${file}: the file is empty, expected a header line`);
    first = r.value;
    names = headerNames(syntax, decodeBytes(first.bytes, first.starts[0]!, first.ends[0]!));
  } else if (Array.isArray(h)) {
    names = h.map((x) => String(x));
  } else if (h !== false) {
    throw new TypeError(`${file}: options.header must be a boolean or an array of column names`);
  }
  const compiled = compileDelimited(options, syntax, names);
  const { cols, derived, fields, labelCol, stats, parseRow } = compiled;
  const infos = resolve(fields);
  const C = cols.length, F = fields.length;

  // per column and per field, in typed arrays for the hot loop
  const D = delim.length === 1 && delim.charCodeAt(0) < 0x80 ? delim.charCodeAt(0) : -1;
  const Q = quote === "" ? -1 : quote.length === 1 && quote.charCodeAt(0) < 0x80 ? quote.charCodeAt(0) : -2;
  const allSlow = D < 0 || D === 10 || D === 13 || Q === -2;
  const kind = new Int8Array(C), fieldOf = new Int32Array(C);
  const mapped = cols.map((c) => (c.kind === CAT || c.kind === NUM) && c.map !== undefined);
  cols.forEach((c, i) => {
    kind[i] = mapped[i] ? -1 : c.kind;
    fieldOf[i] = c.field;
  });
  const caches = cols.map(() => new CellCache());
  const derivedCaches = derived.map(() => new CellCache());
  const dictionaries = stream?.dictionaries ?? infos.map((f) => (f.type === "categorical" ? new ByteSlots() : new NumberSlots()));
  if (dictionaries.length !== F || dictionaries.some((d, f) => (d instanceof ByteSlots) !== (infos[f]!.type === "categorical"))) {
    throw new TypeError(`${file}: parseSlots: stream.dictionaries do not match the fields (${fields.map((x) => x.name).join(",")})`);
  }
  const bytesOf = dictionaries.map((d) => (d instanceof ByteSlots ? d : undefined));
  const numbersOf = dictionaries.map((d) => (d instanceof NumberSlots ? d : undefined));
  const transforms = infos.map((f) => f.transform);
  const boundaries = infos.map((f) => f.boundaries);
  /** The slot of a token (null: missing → −1). */
  const slotOfToken = (f: number, t: string | number | null): number =>
    t === null ? -1 : typeof t === "string" ? bytesOf[f]!.slotOf(t) : numbersOf[f]!.slot(t);
  const missing = new Int32Array(F);
  for (let f = 0; f < F; f++) missing[f] = slotOfToken(f, tokenOf(infos[f]!, null));
  // per numeric field: raw integer v < RAW_CACHE → its slot + 1 (the transform and lookup once per value)
  const rawCache = infos.map((f) => (f.type === "numeric" ? new Int32Array(RAW_CACHE) : new Int32Array(0)));
  const cellStart = new Int32Array(C), cellEnd = new Int32Array(C);

  const blockRows = stream ? Math.max(1, stream.blockRows ?? SLOT_BLOCK_ROWS) : 0;
  let cap = stream ? blockRows : Math.max(1024, expectedRows ?? 0), n = 0;
  let labels = new Float32Array(cap);
  const blocks: Int32Array[] = [];
  let slots = stream ? new Int32Array(blockRows * F) : new Int32Array(0); // the current block
  let at = 0; // where row n starts in it
  let firstRow = 0; // stream: the row number of the block's first row

  /** The slot of a mapped cell's result (a string; null/"" are missing), or NOT_CACHED if malformed. */
  const mappedSlot = (f: number, isNum: boolean, m: string | null | undefined): number => {
    if (m === undefined) return NOT_CACHED;
    if (m === null) return missing[f]!;
    if (!isNum) return m === "" ? missing[f]! : bytesOf[f]!.slotOf(m);
    const v = parseNumber(m);
    if (!Number.isFinite(v)) return NOT_CACHED;
    return numbersOf[f]!.slot(applyTransform(transforms[f]!, v, boundaries[f]));
  };

  /** Parses a line of the usual shape into row n; false sends it to the string parser. */
  const parseFast = (b: Uint8Array, s: number, e: number): boolean => {
    let p = s;
    let label = NaN;
    for (let c = 0; c < C; c++) {
      const cs = p;
      const k = kind[c]!;
      if (k === CAT) {
        while (p < e && b[p] !== D) p++;
        const f = fieldOf[c]!;
        slots[at + f] = p === cs ? missing[f]! : bytesOf[f]!.slot(b, cs, p);
      } else if (k === NUM) {
        const f = fieldOf[c]!;
        let neg = false;
        if (p < e) {
          const x = b[p];
          if (x === 45) {
            neg = true;
            p++;
          } else if (x === 43) p++;
        }
        const ds = p;
        let v = 0;
        while (p < e) {
          const x = b[p]!;
          if (x === D) break;
          const d = x - 48;
          if (d < 0 || d > 9) return false;
          v = v * 10 + d;
          p++;
        }
        const digits = p - ds;
        if (digits === 0) {
          if (p !== cs) return false;
          slots[at + f] = missing[f]!;
        } else {
          if (digits > 15) return false;
          if (!neg && v < RAW_CACHE) {
            const cache = rawCache[f]!;
            let k = cache[v]!;
            if (k === 0) k = cache[v] = numbersOf[f]!.slot(applyTransform(transforms[f]!, v, boundaries[f])) + 1;
            slots[at + f] = k - 1;
          } else slots[at + f] = numbersOf[f]!.slot(applyTransform(transforms[f]!, neg ? -v : v, boundaries[f]));
        }
      } else if (k === LABEL) {
        const x = b[p];
        if ((x === 48 || x === 49) && (p + 1 === e || b[p + 1] === D)) {
          label = x - 48;
          p++;
        } else return false;
      } else {
        while (p < e && b[p] !== D) p++;
        if (k < 0) {
          const f = fieldOf[c]!;
          if (p === cs) slots[at + f] = missing[f]!;
          else {
            const cache = caches[c]!;
            let slot: number;
            if (cache.hit(b, cs, p)) slot = cache.slot;
            else {
              slot = mappedSlot(f, cols[c]!.kind === NUM, cols[c]!.map!(decodeBytes(b, cs, p)));
              if (slot === NOT_CACHED) return false;
              cache.set(b, cs, p, slot);
            }
            slots[at + f] = slot;
          }
        }
      }
      cellStart[c] = cs;
      cellEnd[c] = p;
      if (c < C - 1) {
        if (p >= e) return false; // too few cells
        p++;
      } else if (p !== e) return false; // too many cells
    }
    for (let k = 0; k < derived.length; k++) {
      const d = derived[k]!, f = d.field;
      const cs = cellStart[d.col]!, ce = cellEnd[d.col]!;
      if (cs === ce) {
        slots[at + f] = missing[f]!;
        continue;
      }
      const cache = derivedCaches[k]!;
      let slot: number;
      if (cache.hit(b, cs, ce)) slot = cache.slot;
      else {
        slot = mappedSlot(f, false, d.map(decodeBytes(b, cs, ce)));
        if (slot === NOT_CACHED) return false;
        cache.set(b, cs, ce, slot);
      }
      slots[at + f] = slot;
    }
    labels[stream ? n - firstRow : n] = label;
    return true;
  };

  /** The string path: openDelimited's parseRow, then the tokens of its values. */
  const parseSlow = (b: Uint8Array, s: number, e: number, line: number): boolean => {
    const row = parseRow(decodeBytes(b, s, e), line);
    if (!row) return false;
    for (let f = 0; f < F; f++) slots[at + f] = slotOfToken(f, tokenOf(infos[f]!, row.values[f]));
    labels[stream ? n - firstRow : n] = row.label;
    return true;
  };

  /** Parses lines from..count−1 of a batch; returns the line to go on from (< count: a stream block is full). */
  const parseBatch = (batch: ByteLineBatch, from: number): number => {
    const { bytes: b, starts, ends, count, firstLine } = batch;
    let q = Q >= 0 ? b.indexOf(Q) : -1;
    let rows = 0;
    for (let i = from; i < count; i++) {
      const s = starts[i]!, e = ends[i]!;
      if (s === e) {
        stats.blank++;
        continue;
      }
      if (stream) {
        if (at === slots.length) {
          stats.rows += rows;
          return i;
        }
      } else if (n === cap) {
        cap *= 2;
        const nl = new Float32Array(cap);
        nl.set(labels);
        labels = nl;
      }
      if (!stream && at === slots.length) {
        slots = new Int32Array((blocks.length === 0 && expectedRows ? Math.max(1, expectedRows) : SLOT_BLOCK_ROWS) * F);
        blocks.push(slots);
        at = 0;
      }
      if (q >= 0 && q < s) q = b.indexOf(Q, s);
      const plain = !allSlow && !(q >= 0 && q < e);
      if ((plain && parseFast(b, s, e)) || parseSlow(b, s, e, firstLine + i)) {
        n++;
        at += F;
        rows++;
      }
    }
    stats.rows += rows;
    return count;
  };

  /** Stream: hands the block over and starts the next one. */
  const flush = async (): Promise<void> => {
    const rows = n - firstRow;
    if (labelCol < 0) labels.fill(NaN, 0, rows);
    await stream!.onBlock(slots, labels, rows, firstRow, dictionaries);
    firstRow = n;
    at = 0;
  };
  const parseAll = async (batch: ByteLineBatch, from: number): Promise<void> => {
    for (let i = parseBatch(batch, from); i < batch.count; i = parseBatch(batch, i)) await flush();
  };

  if (first) await parseAll(first, 1);
  for await (const batch of lines) {
    await parseAll(batch, 0);
    stream?.onRows?.(n);
  }
  if (stream) {
    if (n > firstRow) await flush();
    return { file, columns: compiled.specs.map((s) => s.name), fields, infos, hasLabel: labelCol >= 0, stats, n, blocks, labels: new Float32Array(0), dictionaries };
  }
  if (labelCol < 0) labels.fill(NaN, 0, n);
  return { file, columns: compiled.specs.map((s) => s.name), fields, infos, hasLabel: labelCol >= 0, stats, n, blocks, labels, dictionaries };
}
