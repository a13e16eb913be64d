// The scale suite's training cases (issue 15): one epoch of DCN (alpt 4-bit, rowwise Adagrad)
// streamed from the shards of `alpt generate` + `alpt prepare` data under .cache/scale/ (made once,
// never committed), in a child process (scale-train-run.ts) so its peak RSS is the run's alone:
//   train-5m-alpt-b4    samples/s of the epoch (5 M generated rows: 4 M train rows after the
//                       8:1:1 split; 1 M with --quick, cases named train-1m-…)
//   train-5m-peak-rss   MiB, the child's peak RSS (target ≤ 400 MiB)
// The generated file is scale.bench.ts's; `alpt prepare --min-count 2 --shard-rows SHARD_ROWS`
// writes the train split in shards; a shuffle buffer of BUFFER_ROWS (two shards) and one
// prefetched shard.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchCase } from "./harness.js";
import { scaleInput } from "./scale.bench.js";

export const SHARD_ROWS = 250_000;
export const BUFFER_ROWS = 2 * SHARD_ROWS;
/** Values seen fewer times map to OOV (FuxiCTR's Criteo_x4 uses 10; 2 keeps most of the tail). */
export const MIN_COUNT = 2;

/** .cache/scale/prep-<tag>-s<SHARD_ROWS>: the generated rows prepared in shards (once; kept for later runs). */
function scaleData(root: string, rows: number, tag: string): string {
  const prep = join(root, ".cache/scale", `prep-${tag}-s${SHARD_ROWS}`);
  if (!existsSync(join(prep, "dataset.json"))) {
    const args = ["prepare", scaleInput(root, rows), "--out", prep, "--min-count", String(MIN_COUNT), "--shard-rows", String(SHARD_ROWS), "--progress", "off"];
    execFileSync(process.execPath, [fileURLToPath(new URL("../src/cli/main.js", import.meta.url)), ...args], { stdio: ["ignore", "ignore", "inherit"] });
  }
  return prep;
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
  const prep = scaleData(root, rows, tag);
  const script = fileURLToPath(new URL("./scale-train-run.js", import.meta.url));
  const out = execFileSync(process.execPath, [script, prep, String(BUFFER_ROWS)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
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
