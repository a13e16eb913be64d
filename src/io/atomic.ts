// Atomic file writes (Node): write a temp file next to the target, fsync it, rename it over
// the target, fsync the folder. An error at any point removes the temp file and leaves the
// previous file as it was; a crash leaves at most a stray `.<name>.<pid>.<n>.tmp` file, which the
// next write of the same target removes (when process <pid> is gone), with a note on stderr.
// File-system errors are reported as "cannot write <path>: …"; an error thrown by the producer of
// the contents (e.g. bad input rows of `alpt predict`) is passed on unchanged.
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** What writeFileAtomic accepts: one buffer, or chunks written in order (e.g. safetensors parts). */
export type FileContents = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

let counter = 0;
const SLICE = 1 << 30; // one write call is limited to 2 GiB

const tempPath = (path: string) => join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
const failure = (path: string, e: unknown) => new Error(`cannot write ${path}: ${(e as Error).message} (the previous file, if any, is unchanged)`, { cause: e });

/** Where notes about removed stale temp files go (default: a line on stderr). */
let noteStale: (line: string) => void = (line) => void process.stderr.write(line + "\n");

/** Redirects the notes about removed stale temp files (e.g. to collect them in a test). */
export function onStaleTempFiles(note: (line: string) => void): void {
  noteStale = note;
}

/** Whether process `pid` is running (EPERM: it is, but not ours). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes temp files that an interrupted write of `path` left (`.<name>.<pid>.<n>.tmp` of a
 * process that is gone); returns their names. Best effort: an unreadable folder is not an error.
 */
export function removeStaleTemps(path: string): string[] {
  const dir = dirname(path), name = basename(path);
  const prefix = `.${name}.`;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const e of entries) {
    if (!e.startsWith(prefix) || !e.endsWith(".tmp")) continue;
    const m = /^(\d+)\.(\d+)\.tmp$/.exec(e.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || alive(pid)) continue;
    try {
      rmSync(join(dir, e), { force: true });
      removed.push(e);
    } catch {
      // someone else's file: left alone
    }
  }
  if (removed.length) noteStale(`note: removed ${removed.length} temporary file(s) left by an interrupted write of ${path}: ${removed.join(", ")}`);
  return removed;
}

/** A producer's error, passed on unchanged (not a write failure). */
class ContentError {
  constructor(readonly error: unknown) {}
}

async function* guarded(contents: FileContents): AsyncGenerator<Uint8Array> {
  if (contents instanceof Uint8Array) {
    yield contents;
    return;
  }
  const it = (Symbol.asyncIterator in contents ? contents[Symbol.asyncIterator]() : contents[Symbol.iterator]()) as AsyncIterator<Uint8Array> | Iterator<Uint8Array>;
  for (;;) {
    let r: IteratorResult<Uint8Array>;
    try {
      r = await it.next();
    } catch (e) {
      throw new ContentError(e);
    }
    if (r.done) return;
    yield r.value;
  }
}

/** Writes `contents` to `path` atomically; the error names the path and keeps the cause. */
export async function writeFileAtomic(path: string, contents: FileContents): Promise<void> {
  removeStaleTemps(path);
  const tmp = tempPath(path);
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(tmp, "wx");
    for await (const c of guarded(contents)) {
      for (let o = 0; o < c.length; o += SLICE) await fh.write(c.subarray(o, Math.min(c.length, o + SLICE)));
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    if (e instanceof ContentError) throw e.error;
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
  removeStaleTemps(path);
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
