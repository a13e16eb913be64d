// The claim rule on constructed cases: holds, fails, inconclusive (noise, a single seed, a
// significant difference below the margin) and missing, for "matches" and for "beats"; and the
// three claims on a generated grid.
import { describe, expect, it } from "vitest";
import { groupCells, summarize } from "../../src/report/cells.js";
import { judge, paperClaims, type Arm } from "../../src/report/claims.js";
import { parseRecords } from "../../src/report/records.js";
import { gridLines } from "./fixtures.js";

const arm = (method: string, bits: number, aucs?: number[]): Arm => (aucs ? { method, bits, auc: summarize(aucs) } : { method, bits });
const alpt8 = (aucs?: number[]) => arm("alpt", 8, aucs);
const fp32 = (aucs?: number[]) => arm("fp32", 32, aucs);
const tight = (m: number) => [m - 0.0001, m, m + 0.0001];

describe("judge: A matches B (non-inferiority, margin 0.001)", () => {
  it("holds when the 95% interval stays above −0.001", () => {
    const c = judge("matches", alpt8(tight(0.7502)), fp32(tight(0.75)));
    expect(c.verdict).toBe("holds");
    expect(c.test!.lo).toBeGreaterThan(-0.001);
    expect(c.reason).toMatch(/^difference \+0\.0002 \(95% CI \[.*\], p = .*\): at most 0\.001 worse/);
  });

  it("fails when A is significantly worse by more than the margin", () => {
    const c = judge("matches", alpt8(tight(0.74)), fp32(tight(0.75)));
    expect(c.verdict).toBe("fails");
    expect(c.diff).toBeCloseTo(-0.01, 12);
    expect(c.reason).toContain("difference −0.0100");
  });

  it("is inconclusive when the noise is wider than the margin, or the loss is significant but small", () => {
    expect(judge("matches", alpt8([0.74, 0.75, 0.76]), fp32([0.745, 0.75, 0.755])).verdict).toBe("inconclusive");
    const a = Array.from({ length: 10 }, (_, i) => 0.7491 + (i % 2 ? 0.0005 : -0.0005));
    const c = judge("matches", alpt8(a), fp32(Array(10).fill(0.75)));
    expect([c.verdict, c.test!.hi < 0, c.diff > -0.001]).toEqual(["inconclusive", true, true]);
    expect(c.why).toBe("significantly worse, but by 0.001 or less on average");
  });

  it("a single seed on a side is inconclusive; a side without runs is missing", () => {
    const one = judge("matches", alpt8([0.7]), fp32(tight(0.75)));
    expect([one.verdict, one.why]).toEqual(["inconclusive", "alpt 8-bit has 1 seed: no noise estimate"]);
    expect(one.diff).toBeCloseTo(-0.05, 12);
    const none = judge("matches", alpt8(), fp32(tight(0.75)));
    expect([none.verdict, none.reason, none.diff]).toEqual(["missing", "no runs of alpt 8-bit", NaN]);
    expect(judge("matches", alpt8([]), fp32()).reason).toBe("no runs of alpt 8-bit or fp32");
  });
});

describe("judge: A beats B (significant and above the margin)", () => {
  const lpt = (aucs?: number[]) => arm("lpt-sr", 2, aucs);
  const a2 = (aucs?: number[]) => arm("alpt", 2, aucs);
  it("holds, fails (tie or worse), inconclusive, missing", () => {
    expect(judge("beats", a2(tight(0.736)), lpt(tight(0.701))).verdict).toBe("holds");
    expect(judge("beats", a2(tight(0.7301)), lpt(tight(0.73))).verdict).toBe("fails"); // any gain < 0.001
    expect(judge("beats", a2(tight(0.70)), lpt(tight(0.73))).verdict).toBe("fails");
    const noisy = judge("beats", a2([0.70, 0.72, 0.74]), lpt([0.70, 0.71, 0.72]));
    expect([noisy.verdict, noisy.why]).toEqual(["inconclusive", "no significant gain, but a gain above 0.001 is not ruled out"]);
    expect(judge("beats", a2(tight(0.73)), lpt()).verdict).toBe("missing");
  });

  it("a significant gain of at most the margin on average is inconclusive", () => {
    const a = Array.from({ length: 10 }, (_, i) => 0.7309 + (i % 2 ? 0.0005 : -0.0005));
    const c = judge("beats", a2(a), lpt(Array(10).fill(0.73)));
    expect([c.verdict, c.test!.lo > 0]).toEqual(["inconclusive", true]);
  });
});

describe("paperClaims", () => {
  const cellsOf = (lines: string[]) => groupCells(parseRecords(lines.join("\n"), "grid.jsonl").records);

  it("judges every comparison of the full grid", () => {
    const claims = paperClaims(cellsOf(gridLines()), "criteo");
    expect(claims.map((c) => [c.id, c.verdict])).toEqual([["a", "inconclusive"], ["b", "holds"], ["c", "mixed"]]);
    const b = claims[1]!.comparisons;
    expect(b.map((x) => `${x.a.method}${x.a.bits}>${x.b.method}${x.b.bits}`)).toEqual(["alpt2>lpt-sr2", "alpt2>lpt-dr2", "alpt3>lpt-sr3", "alpt3>lpt-dr3"]);
    expect(b[0]!.diff).toBeCloseTo(0.015, 10);
    const c = claims[2]!.comparisons;
    expect(c.map((x) => [x.a.bits, x.verdict])).toEqual([[8, "inconclusive"], [4, "holds"], [3, "holds"], [2, "holds"]]);
  });

  it("says missing for cells without runs, and never fills them in", () => {
    const lines = gridLines().filter((l) => !l.includes('"bits":3,') && !l.includes('"method":"fp32"'));
    const claims = paperClaims(cellsOf(lines), "criteo");
    expect(claims[0]!.verdict).toBe("missing");
    expect(claims[0]!.comparisons[0]!.reason).toBe("no runs of fp32");
    expect(claims[1]!.comparisons.map((x) => x.verdict)).toEqual(["holds", "holds", "missing", "missing"]);
    expect(claims[1]!.verdict).toBe("holds");
    expect(claims[2]!.comparisons.find((x) => x.a.bits === 3)).toMatchObject({ verdict: "missing", reason: "no runs of lpt-sr 3-bit or lpt-dr 3-bit" });
    expect(paperClaims(cellsOf(lines), "avazu").map((c) => c.verdict)).toEqual(["missing", "missing", "missing"]);
  });
});
