// Node only: whole-file reads that cannot hang or flood memory. Only regular files are read (a
// path that is a folder, a device such as /dev/zero, a FIFO or a socket is refused by name), and
// the size is checked against a limit before a byte is read. Errors name the path and what it is.
import { open, stat } from "node:fs/promises";
import type { Stats } from "node:fs";

/** The kind of a non-regular file, for messages. */
export function fileKind(st: Stats): string {
  if (st.isFile()) return "a file";
  if (st.isDirectory()) return "a folder";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isFIFO()) return "a pipe (FIFO)";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/** stat() of `path`, which must be a regular file (symbolic links are followed). */
export async function statRegularFile(path: string, what = "file"): Promise<Stats> {
  let st: Stats;
  try {
    st = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${what} ${path}: ${code === "ENOENT" ? "the file does not exist" : `cannot read it (${code ?? (e as Error).message})`}`, { cause: e });
  }
  if (!st.isFile()) throw new Error(`${what} ${path}: ${fileKind(st)}, expected a regular file`);
  return st;
}

/** Reads the regular file at `path` whole, refusing it when larger than `maxBytes`. */
export async function readRegularFile(path: string, what = "file", maxBytes = 2 ** 31 - 1): Promise<Uint8Array> {
  const fh = await open(path, "r").catch((e: NodeJS.ErrnoException) => {
    throw new Error(`${what} ${path}: ${e.code === "ENOENT" ? "the file does not exist" : `cannot read it (${e.code ?? e.message})`}`, { cause: e });
  });
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`${what} ${path}: ${fileKind(st)}, expected a regular file`);
    if (st.size > maxBytes) throw new Error(`${what} ${path}: ${st.size.toLocaleString("en")} bytes, more than the ${maxBytes.toLocaleString("en")} accepted`);
    const buf = new Uint8Array(st.size);
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    if (off !== buf.length) throw new Error(`${what} ${path}: the file shrank while it was read (${off} of ${buf.length} bytes)`);
    return buf;
  } finally {
    await fh.close();
  }
}

/** Reads the regular file at `path` as UTF-8 text; invalid UTF-8 is an error naming the line. */
export async function readRegularText(path: string, what = "file", maxBytes?: number): Promise<string> {
  const bytes = await readRegularFile(path, what, maxBytes);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const good = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
    const bad = good.indexOf("\uFFFD");
    const line = bad < 0 ? 1 : good.slice(0, bad).split("\n").length;
    throw new Error(`${what} ${path}:${line}: invalid UTF-8 (is it a text file?)`);
  }
}
