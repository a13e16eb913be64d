// The bench harness: tinybench over pre-built closures, one JSON line per case on stdout
// ({"case", "value", "unit", ...}, DESIGN.md §11) and a results file per runtime.
import { writeFileSync, mkdirSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import { Bench } from "tinybench";

/** One measured case. `work` is the amount of `unit`·s done per call (for rates). */
export interface BenchCase {
  name: string;
  unit: "Mrows/s" | "GFLOP/s" | "GB/s" | "MB/s" | "ms" | "samples/s" | "rows/s" | "B" | "MiB";
  /** Per call: Mrows for Mrows/s, GFLOP for GFLOP/s, GB for GB/s, MB for MB/s; unused for ms. */
  work?: number;
  fn?: () => void | Promise<void>;
  /** Fewest timed calls of a full run (default tinybench's 64; fewer for calls of a second or more). */
  minCalls?: number;
  /** Runs before timing (builds what fn needs) and after it (frees it). */
  setup?: () => void;
  teardown?: () => void;
  /** A value measured without timing (bytes, MiB). */
  value?: number;
  meta?: Record<string, unknown>;
}

/** A result line. */
export interface BenchResult {
  case: string;
  value: number;
  unit: string;
  [k: string]: unknown;
}

/** Options of a run. */
export interface RunOptions {
  quick: boolean;
  filter?: RegExp;
  /** The core build; relaxed cases are named `<case>-relaxed`. */
  simd?: "exact" | "relaxed";
  /** Threads of the kernels; cases on more than one are named `<case>-t<threads>`. */
  threads?: number;
}

/** A figure as results give it: 4 significant digits. */
export const round = (x: number): number => Number(x.toPrecision(4));

/** A case's result name on a setup: `suite/name[-t<threads>][-relaxed]`. */
export function caseName(suite: string, c: BenchCase, opts: RunOptions): string {
  const threads = opts.threads ?? 1;
  return `${suite}/${c.name}${threads > 1 ? `-t${threads}` : ""}${opts.simd === "relaxed" ? "-relaxed" : ""}`;
}

/** Times every case (median latency) and prints its JSON line as soon as it is measured. */
export async function runCases(suite: string, cases: BenchCase[], opts: RunOptions): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const c of cases) {
    const threads = opts.threads ?? 1;
    const name = caseName(suite, c, opts);
    if (opts.filter && !opts.filter.test(name)) continue;
    let value: number;
    c.setup?.();
    // read after setup: a case measured in its setup (a peer's child process) describes the run in its meta
    const meta = {
      ...c.meta, runtime: `node-${process.versions.node}`, threads: (c.meta?.threads as number | undefined) ?? threads,
      simd: c.value === undefined ? opts.simd ?? "exact" : undefined, quick: opts.quick || undefined,
    };
    if (c.fn) {
      // quick: a smoke run, two timed calls (tinybench's default minimum is 64 calls). A full run
      // warms up for 1 s and 5 calls at least: V8 tiers wasm up in the background, and a case that
      // runs first in its process was measured up to 1.5× slow with a 300 ms warm-up.
      const bench = new Bench(opts.quick ? { time: 30, warmupTime: 10, iterations: 2, warmupIterations: 1 } : { time: 1500, warmupTime: 1000, warmupIterations: 5, ...(c.minCalls ? { iterations: c.minCalls } : {}) });
      bench.add(name, c.fn);
      await bench.run();
      const r = bench.tasks[0].result;
      if (r.state !== "completed") throw new Error(`${name}: ${r.state} ${"error" in r ? String(r.error) : ""}`);
      const rate = (ms: number) => (c.unit === "ms" ? ms : (c.work ?? 1) / (ms / 1000));
      value = rate(r.latency.p50);
      // the spread of the timed calls, in the case's unit (slowest and fastest call)
      const [a, b] = [rate(r.latency.min), rate(r.latency.max)];
      Object.assign(meta, { min: round(Math.min(a, b)), max: round(Math.max(a, b)), calls: r.latency.samplesCount });
    } else {
      value = c.value ?? NaN;
    }
    c.teardown?.();
    const res: BenchResult = { case: name, value: round(value), unit: c.unit, ...meta };
    console.log(JSON.stringify(res));
    out.push(res);
  }
  return out;
}

/** Writes text to a file atomically (temp file + rename): a failed write keeps the old file. */
function writeAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Writes results to `<stem>.json` and their markdown summary to `<stem>.md`. */
export function saveResults(results: BenchResult[], stem: string, markdown: string): void {
  writeAtomic(`${stem}.json`, JSON.stringify({ date: new Date().toISOString(), results }, null, 1) + "\n");
  writeAtomic(`${stem}.md`, markdown);
}
