// A run's new files staged in a hidden subfolder of their target folder, switched in at the end:
// a run that fails (a bad line, a disk error) removes the subfolder and leaves the folder exactly
// as it was; a run that succeeds removes the old manifest first, renames the new files into the
// folder (same file system: each rename is atomic) and renames the new manifest last. A kill
// before the switch leaves the old folder intact plus a stray `.staged-<pid>-<n>` subfolder (removed
// by the next successful switch into the folder); a kill during the switch (a few renames) leaves a
// folder without a manifest, which every reader refuses, rather than old and new files mixed.
import { fsyncSync, openSync, closeSync } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";

const PREFIX = ".staged-";
let counter = 0;

/** A staging subfolder of `dir`: write into `path`, then commit() or discard(). */
export interface StagedFolder {
  /** The subfolder the run writes into. */
  readonly path: string;
  /**
   * Switches the staged files in: removes `manifest` from the folder, renames every staged file
   * into it (`manifest` last), removes the subfolder and stray ones of earlier runs.
   */
  commit(manifest: string): Promise<void>;
  /** Removes the subfolder and what it holds (after a failure; harmless after commit). */
  discard(): Promise<void>;
}

/** Creates the staging subfolder of `dir` (which must exist). */
export async function stageFolder(dir: string): Promise<StagedFolder> {
  const path = join(dir, `${PREFIX}${process.pid}-${counter++}`);
  await mkdir(path);
  const discard = () => rm(path, { recursive: true, force: true });
  return {
    path,
    discard,
    async commit(manifest) {
      const files = await readdir(path);
      if (!files.includes(manifest)) throw new Error(`${path}: the staged files have no ${manifest}`);
      await rm(join(dir, manifest), { force: true });
      for (const f of files) if (f !== manifest) await rename(join(path, f), join(dir, f));
      await rename(join(path, manifest), join(dir, manifest));
      syncFolder(dir);
      await discard();
      for (const f of await readdir(dir)) if (f.startsWith(PREFIX)) await rm(join(dir, f), { recursive: true, force: true });
    },
  };
}

/** Flushes a folder's entries (the renames) to disk; best effort where folders cannot be opened. */
function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows cannot fsync a folder
  }
}
