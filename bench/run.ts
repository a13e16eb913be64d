// `npm run bench -- <suite>[,<suite>…] [--quick] [--filter REGEX] [--simd exact|relaxed|both]
// [--threads N[,M…]] [--slices S] [--save]`: suites kernels, memory, step, gemm, train, infer,
// data (the Criteo parser, data.bench.ts), peer (optional tfjs-wasm, PyTorch and ONNX Runtime
// Node peers, peer-tfjs.bench.ts, peer-torch.bench.ts and peer-ort.bench.ts), or all; scale
// (scale.bench.ts: prepare of 1 M and 5 M generated rows; scale-train.bench.ts: a streamed epoch
// over the 5 M rows; minutes) only when named, never in all.
// Prints one JSON line per case (DESIGN.md §11) on stdout and a markdown summary on stderr.
// `--simd relaxed` runs the FMA core (cases named `<case>-relaxed`), `both` each core;
// `--threads 1,2` each thread count (cases on more than one thread are named `<case>-t<N>`). A
// full run of a suite that uses the GEMM measures exact/relaxed × 1/2 threads unless told. Several
// setups run paired (paired.ts): a child process per setup keeps the case built, and the setups
// take turns in S slices (default 8) of a few timed calls, so a ratio between setups is taken
// within a slice; the suites without a fused path run on the exact core and one thread, in this
// process. A full run writes the JSON and
// the markdown to .cache/bench/node-<version>-<suites>.json|md, or to bench/results/ with --save
// (a bench run leaves the source tree as it was unless asked).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { init } from "../src/entry/default.js";
import type { Engine } from "../src/wasm/load.js";
import { caseName, runCases, saveResults, type BenchCase, type BenchResult } from "./harness.js";
import { runPaired, servePaired } from "./paired.js";
import { dataCases } from "./data.bench.js";
import { kernelCases } from "./kernels.bench.js";
import { memoryCases } from "./memory.bench.js";
import { gemmCases } from "./gemm.bench.js";
import { stepCases } from "./step.bench.js";
import { inferCases, peakRssCases, trainCases } from "./train.bench.js";
import { peerCases } from "./peer-tfjs.bench.js";
import { torchPeerCases } from "./peer-torch.bench.js";
import { ortPeerCases } from "./peer-ort.bench.js";
import { scaleCases } from "./scale.bench.js";
import { markdownSummary } from "./summary.js";
import { scaleTrainCases } from "./scale-train.bench.js";

const SUITES = ["kernels", "memory", "step", "gemm", "train", "infer", "data", "peer", "scale"] as const;
/** Suites that use the GEMM, measured on every setup (core × threads); the others on one exact thread. */
const SETUP_SUITES: readonly string[] = ["gemm", "step", "train", "infer"];
/** Suites that `all` leaves out (minutes of work; run them by name). */
const NOT_IN_ALL: readonly string[] = ["scale"];

type Simd = "exact" | "relaxed";

/** The value of `--flag VALUE`, if given. */
function option(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith("--")) throw new Error(`bench: ${flag} needs a value`);
  return v;
}

/** The cases of a suite measured on every setup, built on engine `e`. */
function setupSuiteCases(suite: string, e: Engine, quick: boolean): BenchCase[] {
  if (suite === "gemm") return gemmCases(e, quick);
  if (suite === "step") return stepCases(e, quick);
  if (suite === "train") return trainCases(e, quick);
  if (suite === "infer") return inferCases(e, quick);
  return [];
}

/** Loads the core of a setup with its threads. */
async function engineFor(root: string, simd: Simd, threads: number): Promise<Engine> {
  const file = `build/core${threads > 1 ? "-threads" : ""}${simd === "relaxed" ? "-relaxed" : ""}.wasm`;
  const e = await init(await readFile(join(root, file)), { simd, threads });
  if (e.info.threadsReason) throw new Error(`bench: ${threads} threads asked for, but ${e.info.threadsReason}`);
  return e;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const filterText = option(args, "--filter");
  const filter = filterText === undefined ? undefined : new RegExp(filterText);
  // chosen below; a full run of a suite that uses the GEMM measures every setup unless told which
  let simdArg = option(args, "--simd"), threadArg = option(args, "--threads");
  const named = args.filter((a, i) => !a.startsWith("--") && !["--filter", "--simd", "--threads", "--slices"].includes(args[i - 1]!));
  const suite = named[0] ?? "all";
  const chosen = suite === "all" ? SUITES.filter((s) => !NOT_IN_ALL.includes(s)) : suite.split(",");
  for (const s of chosen) {
    if (!(SUITES as readonly string[]).includes(s)) {
      throw new Error(`bench: unknown suite "${s}" (expected one of ${SUITES.join(", ")}, all)`);
    }
  }
  if (!quick && simdArg === undefined && threadArg === undefined && chosen.some((c) => ["gemm", "step", "train", "infer"].includes(c))) {
    [simdArg, threadArg] = ["both", "1,2"];
  }
  simdArg ??= "exact";
  if (!["exact", "relaxed", "both"].includes(simdArg)) throw new Error(`bench: --simd expects exact, relaxed or both, got "${simdArg}"`);
  const threadList = (threadArg ?? "1").split(",").map(Number);
  if (threadList.some((t) => !Number.isInteger(t) || t < 1 || t > 256)) throw new Error(`bench: --threads expects thread counts such as 1 or 1,2, got "${threadArg}"`);
  const root = process.cwd();
  const setups = (simdArg === "both" ? (["exact", "relaxed"] as const) : [simdArg as Simd]).flatMap((simd) => threadList.map((t): [Simd, number] => [simd, t]));
  const slices = Number(option(args, "--slices") ?? (quick ? 1 : 8));
  if (!Number.isInteger(slices) || slices < 1) throw new Error(`bench: --slices expects an integer ≥ 1, got "${option(args, "--slices")}"`);
  if (args.includes("--serve")) {
    // a child of runPaired: build this setup's cases and answer the parent
    const [simd, threads] = setups[0]!;
    const e = await engineFor(root, simd, threads);
    const cases = new Map<string, BenchCase>();
    for (const s of chosen.filter((x) => SETUP_SUITES.includes(x))) {
      for (const c of setupSuiteCases(s, e, quick)) {
        const name = caseName(s, c, { quick, simd, threads });
        if (!filter || filter.test(name)) cases.set(name, c);
      }
    }
    return servePaired(cases, { threads, simd, quick: quick || undefined });
  }
  let results: BenchResult[];
  if (setups.length > 1) {
    const own = args.filter((a, i) => !["--simd", "--threads", "--slices", "--save"].includes(a) && !["--simd", "--threads", "--slices"].includes(args[i - 1]!));
    const paired = chosen.filter((x) => SETUP_SUITES.includes(x));
    const rest = chosen.filter((x) => !SETUP_SUITES.includes(x));
    results = paired.length ? await runPaired(fileURLToPath(import.meta.url), [paired.join(","), ...own.filter((a) => a !== suite)], setups, slices) : [];
    if (rest.length) results.push(...(await runSuites(rest, root, { quick, filter, simd: "exact", threads: 1 })));
  } else {
    results = await runSuites(chosen, root, { quick, filter, simd: setups[0]![0], threads: setups[0]![1] });
  }
  const command = `npm run bench -- ${args.join(" ")}`.trim();
  const markdown = markdownSummary(results, command, new Date().toISOString().slice(0, 10), quick);
  process.stderr.write("\n" + markdown);
  const dir = args.includes("--save") ? join(root, "bench/results") : join(root, ".cache/bench");
  if (!quick) {
    const stem = join(dir, `node-${process.versions.node}-${chosen.join("+")}${simdArg === "exact" ? "" : `-${simdArg}`}${threadList.join() === "1" ? "" : `-t${threadList.join("+")}`}`);
    saveResults(results, stem, markdown);
    process.stderr.write(`\nwrote ${stem}.json and .md${args.includes("--save") ? "" : " (--save: bench/results/)"}\n`);
  }
}

/** Runs the chosen suites on the core `opts.simd` with `opts.threads` in this process. */
async function runSuites(chosen: string[], root: string, opts: { quick: boolean; filter?: RegExp; simd: Simd; threads: number }): Promise<BenchResult[]> {
  const { quick, filter, simd, threads } = opts;
  const e = await engineFor(root, simd, threads);
  const results: BenchResult[] = [];
  // the exact core on one thread runs everything; the other setups the suites that use the GEMM
  const base = simd === "exact" && threads === 1;
  for (const s of chosen) {
    const o = { quick, filter, simd, threads };
    // no kernel but the GEMM has a fused path: kernels, memory, data and the peer run on the exact core only
    if (s === "kernels" && base) results.push(...(await runCases("kernels", kernelCases(e, quick), o)));
    if (s === "memory" && base) results.push(...(await runCases("memory", [...memoryCases(), ...peakRssCases(quick)], o)));
    if (SETUP_SUITES.includes(s)) results.push(...(await runCases(s, setupSuiteCases(s, e, quick), o)));
    if (s === "data" && base) results.push(...(await runCases("data", await dataCases(root, quick), o)));
    if (s === "scale" && base) results.push(...(await runCases("scale", [...scaleCases(root, quick), ...(await scaleTrainCases(root, quick, filter))], o)));
    if (s === "peer" && base) {
      const peer = await peerCases(quick);
      results.push(...(await runCases("train", peer.train, o)), ...(await runCases("memory", peer.memory, o)));
      const torch = torchPeerCases(quick);
      results.push(...(await runCases("train", torch.train, o)), ...(await runCases("infer", torch.infer, o)), ...(await runCases("memory", torch.memory, o)));
      const onnx = ortPeerCases(e, quick);
      results.push(...(await runCases("infer", onnx.infer, o)), ...(await runCases("memory", onnx.memory, o)));
    }
  }
  return results;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
