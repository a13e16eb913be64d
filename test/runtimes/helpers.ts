// Shared by the runtime tests: where the built package is, bounded child processes (all killed
// in afterAll), the Node reference run, and the cross-runtime comparison of fixtures/job.js.
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { readdir } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { expect } from "vitest";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The built package (CI builds before the tests); ALPT_DIST points the tests at another build. */
export const DIST = resolve(process.env.ALPT_DIST ?? join(ROOT, "dist"));
export const FIXTURES = join(ROOT, "test/runtimes/fixtures");
export const CLI = join(FIXTURES, "cli.js");

/** The deno executable (the package's own resolver: its copy, else the platform package's). */
export const denoExe = (): string => (createRequire(import.meta.url)("deno/install_api.cjs") as { runInstall(): string }).runInstall();
export const DENO_ENV = { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1", NO_COLOR: "1" };
/** Deno's permissions for a job: reading the package and the fixtures, nothing else. */
export const DENO_READ = `--allow-read=${DIST},${FIXTURES}`;

/**
 * The bun executable. The package's bin/bun.exe is a stub until its postinstall has run (it
 * is skipped by `npm install --ignore-scripts`), so look in the platform package first.
 */
export function bunExe(): string {
  const req = createRequire(createRequire(import.meta.url).resolve("bun/package.json"));
  const arch = process.arch === "arm64" ? "aarch64" : process.arch;
  for (const suffix of ["", "-baseline", "-musl", "-musl-baseline"]) {
    try {
      const exe = join(dirname(req.resolve(`@oven/bun-${process.platform}-${arch}${suffix}/package.json`)), "bin/bun");
      if (existsSync(exe)) return exe;
    } catch {
      // not installed for this platform
    }
  }
  const exe = join(dirname(req.resolve("bun/package.json")), "bin/bun.exe");
  if (statSync(exe).size < 1e6) throw new Error(`no bun binary: ${exe} is the stub (run \`node install.js\` in node_modules/bun)`);
  return exe;
}
export const BUN_ENV = { ...process.env, BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0", NO_COLOR: "1" };
export const IN_CI = process.env.CI === "true";

/** What fixtures/job.js returns. */
export interface JobResult {
  runtime: string;
  backend: string;
  backendReason?: string;
  /** The core build (init's simd), for wasm-simd. */
  simd?: string;
  /** Threads the kernels ran on, for wasm-simd. */
  threads?: number;
  auc: number;
  logloss: number;
  checksum: string;
  stages: { data: string; untrained: string; losses: string; predictions: string };
  /** Checksums of Math.exp/log/… results, f64 and rounded to f32 (informative: engines may differ). */
  math: Record<string, string>;
  firstLosses: string[];
  firstPredictions: string[];
  steps: number;
  rows: { train: number; valid: number; fields: number };
  embeddingBytesPerRow: number;
  peakHeapBytes: number;
  heapCapacityBytes: number;
  heapMaxBytes: number;
  ms: { init: number; fit: number; total: number };
}

/** The file the package's exports map gives for "." under `condition` ("default", "workerd"). */
export function entryFile(condition: "default" | "workerd"): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: { ".": Record<string, string> } };
  const target = pkg.exports["."][condition];
  if (!target?.startsWith("./dist/")) throw new Error(`package.json: exports["."].${condition} = ${target} (expected ./dist/…)`);
  return join(DIST, target.slice("./dist/".length));
}

/** Throws unless the package has been built. */
export function requireDist(): void {
  for (const f of ["entry/default.js", "entry/workerd.js", "core.wasm", "core-relaxed.wasm"]) {
    if (!existsSync(join(DIST, f))) throw new Error(`${join(DIST, f)} is missing: run \`npm run build\` first`);
  }
}

/** The file: URL of the package's default entry (what Node, Deno and Bun import). */
export const defaultEntryUrl = (): string => pathToFileURL(entryFile("default")).href;

/** Every file under `dir` whose name ends with one of `exts`, as paths relative to `dir`. */
export async function listFiles(dir: string, exts: string[]): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && exts.some((x) => e.name.endsWith(x)))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split("\\").join("/"))
    .sort();
}

const children = new Set<ChildProcess>();

/** Kills every child process a test started that is still running (call in afterAll). */
export function killChildren(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  }
  children.clear();
}

/** Starts a tracked child process (killChildren ends it). */
export function start(cmd: string, args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; stdio?: StdioOptions } = {}): ChildProcess {
  const child = spawn(cmd, args, { cwd: o.cwd ?? ROOT, env: o.env ?? process.env, stdio: o.stdio ?? ["ignore", "pipe", "pipe"] });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion, killing it after `timeoutMs`. */
export function run(cmd: string, args: string[], o: { timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<Finished> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = start(cmd, args, o);
    let stdout = "", stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`${cmd}: ${err.message}`));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      if (signal === "SIGKILL" && ms >= o.timeoutMs) stderr += `\n[killed after ${o.timeoutMs} ms]`;
      resolvePromise({ code, signal, stdout, stderr, ms });
    });
  });
}

/** The job's JSON line in a process's output; the error message shows its output otherwise. */
export function parseJobLine(out: Finished, what: string): JobResult {
  const line = out.stdout.split("\n").reverse().find((l) => l.startsWith("{"));
  if (out.code !== 0 || !line) {
    throw new Error(`${what} failed (exit ${out.code ?? out.signal}):\n${out.stdout.slice(-2000)}\n${out.stderr.slice(-4000)}`);
  }
  return JSON.parse(line) as JobResult;
}

let reference: Promise<JobResult> | undefined;

/** The same job in Node (this process's node binary), run once per test file. */
export function nodeReference(): Promise<JobResult> {
  reference ??= run(process.execPath, [CLI, defaultEntryUrl()], { timeoutMs: 30_000 }).then((out) =>
    parseJobLine(out, "the Node reference run"),
  );
  return reference;
}

/** Prints the result as one JSON line (what the runtime printed, plus what the test measured). */
export function report(result: JobResult, node: JobResult, extra: Record<string, unknown> = {}): void {
  const { runtime, backend, auc, checksum, steps, peakHeapBytes, heapCapacityBytes, ms } = result;
  console.log(JSON.stringify({
    runtime, backend, auc, checksum, nodeChecksum: node.checksum, steps, peakHeapBytes, heapCapacityBytes,
    jobMs: Math.round(ms.total), ...extra, mathDiffersFromNode: mathDifferences(result, node),
  }));
}

/** The Math functions whose results (f64, or "name:f32" rounded) differ from Node's: reported, not asserted. */
export function mathDifferences(result: JobResult, node: JobResult): string[] {
  return Object.keys(node.math).filter((k) => result.math[k] !== node.math[k]);
}

/**
 * Asserts the wasm backend, a model that learned something, and predictions bit-identical to
 * Node's. On a mismatch the message names the first stage of the job that differs.
 */
export function expectLikeNode(result: JobResult, node: JobResult): void {
  expect(result.backend, `backend (${result.backendReason ?? ""})`).toBe("wasm-simd");
  expect(result.steps).toBe(node.steps);
  expect(result.auc).toBeGreaterThan(0.55);
  const order = ["data", "untrained", "losses", "predictions"] as const;
  const first = order.find((s) => result.stages[s] !== node.stages[s]);
  const where = {
    data: "the synthetic data differ (SyntheticCtr: Math.log/exp/pow in the Zipf sampler or the planted logit)",
    untrained: "the untrained model's predictions differ (initialisation: normal init uses Math.log/cos; or sigmoid's Math.exp)",
    losses: "training diverges (the loss of some step differs: bce / sigmoid / Adam's Math.sqrt/pow, or a kernel)",
    predictions: "only the final predictions differ",
  };
  const libm = mathDifferences(result, node);
  const detail = first
    ? `${result.runtime} differs from ${node.runtime}: ${where[first]}\n` +
      `Math functions whose results differ from Node's: ${libm.join(", ") || "none"}\n` +
      `first losses ${result.firstLosses.join(" ")} vs ${node.firstLosses.join(" ")}\n` +
      `first predictions ${result.firstPredictions.join(" ")} vs ${node.firstPredictions.join(" ")}`
    : "";
  expect(result.stages, detail).toEqual(node.stages);
  expect(result.checksum).toBe(node.checksum);
  expect(result.auc).toBe(node.auc);
}
