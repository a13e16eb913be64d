// Streaming in `alpt train` / `alpt eval`: when to stream a prepared folder's split (Prepared.shards). A split of at most --shard-rows rows is one cache file: one shard, read when the pass
// reaches it (streaming saves no memory then, but the same code path runs); larger splits have
// several.
import type { ShardedSplit } from "../data/shard-source.js";

/** Above this many ids (rows × fields) a split is streamed by default: 2^27 ids = 512 MiB. */
export const STREAM_IDS = 2 ** 27;

/** Whether to stream `split`: --stream / --no-stream, else when it has several shards or more than STREAM_IDS ids. */
export function shouldStream(split: ShardedSplit, choice: boolean | undefined): boolean {
  if (choice !== undefined) return choice;
  return split.shards.length > 1 || split.rows * split.fields > STREAM_IDS;
}

/** Rows of a split and of its largest shard (for the data memory plan). */
export function splitShape(split: ShardedSplit): { rows: number; largestShard: number } {
  let largestShard = 0;
  for (const s of split.shards) largestShard = Math.max(largestShard, s.rows);
  return { rows: split.rows, largestShard };
}
