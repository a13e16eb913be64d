// Node only: dataset cache files (format in cache.ts). Writes are atomic — a temp file next to
// the target, fsync, rename — so a failed write leaves the previous cache intact.
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../io/atomic.js";
import { decodeCache, encodeCacheParts, type CacheHeader, type DecodeCacheOptions } from "./cache.js";
import type { EncodedDataset } from "./dataset.js";

/** Writes `ds` to `path` atomically, recording the FeatureMap hash that produced its ids. */
export async function writeCacheFile(path: string, ds: EncodedDataset, featureMapHash: string | null = null): Promise<void> {
  await writeFileAtomic(path, encodeCacheParts(ds, featureMapHash));
}

/** Reads and verifies the cache at `path` (errors name the path). */
export async function readCacheFile(path: string, options: Omit<DecodeCacheOptions, "what"> = {}): Promise<EncodedDataset & { header: CacheHeader }> {
  const bytes = await readFile(path);
  return decodeCache(bytes, { ...options, what: path });
}
