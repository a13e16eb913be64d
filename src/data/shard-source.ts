// The contract between out-of-core preparation and streaming training: a split of a prepared
// dataset as an ordered list of shards, each an ordinary dataset cache (cache.ts: its own header
// and checksum) that is read only when a pass reaches it. Writers: prepare's sharded path; readers:
// the streaming batch source and streaming evaluation. A split small enough for memory is one
// shard, so both paths see the same rows in the same order.
import type { EncodedDataset } from "./dataset.js";

/** One shard of a split: its row count (from the manifest) and a loader of its rows. */
export interface Shard {
  /** Rows in the shard, as the manifest states (load() checks it). */
  readonly rows: number;
  /** Where it lives (a path, or a name for in-memory shards), for messages. */
  readonly name: string;
  /** Reads and verifies the shard (header, size, checksum). */
  load(): Promise<EncodedDataset>;
}

/** A split as shards, in file order; rows = Σ shard rows. */
export interface ShardedSplit {
  readonly rows: number;
  readonly fields: number;
  readonly shards: readonly Shard[];
}
