// Atomic file writes (Node): write a temp file next to the target, fsync it, rename it over
// the target, fsync the folder. An error at any point removes the temp file and leaves the
// previous file as it was; a crash leaves at most a stray `.<name>.<pid>.<n>.tmp` file.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** What writeFileAtomic accepts: one buffer, or chunks written in order (e.g. safetensors parts). */
export type FileContents = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

let counter = 0;
const SLICE = 1 << 30; // one write call is limited to 2 GiB

const tempPath = (path: string) => join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
const failure = (path: string, e: unknown) => new Error(`cannot write ${path}: ${(e as Error).message} (the previous file, if any, is unchanged)`, { cause: e });

/** Writes `contents` to `path` atomically; the error names the path and keeps the cause. */
export async function writeFileAtomic(path: string, contents: FileContents): Promise<void> {
  const tmp = tempPath(path);
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(tmp, "wx");
    const chunks = contents instanceof Uint8Array ? [contents] : contents;
    for await (const c of chunks) {
      for (let o = 0; o < c.length; o += SLICE) await fh.write(c.subarray(o, Math.min(c.length, o + SLICE)));
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw failure(path, e);
  }
  // make the rename itself durable; some file systems refuse to fsync a folder: not an error
  try {
    const dir = await open(dirname(path), "r");
    await dir.sync().finally(() => dir.close());
  } catch {
    // best effort
  }
}

/**
 * writeFileAtomic for synchronous callers (e.g. a checkpoint written from a training callback,
 * while the chunks are views of a heap that must not grow before they are written).
 */
export function writeFileAtomicSync(path: string, chunks: Iterable<Uint8Array>): void {
  const tmp = tempPath(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx");
    for (const c of chunks) {
      for (let o = 0; o < c.length; ) o += writeSync(fd, c, o, Math.min(c.length - o, SLICE));
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw failure(path, e);
  }
}
