// The Node-only part of the data pipeline: file bytes (with gunzip), dataset cache files, and
// whole-file reads of regular files only, and out-of-core preparation into sharded cache files.
export { isGzipFile, readFileBytes } from "./source.js";
export type { FileBytesOptions } from "./source.js";
export { readCacheFile, writeCacheFile } from "./cache-file.js";
export { fileKind, readRegularFile, readRegularText, statRegularFile } from "./regular-file.js";
export { DEFAULT_SHARD_ROWS, prepareShards, shardFileName } from "./prepare-shards.js";
export type { PrepareShardsOptions, ShardedPrepared, WrittenShard, WrittenSplit } from "./prepare-shards.js";
export { prepareConfigShards } from "./prepare-config-shards.js";
export type { BagLengths, ConfigShardsOptions, ConfigShardsPrepared } from "./prepare-config-shards.js";
