// Node only: dataset cache files (format in cache.ts). Writes are atomic — a temp file next to
// the target, fsync, rename — so a failed write leaves the previous cache intact. Reads refuse
// anything but a regular file and compare the size the header announces with the file's size
// before reading the rows (a cache linked to /dev/zero or cut short fails at once).
import { open } from "node:fs/promises";
import { writeFileAtomic } from "../io/atomic.js";
import { decodeCache, decodeCacheHeader, decodeCachePreamble, encodeCacheParts, type CacheHeader, type DatasetWithInputs, type DecodeCacheOptions } from "./cache.js";
import { fileKind } from "./regular-file.js";

/** Writes `ds` to `path` atomically, recording the FeatureMap hash that produced its ids (and its split). */
export async function writeCacheFile(path: string, ds: DatasetWithInputs, featureMapHash: string | null = null, split?: string): Promise<void> {
  await writeFileAtomic(path, encodeCacheParts(ds, featureMapHash, split));
}

/** The longest JSON header accepted (a real one is a few KiB: the field names and the hash). */
const MAX_HEADER = 16 << 20;

/** Reads and verifies the cache at `path` (errors name the path). */
export async function readCacheFile(path: string, options: Omit<DecodeCacheOptions, "what"> = {}): Promise<DatasetWithInputs & { header: CacheHeader }> {
  const fh = await open(path, "r").catch((e: NodeJS.ErrnoException) => {
    throw new Error(`${path}: ${e.code === "ENOENT" ? "the file does not exist" : `cannot read it (${e.code ?? e.message})`}`, { cause: e });
  });
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`${path}: ${fileKind(st)}, expected a dataset cache file`);
    const size = st.size;
    const read = async (length: number, position: number): Promise<Uint8Array> => {
      const b = new Uint8Array(length);
      let off = 0;
      while (off < length) {
        const { bytesRead } = await fh.read(b, off, length - off, position + off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return off === length ? b : b.subarray(0, off);
    };
    const pre = await read(Math.min(12, size), 0);
    const H = decodeCachePreamble(pre, path);
    if (H > MAX_HEADER || 12 + H > size) throw new Error(`${path}: truncated or corrupted (header of ${H} bytes, file of ${size})`);
    const head = await read(12 + H, 0);
    const { layout, header } = decodeCacheHeader(head, path);
    if (size !== layout.byteLength) {
      throw new Error(`${path}: ${size < layout.byteLength ? "truncated" : "corrupted"} (${size} bytes, expected ${layout.byteLength} for n = ${header.n}, F = ${header.fields})`);
    }
    return decodeCache(await read(size, 0), { ...options, what: path });
  } finally {
    await fh.close();
  }
}
