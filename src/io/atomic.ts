// Atomic file writes (Node): write a temp file next to the target, fsync it, rename it over
// the target, fsync the folder. An error at any point removes the temp file and leaves the
// previous file as it was; a crash leaves at most a stray `.<name>.<pid>.<n>.tmp` file.
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** What writeFileAtomic accepts: one buffer, or chunks written in order (e.g. safetensors parts). */
export type FileContents = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

let counter = 0;
const SLICE = 1 << 30; // one write call is limited to 2 GiB

/** Writes `contents` to `path` atomically; the error names the path and keeps the cause. */
export async function writeFileAtomic(path: string, contents: FileContents): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
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
    throw new Error(`cannot write ${path}: ${(e as Error).message} (the previous file, if any, is unchanged)`, { cause: e });
  }
  // make the rename itself durable; some file systems refuse to fsync a folder: not an error
  try {
    const dir = await open(dirname(path), "r");
    await dir.sync().finally(() => dir.close());
  } catch {
    // best effort
  }
}
