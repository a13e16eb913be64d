// Test helper: a dataset (with its dense inputs and bag fields, if any) written as cache files of
// `rowsPerShard` rows (<dir>/shard-000.cache, …) and the ShardedSplit that reads them back.
import { join } from "node:path";
import { readCacheFile, writeCacheFile } from "../../src/data/cache-file.js";
import type { DatasetWithInputs } from "../../src/data/cache.js";
import { sliceInputs } from "../../src/data/prepare-config.js";
import type { Shard, ShardedSplit } from "../../src/data/shard-source.js";

export async function shardFiles(dir: string, ds: DatasetWithInputs, rowsPerShard: number): Promise<ShardedSplit> {
  const shards: Shard[] = [];
  for (let s = 0, i = 0; s < ds.n; s += rowsPerShard, i++) {
    const e = Math.min(ds.n, s + rowsPerShard);
    const path = join(dir, `shard-${String(i).padStart(3, "0")}.cache`);
    await writeCacheFile(path, sliceInputs(ds, s, e));
    shards.push({ rows: e - s, name: path, load: () => readCacheFile(path) });
  }
  return { rows: ds.n, fields: ds.fields, shards };
}
