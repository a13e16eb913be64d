// The scale suite (issue 15): `alpt prepare` on generated Criteo of 1 M and 5 M rows, each run in
// a child process whose peak RSS is read at its exit (max-rss-at-exit.ts). The raw files come from
// `alpt generate` (seed 1, Kaggle cardinalities) once, kept in .cache/scale/ (1 M rows ≈ 244 MB,
// 5 M ≈ 1.2 GB; never committed); each run prepares again into .cache/scale/prepared-<rows>/,
// which stays there for the train cases. Minutes of work: `npm run bench -- scale` only, not part
// of `all`, and skipped with --quick.
//   prepare-1m-peak-rss   MiB, peak RSS of `alpt prepare` on 1 M rows (default --split, --shard-rows)
//   prepare-5m-peak-rss   MiB, the same on 5 M rows: vocabulary + one shard, not the rows
//   prepare-5m            rows/s of that run (all passes, the shards written)
// To extend (streaming training): scaleInput / preparedScale give the generated file and the
// prepared folder (prepared once per process), runWithPeakRss runs any CLI command measured.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchCase } from "./harness.js";

/** The CLI as the bench build compiles it (build/bench/src/cli/main.js, fresh with `npm run bench`). */
const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const PRELOAD = pathToFileURL(fileURLToPath(new URL("./max-rss-at-exit.js", import.meta.url))).href;

/** What a measured child run gives. */
export interface MeasuredRun {
  stdout: string;
  peakRssMiB: number;
  wallSeconds: number;
}

/** Runs `alpt <args>` in a child process (cwd `root`) and returns its output and peak RSS. */
export function runWithPeakRss(root: string, args: string[]): MeasuredRun {
  const dir = join(root, ".cache/scale");
  mkdirSync(dir, { recursive: true });
  const rssFile = join(dir, `rss-${process.pid}.json`);
  rmSync(rssFile, { force: true });
  const t0 = performance.now();
  const stdout = execFileSync(process.execPath, ["--import", PRELOAD, CLI, ...args], {
    cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 26, env: { ...process.env, ALPT_MAX_RSS_FILE: rssFile },
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  const { maxRssMiB } = JSON.parse(readFileSync(rssFile, "utf8")) as { maxRssMiB: number };
  rmSync(rssFile, { force: true });
  return { stdout, peakRssMiB: maxRssMiB, wallSeconds };
}

/** The generated Criteo file of `rows` rows (`alpt generate --rows N --seed 1`), made once under .cache/scale/. */
export function scaleInput(root: string, rows: number): string {
  const path = join(root, ".cache/scale", `criteo-${rows}-seed1.txt`);
  if (!existsSync(path)) {
    const tmp = `${path}.tmp`;
    runWithPeakRss(root, ["generate", "--rows", String(rows), "--seed", "1", "--out", tmp]);
    renameSync(tmp, path);
  }
  return path;
}

/** A prepare run of the suite: the folder and what was measured. */
export interface PrepareRun {
  dir: string;
  rows: number;
  shards: Record<string, number>;
  distinctValues: number;
  /** Bytes of the counting dictionaries and counts, per distinct value. */
  countingBytesPerValue: number;
  embeddingRows: number;
  seconds: number;
  rowsPerSec: number;
  peakRssMiB: number;
  inputMB: number;
}

const prepared = new Map<number, PrepareRun>();

/** `alpt prepare` of the generated `rows` rows into .cache/scale/prepared-<rows>/ (once per process), measured. */
export function preparedScale(root: string, rows: number): PrepareRun {
  let run = prepared.get(rows);
  if (run) return run;
  const input = scaleInput(root, rows);
  const dir = join(root, ".cache/scale", `prepared-${rows}`);
  rmSync(dir, { recursive: true, force: true });
  const m = runWithPeakRss(root, ["prepare", input, "--out", dir, "--json", "--progress", "off"]);
  const done = m.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.event === "done");
  if (!done) throw new Error(`scale: alpt prepare ${input} printed no "done" record`);
  const split = done.rows as Record<string, number>;
  const total = Object.values(split).reduce((a, b) => a + b, 0);
  run = {
    dir, rows: total, shards: done.shards as Record<string, number>, distinctValues: done.distinctValues as number,
    countingBytesPerValue: (done.countingBytes as number) / (done.distinctValues as number), embeddingRows: done.embeddingRows as number,
    seconds: done.seconds as number, rowsPerSec: total / (done.seconds as number), peakRssMiB: m.peakRssMiB, inputMB: statSync(input).size / 1e6,
  };
  prepared.set(rows, run);
  return run;
}

/** A case whose value (and meta) come from a measured run made in its setup. */
function measured(name: string, unit: BenchCase["unit"], measure: () => { value: number; meta: Record<string, unknown> }): BenchCase {
  let r: { value: number; meta: Record<string, unknown> } = { value: NaN, meta: {} };
  return {
    name, unit,
    setup: () => void (r = measure()),
    get value() {
      return r.value;
    },
    get meta() {
      return r.meta;
    },
  };
}

const metaOf = (p: PrepareRun) => ({
  rows: p.rows, inputMB: Math.round(p.inputMB), seconds: Number(p.seconds.toFixed(1)), shards: p.shards, distinctValues: p.distinctValues, countingBytesPerValue: Number(p.countingBytesPerValue.toFixed(1)),
  embeddingRows: p.embeddingRows, peakRssMiB: Math.round(p.peakRssMiB), command: "alpt prepare <generated> --json (default --split 0.8,0.1,0.1, --shard-rows 250000)",
});

export function scaleCases(root: string, quick: boolean): BenchCase[] {
  if (quick) {
    process.stderr.write("scale: skipped with --quick (it prepares 6 M generated rows: minutes)\n");
    return [];
  }
  return [
    measured("prepare-1m-peak-rss", "MiB", () => {
      const p = preparedScale(root, 1_000_000);
      return { value: p.peakRssMiB, meta: metaOf(p) };
    }),
    measured("prepare-5m-peak-rss", "MiB", () => {
      const p = preparedScale(root, 5_000_000);
      return { value: p.peakRssMiB, meta: metaOf(p) };
    }),
    measured("prepare-5m", "rows/s", () => {
      const p = preparedScale(root, 5_000_000);
      return { value: p.rowsPerSec, meta: metaOf(p) };
    }),
  ];
}
