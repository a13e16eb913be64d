// The markdown summary of a bench run: the issue's targets with their status, the ratios against
// the peers (tfjs-wasm, PyTorch) measured in the same run, and one table per suite. Pure: results
// in, text out.
import type { BenchResult } from "./harness.js";
import type { PairedRatio } from "./paired.js";

/** A figure the product promises (issue 7), single thread on the reference machine. */
interface Target {
  case: string;
  atLeast?: number;
  atMost?: number;
}

export const TARGETS: Target[] = [
  { case: "train/dcn-criteo1m-fp32", atLeast: 8000 },
  { case: "train/dcn-criteo1m-alpt-b4", atLeast: 5000 },
  { case: "infer/dcn-criteo1m-alpt-b4", atLeast: 60000 },
  { case: "memory/peak-rss-dcn-criteo1m-alpt-b4-adagrad", atMost: 150 },
  { case: "data/parse-criteo", atLeast: 50 },
];

/**
 * [ours, peer, what]: "ours is N× the peer" lines, when both were measured. `ours` as a pattern
 * takes the best of the matching cases (highest rate, lowest MiB) and names it.
 */
const PEER_RATIOS: [string | RegExp, string, string][] = [
  ["train/dcn-criteo1m-fp32", "train/peer-tfjs-wasm-dcn-criteo1m", "fp32 training vs tfjs-wasm (stock gradients)"],
  ["train/dcn-criteo1m-fp32", "train/peer-tfjs-wasm-dcn-criteo1m-best", "fp32 training vs tfjs-wasm (best variant)"],
  ["train/dcn-criteo1m-alpt-b4", "train/peer-tfjs-wasm-dcn-criteo1m-best", "4-bit ALPT training vs tfjs-wasm fp32 (best variant)"],
  ["memory/peak-rss-dcn-criteo1m-alpt-b4-adagrad", "memory/peak-rss-peer-tfjs-wasm-dcn-criteo1m", "peak RSS, 4-bit ALPT + Adagrad vs tfjs-wasm (stock)"],
  ["memory/peak-rss-dcn-criteo1m-fp32-adam", "memory/peak-rss-peer-tfjs-wasm-dcn-criteo1m-best", "peak RSS, fp32 + Adam vs tfjs-wasm (best variant)"],
  // PyTorch (issue 14 targets: best fp32 ≥ 1.0×, alpt-b4 ≥ 0.6×, best inference ≥ 0.5× at 2 threads; RSS ≤ 0.3×)
  ["train/dcn-criteo1m-fp32", "train/peer-torch-dcn-criteo1m-t1", "fp32 training vs PyTorch fp32, 1 thread each"],
  ["train/dcn-criteo1m-fp32-t2", "train/peer-torch-dcn-criteo1m-t2", "fp32 training vs PyTorch fp32, 2 threads each"],
  [/^train\/dcn-criteo1m-fp32(-t\d+)?(-relaxed)?$/, "train/peer-torch-dcn-criteo1m-t2", "best fp32 training vs PyTorch fp32 at 2 threads (target ≥ 1.0×)"],
  [/^train\/dcn-criteo1m-alpt-b4(-t\d+)?(-relaxed)?$/, "train/peer-torch-dcn-criteo1m-t2", "4-bit ALPT training vs PyTorch fp32 at 2 threads (target ≥ 0.6×)"],
  [/^infer\/dcn-criteo1m-(fp32|lpt-sr-b\d|alpt-b\d)(-t\d+)?(-relaxed)?$/, "infer/peer-torch-dcn-criteo1m-t2", "best inference vs PyTorch fp32 at 2 threads (target ≥ 0.5×)"],
  ["infer/dcn-criteo1m-alpt-b4-serve-t1", "infer/peer-ort-node-dcn-criteo1m-t1", "4-bit ALPT serving, batch 2048, vs ONNX Runtime Node on the same exported weights, 1 thread each"],
  ["infer/dcn-criteo1m-alpt-b4-serve-t2", "infer/peer-ort-node-dcn-criteo1m-t2", "4-bit ALPT serving, batch 2048, vs ONNX Runtime Node, 2 threads each"],
  ["infer/dcn-criteo1m-alpt-b4-serve-t1", "infer/peer-ort-web-dcn-criteo1m", "4-bit ALPT serving, batch 2048, vs ONNX Runtime Web (wasm), 1 thread each"],
  ["infer/dcn-criteo1m-alpt-b4-serve-batch1-t1", "infer/peer-ort-node-dcn-criteo1m-batch1-t1", "4-bit ALPT latency, batch 1, vs ONNX Runtime Node, 1 thread each"],
  ["infer/dcn-criteo1m-alpt-b4-serve-batch1-t1", "infer/peer-ort-web-dcn-criteo1m-batch1", "4-bit ALPT latency, batch 1, vs ONNX Runtime Web (wasm), 1 thread each"],
  ["memory/peak-rss-dcn-criteo1m-alpt-b4-serve", "memory/peak-rss-peer-ort-node-dcn-criteo1m-serve", "peak RSS while serving, alpt vs ONNX Runtime Node"],
  ["memory/bytes-dcn-criteo1m-alpt-b4-export", "memory/bytes-dcn-criteo1m-alpt-b4-onnx", "bytes on disk, alpt export vs its ONNX export"],
  ["memory/peak-rss-dcn-criteo1m-alpt-b4-adagrad", "memory/peak-rss-peer-torch-dcn-criteo1m", "peak RSS, 4-bit ALPT + Adagrad vs PyTorch fp32 + SparseAdam (target ≥ 3.33× less, i.e. ≤ 0.3×)"],
];

/** The result `ours` names, or the best of those its pattern matches. */
function pick(results: BenchResult[], byCase: Map<string, BenchResult>, ours: string | RegExp): BenchResult | undefined {
  if (typeof ours === "string") return byCase.get(ours);
  const better = (a: BenchResult, b: BenchResult) => (a.unit === "MiB" ? a.value < b.value : a.value > b.value);
  return results.filter((r) => ours.test(r.case) && Number.isFinite(r.value)).reduce<BenchResult | undefined>((best, r) => (!best || better(r, best) ? r : best), undefined);
}

const DETAIL_KEYS = ["method", "bits", "rounding", "optimizer", "hiddenUnits", "batch", "steps", "variant", "distinctValues", "seconds"];

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toLocaleString("en-US", { maximumSignificantDigits: 4 }) : String(v);
}

function details(r: BenchResult): string {
  return DETAIL_KEYS.filter((k) => r[k] !== undefined).map((k) => `${k} ${Array.isArray(r[k]) ? (r[k] as unknown[]).join("-") : String(r[k])}`).join(", ");
}

/**
 * The spread of the timed calls (fastest to slowest, against the median) and of the rounds,
 * flagged when it is so wide that a ratio between two cases should not be trusted (calls > 30 %,
 * rounds > 15 %: a busy machine, a GC pause).
 */
function spread(r: BenchResult): string {
  if (typeof r.min !== "number" || typeof r.max !== "number" || !(r.value > 0)) return "";
  const width = (r.max - r.min) / r.value;
  const rounds = Array.isArray(r.rounds) ? (r.rounds as number[]) : [];
  const roundWidth = rounds.length > 1 ? (Math.max(...rounds) - Math.min(...rounds)) / r.value : 0;
  const flag = width > 0.3 || roundWidth > 0.15 ? ` **spread ${Math.round(Math.max(width, roundWidth) * 100)} %: too wide to trust**` : "";
  return `${fmt(r.min)}–${fmt(r.max)}${rounds.length > 1 ? `, rounds ${rounds.map(fmt).join(" / ")}` : ""}${flag}`;
}

/** The summary of `results`; `command` and `date` go in its header. */
export function markdownSummary(results: BenchResult[], command: string, date: string, quick: boolean): string {
  const byCase = new Map(results.map((r) => [r.case, r]));
  const threads = [...new Set(results.map((r) => Number(r.threads ?? 1)))].sort((a, b) => a - b);
  const lines = [`# Bench results`, "", `\`${command}\` on ${date}, ${results[0]?.runtime ?? "?"}, ${threads.join(" and ")} thread${threads.join() === "1" ? "" : "s"} (cases on more than one are named -t<N>).`];
  if (quick) lines.push("", "**Smoke run (`--quick`): two timed calls per case; these figures are not measurements.**");

  const targets = TARGETS.filter((t) => byCase.has(t.case));
  if (targets.length) {
    lines.push("", "## Targets", "", "| case | measured | target | met |", "|---|---|---|---|");
    for (const t of targets) {
      const r = byCase.get(t.case)!;
      const met = t.atLeast !== undefined ? r.value >= t.atLeast : r.value <= t.atMost!;
      const bound = t.atLeast !== undefined ? `≥ ${fmt(t.atLeast)}` : `≤ ${fmt(t.atMost!)}`;
      lines.push(`| ${t.case} | ${fmt(r.value)} ${r.unit} | ${bound} | ${met ? "yes" : "**no**"} |`);
    }
  }

  const ratios = PEER_RATIOS.map(([a, b, what]) => [pick(results, byCase, a), byCase.get(b), a, what] as const).filter(([x, y]) => x && y);
  if (ratios.length) {
    lines.push("", "## Against the peers (same run)", "");
    for (const [x, y, a, what] of ratios) {
      const ratio = ["MiB", "ms", "B"].includes(x!.unit) ? `${fmt(y!.value / x!.value)}× less` : `${fmt(x!.value / y!.value)}×`;
      const which = typeof a === "string" ? "" : ` (${x!.case})`;
      const cpu = typeof y!.cpu === "string" ? `; ${y!.cpu}` : "";
      lines.push(`- ${what}: ${fmt(x!.value)}${which} vs ${fmt(y!.value)} ${x!.unit} (${ratio}${cpu})`);
    }
  }

  // every case measured on one exact thread and on other setups: speed-ups against the first
  const SETUPS = ["-relaxed", "-t2", "-t2-relaxed", "-t3", "-t4"];
  const isVariant = (c: string) => /-t\d+(-relaxed)?$|-relaxed$/.test(c) && !c.includes("/peer-");
  const bases = results.filter((r) => !isVariant(r.case) && r.unit !== "MiB" && r.unit !== "B" && SETUPS.some((x) => byCase.has(r.case + x)));
  if (bases.length) {
    const present = SETUPS.filter((x) => bases.some((b) => byCase.has(b.case + x)));
    const label = (x: string) => {
      const t = x.includes("-t") ? Number(x.match(/-t(\d+)/)![1]) : 1;
      return `${t} thread${t > 1 ? "s" : ""} ${x.endsWith("relaxed") ? "relaxed" : "exact"}`;
    };
    const slices = results.map((r) => (r.paired as PairedRatio | undefined)?.slices).find((n) => n !== undefined);
    lines.push("", "## Threads and FMA against one exact thread (same run)", "");
    if (slices) lines.push(`Ratios are paired: the setups took turns in ${slices} slices of a few calls each, and a ratio is the median over the slices of this setup's rate against one exact thread's in the same slice (its range in brackets), so the machine's drift between minutes cancels out of it; the absolute rates keep it.`, "");
    lines.push(`| case | 1 thread exact | ${present.map(label).join(" | ")} |`, `|---|---|${present.map(() => "---|").join("")}`);
    for (const b of bases) {
      const cells = present.map((x) => {
        const r = byCase.get(b.case + x);
        if (!r) return "";
        const p = r.paired as PairedRatio | undefined;
        if (p) return `${fmt(r.value)} (${fmt(p.median)}×, ${fmt(p.min)}–${fmt(p.max)})`;
        const ratio = r.unit === "ms" ? b.value / r.value : r.value / b.value;
        return `${fmt(r.value)} (${fmt(ratio)}×)`;
      });
      lines.push(`| ${b.case} | ${fmt(b.value)} ${b.unit} | ${cells.join(" | ")} |`);
    }
  }

  const suites = [...new Set(results.map((r) => r.case.split("/")[0]!))];
  for (const suite of suites) {
    lines.push("", `## ${suite}`, "", "| case | value | unit | details |", "|---|---|---|---|");
    for (const r of results.filter((x) => x.case.startsWith(`${suite}/`))) {
      lines.push(`| ${r.case.slice(suite.length + 1)} | ${fmt(r.value)} | ${r.unit} | ${[details(r), spread(r)].filter(Boolean).join("; ")} |`);
    }
  }
  return lines.join("\n") + "\n";
}
