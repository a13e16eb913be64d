// Node only: dataset cache files (format in cache.ts). Writes are atomic — a temp file next to
// the target, fsync, rename — so a failed write leaves the previous cache intact.
import { open, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { decodeCache, encodeCacheParts, type CacheHeader, type DecodeCacheOptions } from "./cache.js";
import type { EncodedDataset } from "./dataset.js";

/** Writes `ds` to `path` atomically, recording the FeatureMap hash that produced its ids. */
export async function writeCacheFile(path: string, ds: EncodedDataset, featureMapHash: string | null = null): Promise<void> {
  const parts = encodeCacheParts(ds, featureMapHash);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(tmp, "w");
    for (const p of parts) {
      // Large parts are written in slices: one write call is limited to 2 GiB.
      for (let o = 0; o < p.length; o += 1 << 30) await fh.write(p.subarray(o, Math.min(p.length, o + (1 << 30))));
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new Error(`cannot write ${path}: ${e instanceof Error ? e.message : String(e)} (the previous file, if any, is unchanged)`, { cause: e });
  }
}

/** Reads and verifies the cache at `path` (errors name the path). */
export async function readCacheFile(path: string, options: Omit<DecodeCacheOptions, "what"> = {}): Promise<EncodedDataset & { header: CacheHeader }> {
  const bytes = await readFile(path);
  return decodeCache(bytes, { ...options, what: path });
}
