// Streaming in `alpt train` / `alpt eval`: a prepared folder's split as a ShardedSplit, and when
// to stream. A folder written by this version's `alpt prepare` holds each split in one cache file:
// it is one shard, read when the pass reaches it (streaming saves no memory then, but the same
// code path runs; sharded folders bring several).
import { join } from "node:path";
import type { ShardedSplit } from "../data/shard-source.js";
import { UsageError } from "./args.js";
import type { Prepared } from "./files.js";

/** Above this many ids (rows × fields) a split is streamed by default: 2^27 ids = 512 MiB. */
export const STREAM_IDS = 2 ** 27;

/** The split `name` of a prepared folder as shards. */
export async function shardedSplit(prepared: Prepared, name: string): Promise<ShardedSplit> {
  // the one place that builds the shards; once prepare writes sharded folders: return prepared.shards(name)
  return oneShard(prepared, name);
}

/** A one-file split as a one-shard split (the manifest's rows; load() reads and verifies it). */
function oneShard(prepared: Prepared, name: string): ShardedSplit {
  const { splits, fields } = prepared.manifest;
  const entry = Object.prototype.hasOwnProperty.call(splits, name) ? splits[name] : undefined;
  if (!entry) throw new UsageError(`${join(prepared.dir, "dataset.json")} has no split "${name}" (it has: ${Object.keys(splits).join(", ")})`);
  return { rows: entry.rows, fields, shards: [{ rows: entry.rows, name: join(prepared.dir, entry.file), load: () => prepared.split(name) }] };
}

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
