// Writing a prepared folder, for both prepare paths (a Criteo-style file, a dataset config): the
// run writes its files into a staging subfolder (io/staged-folder.ts) and returns the manifest,
// which is written last; the files are then switched in and the shards of an earlier prepare that
// the new manifest does not list are removed. A run that fails leaves the folder as it was.
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { stageFolder } from "../io/staged-folder.js";
import type { DatasetManifest } from "./files.js";

/** Runs `run` on a staging subfolder of `dir` and switches its files and its manifest in. */
export async function writePreparedFolder<T extends { manifest: DatasetManifest }>(dir: string, run: (staging: string) => Promise<T>): Promise<T> {
  const staged = await stageFolder(dir);
  try {
    const result = await run(staged.path);
    await writeFileAtomic(join(staged.path, "dataset.json"), new TextEncoder().encode(JSON.stringify(result.manifest, null, 2) + "\n"));
    await staged.commit("dataset.json");
    await removeStaleShards(dir, result.manifest);
    return result;
  } finally {
    await staged.discard();
  }
}

/** Removes caches of an earlier prepare into the same folder that the new manifest does not list. */
async function removeStaleShards(dir: string, manifest: DatasetManifest): Promise<void> {
  const listed = new Set(Object.values(manifest.splits).flatMap((s) => s.shards.map((x) => x.file)));
  for (const f of await readdir(dir)) {
    if (/^(train|valid|test)(-\d{5})?\.cache$/.test(f) && !listed.has(f)) await rm(join(dir, f), { force: true });
  }
}
