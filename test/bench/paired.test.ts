// Paired timing of setups (bench/paired.ts) with stand-in children: each "setup" takes a known
// time per call on a stand-in clock (one exact thread 6 ms, two threads 3 ms, relaxed 4 ms), so
// the paired ratios are known exactly, whatever else the machine does, in the right direction
// for both kinds of unit
// (a rate, and milliseconds where less is better). Needs the bench build
// (build/bench, made here by `tsc -p tsconfig.bench.json`: the children are plain Node).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { BenchResult } from "../../bench/harness.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "alpt-paired-"));
const child = join(dir, "child.mjs");
let runPaired: (script: string, args: string[], setups: [string, number][], slices: number) => Promise<BenchResult[]>;

beforeAll(async () => {
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.bench.json")], { stdio: "inherit" });
  const built = pathToFileURL(join(root, "build/bench/bench/paired.js")).href;
  writeFileSync(child, `import { servePaired } from ${JSON.stringify(built)};
const arg = (f) => process.argv[process.argv.indexOf(f) + 1];
const threads = Number(arg("--threads")), simd = arg("--simd");
const ms = simd === "relaxed" ? 4 : 6 / threads;
let clock = 0;
const spin = () => { clock += ms; };
const suffix = (threads > 1 ? "-t" + threads : "") + (simd === "relaxed" ? "-relaxed" : "");
servePaired(new Map([
  ["x/rate" + suffix, { name: "rate", unit: "samples/s", work: 100, fn: spin }],
  ["x/latency" + suffix, { name: "latency", unit: "ms", fn: spin }],
]), { threads, simd }, () => clock);
`);
  ({ runPaired } = await import("../../bench/paired.js"));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("takes each ratio against the first setup within slices, for rates and for milliseconds", async () => {
  const results = await runPaired(child, ["x"], [["exact", 1], ["relaxed", 1], ["exact", 2]], 3);
  const by = new Map(results.map((r) => [r.case, r]));
  expect([...by.keys()].sort()).toEqual(["x/latency", "x/latency-relaxed", "x/latency-t2", "x/rate", "x/rate-relaxed", "x/rate-t2"]);
  for (const kind of ["rate", "latency"]) {
    expect(by.get(`x/${kind}`)!.paired, "the first setup has no ratio").toBeUndefined();
    const t2 = by.get(`x/${kind}-t2`)!.paired as { median: number; min: number; max: number; slices: number };
    const relaxed = by.get(`x/${kind}-relaxed`)!.paired as { median: number };
    expect(t2.slices).toBe(3);
    // speed-ups (> 1) for both units: 6 ms / 3 ms and 6 ms / 4 ms
    expect([t2.median, t2.min, t2.max], kind).toEqual([2, 2, 2]);
    expect(relaxed.median, kind).toBe(1.5);
  }
  expect(by.get("x/latency")!.value).toBe(6);
  expect(by.get("x/rate-t2")!.value).toBeGreaterThan(by.get("x/rate")!.value);
  expect(by.get("x/rate")!.rounds).toHaveLength(3);
  expect(by.get("x/rate-t2")).toMatchObject({ threads: 2, simd: "exact", unit: "samples/s" });
}, 120_000);
