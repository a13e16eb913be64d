// Output targets checked before any work, so a bad --out fails at once rather than after a whole
// preparation or epoch: a folder to create (level by level: Node's recursive mkdir loops forever
// under /proc) or a file to write, each probed by creating and removing a small file in it.
import { mkdir, open, rm, rmdir, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileKind } from "../data/regular-file.js";

/** The error code of a failed fs call, for messages ("ENOENT", …). */
const codeOf = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** Checks that a file can be created in folder `dir` (create and remove a probe file). */
async function probeFolder(dir: string, what: string): Promise<void> {
  const probe = join(dir, `.alpt-probe.${process.pid}.tmp`);
  try {
    const fh = await open(probe, "wx");
    await fh.close();
    await rm(probe, { force: true });
  } catch (e) {
    throw new Error(`${what}: cannot write in the folder ${dir} (${codeOf(e)})`, { cause: e });
  }
}

/**
 * Makes sure the folder `dir` exists (creating missing levels one by one, never with a recursive
 * mkdir, which loops forever under /proc) and that files can be written in it — before any work,
 * so a bad --out fails at once. Returns the folders it created, deepest last.
 */
export async function prepareOutputFolder(dir: string, what: string): Promise<string[]> {
  const missing: string[] = [];
  let p = resolve(dir);
  for (;;) {
    let st;
    try {
      st = await stat(p);
    } catch (e) {
      if (codeOf(e) !== "ENOENT") throw new Error(`${what} ${dir}: cannot use ${p} (${codeOf(e)})`, { cause: e });
      const up = dirname(p);
      if (up === p) throw new Error(`${what} ${dir}: no existing folder above it`);
      missing.unshift(p);
      p = up;
      continue;
    }
    if (!st.isDirectory()) throw new Error(`${what} ${dir}: ${p} is ${fileKind(st)}, not a folder`);
    break;
  }
  const created: string[] = [];
  for (const m of missing) {
    try {
      await mkdir(m);
    } catch (e) {
      await removeEmptyFolders(created);
      throw new Error(`${what} ${dir}: cannot create the folder ${m} (${codeOf(e)})`, { cause: e });
    }
    created.push(m);
  }
  try {
    await probeFolder(dir, `${what} ${dir}`);
  } catch (e) {
    await removeEmptyFolders(created);
    throw e;
  }
  return created;
}

/** Removes folders made by prepareOutputFolder when the work failed (only if still empty). */
export async function removeEmptyFolders(created: readonly string[]): Promise<void> {
  for (const d of [...created].reverse()) await rmdir(d).catch(() => undefined);
}

/** Checks, before any work, that the file `path` can be written: its folder exists and is writable. */
export async function requireWritableFile(path: string, what: string): Promise<void> {
  const dir = dirname(resolve(path));
  let st;
  try {
    st = await stat(dir);
  } catch (e) {
    throw new Error(`${what} ${path}: ${codeOf(e) === "ENOENT" ? `the folder ${dirname(path)} does not exist` : `cannot use the folder ${dirname(path)} (${codeOf(e)})`}`, { cause: e });
  }
  if (!st.isDirectory()) throw new Error(`${what} ${path}: ${dirname(path)} is ${fileKind(st)}, not a folder`);
  const target = await stat(path).catch(() => undefined);
  if (target && !target.isFile()) throw new Error(`${what} ${path}: it is ${fileKind(target)}, not a file`);
  await probeFolder(dirname(path), `${what} ${path}`);
}

