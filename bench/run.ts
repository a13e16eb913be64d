// `npm run bench -- <suite> [--quick] [--filter REGEX]`: suites kernels, memory, step, gemm, train,
// infer, peer (optional tfjs-wasm peer, peer-tfjs.bench.ts), or all. Prints one JSON
// line per case (DESIGN.md §11) on stdout and a markdown summary on stderr; a full run saves both
// as bench/results/node-<version>-<suites>.json and .md.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { init } from "../src/entry/default.js";
import { runCases, saveResults, type BenchResult } from "./harness.js";
import { kernelCases } from "./kernels.bench.js";
import { memoryCases } from "./memory.bench.js";
import { gemmCases } from "./gemm.bench.js";
import { stepCases } from "./step.bench.js";
import { inferCases, peakRssCases, trainCases } from "./train.bench.js";
import { peerCases } from "./peer-tfjs.bench.js";
import { markdownSummary } from "./summary.js";

const SUITES = ["kernels", "memory", "step", "gemm", "train", "infer", "peer"] as const;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const fi = args.indexOf("--filter");
  const filter = fi >= 0 ? new RegExp(args[fi + 1]) : undefined;
  const named = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--filter");
  const suite = named[0] ?? "all";
  const chosen = suite === "all" ? [...SUITES] : [suite];
  for (const s of chosen) {
    if (!(SUITES as readonly string[]).includes(s)) {
      throw new Error(`bench: unknown suite "${s}" (expected one of ${SUITES.join(", ")}, all)`);
    }
  }
  const root = process.cwd();
  const e = await init(await readFile(join(root, "build/core.wasm")));
  const results: BenchResult[] = [];
  for (const s of chosen) {
    if (s === "kernels") results.push(...(await runCases("kernels", kernelCases(e, quick), { quick, filter })));
    if (s === "memory") results.push(...(await runCases("memory", [...memoryCases(), ...peakRssCases(quick)], { quick, filter })));
    if (s === "gemm") results.push(...(await runCases("gemm", gemmCases(e, quick), { quick, filter })));
    if (s === "step") results.push(...(await runCases("step", stepCases(e, quick), { quick, filter })));
    if (s === "train") results.push(...(await runCases("train", trainCases(e, quick), { quick, filter })));
    if (s === "infer") results.push(...(await runCases("infer", inferCases(e, quick), { quick, filter })));
    if (s === "peer") {
      const peer = await peerCases(quick);
      results.push(...(await runCases("train", peer.train, { quick, filter })), ...(await runCases("memory", peer.memory, { quick, filter })));
    }
  }
  const command = `npm run bench -- ${args.join(" ")}`.trim();
  const markdown = markdownSummary(results, command, new Date().toISOString().slice(0, 10), quick);
  process.stderr.write("\n" + markdown);
  if (!quick) saveResults(results, join(root, "bench/results", `node-${process.versions.node}-${chosen.join("+")}`), markdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
