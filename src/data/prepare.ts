// The pipeline from a delimited source to an encoded dataset: fit a FeatureMap on the training
// rows, encode every row. Two paths give the same map, dataset, stats and errors:
// - "bytes" (default): a newline count (byte-lines.ts countLines, to size the arrays once), then
//   one pass of the byte parser (byte-rows.ts) into per-field slots; the counts of the training
//   rows' slots make the FeatureMap, and the slots become ids in place;
// - "rows": two or three passes of openDelimited (count the rows,) FeatureMap.fit, encodeRows.
// Memory is bounded by the vocabulary and the encoded arrays. A source without a single usable
// row is a NoRowsError that says why (no-rows.ts).
import { countLines } from "./byte-lines.js";
import { parseSlots } from "./byte-rows.js";
import { openDelimited, type DelimitedOptions, type ReaderStats } from "./delimited.js";
import { createDataset, encodeRows, type EncodedDataset } from "./dataset.js";
import { FeatureMap, FeatureMapBuilder, MISSING_ID, vocabularyOf, type FeatureMapOptions, type FieldInfo, type Token } from "./feature-map.js";
import type { FieldSpec } from "./schema.js";
import type { ByteSource } from "./lines.js";
import { NoRowsError, noRowsMessage } from "./no-rows.js";
import { forEachRow } from "./rows.js";
import { prepareFromConfig, type ConfigPrepareOptions, type PreparedConfig } from "./prepare-config.js";

/** Options of prepareDataset. */
export interface PrepareOptions {
  /** Opens the input again for each pass (e.g. `() => readFileBytes(path)`). */
  open: () => ByteSource;
  reader: DelimitedOptions;
  /** FeatureMap settings; the fields come from the reader. */
  featureMap?: Omit<FeatureMapOptions, "fields" | "fitRows">;
  /** Use this map instead of fitting one (e.g. the map of a trained model, for test data). */
  fittedMap?: FeatureMap;
  /**
   * Fit on the first floor(fitFraction·n) rows only — the training part of an order split such as
   * splitByOrder(n, [0.8, 0.1, 0.1]) — so the vocabulary never sees validation or test rows.
   * Costs one extra counting pass. Default 1 (all rows).
   */
  fitFraction?: number;
  /**
   * "bytes" (default): the one-pass byte parser; "rows": the row-object reader (the reference).
   * Both return the same; `reader.onError` hears of a malformed row when the byte parser meets it
   * (so also when the run fails later), and in the last pass of the row reader.
   */
  parser?: "bytes" | "rows";
}

/** What prepareDataset returns. */
export interface Prepared {
  featureMap: FeatureMap;
  dataset: EncodedDataset;
  /** Reader counts of the encoding pass (rows, skipped, blank lines, first errors). */
  stats: ReaderStats;
}

/** Reads, fits and encodes a delimited source (see the file header for the two parsers). */
export async function prepareDataset(o: PrepareOptions): Promise<Prepared>;
/** Prepares the data a dataset config describes (config.ts; prepareFromConfig in prepare-config.ts). */
export async function prepareDataset(config: Readonly<Record<string, unknown>>, options?: ConfigPrepareOptions): Promise<PreparedConfig>;
export async function prepareDataset(arg: PrepareOptions | Readonly<Record<string, unknown>>, options?: ConfigPrepareOptions): Promise<Prepared | PreparedConfig> {
  if (typeof arg.open !== "function" || !("reader" in arg)) return prepareFromConfig(arg, options);
  const o = arg as PrepareOptions;
  const frac = o.fitFraction ?? 1;
  if (!(frac > 0 && frac <= 1)) throw new RangeError(`prepareDataset: fitFraction = ${frac} must be in (0, 1]`);
  const parser = o.parser ?? "bytes";
  if (parser === "bytes") return prepareFromBytes(o, frac);
  if (parser !== "rows") throw new RangeError(`prepareDataset: parser = ${JSON.stringify(parser)} must be "bytes" or "rows"`);
  // Row errors are reported to onError in the last pass only, so each is reported once.
  const quiet: DelimitedOptions = { ...o.reader, onError: undefined };
  let featureMap = o.fittedMap;
  let n: number | undefined;
  if (!featureMap) {
    let fitRows: number | undefined;
    if (frac < 1) {
      const counting = await openDelimited(o.open(), quiet);
      n = await forEachRow(counting, () => undefined);
      if (n === 0) throw new NoRowsError(noRowsMessage(counting.file, counting.stats, counting));
      fitRows = Math.floor(n * frac + 1e-6);
    }
    const r = await openDelimited(o.open(), quiet);
    featureMap = await FeatureMap.fit(r, { ...o.featureMap, fields: r.fields, fitRows });
    if (n === undefined && r.stats.rows === 0) throw new NoRowsError(noRowsMessage(r.file, r.stats, r));
  }
  const r = await openDelimited(o.open(), o.reader);
  checkFields(r.fields, featureMap);
  const dataset = await encodeRows(r, featureMap, { expectedRows: n });
  if (dataset.n === 0) throw new NoRowsError(noRowsMessage(r.file, r.stats, r));
  return { featureMap, dataset, stats: r.stats };
}

/** Checks that a reader's fields are a FeatureMap's (`what` names the caller). */
export function checkFields(fields: readonly FieldSpec[], map: FeatureMap, what = "prepareDataset"): void {
  if (fields.length !== map.numFields || fields.some((f, i) => f.name !== map.fieldNames[i])) {
    throw new Error(`${what}: the reader's fields (${fields.map((f) => f.name).join(",")}) differ from the FeatureMap's (${map.fieldNames.join(",")})`);
  }
}

/**
 * The byte parser's field resolver: the given map's fields (checked against the reader's), or a
 * new FeatureMapBuilder's for the reader's fields; `builder()` is that builder once resolved.
 */
export function fieldResolver(o: Pick<PrepareOptions, "fittedMap" | "featureMap">, what?: string): { resolve(fields: readonly FieldSpec[]): readonly FieldInfo[]; builder(): FeatureMapBuilder | undefined } {
  let builder: FeatureMapBuilder | undefined;
  return {
    resolve(fields) {
      if (o.fittedMap) {
        checkFields(fields, o.fittedMap, what);
        return o.fittedMap.fields;
      }
      builder = new FeatureMapBuilder({ ...o.featureMap, fields });
      return builder.fields;
    },
    builder: () => builder,
  };
}

/** One pass of the byte parser; the map is fitted on the slot counts of the first rows. */
async function prepareFromBytes(o: PrepareOptions, frac: number): Promise<Prepared> {
  const fields = fieldResolver(o);
  const resolve = fields.resolve;
  // a newline count first (fast, ~1 GB/s) sizes the slots once: the ids are then made in place
  const lines = await countLines(o.open());
  const p = await parseSlots(o.open(), o.reader, resolve, lines);
  const { n, blocks, dictionaries } = p;
  if (n === 0) throw new NoRowsError(noRowsMessage(p.file, p.stats, p));
  const F = p.fields.length;
  const rowsOf = blocks.map((b) => b.length / F);
  const blockOf = new Int32Array(blocks.length + 1); // first row of each block
  for (let k = 0; k < blocks.length; k++) blockOf[k + 1] = blockOf[k]! + rowsOf[k]!;
  // the tokens of the slots, decoded once per distinct value
  const tokens: Token[][] = dictionaries.map((d) => Array.from({ length: d.size }, (_, k) => d.token(k)));
  let map = o.fittedMap;
  if (!map) {
    const fitRows = frac < 1 ? Math.min(n, Math.floor(n * frac + 1e-6)) : n;
    const counts = dictionaries.map((d) => new Int32Array(d.size));
    for (let k = 0; k < blocks.length && blockOf[k]! < fitRows; k++) {
      const block = blocks[k]!, end = Math.min(fitRows - blockOf[k]!, rowsOf[k]!) * F;
      for (let i = 0; i < end; i++) {
        const s = block[i]!;
        if (s >= 0) counts[i % F]![s]!++;
      }
    }
    const infos = fields.builder()!.fields;
    map = new FeatureMap(infos, infos.map((f, k) => vocabularyOf(f, tokens[k]!, counts[k]!)), fitRows);
  }
  const fm = map;
  // slots → global ids, in place; several blocks (the source grew since it was counted, or it
  // could not be counted) are then joined
  const global = tokens.map((t, f) => Int32Array.from(t, (x) => fm.fieldOffsets[f]! + fm.tokenId(f, x)));
  const missing = fm.fieldOffsets.map((o) => o + MISSING_ID);
  for (let k = 0; k < blocks.length; k++) {
    const block = blocks[k]!, end = Math.min(n - blockOf[k]!, rowsOf[k]!) * F;
    for (let i = 0; i < end; i++) {
      const s = block[i]!, f = i % F;
      block[i] = s < 0 ? missing[f]! : global[f]![s]!;
    }
  }
  let ids: Int32Array;
  if (blocks.length === 1) {
    // a little slack (blank or skipped lines) stays as a view; more is copied away
    const b = blocks[0]!;
    ids = b.length - n * F <= b.length / 16 ? b.subarray(0, n * F) : b.slice(0, n * F);
  } else {
    ids = new Int32Array(n * F);
    for (let k = 0; k < blocks.length; k++) ids.set(blocks[k]!.subarray(0, Math.min(n - blockOf[k]!, rowsOf[k]!) * F), blockOf[k]! * F);
  }
  const labels = p.labels.length === n ? p.labels : p.labels.slice(0, n);
  return { featureMap: fm, dataset: createDataset(ids, labels, F, fm.fieldNames), stats: p.stats };
}
