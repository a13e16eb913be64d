// `npm run bench -- <suite> [--quick] [--filter REGEX] [--simd exact|relaxed|both] [--save]`:
// suites kernels, memory, step, gemm, train, infer, peer (optional tfjs-wasm and PyTorch peers,
// peer-tfjs.bench.ts and peer-torch.bench.ts), or all. Prints one JSON line per case (DESIGN.md §11) on stdout and a
// markdown summary on stderr. `--simd relaxed` runs the FMA core (cases named `<case>-relaxed`);
// `both` runs the suites once per core, each in its own process (one core per process), and
// sums them up together. A full run writes the JSON and the markdown to
// .cache/bench/node-<version>-<suites>.json|md, or to bench/results/ with --save (so a bench run
// leaves the source tree as it was unless asked).
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { init } from "../src/entry/default.js";
import { runCases, saveResults, type BenchResult } from "./harness.js";
import { kernelCases } from "./kernels.bench.js";
import { memoryCases } from "./memory.bench.js";
import { gemmCases } from "./gemm.bench.js";
import { stepCases } from "./step.bench.js";
import { inferCases, peakRssCases, trainCases } from "./train.bench.js";
import { peerCases } from "./peer-tfjs.bench.js";
import { torchPeerCases } from "./peer-torch.bench.js";
import { markdownSummary } from "./summary.js";

const SUITES = ["kernels", "memory", "step", "gemm", "train", "infer", "peer"] as const;

type Simd = "exact" | "relaxed";

/** The value of `--flag VALUE`, if given. */
function option(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith("--")) throw new Error(`bench: ${flag} needs a value`);
  return v;
}

/** Runs this script once per core build in a child process; returns their result lines. */
function runPerCore(args: string[]): BenchResult[] {
  const results: BenchResult[] = [];
  const rest = args.filter((a, i) => a !== "--simd" && args[i - 1] !== "--simd" && a !== "--save");
  for (const simd of ["exact", "relaxed"] as const) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), ...rest, "--simd", simd, "--no-files"], {
      encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 28,
    });
    for (const line of out.split("\n")) {
      if (!line.startsWith("{")) continue;
      process.stdout.write(line + "\n");
      results.push(JSON.parse(line) as BenchResult);
    }
  }
  return results;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const filterText = option(args, "--filter");
  const filter = filterText === undefined ? undefined : new RegExp(filterText);
  const simdArg = option(args, "--simd") ?? "exact";
  if (!["exact", "relaxed", "both"].includes(simdArg)) throw new Error(`bench: --simd expects exact, relaxed or both, got "${simdArg}"`);
  const named = args.filter((a, i) => !a.startsWith("--") && !["--filter", "--simd"].includes(args[i - 1]!));
  const suite = named[0] ?? "all";
  const chosen = suite === "all" ? [...SUITES] : [suite];
  for (const s of chosen) {
    if (!(SUITES as readonly string[]).includes(s)) {
      throw new Error(`bench: unknown suite "${s}" (expected one of ${SUITES.join(", ")}, all)`);
    }
  }
  const root = process.cwd();
  const results = simdArg === "both" ? runPerCore(args) : await runSuites(chosen, root, { quick, filter, simd: simdArg as Simd });
  if (args.includes("--no-files")) return;
  const command = `npm run bench -- ${args.join(" ")}`.trim();
  const markdown = markdownSummary(results, command, new Date().toISOString().slice(0, 10), quick);
  process.stderr.write("\n" + markdown);
  const dir = args.includes("--save") ? join(root, "bench/results") : join(root, ".cache/bench");
  if (!quick) {
    const stem = join(dir, `node-${process.versions.node}-${chosen.join("+")}${simdArg === "exact" ? "" : `-${simdArg}`}`);
    saveResults(results, stem, markdown);
    process.stderr.write(`\nwrote ${stem}.json and .md${args.includes("--save") ? "" : " (--save: bench/results/)"}\n`);
  }
}

/** Runs the chosen suites on the core `opts.simd` in this process. */
async function runSuites(chosen: string[], root: string, opts: { quick: boolean; filter?: RegExp; simd: Simd }): Promise<BenchResult[]> {
  const { quick, filter, simd } = opts;
  const e = await init(await readFile(join(root, simd === "relaxed" ? "build/core-relaxed.wasm" : "build/core.wasm")), { simd });
  const results: BenchResult[] = [];
  for (const s of chosen) {
    const o = { quick, filter, simd };
    // no kernel but the GEMM has a fused path: kernels, memory and the peer run on the exact core only
    if (s === "kernels" && simd === "exact") results.push(...(await runCases("kernels", kernelCases(e, quick), o)));
    if (s === "memory" && simd === "exact") results.push(...(await runCases("memory", [...memoryCases(), ...peakRssCases(quick)], o)));
    if (s === "gemm") results.push(...(await runCases("gemm", gemmCases(e, quick), o)));
    if (s === "step") results.push(...(await runCases("step", stepCases(e, quick), o)));
    if (s === "train") results.push(...(await runCases("train", trainCases(e, quick), o)));
    if (s === "infer") results.push(...(await runCases("infer", inferCases(e, quick), o)));
    if (s === "peer" && simd === "exact") {
      const peer = await peerCases(quick);
      results.push(...(await runCases("train", peer.train, o)), ...(await runCases("memory", peer.memory, o)));
      const torch = torchPeerCases(quick);
      results.push(...(await runCases("train", torch.train, o)), ...(await runCases("infer", torch.infer, o)), ...(await runCases("memory", torch.memory, o)));
    }
  }
  return results;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
