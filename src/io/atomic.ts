// Atomic file writes (Node): write a temp file next to the target, fsync it, rename it over
// the target. A crash or error at any point leaves the previous file as it was.
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Writes `bytes` to `path` atomically. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fh;
  try {
    fh = await open(tmp, "w");
    await fh.writeFile(bytes);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new Error(`cannot write ${path}: ${(e as Error).message} (the previous file, if any, is unchanged)`);
  }
}
