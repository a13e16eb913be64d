// The scale suite's training cases (issue 15): one epoch of DCN (alpt 4-bit, rowwise Adagrad)
// streamed from the shards of `alpt generate` + `alpt prepare` data under .cache/scale/ (made once,
// never committed), in a child process (scale-train-run.ts) so its peak RSS is the run's alone:
//   train-5m-alpt-b4    samples/s of the epoch (5 M generated rows: 4 M train rows after the
//                       8:1:1 split; 1 M with --quick, cases named train-1m-…)
//   train-5m-peak-rss   MiB, the child's peak RSS (target ≤ 400 MiB)
// Shards of SHARD_ROWS rows, a shuffle buffer of BUFFER_ROWS (two shards) and one prefetched shard.
// Until `alpt prepare` writes shards (--shard-rows), the bench cuts the prepared train.cache into
// shard files itself (<prepared>/shards-<SHARD_ROWS>/, listed in shards.json).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readCacheFile, writeCacheFile } from "../src/data/cache-file.js";
import { sliceDataset } from "../src/data/dataset.js";
import { openPrepared } from "../src/cli/files.js";
import { shardedSplit } from "../src/cli/stream-split.js";
import type { BenchCase } from "./harness.js";

export const SHARD_ROWS = 500_000;
export const BUFFER_ROWS = 2 * SHARD_ROWS;
/** Values seen fewer times map to OOV (FuxiCTR's Criteo_x4 uses 10; 2 keeps most of the tail). */
export const MIN_COUNT = 2;

/** .cache/scale/prep-<tag>: generated and prepared when missing; the shard folder to stream ("-": the folder's own). */
async function scaleData(root: string, rows: number, tag: string): Promise<{ prep: string; shardDir: string }> {
  const dir = join(root, ".cache/scale");
  mkdirSync(dir, { recursive: true });
  const cli = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
  const alpt = (...args: string[]) => execFileSync(process.execPath, [cli, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const txt = join(dir, `gen-${tag}.txt`), prep = join(dir, `prep-${tag}`);
  if (!existsSync(txt)) alpt("generate", "--rows", String(rows), "--out", txt);
  if (!existsSync(join(prep, "dataset.json"))) {
    const sharding = alpt("prepare", "--help").includes("--shard-rows") ? ["--shard-rows", String(SHARD_ROWS)] : [];
    alpt("prepare", txt, "--out", prep, "--min-count", String(MIN_COUNT), "--progress", "off", ...sharding);
  }
  const prepared = await openPrepared(prep);
  if ((await shardedSplit(prepared, "train")).shards.length > 1) return { prep, shardDir: "-" };
  // one train.cache: cut it into shard files once
  const shardDir = join(prep, `shards-${SHARD_ROWS}`);
  if (!existsSync(join(shardDir, "shards.json"))) {
    mkdirSync(shardDir, { recursive: true });
    const ds = await readCacheFile(join(prep, prepared.manifest.splits.train!.file));
    const list: { file: string; rows: number }[] = [];
    for (let s = 0, i = 0; s < ds.n; s += SHARD_ROWS, i++) {
      const file = `train-${String(i).padStart(5, "0")}.cache`;
      const part = sliceDataset(ds, s, Math.min(ds.n, s + SHARD_ROWS));
      await writeCacheFile(join(shardDir, file), part, prepared.featureMap.hash, "train");
      list.push({ file, rows: part.n });
    }
    writeFileSync(join(shardDir, "shards.json"), JSON.stringify(list));
  }
  return { prep, shardDir };
}

interface RunResult {
  samplesPerSec: number;
  peakRssMiB: number;
  [k: string]: unknown;
}

/**
 * The two cases, measured by one run of the child (made here, before the harness times anything:
 * both are values). Nothing is generated or run when `filter` matches neither case.
 */
export async function scaleTrainCases(root: string, quick: boolean, filter?: RegExp): Promise<BenchCase[]> {
  const rows = quick ? 1_000_000 : 5_000_000, tag = quick ? "1m" : "5m";
  const names = { rate: `train-${tag}-alpt-b4`, rss: `train-${tag}-peak-rss` };
  if (filter && !filter.test(`scale/${names.rate}`) && !filter.test(`scale/${names.rss}`)) return [];
  const { prep, shardDir } = await scaleData(root, rows, tag);
  const script = fileURLToPath(new URL("./scale-train-run.js", import.meta.url));
  const out = execFileSync(process.execPath, [script, prep, shardDir, String(BUFFER_ROWS)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const { samplesPerSec, peakRssMiB, ...rest } = JSON.parse(out.trim().split("\n").pop()!) as RunResult;
  const meta = {
    generatedRows: rows, minCount: MIN_COUNT, shardRows: SHARD_ROWS, model: "DCN 400-400-400, 3 cross, dim 16", method: "alpt 4-bit + rowwise Adagrad",
    batchSize: 2048, threads: 1, ...rest,
  };
  return [
    { name: names.rate, unit: "samples/s", value: samplesPerSec, meta },
    { name: names.rss, unit: "MiB", value: peakRssMiB, meta },
  ];
}
