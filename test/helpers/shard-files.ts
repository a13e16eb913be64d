// Test helper until prepare writes sharded folders: a dataset written as cache files of
// `rowsPerShard` rows (<dir>/shard-000.cache, …) and the ShardedSplit that reads them back.
import { join } from "node:path";
import { readCacheFile, writeCacheFile } from "../../src/data/cache-file.js";
import { sliceDataset, type EncodedDataset } from "../../src/data/dataset.js";
import type { Shard, ShardedSplit } from "../../src/data/shard-source.js";

export async function shardFiles(dir: string, ds: EncodedDataset, rowsPerShard: number): Promise<ShardedSplit> {
  const shards: Shard[] = [];
  for (let s = 0, i = 0; s < ds.n; s += rowsPerShard, i++) {
    const e = Math.min(ds.n, s + rowsPerShard);
    const path = join(dir, `shard-${String(i).padStart(3, "0")}.cache`);
    await writeCacheFile(path, sliceDataset(ds, s, e));
    shards.push({ rows: e - s, name: path, load: () => readCacheFile(path) });
  }
  return { rows: ds.n, fields: ds.fields, shards };
}
