// The host memory (JS typed arrays, outside the wasm heap) the training data takes, for
// `alpt train --dry-run`: in memory, every row of the train and valid splits; streamed
// (data/stream.ts), the shuffle buffer, the < B rows it carries over, its permutation and the
// prefetched shard for training, and for validation two shards (the one predicted and the next)
// plus the predictions and labels (f32 each) of every row. A row is its F i32 ids, an f32 label,
// its f32 dense inputs and its bag fields (an i32 offset per bag field and its bags' i32 ids), if any.

/** What the data's memory depends on. */
export interface DataMemoryOptions {
  fields: number;
  /** Dense inputs per row (config datasets), default 0. */
  denseFeatures?: number;
  /** Bag fields (config datasets), default 0. */
  bagFields?: number;
  /** Ids of the bag fields per row, all together (default one per bag field). */
  bagIds?: number;
  batchSize: number;
  train: SplitShape;
  valid?: SplitShape;
  /** Streamed from shards (else loaded whole). */
  streamed: boolean;
  /** Rows of the shuffle buffer (streamed; default two of the largest shards). */
  bufferRows?: number;
}

/** Rows of a split and of its largest shard. */
export interface SplitShape {
  rows: number;
  largestShard: number;
}

/** Bytes of the data, by part. */
export interface DataMemory {
  streamed: boolean;
  rowBytes: number;
  /** Train rows held at most at once. */
  trainRows: number;
  train: number;
  valid: number;
  total: number;
}

/** The host bytes of the training data (see the file header). */
export function planDataMemory(o: DataMemoryOptions): DataMemory {
  const Fb = o.bagFields ?? 0;
  const rowBytes = 4 * o.fields + 4 + 4 * (o.denseFeatures ?? 0) + (Fb ? 4 * Fb + 4 * (o.bagIds ?? Fb) : 0);
  if (!o.streamed) {
    const train = o.train.rows * rowBytes, valid = (o.valid?.rows ?? 0) * (rowBytes + 4); // + the predictions
    return { streamed: false, rowBytes, trainRows: o.train.rows, train, valid, total: train + valid };
  }
  const largest = o.train.largestShard;
  const buffer = Math.min(o.train.rows, Math.max(largest, o.bufferRows ?? 2 * largest));
  // the buffer (whole shards), the carry (< B rows), the prefetched shard unless the buffer holds the split
  const trainRows = buffer + Math.min(o.batchSize - 1, o.train.rows) + (buffer < o.train.rows ? largest : 0);
  const train = trainRows * rowBytes + 4 * buffer; // + the buffer's permutation (u32 per row)
  const valid = o.valid ? Math.min(o.valid.rows, 2 * o.valid.largestShard) * rowBytes + 8 * o.valid.rows : 0;
  return { streamed: true, rowBytes, trainRows, train, valid, total: train + valid };
}
