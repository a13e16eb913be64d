// Out-of-core preparation: a delimited source → a FeatureMap and sharded dataset caches, in memory
// bounded by the vocabulary and one shard, not by the number of rows. Two passes of the byte parser
// (byte-rows.ts in stream mode, one reused block of rows):
// 1. counting: per field a compact dictionary of the distinct values (slots.ts: open addressing
//    over typed arrays, the bytes in an arena, no JS string or object per value) and an Int32Array
//    of counts. The FeatureMap comes from the counts of the training rows through vocabularyOf
//    (feature-map.ts), so its ids are exactly those of prepareDataset (prepare.ts).
//    Cost per distinct value (8-hex-digit Criteo values, measured: docs/SCALE.md): the hash table
//    (16 B an entry at a load of 0.35–0.7), offset (4 B), bytes (8 B) and count (4 B), with the
//    growth slack of their arrays: 55–63 B. The pass also counts the rows (no separate line count),
//    except with a training fraction < 1: the training part floor(n·fractions[0]) must be known while
//    counting, so a newline count (~1 GB/s) comes first; when blank or malformed lines make the
//    row count differ from it, a second counting pass uses the exact training part.
// 2. encoding: the same dictionaries, frozen, and a slot → global id table per field; each row
//    goes to the shard of its split (by line order, splitByOrder), and a shard is written as a
//    cache file (cache.ts header + checksum, atomically) as soon as it holds shardRows rows.
// A split of at most shardRows rows is one shard named <split>.cache (what an unsharded prepare
// writes); a larger one is <split>-00000.cache, <split>-00001.cache, ….
import { rename } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { countLines } from "./byte-lines.js";
import { parseSlots, type SlotRows } from "./byte-rows.js";
import { encodeCacheParts, type DatasetWithInputs } from "./cache.js";
import { createDataset, splitByOrder } from "./dataset.js";
import type { DelimitedOptions, ReaderStats } from "./delimited.js";
import { FeatureMap, MISSING_ID, OOV_ID, RESERVED_IDS, vocabularyOf, type FeatureMapOptions, type FieldInfo, type Token } from "./feature-map.js";
import type { ByteSource } from "./lines.js";
import { NoRowsError, noRowsMessage } from "./no-rows.js";
import { fieldResolver } from "./prepare.js";
import { ByteSlots, NumberSlots } from "./slots.js";

/**
 * Rows per shard unless told: 250 k rows × 39 fields are 40 MB of ids and labels, so streaming
 * training holds the default shuffle buffer (two shards) and a prefetched shard in about 120 MB
 * (DCN alpt-4 over 4 M streamed Criteo rows peaked at 297 MiB, 370 MiB when training still parsed
 * the FeatureMap; 484 MiB with 500 k-row shards).
 */
export const DEFAULT_SHARD_ROWS = 250_000;

/** A shard as written: for the manifest and the progress records. */
export interface WrittenShard {
  split: string;
  /** 0-based shard number within the split. */
  shard: number;
  /** File name inside the folder. */
  file: string;
  rows: number;
  bytes: number;
  /** Milliseconds since prepareShards started. */
  elapsedMs: number;
}

/** A split as written: its shards in row order (none when it has no rows). */
export interface WrittenSplit {
  name: string;
  rows: number;
  shards: { file: string; rows: number }[];
}

/** Options of prepareShards. */
export interface PrepareShardsOptions {
  /** Opens the input again for each pass (e.g. `() => readFileBytes(path)`). */
  open: () => ByteSource;
  reader: DelimitedOptions;
  /** The folder the shards are written to (it must exist). */
  dir: string;
  /** FeatureMap settings; the fields come from the reader. */
  featureMap?: Omit<FeatureMapOptions, "fields" | "fitRows">;
  /** Encode with this map instead of fitting one (e.g. a separate validation file). */
  fittedMap?: FeatureMap;
  /**
   * Fractions of the splits by line order (splitByOrder), default [1]; the FeatureMap is fitted on
   * the first split only.
   */
  fractions?: readonly number[];
  /** The names of the splits (default train, valid, test). */
  splitNames?: readonly string[];
  /** Rows per shard (default DEFAULT_SHARD_ROWS). */
  shardRows?: number;
  /** Rows per parser block (default byte-rows.ts SLOT_BLOCK_ROWS); tests use small ones. */
  blockRows?: number;
  /** Hears of each shard once it is on disk. */
  onShard?: (s: WrittenShard) => void;
  /** Hears of the rows read so far in a pass (after each chunk of lines). */
  onProgress?: (p: { pass: "count" | "encode"; rows: number }) => void;
  /** Hears of the map before the encoding pass (e.g. to write it, then let go of what it holds). */
  onFeatureMap?: (map: FeatureMap) => void | Promise<void>;
}

/** What prepareShards returns. */
export interface ShardedPrepared {
  featureMap: FeatureMap;
  /** Rows of the source. */
  n: number;
  /** Rows the FeatureMap was fitted on (0 with a fitted map). */
  fitRows: number;
  splits: WrittenSplit[];
  /** Reader counts of the first pass (rows, skipped, blank lines, first errors). */
  stats: ReaderStats;
  /** Distinct values counted (all rows, all fields) and the bytes their dictionaries and counts held. */
  distinctValues: number;
  vocabularyBytes: number;
  /** Passes over the source (newline count, counting, recounting, encoding). */
  passes: string[];
}

type Dictionary = ByteSlots | NumberSlots;

/** Reads, fits and encodes a delimited source into shards (see the file header). */
export async function prepareShards(o: PrepareShardsOptions): Promise<ShardedPrepared> {
  const t0 = performance.now();
  const fractions = o.fractions ?? [1];
  const names = o.splitNames ?? ["train", "valid", "test"];
  if (names.length < fractions.length) throw new RangeError(`prepareShards: ${fractions.length} fractions but ${names.length} split names`);
  splitByOrder(0, fractions); // checks them
  const shardRows = o.shardRows ?? DEFAULT_SHARD_ROWS;
  if (!Number.isSafeInteger(shardRows) || shardRows < 1) throw new RangeError(`prepareShards: shardRows = ${shardRows} must be an integer ≥ 1`);
  const passes: string[] = [];
  const quiet: DelimitedOptions = { ...o.reader, onError: undefined };

  // pass 1: the dictionaries, the counts of the training rows and the row count
  const resolver = fieldResolver(o, "prepareShards");
  const resolve = resolver.resolve;
  let dictionaries: Dictionary[] | undefined;
  if (o.fittedMap) dictionaries = dictionariesOf(o.fittedMap);
  let counts: Int32Array[] = [];
  let fitLimit = Infinity;
  const frac = fractions[0]!;
  if (!o.fittedMap && frac < 1) {
    passes.push("newline count");
    const lines = await countLines(o.open());
    if (lines !== undefined) {
      const rows = Math.max(0, lines - (o.reader.header === true ? 1 : 0));
      fitLimit = splitByOrder(rows, fractions)[0]![1];
    }
  }
  const countPass = async (limit: number, reader: DelimitedOptions): Promise<SlotRows> => {
    passes.push(o.fittedMap ? "row count" : "counting");
    counts = [];
    return parseSlots(o.open(), reader, resolve, undefined, {
      dictionaries, blockRows: o.blockRows,
      onRows: (rows) => o.onProgress?.({ pass: "count", rows }),
      onBlock: (slots, _labels, rows, firstRow, dicts) => {
        if (!o.fittedMap && firstRow < limit) countSlots(counts, dicts, slots, Math.min(rows, limit - firstRow));
      },
    });
  };
  const needsCount = !o.fittedMap || fractions.length > 1;
  let n: number, stats: ReaderStats;
  if (needsCount) {
    const p = await countPass(fitLimit, o.reader);
    n = p.n;
    stats = p.stats;
    if (n === 0) throw new NoRowsError(noRowsMessage(p.file, p.stats, p));
    dictionaries = p.dictionaries;
  } else {
    n = -1;
    stats = undefined!;
  }
  const ranges = n >= 0 ? splitByOrder(n, fractions) : [[0, Infinity] as [number, number]];
  const fitRows = o.fittedMap ? 0 : ranges[0]![1];
  if (!o.fittedMap && fitRows !== Math.min(fitLimit, n)) {
    // blank or malformed lines (or an unreadable newline count): count again with the exact part
    const p = await countPass(fitRows, quiet);
    if (p.n !== n) throw changed(p.file, n, p.n);
  }
  const distinctValues = dictionaries!.reduce((s, d) => s + d.size, 0);
  const vocabularyBytes = dictionaries!.reduce((s, d) => s + d.bytes, 0) + counts.reduce((s, c) => s + c.byteLength, 0);

  // the map and the slot → global id tables
  let map: FeatureMap;
  if (o.fittedMap) map = o.fittedMap;
  else {
    const infos = resolver.builder()!.fields;
    const vocabs = infos.map((f, k) => vocabularyOfSlots(f, dictionaries![k]!, counts[k] ?? new Int32Array(0)));
    counts = [];
    map = new FeatureMap(infos, vocabs, fitRows);
  }
  await o.onFeatureMap?.(map);
  const F = map.numFields;
  const tables = idTables(map, dictionaries!, !!o.fittedMap);
  const missingIds = Int32Array.from(map.fieldOffsets, (x) => x + MISSING_ID);
  const oovIds = Int32Array.from(map.fieldOffsets, (x) => x + OOV_ID);
  for (const d of dictionaries!) d.frozen = true;

  // pass 2: encode into shards
  passes.push("encoding");
  const hash = map.hash;
  const written: WrittenSplit[] = [];
  let split = 0;
  let writer: SplitWriter | undefined;
  const startSplit = (k: number): SplitWriter => {
    const [a, b] = ranges[k]!;
    return new SplitWriter(o.dir, names[k]!, F, map.fieldNames, hash, shardRows, Number.isFinite(b) ? b - a : undefined, (s) => o.onShard?.({ ...s, elapsedMs: performance.now() - t0 }));
  };
  const finishSplit = async (): Promise<void> => {
    const w = writer!;
    written.push({ name: w.name, rows: w.rows, shards: await w.finish() });
  };
  writer = startSplit(0);
  const e = await parseSlots(o.open(), needsCount ? quiet : o.reader, resolve, undefined, {
    dictionaries, blockRows: o.blockRows,
    onRows: (rows) => o.onProgress?.({ pass: "encode", rows }),
    onBlock: async (slots, labels, rows, firstRow) => {
      let r = 0;
      while (r < rows) {
        const g = firstRow + r;
        while (g >= ranges[split]![1]) {
          if (split + 1 === ranges.length) throw changed(o.reader.file ?? "<stream>", n, g + 1);
          await finishSplit();
          writer = startSplit(++split);
        }
        const w = writer!;
        let room = w.room();
        if (room === 0) {
          await w.flush();
          room = w.room();
        }
        const take = Math.min(rows - r, room, ranges[split]![1] - g);
        encodeInto(w.ids, w.used * F, slots, r * F, take * F, F, tables, missingIds, oovIds);
        w.labels.set(labels.subarray(r, r + take), w.used);
        w.used += take;
        w.rows += take;
        r += take;
      }
    },
  });
  if (needsCount && e.n !== n) throw changed(e.file, n, e.n);
  if (!needsCount) {
    n = e.n;
    stats = e.stats;
    if (n === 0) throw new NoRowsError(noRowsMessage(e.file, e.stats, e));
  }
  await finishSplit();
  for (let k = split + 1; k < fractions.length; k++) written.push({ name: names[k]!, rows: 0, shards: [] });
  return { featureMap: map, n, fitRows, splits: written, stats, distinctValues, vocabularyBytes, passes };
}

function changed(file: string, before: number, now: number): Error {
  return new Error(`${file}: the file changed while it was prepared (${before.toLocaleString("en")} rows in the first pass, ${now > before ? "at least " : ""}${now.toLocaleString("en")} now)`);
}

/** counts[f][slot] += 1 for the values of rows 0..rows−1 of a block (missing: −1, not counted). */
function countSlots(counts: Int32Array[], dicts: readonly Dictionary[], slots: Int32Array, rows: number): void {
  const F = dicts.length;
  for (let f = 0; f < F; f++) {
    const size = dicts[f]!.size;
    let c = counts[f];
    if (c === undefined || c.length < size) {
      const grown = new Int32Array(Math.max(size, Math.ceil((c?.length ?? 0) * 1.5), 1024));
      if (c) grown.set(c);
      counts[f] = c = grown;
    }
    for (let i = f, end = rows * F; i < end; i += F) {
      const s = slots[i]!;
      if (s >= 0) c[s]!++;
    }
  }
}

/** The vocabulary of a field from its dictionary and counts: vocabularyOf over the tokens seen ≥ minCount times. */
function vocabularyOfSlots(f: FieldInfo, d: Dictionary, counts: Int32Array): Token[] {
  const tokens: Token[] = [], kept: number[] = [];
  for (let k = 0; k < d.size; k++) {
    const c = k < counts.length ? counts[k]! : 0;
    if (c >= f.minCount) {
      tokens.push(d.token(k));
      kept.push(c);
    }
  }
  return vocabularyOf(f, tokens, kept);
}

/** Dictionaries whose slot k is the vocabulary entry k of a fitted map (so local id = RESERVED_IDS + slot). */
function dictionariesOf(map: FeatureMap): Dictionary[] {
  return map.fields.map((f, k) => {
    const v = map.vocabulary(k);
    if (f.type === "categorical") {
      const d = new ByteSlots();
      for (const t of v) d.slotOf(t as string);
      d.frozen = true;
      return d;
    }
    const d = new NumberSlots();
    for (const t of v) d.slot(t as number);
    d.frozen = true;
    return d;
  });
}

/** Per field: slot → global id (OOV for a slot outside the vocabulary). */
function idTables(map: FeatureMap, dicts: readonly Dictionary[], fitted: boolean): Int32Array[] {
  return dicts.map((d, f) => {
    const off = map.fieldOffsets[f]!;
    const t = new Int32Array(d.size).fill(off + OOV_ID);
    if (fitted) {
      // dictionariesOf: slot k = vocabulary entry k
      for (let k = 0; k < map.vocabulary(f).length; k++) t[k] = off + RESERVED_IDS + k;
      return t;
    }
    const v = map.vocabulary(f);
    for (let k = 0; k < v.length; k++) {
      const tok = v[k]!;
      const s = d instanceof ByteSlots ? d.slotOf(tok as string) : d.slot(tok as number);
      t[s] = off + RESERVED_IDS + k;
    }
    return t;
  });
}

/** ids[at..] = the global ids of slots[from, from + count) (count = rows·F), field by field (one table per loop). */
function encodeInto(
  ids: Int32Array, at: number, slots: Int32Array, from: number, count: number, F: number,
  tables: readonly Int32Array[], missing: Int32Array, oov: Int32Array,
): void {
  for (let f = 0; f < F; f++) {
    const t = tables[f]!, size = t.length, miss = missing[f]!, out = oov[f]!;
    for (let i = f; i < count; i += F) {
      const s = slots[from + i]!;
      ids[at + i] = s < 0 ? miss : s < size ? t[s]! : out;
    }
  }
}

/** Shard file name k of a split. */
export function shardFileName(split: string, k: number): string {
  return `${split}-${String(k).padStart(5, "0")}.cache`;
}

/**
 * The shard files of one split: each dataset written is its next shard (cache.ts, atomically).
 * A split known to fit one shard is <split>.cache; a larger one <split>-00000.cache, …; a split of
 * unknown size that ends with one shard is renamed to <split>.cache by finish().
 */
export class SplitShards {
  /** Rows written so far. */
  rows = 0;
  private readonly shards: { file: string; rows: number }[] = [];

  constructor(
    private readonly dir: string, readonly name: string, private readonly hash: string, private readonly shardRows: number,
    private readonly expected: number | undefined, private readonly onShard: (s: Omit<WrittenShard, "elapsedMs">) => void,
  ) {}

  /** Writes `ds` (rows with their inputs) as the next shard. */
  async write(ds: DatasetWithInputs): Promise<void> {
    if (ds.n === 0) return;
    const k = this.shards.length;
    const single = this.expected !== undefined && this.expected <= this.shardRows;
    const file = single ? `${this.name}.cache` : shardFileName(this.name, k);
    const parts = encodeCacheParts(ds, this.hash, this.name);
    await writeFileAtomic(join(this.dir, file), parts);
    const bytes = parts.reduce((s, x) => s + x.length, 0);
    this.shards.push({ file, rows: ds.n });
    this.rows += ds.n;
    this.onShard({ split: this.name, shard: k, file, rows: ds.n, bytes });
  }

  /** The shards written, in row order (a split of unknown size with one shard gets the plain name). */
  async finish(): Promise<{ file: string; rows: number }[]> {
    if (this.expected === undefined && this.shards.length === 1) {
      const plain = `${this.name}.cache`;
      await rename(join(this.dir, this.shards[0]!.file), join(this.dir, plain));
      this.shards[0]!.file = plain;
    }
    return this.shards;
  }
}

/** The rows of one split, buffered up to a shard and written shard by shard (SplitShards). */
class SplitWriter {
  ids = new Int32Array(0);
  labels = new Float32Array(0);
  /** Rows in the buffer. */
  used = 0;
  /** Rows of the split so far. */
  rows = 0;
  private readonly files: SplitShards;

  constructor(
    dir: string, readonly name: string, private readonly F: number, private readonly fieldNames: readonly string[],
    hash: string, private readonly shardRows: number, private readonly expected: number | undefined,
    onShard: (s: Omit<WrittenShard, "elapsedMs">) => void,
  ) {
    this.files = new SplitShards(dir, name, hash, shardRows, expected, onShard);
  }

  /** Rows the buffer can take before a flush (grows it while the split's size is unknown). */
  room(): number {
    if (this.used < this.labels.length) return this.labels.length - this.used;
    const cap = this.labels.length;
    if (cap >= this.shardRows) return 0;
    const want = this.expected !== undefined ? Math.min(this.shardRows, Math.max(1, this.expected - (this.rows - this.used))) : Math.min(this.shardRows, Math.max(65_536, cap * 2));
    if (want <= cap) return 0;
    const ids = new Int32Array(want * this.F), labels = new Float32Array(want);
    ids.set(this.ids.subarray(0, this.used * this.F));
    labels.set(this.labels.subarray(0, this.used));
    this.ids = ids;
    this.labels = labels;
    return want - this.used;
  }

  /** Writes the buffered rows as the next shard. */
  async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.files.write(createDataset(this.ids.subarray(0, this.used * this.F), this.labels.subarray(0, this.used), this.F, this.fieldNames));
    this.used = 0;
    // a known split keeps its buffer for the next shard only if that one is as large
    if (this.expected !== undefined && this.expected - this.rows < this.labels.length) {
      this.ids = new Int32Array(0);
      this.labels = new Float32Array(0);
    }
  }

  /** Writes the last shard; a split of unknown size that fit one shard gets the plain name. */
  async finish(): Promise<{ file: string; rows: number }[]> {
    await this.flush();
    this.ids = new Int32Array(0);
    this.labels = new Float32Array(0);
    return this.files.finish();
  }
}
