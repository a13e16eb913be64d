// Batches streamed from a sharded split (shard-source.ts) with a bounded shuffle buffer. A pass
// over the split (an epoch when shuffled, file order for evaluation):
//
//   shard order   permutation(S, seed, shardOrderStream(epoch)) (file order when not shuffled, or
//                 when the buffer holds the whole split)
//   buffer        the next shards in that order, whole, while they fit in `bufferRows` (at least
//                 one), after the < B rows the previous buffer left over; its rows are permuted
//                 with permutation(m, seed, bufferStream(epoch, k)) for the k-th fill, where
//                 bufferStream(epoch, 0) = epoch
//   batches       B rows at a time from the permuted buffer; the rows left (< B) join the next
//                 fill, so every batch but the pass's last has B rows: ceil(n / B) batches
//   prefetch      while a buffer trains, the next shard's load() is under way
//
// Rows travel with their inputs: the ids and label, the dense features and the bag fields (their
// variable-length ids: a batch's bags are gathered with offsets from 0, bag-batch.ts).
//
// Memory: the buffer (≤ bufferRows + B − 1 rows, or one shard if a shard is larger) plus the
// prefetched shard. Deterministic: the batch sequence is a pure function of (split, seed, epoch,
// bufferRows, B). When one fill holds the whole split (a one-shard split, or bufferRows ≥ n) the
// buffer's permutation is shuffledOrder(n, seed, epoch): the batches are exactly those of the
// in-memory Trainer over the concatenated shards, so the same seed trains the same model.
//
// The cursor is pull-based and never blocks: next() returns a batch size, or a promise (a shard
// still loading, or a tick that lets the event loop advance a prefetch) to await before calling
// again — the synchronous training loop stays synchronous between shards.
import { batchBags, gatherBagRows } from "./bag-batch.js";
import type { BagData, BagPooling } from "./bag-fields.js";
import { fillBatch, permutation } from "./batcher.js";
import { createDataset, type EncodedDataset } from "./dataset.js";
import type { ShardedSplit } from "./shard-source.js";
import { mix32 } from "../util/rng.js";

/** A dataset row source with optional dense features [n, denseFeatures] and bag fields (as the Trainer's EncodedData). */
type Rows = EncodedDataset & { dense?: Float32Array; bags?: BagData };

/** Options of a pass over a sharded split. */
export interface StreamPassOptions {
  /** Rows per batch. */
  batchSize: number;
  /** Shuffle shards and rows (an epoch); false: file order, one shard at a time (evaluation). */
  shuffle?: boolean;
  seed?: number;
  /** The epoch (1-based, as the Trainer's): it selects the shard order and the buffer permutations. */
  epoch?: number;
  /** Rows the shuffle buffer holds (whole shards; at least one). Default: defaultShuffleBuffer(split). */
  bufferRows?: number;
  /** Dense features per row to gather (0: none). */
  denseFeatures?: number;
  /** The poolings of the bag fields to gather (the model's bagPooling; default none): every shard must have these. */
  bagPooling?: readonly BagPooling[];
  /** Yield to the event loop every this many batches while a prefetch is in flight (default 4). */
  tickEvery?: number;
}

/** The default shuffle buffer: two of the split's largest shards. */
export function defaultShuffleBuffer(split: ShardedSplit): number {
  let most = 0;
  for (const s of split.shards) most = Math.max(most, s.rows);
  return 2 * most;
}

const SHARD_STREAM = 0x53484152; // "SHAR"
const BUFFER_STREAM = 0x42554646; // "BUFF"

/** The stream of the shard order of `epoch`. */
export function shardOrderStream(epoch: number): number {
  return mix32((epoch ^ SHARD_STREAM) >>> 0);
}

/** The stream of the k-th buffer fill of `epoch`: the epoch itself for the first (the in-memory shuffle). */
export function bufferStream(epoch: number, k: number): number {
  return k === 0 ? epoch >>> 0 : mix32((mix32((k + BUFFER_STREAM) >>> 0) ^ epoch) >>> 0);
}

/** A shard load under way: its outcome is recorded as soon as it settles (no unhandled rejection). */
interface Pending {
  index: number;
  settled: boolean;
  value?: Rows;
  error?: unknown;
  done: Promise<void>;
}

/** A pass over a sharded split; see the file header. */
export class StreamCursor {
  readonly batchSize: number;
  readonly bufferRows: number;
  /** Batches of the pass: ceil(rows / batchSize). */
  readonly batches: number;
  private readonly order: Uint32Array;
  private readonly shuffle: boolean;
  private readonly seed: number;
  private readonly epoch: number;
  private readonly nd: number;
  private readonly bagPooling: readonly BagPooling[];
  private readonly tickEvery: number;
  /** Position in `order` of the next shard to take into the buffer. */
  private next_ = 0;
  private pending: Pending | undefined;
  // the current buffer: segments (row-concatenated), its permutation, the next row to draw
  private segments: Rows[] = [];
  private offsets: number[] = [0];
  private perm: Uint32Array | undefined;
  private pos = 0;
  private fills = 0;
  /** A fill under way (waiting for a shard). */
  private filling = false;
  /** Rows the fill under way took from shards (the carry aside). */
  private fillShardRows = 0;
  private drawn = 0;
  private ticked = false;
  private closed = false;
  /** Peak rows held (buffer + a prefetched shard), for tests and the memory plan. */
  peakRows = 0;
  /** The bag fields of the batch next() last returned (offsets from 0), when the pass gathers bags. */
  bags: BagData | undefined;

  constructor(readonly split: ShardedSplit, options: StreamPassOptions) {
    const { batchSize, shuffle = true, seed = 0, epoch = 1, denseFeatures = 0, bagPooling = [], tickEvery = 4 } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`stream: batchSize = ${batchSize} must be a positive integer`);
    const bufferRows = options.bufferRows ?? defaultShuffleBuffer(split);
    if (!Number.isSafeInteger(bufferRows) || bufferRows < 0) throw new RangeError(`stream: bufferRows = ${bufferRows} must be an integer ≥ 0`);
    let total = 0;
    for (const s of split.shards) total += s.rows;
    if (total !== split.rows) throw new RangeError(`stream: the split's shards hold ${total} rows, the split says ${split.rows}`);
    this.batchSize = batchSize;
    this.bufferRows = bufferRows;
    this.batches = Math.ceil(split.rows / batchSize);
    this.shuffle = shuffle;
    this.seed = seed >>> 0;
    this.epoch = epoch;
    this.nd = denseFeatures;
    this.bagPooling = [...bagPooling];
    this.tickEvery = tickEvery;
    const S = split.shards.length;
    // a buffer that holds the whole split permutes all of it: the shards keep their file order
    const whole = bufferRows >= split.rows;
    this.order = shuffle && !whole ? permutation(S, this.seed, shardOrderStream(epoch)) : Uint32Array.from({ length: S }, (_, i) => i);
  }

  /** Rows left in the current buffer. */
  private get left(): number {
    return this.offsets[this.offsets.length - 1]! - this.pos;
  }

  /** Starts loading the next shard of the order, if any and not yet started. */
  private prefetch(): void {
    if (this.pending || this.next_ >= this.order.length || this.closed) return;
    const index = this.order[this.next_]!;
    const shard = this.split.shards[index]!;
    const p: Pending = { index, settled: false, done: Promise.resolve() };
    p.done = Promise.resolve()
      .then(() => shard.load())
      .then(
        (ds) => {
          p.value = ds as Rows;
          p.settled = true;
        },
        (e: unknown) => {
          p.error = e;
          p.settled = true;
        },
      );
    this.pending = p;
  }

  /** Takes the settled pending shard, checked against the manifest (rows, fields, dense features). */
  private take(): Rows {
    const p = this.pending!;
    this.pending = undefined;
    if (p.error !== undefined) throw p.error;
    const shard = this.split.shards[p.index]!;
    const ds = p.value!;
    if (ds.n !== shard.rows) throw new Error(`${shard.name}: holds ${ds.n} rows, the split says ${shard.rows}`);
    if (ds.fields !== this.split.fields) throw new Error(`${shard.name}: has ${ds.fields} fields, the split ${this.split.fields}`);
    if (this.nd && (!ds.dense || ds.dense.length < ds.n * this.nd)) throw new Error(`${shard.name}: has no ${this.nd} dense features per row`);
    const Fb = this.bagPooling.length;
    if (Fb && (ds.bags?.fields !== Fb || ds.bags.pooling.join() !== this.bagPooling.join() || ds.bags.offsets.length < ds.n * Fb + 1)) {
      throw new Error(`${shard.name}: has ${ds.bags ? `bag fields pooled ${JSON.stringify(ds.bags.pooling)}` : "no bag fields"}, the pass takes ${Fb} pooled ${JSON.stringify(this.bagPooling)}`);
    }
    this.next_++;
    return ds;
  }

  /** The capacity test of a fill: whole shards while they fit, at least one (one at a time unshuffled). */
  private fits(rowsInFill: number, shardRows: number): boolean {
    if (rowsInFill === 0) return true;
    return this.shuffle && rowsInFill + shardRows <= this.bufferRows;
  }

  /** Continues a fill; returns a promise while a shard it needs is still loading. */
  private fill(): Promise<void> | undefined {
    if (!this.filling) {
      // the rows left over (< B) are copied into the new buffer's first segment
      const carry = this.left > 0 ? this.copyLeft() : undefined;
      this.segments = carry ? [carry] : [];
      this.offsets = [0, ...(carry ? [carry.n] : [])];
      this.perm = undefined;
      this.pos = 0;
      this.fillShardRows = 0;
      this.filling = true;
    }
    while (this.next_ < this.order.length && this.fits(this.fillShardRows, this.split.shards[this.order[this.next_]!]!.rows)) {
      this.prefetch();
      if (!this.pending!.settled) return this.pending!.done;
      const ds = this.take();
      this.segments.push(ds);
      this.offsets.push(this.offsets[this.offsets.length - 1]! + ds.n);
      this.fillShardRows += ds.n;
    }
    this.filling = false;
    const m = this.offsets[this.offsets.length - 1]!;
    if (this.shuffle && m > 0) this.perm = permutation(m, this.seed, bufferStream(this.epoch, this.fills));
    this.fills++;
    this.prefetch();
    this.peakRows = Math.max(this.peakRows, m + (this.pending ? this.split.shards[this.pending.index]!.rows : 0));
    return undefined;
  }

  /** A copy of the rows not yet drawn from the buffer, in draw order. */
  private copyLeft(): Rows {
    const k = this.left, F = this.split.fields, nd = this.nd;
    const ids = new Int32Array(k * F), labels = new Float32Array(k), dense = nd ? new Float32Array(k * nd) : undefined;
    const bags = this.gather(this.pos, k, ids, labels, dense);
    const ds = createDataset(ids, labels, F) as Rows;
    if (dense) ds.dense = dense;
    if (bags) ds.bags = bags;
    return ds;
  }

  /** Rows pos .. pos + size of the permuted buffer into ids, labels (and dense); returns their bags when the pass gathers them. */
  private gather(pos: number, size: number, ids: Int32Array, labels: Float32Array, dense?: Float32Array): BagData | undefined {
    const F = this.split.fields, nd = this.nd, perm = this.perm, Fb = this.bagPooling.length;
    if (this.segments.length === 1) {
      const ds = this.segments[0]!;
      fillBatch(ds, perm, pos, size, ids, labels, nd ? dense : undefined);
      return Fb ? batchBags(ds.bags!, perm, pos, size) : undefined;
    }
    const off = this.offsets;
    const segment = new Int32Array(Fb ? size : 0), row = new Int32Array(Fb ? size : 0);
    for (let k = 0; k < size; k++) {
      const g = perm ? perm[pos + k]! : pos + k;
      let j = 0;
      while (g >= off[j + 1]!) j++;
      const ds = this.segments[j]!, r = g - off[j]!;
      ids.set(ds.ids.subarray(r * F, (r + 1) * F), k * F);
      labels[k] = ds.labels[r]!;
      if (nd && dense) dense.set(ds.dense!.subarray(r * nd, (r + 1) * nd), k * nd);
      if (Fb) {
        segment[k] = j;
        row[k] = r;
      }
    }
    return Fb ? this.gatherBags(segment, row) : undefined;
  }

  /** The bags of rows row[k] of segments segment[k], k < size, with offsets from 0. */
  private gatherBags(segment: Int32Array, row: Int32Array): BagData {
    const Fb = this.bagPooling.length;
    const { offsets, ids } = gatherBagRows(segment.length, Fb, (k) => this.segments[segment[k]!]!.bags!, (k) => row[k]!);
    const first = this.segments[segment[0] ?? 0]!.bags!;
    return { fields: Fb, pooling: this.bagPooling, offsets, ids, ...(first.names ? { names: first.names } : {}) };
  }

  /**
   * The next batch into ids [B·F], labels [B] (and dense [B·nd]; its bags in `bags`): its size, 0
   * after the last; or a promise to await before calling again.
   */
  next(ids: Int32Array, labels: Float32Array, dense?: Float32Array): number | Promise<void> {
    if (this.closed) throw new Error("stream: next() after close()");
    const B = this.batchSize;
    if (this.filling || (this.left < B && this.next_ < this.order.length)) {
      const wait = this.fill();
      if (wait) return wait;
    }
    // let the event loop advance a prefetch's reads now and then (the training loop is synchronous)
    if (this.pending && !this.pending.settled && !this.ticked && this.drawn % this.tickEvery === 0) {
      this.ticked = true;
      return new Promise((resolve) => setImmediate(resolve));
    }
    this.ticked = false;
    const size = Math.min(B, this.left);
    this.bags = undefined;
    if (size === 0) return 0;
    this.bags = this.gather(this.pos, size, ids, labels, dense);
    this.pos += size;
    this.drawn++;
    return size;
  }

  /** Drops the buffer (a prefetch under way finishes and is discarded). */
  close(): void {
    this.closed = true;
    this.segments = [];
    this.offsets = [0];
    this.perm = undefined;
    this.pending = undefined;
  }
}

/** A batch of a streamed pass: fresh arrays. */
export interface StreamBatch {
  ids: Int32Array;
  labels: Float32Array;
  dense?: Float32Array;
  bags?: BagData;
  size: number;
}

/** The batches of a pass as an async iterator (each batch in fresh arrays unless `reuse`). */
export async function* streamBatches(split: ShardedSplit, options: StreamPassOptions & { reuse?: boolean }): AsyncGenerator<StreamBatch> {
  const cursor = new StreamCursor(split, options);
  const B = options.batchSize, F = split.fields, nd = options.denseFeatures ?? 0;
  const alloc = () => ({ ids: new Int32Array(B * F), labels: new Float32Array(B), dense: nd ? new Float32Array(B * nd) : undefined });
  let buf = alloc();
  try {
    for (;;) {
      const r = cursor.next(buf.ids, buf.labels, buf.dense);
      if (typeof r !== "number") {
        await r;
        continue;
      }
      if (r === 0) return;
      const b: StreamBatch = { ids: buf.ids.subarray(0, r * F), labels: buf.labels.subarray(0, r), size: r };
      if (buf.dense) b.dense = buf.dense.subarray(0, r * nd);
      if (cursor.bags) b.bags = cursor.bags;
      yield b;
      if (!options.reuse) buf = alloc();
    }
  } finally {
    cursor.close();
  }
}

/**
 * Predictions and labels of every row of `split`, in file order, one shard in memory at a time
 * (plus the prefetched one): `predictBatch` gets consecutive batches of `batchSize` rows, as an
 * in-memory pass over the concatenated rows would. Returns f32 [n] each (4 bytes per row).
 */
export async function predictStream(
  split: ShardedSplit, batchSize: number, predictBatch: (batch: StreamBatch, out: Float32Array<ArrayBuffer>) => void, denseFeatures = 0,
  bagPooling: readonly BagPooling[] = [],
): Promise<{ predictions: Float32Array; labels: Float32Array }> {
  const predictions = new Float32Array(split.rows), labels = new Float32Array(split.rows);
  let at = 0;
  for await (const b of streamBatches(split, { batchSize, shuffle: false, denseFeatures, bagPooling, reuse: true })) {
    predictBatch(b, predictions.subarray(at, at + b.size));
    labels.set(b.labels, at);
    at += b.size;
  }
  return { predictions, labels };
}
