// An in-memory dataset as a ShardedSplit (shard-source.ts): consecutive slices of `rowsPerShard`
// rows (views, no copy), each loaded at once. For tests and for streaming code paths fed from
// memory; prepared folders give their shards from files.
import { batchBags } from "./bag-batch.js";
import type { BagData } from "./bag-fields.js";
import { sliceDataset, type EncodedDataset } from "./dataset.js";
import type { Shard, ShardedSplit } from "./shard-source.js";

/** `ds` as shards of `rowsPerShard` rows (the last may be smaller); dense features and bag fields are sliced too. */
export function shardsOf(ds: EncodedDataset & { dense?: Float32Array; bags?: BagData }, rowsPerShard: number, name = "memory"): ShardedSplit {
  if (!Number.isInteger(rowsPerShard) || rowsPerShard < 1) throw new RangeError(`shardsOf: rowsPerShard = ${rowsPerShard} must be a positive integer`);
  const shards: Shard[] = [];
  for (let s = 0, i = 0; s < ds.n; s += rowsPerShard, i++) {
    const e = Math.min(ds.n, s + rowsPerShard);
    const part: EncodedDataset & { dense?: Float32Array; bags?: BagData } = sliceDataset(ds, s, e);
    if (ds.dense) {
      const nd = ds.dense.length / ds.n;
      part.dense = ds.dense.subarray(s * nd, e * nd);
    }
    if (ds.bags) part.bags = batchBags(ds.bags, undefined, s, e - s);
    shards.push({ rows: e - s, name: `${name}[${i}]`, load: () => Promise.resolve(part) });
  }
  return { rows: ds.n, fields: ds.fields, shards };
}
