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

  it("has one table per suite with the case details", () => {
    expect(md).toContain("## train\n");
    expect(md).toContain("## memory\n");
    expect(md).toContain("| dcn-criteo1m-fp32 | 9,000 | samples/s | method fp32, hiddenUnits 400-400-400 |");
  });

  it("marks a smoke run as not a measurement", () => {
    expect(md).not.toContain("Smoke run");
    expect(markdownSummary(results, "npm run bench -- --quick", "2026-11-27", true)).toContain("**Smoke run (`--quick`)");
  });
});
