// prepareDataset(config): a dataset config (config.ts) → the fitted inputs (FeatureMap + dense
// normalisers, encode-row.ts) and the encoded splits with their dense inputs and bag fields.
// Streaming passes over the files (plain or gzip), each row read by the table reader of the
// config's format: (with --split fractions) one pass counts the usable rows; one pass over the
// training rows only fits the vocabularies, bucket boundaries and normalisers; one pass per file
// encodes every row with encodeCells — the function the predictor calls on raw rows. A row with a
// bad cell (label not 0/1, a number that is not one) is reported as file:line:column and skipped
// in every pass alike, so the split counts and the fitted rows agree.
// The fit holds the vocabulary counts, and per numeric feature no values: a normaliser is fitted
// as the values go (DenseFit: the mean and variance updated in row order), a bucketized feature
// keeps a count per distinct value (ValueCounts: its quantiles and bucket counts are those of the
// full list of values, exactly). So memory follows the distinct values, not the rows, except for
// the encoded rows: prepareFromConfig holds them all; prepareConfigShards (prepare-config-shards.ts)
// writes them a shard at a time through encodeRows and a RowSink.
import type { BagData } from "./bag-fields.js";
import type { DatasetWithInputs } from "./cache.js";
import { resolveDatasetConfig, type DatasetConfig, type Normalizer } from "./config.js";
import { createDataset } from "./dataset.js";
import { encodeCells, numberOf, labelOf, preNormalize, rowPlan, sequenceValues, type FittedDense, type FittedInputs, type RowPlan } from "./encode-row.js";
import { FeatureMap, FeatureMapBuilder, vocabularyOf, type FeatureMapJson, type Token } from "./feature-map.js";
import { openTable, type Cell, type TableReader, type TableRow } from "./formats/table.js";
import type { ReaderStats } from "./delimited.js";
import type { ByteSource } from "./lines.js";
import { NoRowsError } from "./no-rows.js";
import type { RowError } from "./schema.js";
import { applyTransform } from "./transform.js";

/** Options of prepareFromConfig. */
export interface ConfigPrepareOptions {
  /** Opens a file named by the config (default: readFileBytes, Node; gzip is detected). */
  open?: (path: string) => ByteSource;
  /** Override of the config's split fractions (by line order of the train file). */
  split?: number[];
  /** Stop at the first malformed row. */
  strict?: boolean;
  onError?: (e: RowError) => void;
  /** Name of the config in messages. */
  where?: string;
}

/** The splits a config prepares. */
export type SplitName = "train" | "valid" | "test";

/** What prepareFromConfig returns. */
export interface PreparedConfig {
  config: DatasetConfig;
  fitted: FittedInputs;
  /** The encoded splits (empty ones included: callers decide). */
  splits: Map<SplitName, DatasetWithInputs>;
  /** Reader counts per file of the encoding pass. */
  stats: Map<string, ReaderStats>;
  /** Rows the FeatureMap and normalisers were fitted on. */
  fitRows: number;
}

/** The JSON stored with the FeatureMap in a prepared folder and in checkpoints: the config and the fitted normalisers. */
export interface DataConfigJson {
  format: "alpt-data-config";
  version: 1;
  config: DatasetConfig;
  dense: FittedDense[];
}

/** The JSON form of a config and its fitted normalisers. */
export function dataConfigToJSON(config: DatasetConfig, fitted: Pick<FittedInputs, "dense">): DataConfigJson {
  return { format: "alpt-data-config", version: 1, config, dense: fitted.dense };
}

/** Reads the JSON form back (validated), with the FeatureMap it goes with; errors name `where`. */
export function dataConfigFromJSON(json: unknown, featureMap: FeatureMap | FeatureMapJson, where = "data config"): { config: DatasetConfig; fitted: FittedInputs } {
  const fm = featureMap instanceof FeatureMap ? featureMap : FeatureMap.fromJSON(featureMap);
  const { config, dense } = checkDataConfig(json, fm.fieldNames, where);
  return { config, fitted: { featureMap: fm, dense } };
}

/** The JSON form read back (validated) against the FeatureMap's field names only (its vocabulary not needed). */
export function checkDataConfig(json: unknown, fieldNames: readonly string[], where = "data config"): { config: DatasetConfig; dense: FittedDense[] } {
  const o = json as Partial<DataConfigJson> | null;
  if (!o || typeof o !== "object" || o.format !== "alpt-data-config") throw new TypeError(`${where}: format must be "alpt-data-config"`);
  if (o.version !== 1) throw new TypeError(`${where}: version ${JSON.stringify(o.version)} is not supported (this build reads 1)`);
  for (const k of Object.keys(o)) if (!["format", "version", "config", "dense"].includes(k)) throw new TypeError(`${where}: unknown key "${k.slice(0, 40)}"`);
  const config = resolveDatasetConfig(o.config, `${where}: config`);
  const plan = rowPlan(config);
  const names = plan.fieldSpecs.map((f) => f.name);
  if (names.join("\u0000") !== fieldNames.join("\u0000")) throw new TypeError(`${where}: the config's fields (${names.join(",")}) differ from the FeatureMap's (${fieldNames.join(",")})`);
  const dense = o.dense;
  const ok = Array.isArray(dense) && dense.length === plan.denseCount && dense.every((d, k) => d && typeof d === "object" && d.name === plan.denseNames[k]
    && ["standard", "minmax", "log1p", "none"].includes(d.normalizer) && [d.fill, d.shift, d.scale].every(Number.isFinite) && d.scale !== 0 && Object.keys(d).length === 5);
  if (!ok) throw new TypeError(`${where}: dense must list the ${plan.denseCount} fitted normalisers { name, normalizer, fill, shift, scale } of ${plan.denseNames.join(",") || "(none)"}`);
  return { config, dense: dense as FittedDense[] };
}

/** A growable typed array. */
class Grow<T extends Int32Array | Float32Array | Float64Array> {
  length = 0;
  constructor(private a: T, private readonly make: (n: number) => T) {}
  reserve(extra: number): T {
    if (this.length + extra > this.a.length) {
      const b = this.make(Math.max(this.a.length * 2, this.length + extra, 16));
      b.set(this.a.subarray(0, this.length));
      this.a = b;
    }
    return this.a;
  }
  push(x: number): void {
    this.reserve(1)[this.length++] = x;
  }
  done(): T {
    return this.a.length === this.length ? this.a : (this.a.slice(0, this.length) as T);
  }
  /** Empties it, letting go of its array. */
  clear(): void {
    this.a = this.make(0);
    this.length = 0;
  }
}

/** The reason a row cannot be used (same check in every pass), or undefined. */
function rowProblem(config: DatasetConfig, plan: RowPlan, cells: readonly Cell[]): { cell: number; reason: string } | undefined {
  if (plan.labeled && labelOf(config, cells[0]!) < 0) {
    const c = cells[0];
    return { cell: 0, reason: c === null ? `label ${String(config.label.col)} is missing` : `label ${String(config.label.col)} = ${JSON.stringify(String(c).slice(0, 40))} is not ${config.label.values ? `one of ${Object.keys(config.label.values).join(", ")}` : config.label.threshold !== undefined ? "a number" : "0/1 (or -1, true, false)"}` };
  }
  for (const e of plan.features) {
    const f = e.feature, cell = cells[e.cell]!;
    if (f.type === "sequence") continue;
    if (cell !== null && typeof cell !== "string") return { cell: e.cell, reason: `${f.name}: a list of values in a ${f.type} feature (make it a sequence feature)` };
    if (f.type === "numeric" && numberOf(cell) === undefined) return { cell: e.cell, reason: `${f.name} = ${JSON.stringify(String(cell).slice(0, 40))} is not a number` };
  }
  return undefined;
}

/** The default file opener (Node). */
async function nodeOpen(): Promise<(path: string) => ByteSource> {
  // through a variable, so bundlers for the web leave the Node-only module out
  const source = "./source.js";
  const { readFileBytes } = (await import(/* @vite-ignore */ source)) as typeof import("./source.js");
  return (path) => readFileBytes(path);
}

/** Column names for a libsvm file without them: the label, then the features' columns in order (FuxiCTR's Frappe lists its fields in file order). */
function defaultColumns(config: DatasetConfig, plan: RowPlan): string[] | undefined {
  if (config.format !== "libsvm" || config.columns) return undefined;
  const refs = plan.want;
  if (!refs.every((c) => typeof c === "string" && !/^\d+$/.test(c))) return undefined;
  return refs as string[];
}

/** Quantile boundaries of `values` for k buckets: distinct values at ranks ⌊j·m/k⌋, j = 1..k−1. */
export function quantileBoundaries(values: Float64Array, k: number): number[] {
  const xs = Float64Array.from(values).sort();
  const m = xs.length;
  if (m === 0) return [0];
  const out: number[] = [];
  for (let j = 1; j < k; j++) {
    const v = xs[Math.min(m - 1, Math.floor((j * m) / k))]!;
    if (out.length === 0 || v > out[out.length - 1]!) out.push(v);
  }
  return out.length ? out : [xs[0]!];
}

/** The values of a numeric feature as a count per distinct value (NaN = missing), in order of first appearance. */
export class ValueCounts {
  readonly counts = new Map<number, number>();
  add(x: number): void {
    this.counts.set(x, (this.counts.get(x) ?? 0) + 1);
  }

  /** quantileBoundaries of the values (NaN left out), from the counts: the same boundaries. */
  quantileBoundaries(k: number): number[] {
    const xs = Float64Array.from([...this.counts.keys()].filter((x) => !Number.isNaN(x))).sort();
    let m = 0;
    for (const x of xs) m += this.counts.get(x)!;
    if (m === 0) return [0];
    const out: number[] = [];
    let at = 0, below = this.counts.get(xs[0]!)!; // xs[at] holds the ranks [below − count, below)
    for (let j = 1; j < k; j++) {
      const rank = Math.min(m - 1, Math.floor((j * m) / k));
      while (rank >= below) below += this.counts.get(xs[++at]!)!;
      const v = xs[at]!;
      if (out.length === 0 || v > out[out.length - 1]!) out.push(v);
    }
    return out.length ? out : [xs[0]!];
  }
}

/** A dense normaliser fitted as the values come (the same arithmetic, in the same order, as over a list of them). */
export class DenseFit {
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private lo = Infinity;
  private hi = -Infinity;
  private rawSum = 0;
  constructor(readonly normalizer: Normalizer) {}

  /** One value of a training row (NaN = missing, not counted). */
  add(x: number): void {
    if (Number.isNaN(x)) return;
    this.rawSum += x;
    const g = preNormalize(this.normalizer, x);
    this.n++;
    const d = g - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (g - this.mean);
    if (g < this.lo) this.lo = g;
    if (g > this.hi) this.hi = g;
  }

  fitted(name: string, fillNa?: number): FittedDense {
    const { n, normalizer, lo, hi } = this;
    const fill = fillNa ?? (n ? this.rawSum / n : 0);
    if (normalizer === "none" || n === 0) return { name, normalizer, fill, shift: 0, scale: 1 };
    if (normalizer === "minmax") return { name, normalizer, fill, shift: lo, scale: hi > lo ? hi - lo : 1 };
    const std = Math.sqrt(this.m2 / n);
    return { name, normalizer, fill, shift: this.mean, scale: std > 0 ? std : 1 };
  }
}

/** Fits a dense normaliser on the values of the training rows (NaN = missing). */
export function fitDense(name: string, normalizer: Normalizer, values: ArrayLike<number>, fillNa?: number): FittedDense {
  const fit = new DenseFit(normalizer);
  for (let i = 0; i < values.length; i++) fit.add(values[i]!);
  return fit.fitted(name, fillNa);
}

/** A config opened for its passes: the resolved config, its row plan, a reader per file, the split fractions. */
export interface ConfigPasses {
  config: DatasetConfig;
  where: string;
  plan: RowPlan;
  fractions: number[];
  /** Opens `path` with the config's reader (quiet: no errors reported). */
  reader(path: string, quiet: boolean): Promise<TableReader>;
}

/** Resolves a config and the readers of its files (see the file header). */
export async function configPasses(input: unknown, o: ConfigPrepareOptions = {}): Promise<ConfigPasses> {
  const config = resolveDatasetConfig(input, o.where);
  const where = o.where ?? "dataset config";
  if (!config.train) throw new Error(`${where}: train: no training file (give "train" or FuxiCTR's "train_data")`);
  const open = o.open ?? (await nodeOpen());
  const plan = rowPlan(config);
  const columns = defaultColumns(config, plan);
  const reader = (path: string, quiet: boolean): Promise<TableReader> => openTable(open(path), {
    format: config.format, file: path, want: plan.want, delimiter: config.delimiter, header: config.header,
    ...(config.quote !== undefined ? { quote: config.quote } : {}), ...((config.columns ?? columns) ? { columns: config.columns ?? columns } : {}),
    strict: quiet ? false : o.strict, ...(quiet ? {} : { onError: o.onError }),
  });
  const fractions = o.split ?? config.split ?? (config.valid || config.test ? [1] : [0.8, 0.1, 0.1]);
  if (fractions.length > 1 && (config.valid || config.test)) throw new Error(`${where}: split fractions and valid/test files exclude each other`);
  return { config, where, plan, fractions, reader };
}

/** What fitConfig returns: the fitted inputs, the rows fitted on, and the usable rows of the train file when they were counted (split fractions). */
export interface ConfigFit {
  fit: FittedInputs;
  fitRows: number;
  trainRows?: number;
}

/** The counting pass (split fractions) and the fitting pass over the training rows. */
export async function fitConfig(c: ConfigPasses): Promise<ConfigFit> {
  const { config, plan, fractions, where } = c;
  /** Calls fn on each usable row (rowProblem undefined), quietly. */
  const each = async (path: string, fn: (row: TableRow) => boolean | void): Promise<void> => {
    const r = await c.reader(path, true);
    outer: for await (const rows of r.rowBatches()) {
      for (const row of rows) {
        if (rowProblem(config, plan, row.cells)) continue;
        if (fn(row) === false) break outer;
      }
    }
  };
  let fitRows = Infinity, trainRows: number | undefined;
  if (fractions[0]! < 1) {
    let n = 0;
    await each(config.train!, () => void n++);
    trainRows = n;
    fitRows = Math.floor(n * fractions[0]! + 1e-6);
  }

  // fit: vocabularies (categorical, sequence, bucketized), boundaries, normalisers
  const specs = plan.fieldSpecs.map((f) => ({ ...f }));
  const counts = specs.map(() => new Map<Token, number>());
  const numeric = plan.features.map((e) => {
    const f = e.feature;
    return f.type !== "numeric" ? undefined : e.dense >= 0 ? new DenseFit(f.normalizer) : new ValueCounts();
  });
  let fitted = 0;
  const count = (field: number, t: Token, times = 1) => counts[field]!.set(t, (counts[field]!.get(t) ?? 0) + times);
  await each(config.train!, (row) => {
    if (fitted >= fitRows) return false;
    fitted++;
    plan.features.forEach((e, k) => {
      const f = e.feature, cell = row.cells[e.cell]!;
      if (f.type === "categorical") {
        const t = cell ?? f.fillNa ?? null;
        if (t !== null) count(e.field, t as string);
      } else if (f.type === "sequence") for (const v of sequenceValues(f, cell)) count(e.field, v);
      else numeric[k]!.add(numberOf(cell)!);
    });
  });
  const dense: FittedDense[] = [];
  plan.features.forEach((e, k) => {
    const f = e.feature, acc = numeric[k];
    if (f.type !== "numeric") return;
    if (acc instanceof DenseFit) {
      dense[e.dense] = acc.fitted(f.name, f.fillNa);
      return;
    }
    const values = acc as ValueCounts;
    const spec = specs[e.field]!;
    if (f.bucketize && "quantiles" in f.bucketize) spec.boundaries = values.quantileBoundaries(f.bucketize.quantiles);
    // distinct values in order of first appearance: the buckets' first appearances and counts are the rows'
    for (const [x0, times] of values.counts) {
      const x = Number.isNaN(x0) ? f.fillNa : x0;
      if (x !== undefined) count(e.field, applyTransform(spec.transform ?? "none", x, spec.boundaries), times);
    }
  });
  if (plan.fields === 0) throw new Error(`${where}: features: at least one categorical (or bucketized numeric) feature is needed; the rest can be numeric or sequence features`);
  const infos = new FeatureMapBuilder({ fields: specs }).fields;
  const vocabs = infos.map((info, f) => vocabularyOf(info, [...counts[f]!.keys()], [...counts[f]!.values()]));
  const featureMap = new FeatureMap(infos, vocabs, fitted);
  return { fit: { featureMap, dense }, fitRows: fitted, ...(trainRows !== undefined ? { trainRows } : {}) };
}

/** Rows [start, end) of each split of `n` rows by `fractions` (by line order; the last takes the rest). */
export function splitRanges(n: number, fractions: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  let start = 0, c = 0;
  fractions.forEach((fr, k) => {
    c += fr;
    const end = k === fractions.length - 1 ? n : Math.min(n, Math.max(start, Math.floor(n * c + 1e-6)));
    out.push([start, end]);
    start = end;
  });
  return out;
}

/** Reads a config's data (see the file header). `input`: a config object (ours or FuxiCTR's keys). */
export async function prepareFromConfig(input: unknown, o: ConfigPrepareOptions = {}): Promise<PreparedConfig> {
  const c = await configPasses(input, o);
  const { config, fractions } = c;
  const { fit, fitRows } = await fitConfig(c);
  // encode each file
  const stats = new Map<string, ReaderStats>();
  const encodeFile = async (path: string): Promise<DatasetWithInputs> => {
    const { dataset, stats: st } = await encodeTable(config, fit, await c.reader(path, false), { labeled: true });
    stats.set(path, st);
    return dataset;
  };
  const splits = new Map<SplitName, DatasetWithInputs>();
  const train = await encodeFile(config.train!);
  if (fractions.length === 1) splits.set("train", train);
  else {
    const names: SplitName[] = ["train", "valid", "test"];
    splitRanges(train.n, fractions).forEach(([start, end], k) => splits.set(names[k]!, sliceInputs(train, start, end)));
  }
  if (config.valid) splits.set("valid", await encodeFile(config.valid));
  if (config.test) splits.set("test", await encodeFile(config.test));
  return { config, fitted: fit, splits, stats, fitRows };
}

/** Options of encodeRawFile. */
export interface RawFileOptions {
  /** Name in messages. */
  file?: string;
  /** The rows have the label column (default true; false: labels are NaN and the label column is not read). */
  labeled?: boolean;
  strict?: boolean;
  onError?: (e: RowError) => void;
}

/**
 * Encodes a raw file of the config's format with what was fitted — the predictor's path from raw
 * rows to model inputs, row for row what prepare wrote (same reader, same encodeCells).
 */
export async function encodeRawFile(config: DatasetConfig, fitted: FittedInputs, source: ByteSource, o: RawFileOptions = {}): Promise<EncodedTable> {
  const labeled = o.labeled ?? true;
  const plan = rowPlan(config, labeled);
  const columns = config.columns ?? defaultColumns(config, rowPlan(config, true));
  const r = await openTable(source, {
    format: config.format, file: o.file ?? "<stream>", want: plan.want, delimiter: config.delimiter, header: config.header,
    ...(config.quote !== undefined ? { quote: config.quote } : {}), ...(columns ? { columns } : {}), strict: o.strict, onError: o.onError,
  });
  return encodeTable(config, fitted, r, { labeled });
}

/** Encoded rows of a file: the dataset, the 1-based line of each row, the reader's counts. */
export interface EncodedTable {
  dataset: DatasetWithInputs;
  lines: Int32Array;
  stats: ReaderStats;
}

/** Encodes every usable row of an open table reader (bad rows reported through it and skipped). */
async function encodeTable(config: DatasetConfig, fit: FittedInputs, r: TableReader, o: { labeled: boolean }): Promise<EncodedTable> {
  const plan = rowPlan(config, o.labeled);
  const sink = new RowSink(plan, fit.featureMap, true);
  await encodeRows(config, fit, plan, r, (row) => sink.push(row));
  if (sink.n === 0) throw noUsableRows(r);
  const lines = sink.lines!.done();
  return { dataset: sink.take(), lines, stats: r.stats };
}

/** The error of a file without usable rows. */
export function noUsableRows(r: TableReader): NoRowsError {
  const e = r.stats.errors[0];
  return new NoRowsError(`${r.file}: no usable rows (${r.stats.skipped} malformed, ${r.stats.blank} blank)${e ? `; first: ${e.file}:${e.line}:${e.column}: ${e.reason}` : ""}`);
}

/** A row as encodeRows hands it over: views valid until the callback returns. */
export interface EncodedRowView {
  ids: Int32Array;
  label: number;
  dense: Float32Array;
  /** The ids of each bag field. */
  bags: readonly (readonly number[])[];
  line: number;
}

/** Encodes the usable rows of `r` one by one into `onRow` (awaited when it returns a promise); bad rows are reported through the reader and skipped. */
export async function encodeRows(config: DatasetConfig, fit: FittedInputs, plan: RowPlan, r: TableReader, onRow: (row: EncodedRowView) => void | Promise<void>): Promise<void> {
  const F = plan.fields, D = plan.denseCount, Fb = plan.bagFields;
  const ids = new Int32Array(F), dense = new Float32Array(D);
  const bags: (readonly number[])[] = new Array<readonly number[]>(Fb);
  const out = { ids, idsAt: 0, dense, denseAt: 0, bag: (k: number, xs: readonly number[]) => (bags[k] = xs) };
  for await (const rows of r.rowBatches()) {
    for (const row of rows) {
      const bad = rowProblem(config, plan, row.cells);
      if (bad) {
        r.stats.rows--;
        r.fail(row.line, row.columns[bad.cell] ?? 0, bad.reason, bad.reason.replace(/ = .*/, " malformed"));
        continue;
      }
      const y = encodeCells(config, fit, plan, row.cells, out);
      if (typeof y !== "number") throw new Error(`${r.file}:${row.line}: ${y.reason}`); // rowProblem let it through: a bug
      const p = onRow({ ids, label: y, dense, bags, line: row.line });
      if (p) await p;
    }
  }
}

/** Encoded rows gathered into a dataset with inputs (take() hands them over and starts again). */
export class RowSink {
  private ids = new Grow(new Int32Array(0), (n) => new Int32Array(n));
  private labels = new Grow(new Float32Array(0), (n) => new Float32Array(n));
  private dense = new Grow(new Float32Array(0), (n) => new Float32Array(n));
  private offsets = new Grow(new Int32Array(0), (n) => new Int32Array(n));
  private bagIds = new Grow(new Int32Array(0), (n) => new Int32Array(n));
  /** The 1-based line of each row, when kept. */
  lines: Grow<Int32Array> | undefined;

  constructor(private readonly plan: RowPlan, private readonly featureMap: FeatureMap, keepLines = false) {
    if (plan.bagFields) this.offsets.push(0);
    if (keepLines) this.lines = new Grow(new Int32Array(0), (n) => new Int32Array(n));
  }

  /** Rows gathered. */
  get n(): number {
    return this.labels.length;
  }

  push(row: EncodedRowView): void {
    const F = this.plan.fields, D = this.plan.denseCount;
    this.ids.reserve(F).set(row.ids, this.ids.length);
    this.ids.length += F;
    if (D) {
      this.dense.reserve(D).set(row.dense, this.dense.length);
      this.dense.length += D;
    }
    this.labels.push(row.label);
    this.lines?.push(row.line);
    for (const bag of row.bags) {
      for (const id of bag) this.bagIds.push(id);
      this.offsets.push(this.bagIds.length);
    }
  }

  /** The rows gathered as a dataset (fresh arrays); the sink is empty after. */
  take(): DatasetWithInputs {
    const { plan } = this, F = plan.fields;
    const ds: DatasetWithInputs = createDataset(this.ids.done(), this.labels.done(), F, this.featureMap.fieldNames.slice(0, F));
    if (plan.denseCount) {
      ds.dense = this.dense.done();
      ds.denseNames = plan.denseNames;
    }
    if (plan.bagFields) ds.bags = { fields: plan.bagFields, pooling: plan.pooling, names: plan.bagNames, offsets: this.offsets.done(), ids: this.bagIds.done() };
    for (const g of [this.ids, this.labels, this.dense, this.offsets, this.bagIds]) g.clear();
    if (plan.bagFields) this.offsets.push(0);
    return ds;
  }
}

/** Rows [start, end) of a dataset with inputs (ids, labels, dense as views; bag offsets rebased, copied). */
export function sliceInputs(ds: DatasetWithInputs, start: number, end: number): DatasetWithInputs {
  const F = ds.fields;
  const out: DatasetWithInputs = createDataset(ds.ids.subarray(start * F, end * F), ds.labels.subarray(start, end), F, ds.fieldNames);
  if (ds.dense) {
    const D = ds.dense.length / ds.n;
    out.dense = ds.dense.subarray(start * D, end * D);
    if (ds.denseNames) out.denseNames = ds.denseNames;
  }
  if (ds.bags) {
    const b = ds.bags, Fb = b.fields;
    const lo = b.offsets[start * Fb]!, hi = b.offsets[end * Fb]!;
    const offsets = b.offsets.slice(start * Fb, end * Fb + 1);
    for (let i = 0; i < offsets.length; i++) offsets[i]! -= lo;
    const bags: BagData = { fields: Fb, pooling: b.pooling, offsets, ids: b.ids.subarray(lo, hi) };
    if (b.names) bags.names = b.names;
    out.bags = bags;
  }
  return out;
}
