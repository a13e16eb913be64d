// The two-pass pipeline from a delimited source to an encoded dataset: (count the rows,) fit a
// FeatureMap on the training rows, encode every row. The source is opened once per pass, so
// memory stays bounded by the vocabulary and the encoded arrays, whatever the file size. A source
// without a single usable row is a NoRowsError that says why (no-rows.ts).
import { openDelimited, type DelimitedOptions, type ReaderStats } from "./delimited.js";
import { encodeRows, type EncodedDataset } from "./dataset.js";
import { FeatureMap, type FeatureMapOptions } from "./feature-map.js";
import type { ByteSource } from "./lines.js";
import { NoRowsError, noRowsMessage } from "./no-rows.js";
import { forEachRow } from "./rows.js";

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
}

/** What prepareDataset returns. */
export interface Prepared {
  featureMap: FeatureMap;
  dataset: EncodedDataset;
  /** Reader counts of the encoding pass (rows, skipped, blank lines, first errors). */
  stats: ReaderStats;
}

/** Reads, fits and encodes a delimited source in two or three streaming passes. */
export async function prepareDataset(o: PrepareOptions): Promise<Prepared> {
  const frac = o.fitFraction ?? 1;
  if (!(frac > 0 && frac <= 1)) throw new RangeError(`prepareDataset: fitFraction = ${frac} must be in (0, 1]`);
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
  if (r.fields.length !== featureMap.numFields || r.fields.some((f, i) => f.name !== featureMap.fieldNames[i])) {
    throw new Error(`prepareDataset: the reader's fields (${r.fields.map((f) => f.name).join(",")}) differ from the FeatureMap's (${featureMap.fieldNames.join(",")})`);
  }
  const dataset = await encodeRows(r, featureMap, { expectedRows: n });
  if (dataset.n === 0) throw new NoRowsError(noRowsMessage(r.file, r.stats, r));
  return { featureMap, dataset, stats: r.stats };
}
