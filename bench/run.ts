// `npm run bench -- <suite>[,<suite>…] [--quick] [--filter REGEX] [--simd exact|relaxed|both]
// [--threads N[,M…]] [--rounds R] [--save]`: suites kernels, memory, step, gemm, train, infer,
// data (the Criteo parser, data.bench.ts), peer (optional tfjs-wasm, PyTorch and ONNX Runtime
// Node peers, peer-tfjs.bench.ts, peer-torch.bench.ts and peer-ort.bench.ts), or all; scale
// (scale.bench.ts: prepare of 1 M and 5 M generated rows; scale-train.bench.ts: a streamed epoch
// over the 5 M rows; minutes) only when named, never in all.
// Prints one JSON line per case (DESIGN.md §11) on stdout and a markdown summary on stderr.
// `--simd relaxed` runs the FMA core (cases named `<case>-relaxed`), `both` each core;
// `--threads 1,2` each thread count (cases on more than one thread are named `<case>-t<N>`). A
// full run of a suite that uses the GEMM measures exact/relaxed × 1/2 threads unless told. Several
// setups run each in its own process (one engine per process), R rounds (default 3) with the
// setups interleaved; each case keeps the median of its rounds. A full run writes the JSON and
// the markdown to .cache/bench/node-<version>-<suites>.json|md, or to bench/results/ with --save
// (a bench run leaves the source tree as it was unless asked).
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { init } from "../src/entry/default.js";
import { runCases, saveResults, type BenchResult } from "./harness.js";
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

/**
 * Runs this script once per (core build, threads) in a child process, `rounds` times over with
 * the setups interleaved (a machine that slows down for a while then touches every setup alike);
 * a case's value is the median of its rounds, with the rounds' values in the record.
 */
function runPerSetup(args: string[], setups: [Simd, number][], rounds: number): BenchResult[] {
  const byCase = new Map<string, BenchResult[]>();
  const rest = args.filter((a, i) => !["--simd", "--threads", "--rounds", "--save"].includes(a) && !["--simd", "--threads", "--rounds"].includes(args[i - 1]!));
  for (let round = 0; round < rounds; round++) {
    for (const [simd, threads] of setups) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), ...rest, "--simd", simd, "--threads", String(threads), "--no-files"], {
        encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 28,
      });
      for (const line of out.split("\n")) {
        if (!line.startsWith("{")) continue;
        const r = JSON.parse(line) as BenchResult;
        byCase.set(r.case, [...(byCase.get(r.case) ?? []), r]);
      }
    }
  }
  return [...byCase.values()].map((runs) => {
    const sorted = [...runs].sort((a, b) => a.value - b.value);
    const mid = sorted[(sorted.length - 1) >> 1]!;
    const r: BenchResult = runs.length > 1 ? { ...mid, rounds: runs.map((x) => x.value) } : mid;
    process.stdout.write(JSON.stringify(r) + "\n");
    return r;
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const filterText = option(args, "--filter");
  const filter = filterText === undefined ? undefined : new RegExp(filterText);
  // chosen below; a full run of a suite that uses the GEMM measures every setup unless told which
  let simdArg = option(args, "--simd"), threadArg = option(args, "--threads");
  const named = args.filter((a, i) => !a.startsWith("--") && !["--filter", "--simd", "--threads", "--rounds"].includes(args[i - 1]!));
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
  const rounds = Number(option(args, "--rounds") ?? (quick ? 1 : 3));
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`bench: --rounds expects an integer ≥ 1, got "${option(args, "--rounds")}"`);
  const results = setups.length > 1 ? runPerSetup(args, setups, rounds) : await runSuites(chosen, root, { quick, filter, simd: setups[0]![0], threads: setups[0]![1] });
  if (args.includes("--no-files")) return;
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
  const file = `build/core${threads > 1 ? "-threads" : ""}${simd === "relaxed" ? "-relaxed" : ""}.wasm`;
  const e = await init(await readFile(join(root, file)), { simd, threads });
  if (e.info.threadsReason) throw new Error(`bench: ${threads} threads asked for, but ${e.info.threadsReason}`);
  const results: BenchResult[] = [];
  // the exact core on one thread runs everything; the other setups the suites that use the GEMM
  const base = simd === "exact" && threads === 1;
  for (const s of chosen) {
    const o = { quick, filter, simd, threads };
    // no kernel but the GEMM has a fused path: kernels, memory, data and the peer run on the exact core only
    if (s === "kernels" && base) results.push(...(await runCases("kernels", kernelCases(e, quick), o)));
    if (s === "memory" && base) results.push(...(await runCases("memory", [...memoryCases(), ...peakRssCases(quick)], o)));
    if (s === "gemm") results.push(...(await runCases("gemm", gemmCases(e, quick), o)));
    if (s === "step") results.push(...(await runCases("step", stepCases(e, quick), o)));
    if (s === "train") results.push(...(await runCases("train", trainCases(e, quick), o)));
    if (s === "infer") results.push(...(await runCases("infer", inferCases(e, quick), o)));
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
