// prepareConfigShards(config, { dir, shardRows }): a dataset config prepared out of core — the
// passes of prepareFromConfig (prepare-config.ts: counting, fitting, encoding with encodeCells),
// but each split is written as it is encoded, in shards of shardRows rows with their dense inputs
// and bag fields (SplitShards of prepare-shards.ts: the same file names and manifest shard lists).
// Memory: the fit (vocabulary counts, a count per distinct value of a bucketized feature) and one
// shard of encoded rows. A split that fits one shard is the <split>.cache that prepareFromConfig's
// splits write, byte for byte. The encoding pass also measures the bags of the training rows
// (ids per bag, mean and max per bag field) for the memory plan of `alpt train`.
import type { DatasetConfig } from "./config.js";
import type { ReaderStats } from "./delimited.js";
import type { FittedInputs } from "./encode-row.js";
import { rowPlan } from "./encode-row.js";
import { DEFAULT_SHARD_ROWS, SplitShards, type WrittenShard, type WrittenSplit } from "./prepare-shards.js";
import { RowSink, configPasses, encodeRows, fitConfig, noUsableRows, splitRanges, type ConfigPrepareOptions, type EncodedRowView, type SplitName } from "./prepare-config.js";

/** Options of prepareConfigShards. */
export interface ConfigShardsOptions extends ConfigPrepareOptions {
  /** The folder the shards are written to (it must exist). */
  dir: string;
  /** Rows per shard (default DEFAULT_SHARD_ROWS). */
  shardRows?: number;
  /** Hears of each shard once it is on disk. */
  onShard?: (s: WrittenShard) => void;
  /** Hears of the fitted inputs before the encoding passes (e.g. to write the FeatureMap). */
  onFitted?: (fitted: FittedInputs) => void | Promise<void>;
}

/** Ids per bag of each bag field over the training rows. */
export interface BagLengths {
  mean: number[];
  max: number[];
}

/** What prepareConfigShards returns. */
export interface ConfigShardsPrepared {
  config: DatasetConfig;
  fitted: FittedInputs;
  /** train, then valid and test when the config has them (empty ones included: rows 0, no shards). */
  splits: WrittenSplit[];
  /** Reader counts per file of the encoding pass. */
  stats: Map<string, ReaderStats>;
  /** Rows the FeatureMap and normalisers were fitted on. */
  fitRows: number;
  /** The training rows' bags (undefined without bag fields). */
  bagLengths?: BagLengths;
}

/** Sums and maxima of the bag lengths of rows. */
class BagLengthCounter {
  private rows = 0;
  private readonly sum: number[];
  private readonly max: number[];
  constructor(fields: number) {
    this.sum = new Array<number>(fields).fill(0);
    this.max = new Array<number>(fields).fill(0);
  }
  add(bags: readonly (readonly number[])[]): void {
    this.rows++;
    bags.forEach((b, j) => {
      this.sum[j]! += b.length;
      if (b.length > this.max[j]!) this.max[j] = b.length;
    });
  }
  lengths(): BagLengths {
    return { mean: this.sum.map((s) => (this.rows ? +(s / this.rows).toFixed(4) : 0)), max: [...this.max] };
  }
}

/** Reads, fits and encodes a config's data into shards (see the file header). */
export async function prepareConfigShards(input: unknown, o: ConfigShardsOptions): Promise<ConfigShardsPrepared> {
  const t0 = performance.now();
  const shardRows = o.shardRows ?? DEFAULT_SHARD_ROWS;
  if (!Number.isSafeInteger(shardRows) || shardRows < 1) throw new RangeError(`prepareConfigShards: shardRows = ${shardRows} must be an integer ≥ 1`);
  const c = await configPasses(input, o);
  const { config, fractions } = c;
  const { fit, fitRows, trainRows } = await fitConfig(c);
  const names: SplitName[] = ["train", "valid", "test"];
  // the splits of the train file: known sizes with fractions (the rows were counted), else one of unknown size;
  // a file without usable rows is left to the encoding pass (NoRowsError, as prepareFromConfig)
  const parts = trainRows === undefined ? [{ name: names[0]!, rows: undefined }] : splitRanges(trainRows, fractions).map(([a, b], k) => ({ name: names[k]!, rows: b - a }));
  if (parts[0]!.rows === 0 && trainRows! > 0) throw new Error(`${config.train}: no training rows for the split fractions`);
  await o.onFitted?.(fit);
  const plan = rowPlan(config);
  const hash = fit.featureMap.hash;
  const stats = new Map<string, ReaderStats>();
  const written: WrittenSplit[] = [];
  const bagLengths = plan.bagFields ? new BagLengthCounter(plan.bagFields) : undefined;
  const onShard = (s: Omit<WrittenShard, "elapsedMs">) => o.onShard?.({ ...s, elapsedMs: performance.now() - t0 });

  /** Encodes `path` into its splits, one after the other by row order. */
  const encodeFile = async (path: string, splits: { name: SplitName; rows: number | undefined }[]): Promise<void> => {
    const r = await c.reader(path, false);
    const sink = new RowSink(plan, fit.featureMap);
    let k = 0, total = 0;
    let left = splits[0]!.rows ?? Infinity;
    let shards = new SplitShards(o.dir, splits[0]!.name, hash, shardRows, splits[0]!.rows, onShard);
    const endSplit = async (): Promise<void> => {
      await shards.write(sink.take());
      written.push({ name: shards.name, rows: shards.rows, shards: await shards.finish() });
    };
    const nextSplit = async (): Promise<void> => {
      await endSplit();
      if (++k === splits.length) throw new Error(`${path}: the file changed while it was prepared (${(trainRows ?? 0).toLocaleString("en")} usable rows when counted, more now)`);
      left = splits[k]!.rows ?? Infinity;
      shards = new SplitShards(o.dir, splits[k]!.name, hash, shardRows, splits[k]!.rows, onShard);
    };
    const add = (row: EncodedRowView): Promise<void> | undefined => {
      sink.push(row);
      left--;
      total++;
      if (bagLengths && shards.name === "train") bagLengths.add(row.bags);
      return sink.n === shardRows ? shards.write(sink.take()) : undefined;
    };
    const take = async (row: EncodedRowView): Promise<void> => {
      while (left === 0) await nextSplit();
      await add(row);
    };
    await encodeRows(config, fit, plan, r, (row) => (left === 0 ? take(row) : add(row)));
    if (total === 0) throw noUsableRows(r);
    await endSplit();
    while (++k < splits.length) written.push({ name: splits[k]!.name, rows: 0, shards: [] });
    if (trainRows !== undefined && splits.length > 1 && total !== trainRows) {
      throw new Error(`${path}: the file changed while it was prepared (${trainRows.toLocaleString("en")} usable rows when counted, ${total.toLocaleString("en")} now)`);
    }
    stats.set(path, r.stats);
  };
  await encodeFile(config.train!, parts);
  if (config.valid) await encodeFile(config.valid, [{ name: "valid", rows: undefined }]);
  if (config.test) await encodeFile(config.test, [{ name: "test", rows: undefined }]);
  return { config, fitted: fit, splits: written, stats, fitRows, ...(bagLengths ? { bagLengths: bagLengths.lengths() } : {}) };
}
