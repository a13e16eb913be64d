// The bench's markdown summary: targets judged against the measured values, peer ratios, tables.
import { describe, expect, it } from "vitest";
import { markdownSummary } from "../../bench/summary.js";
import type { BenchResult } from "../../bench/harness.js";

const r = (c: string, value: number, unit: string, extra: Record<string, unknown> = {}): BenchResult => ({ case: c, value, unit, runtime: "node-20", ...extra });

describe("markdownSummary", () => {
  const results = [
    r("train/dcn-criteo1m-fp32", 9000, "samples/s", { method: "fp32", hiddenUnits: [400, 400, 400] }),
    r("train/dcn-criteo1m-alpt-b4", 4000, "samples/s", { method: "alpt", bits: 4 }),
    r("train/peer-tfjs-wasm-dcn-criteo1m", 1000, "samples/s"),
    r("memory/peak-rss-dcn-criteo1m-alpt-b4-adagrad", 145, "MiB"),
    r("memory/peak-rss-peer-tfjs-wasm-dcn-criteo1m", 1305, "MiB"),
  ];
  const md = markdownSummary(results, "npm run bench -- all", "2026-11-27", false);

  it("judges each measured target and leaves out the unmeasured ones", () => {
    expect(md).toContain("| train/dcn-criteo1m-fp32 | 9,000 samples/s | ≥ 8,000 | yes |");
    expect(md).toContain("| train/dcn-criteo1m-alpt-b4 | 4,000 samples/s | ≥ 5,000 | **no** |");
    expect(md).toContain("| memory/peak-rss-dcn-criteo1m-alpt-b4-adagrad | 145 MiB | ≤ 150 | yes |");
    expect(md).not.toContain("infer/dcn-criteo1m-alpt-b4");
  });

  it("states the ratios to the peer measured in the same run", () => {
    expect(md).toContain("fp32 training vs tfjs-wasm (stock gradients): 9,000 vs 1,000 samples/s (9×)");
    expect(md).toContain("peak RSS, 4-bit ALPT + Adagrad vs tfjs-wasm (stock): 145 vs 1,305 MiB (9× less)");
    expect(md).not.toContain("best variant");
  });

  it("states the ratios to PyTorch, taking the best of our thread/SIMD variants and naming the CPU", () => {
    const cpu = { cpu: "AMD EPYC", threads: 2 };
    const torch = markdownSummary([
      r("train/dcn-criteo1m-fp32", 9000, "samples/s"),
      r("train/dcn-criteo1m-fp32-t2-relaxed", 20000, "samples/s"),
      r("train/dcn-criteo1m-alpt-b4", 6000, "samples/s"),
      r("train/dcn-criteo1m-small-fp32", 90000, "samples/s"),
      r("infer/dcn-criteo1m-alpt-b4", 50000, "samples/s"),
      r("infer/dcn-criteo1m-small-alpt-b4", 500000, "samples/s"),
      r("train/peer-torch-dcn-criteo1m-t1", 10000, "samples/s", { ...cpu, threads: 1 }),
      r("train/peer-torch-dcn-criteo1m-t2", 15000, "samples/s", cpu),
      r("infer/peer-torch-dcn-criteo1m-t2", 160000, "samples/s", cpu),
      r("memory/peak-rss-dcn-criteo1m-alpt-b4-adagrad", 150, "MiB"),
      r("memory/peak-rss-peer-torch-dcn-criteo1m", 600, "MiB", cpu),
    ], "npm run bench -- all", "2026-11-27", false);
    expect(torch).toContain("- fp32 training vs PyTorch fp32, 1 thread each: 9,000 vs 10,000 samples/s (0.9×; AMD EPYC)");
    expect(torch).not.toContain("2 threads each"); // train/dcn-criteo1m-fp32-t2 was not measured
    expect(torch).toContain("best fp32 training vs PyTorch fp32 at 2 threads (target ≥ 1.0×): 20,000 (train/dcn-criteo1m-fp32-t2-relaxed) vs 15,000 samples/s (1.333×; AMD EPYC)");
    expect(torch).toContain("4-bit ALPT training vs PyTorch fp32 at 2 threads (target ≥ 0.6×): 6,000 (train/dcn-criteo1m-alpt-b4) vs 15,000 samples/s (0.4×; AMD EPYC)");
    expect(torch).toContain("best inference vs PyTorch fp32 at 2 threads (target ≥ 0.5×): 50,000 (infer/dcn-criteo1m-alpt-b4) vs 160,000 samples/s (0.3125×; AMD EPYC)");
    expect(torch).toContain("peak RSS, 4-bit ALPT + Adagrad vs PyTorch fp32 + SparseAdam (target ≥ 3.33× less, i.e. ≤ 0.3×): 150 vs 600 MiB (4× less; AMD EPYC)");
  });

  it("has one table per suite with the case details", () => {
    expect(md).toContain("## train\n");
    expect(md).toContain("## memory\n");
    expect(md).toContain("| dcn-criteo1m-fp32 | 9,000 | samples/s | method fp32, hiddenUnits 400-400-400 |");
  });

  it("marks a smoke run as not a measurement", () => {
    expect(md).not.toContain("Smoke run");
    expect(markdownSummary(results, "npm run bench -- --quick", "2026-11-27", true)).toContain("**Smoke run (`--quick`)");
  });
  it("sets threads and FMA against one exact thread, and flags a spread too wide to trust", () => {
    const md = markdownSummary([
      r("train/dcn-criteo1m-fp32", 8000, "samples/s", { min: 7900, max: 8100 }),
      r("train/dcn-criteo1m-fp32-t2", 14400, "samples/s", { threads: 2, min: 9000, max: 15000 }),
      r("train/dcn-criteo1m-fp32-relaxed", 10000, "samples/s"),
      r("train/dcn-criteo1m-fp32-t2-relaxed", 24000, "samples/s", { threads: 2 }),
    ], "npm run bench -- train", "2026-11-27", false);
    expect(md).toContain("node-20, 1 and 2 threads");
    expect(md).toContain("| case | 1 thread exact | 1 thread relaxed | 2 threads exact | 2 threads relaxed |");
    expect(md).toContain("| train/dcn-criteo1m-fp32 | 8,000 samples/s | 10,000 (1.25×) | 14,400 (1.8×) | 24,000 (3×) |");
    expect(md).not.toContain("| train/dcn-criteo1m-fp32-t2 | 14,400 samples/s |");
    expect(md).toContain("| dcn-criteo1m-fp32 | 8,000 | samples/s | 7,900–8,100 |");
    expect(md).toContain("9,000–15,000 **spread 42 %: too wide to trust**");
  });
  it("gives paired ratios as the median of the slices with their range", () => {
    const paired = (median: number, min: number, max: number) => ({ paired: { against: "train/dcn-criteo1m-fp32", median, min, max, slices: 8 } });
    const md = markdownSummary([
      r("train/dcn-criteo1m-fp32", 8000, "samples/s"),
      r("train/dcn-criteo1m-fp32-t2", 12000, "samples/s", { threads: 2, ...paired(1.85, 1.8, 1.9) }),
    ], "npm run bench -- train", "2026-11-27", false);
    expect(md).toContain("took turns in 8 slices");
    // the ratio is the paired one, not 12,000 / 8,000 of the drifting absolute rates
    expect(md).toContain("| train/dcn-criteo1m-fp32 | 8,000 samples/s | 12,000 (1.85×, 1.8–1.9) |");
  });
});
