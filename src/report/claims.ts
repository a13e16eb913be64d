// The paper's three claims judged on our runs, by test AUC over seeds, with a stated rule.
// For runs A and B, d = mean(A) − mean(B) and [lo, hi] is Welch's 95% interval of d (needs ≥ 2
// seeds on each side); m = 0.001 AUC is the smallest difference that counts.
//   "A matches B" (a: 8-bit ALPT vs FP32; non-inferiority, the paper's "without sacrificing"):
//     holds if lo ≥ −m; fails if A is significantly worse (hi < 0) and d < −m; else inconclusive.
//   "A beats B" (b: ALPT vs LPT-SR / LPT-DR at 2 and 3 bits; c: LPT-SR vs LPT-DR per width):
//     holds if A is significantly better (lo > 0) and d > m; fails if hi < m (any gain is below
//     the margin, with 95% confidence); else inconclusive.
// A single seed on either side is inconclusive (no noise estimate); no runs at all is missing.
import { cellName, findCell, type Cell, type Summary } from "./cells.js";
import { welchTest, type WelchTest } from "./stats.js";

/** The verdict of one comparison. */
export type Verdict = "holds" | "fails" | "inconclusive" | "missing";

/** The smallest test-AUC difference that counts. */
export const AUC_MARGIN = 0.001;

/** One side of a comparison. */
export interface Arm {
  method: string;
  bits: number;
  /** Test AUC over the seeds; undefined when there are no runs. */
  auc?: Summary;
}

/** A judged comparison of A against B. */
export interface Comparison {
  kind: "matches" | "beats";
  a: Arm;
  b: Arm;
  verdict: Verdict;
  /** mean(A) − mean(B) (NaN when a side is missing). */
  diff: number;
  test?: WelchTest;
  /** Why, in a few words (the table's column). */
  why: string;
  /** The difference, its interval and why, in one sentence. */
  reason: string;
}

/** One claim on one dataset. */
export interface ClaimResult {
  id: "a" | "b" | "c";
  title: string;
  dataset: string;
  comparisons: Comparison[];
  /** "mixed" when the comparisons that have runs disagree. */
  verdict: Verdict | "mixed";
}

/** A difference with its sign: "+0.0012", "−0.0030". */
export const signed = (v: number, digits = 4) => (v > 0 ? "+" : v < 0 ? "−" : "±") + Math.abs(v).toFixed(digits);
const pText = (p: number) => (p < 0.001 ? "p < 0.001" : `p = ${p.toFixed(3)}`);

/** Judges "A matches B" or "A beats B" on the test AUC of the two cells (rule in the header). */
export function judge(kind: Comparison["kind"], a: Arm, b: Arm, margin = AUC_MARGIN): Comparison {
  const base = { kind, a, b };
  const absent = [a, b].filter((s) => !s.auc || s.auc.n === 0).map((s) => cellName(s.method, s.bits));
  if (absent.length) {
    const why = `no runs of ${absent.join(" or ")}`;
    return { ...base, verdict: "missing", diff: NaN, why, reason: why };
  }
  const x = a.auc!, y = b.auc!;
  const diff = x.mean - y.mean;
  const t = welchTest(x.values, y.values);
  if (!t) {
    const few = [a, b].filter((s) => s.auc!.n < 2).map((s) => `${cellName(s.method, s.bits)} has ${s.auc!.n} seed`);
    const why = `${few.join(" and ")}: no noise estimate`;
    return { ...base, verdict: "inconclusive", diff, why, reason: `difference ${signed(diff)}, but ${why}` };
  }
  const ci = `95% CI [${signed(t.lo)}, ${signed(t.hi)}], ${pText(t.p)}`;
  const m = margin.toFixed(3);
  let verdict: Verdict, why: string;
  if (kind === "matches") {
    if (t.lo >= -margin) [verdict, why] = ["holds", `at most ${m} worse with 95% confidence`];
    else if (t.hi < 0 && diff < -margin) [verdict, why] = ["fails", `significantly worse, by more than ${m}`];
    else if (t.hi < 0) [verdict, why] = ["inconclusive", `significantly worse, but by ${m} or less on average`];
    else [verdict, why] = ["inconclusive", `no significant loss, but a loss above ${m} is not ruled out`];
  } else {
    if (t.lo > 0 && diff > margin) [verdict, why] = ["holds", `significantly better, by more than ${m}`];
    else if (t.hi < margin) [verdict, why] = ["fails", `any gain is below ${m} with 95% confidence`];
    else if (t.lo > 0) [verdict, why] = ["inconclusive", `significantly better, but by ${m} or less on average`];
    else [verdict, why] = ["inconclusive", `no significant gain, but a gain above ${m} is not ruled out`];
  }
  return { ...base, verdict, diff, test: t, why, reason: `difference ${signed(diff)} (${ci}): ${why}` };
}

const arm = (cells: readonly Cell[], dataset: string, method: string, bits: number): Arm => {
  const c = findCell(cells, dataset, method, bits);
  return c ? { method, bits, auc: c.testAuc } : { method, bits };
};

/** The claim's verdict: the common verdict of its comparisons with runs, else "mixed". */
function overall(cs: readonly Comparison[]): Verdict | "mixed" {
  const seen = new Set(cs.map((c) => c.verdict).filter((v) => v !== "missing"));
  if (seen.size === 0) return "missing";
  return seen.size === 1 ? [...seen][0]! : "mixed";
}

/** Bit widths the grid runs (8, 4, 3, 2); claim (c) also covers any other width with LPT runs. */
export const GRID_BITS = [8, 4, 3, 2];

/** The three claims judged on one dataset's cells. */
export function paperClaims(cells: readonly Cell[], dataset: string, margin = AUC_MARGIN): ClaimResult[] {
  const at = (method: string, bits: number) => arm(cells, dataset, method, bits);
  const a = [judge("matches", at("alpt", 8), at("fp32", 32), margin)];
  const b = [2, 3].flatMap((bits) => ["lpt-sr", "lpt-dr"].map((lpt) => judge("beats", at("alpt", bits), at(lpt, bits), margin)));
  const lptBits = cells.filter((c) => c.dataset === dataset && (c.method === "lpt-sr" || c.method === "lpt-dr")).map((c) => c.bits);
  const widths = [...new Set([...GRID_BITS, ...lptBits])].sort((x, y) => y - x);
  const c = widths.map((bits) => judge("beats", at("lpt-sr", bits), at("lpt-dr", bits), margin));
  return [
    { id: "a", title: "8-bit ALPT matches FP32", dataset, comparisons: a, verdict: overall(a) },
    { id: "b", title: "ALPT beats LPT at low bit widths (2 and 3 bits)", dataset, comparisons: b, verdict: overall(b) },
    { id: "c", title: "Stochastic rounding beats deterministic rounding (LPT-SR vs LPT-DR)", dataset, comparisons: c, verdict: overall(c) },
  ];
}
