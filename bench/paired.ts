// Paired timing of one case on several setups (exact/relaxed core × thread counts): one child
// process per setup keeps its engine and the case built, and the parent asks each in turn for a
// short slice of timed calls (tinybench, `CALLS_PER_SLICE` calls), rotating the order every
// slice. A machine whose speed drifts by tens of percent between minutes then slows every setup
// alike within a slice, so the ratio of two setups is taken per slice (against the first setup,
// one exact thread) and reported as the median of the slices with their range; the absolute
// figures keep the drift and say so in their spread.
//
//   parent: runPaired(args, setups, slices) ──fork──▶ child: this script with --serve
//   messages: {list} → the cases (name, unit, work, meta) · {setup, name} → built and warmed up
//             · {time, name, calls} → median ms of the calls · {teardown, name}
import { fork, type ChildProcess } from "node:child_process";
import { Bench } from "tinybench";
import { round, type BenchCase, type BenchResult } from "./harness.js";

const CALLS_PER_SLICE = 3;

/** A ratio of one setup to the first, per slice: median and range. */
export interface PairedRatio {
  against: string;
  median: number;
  min: number;
  max: number;
  slices: number;
}

type Request = { op: "list" } | { op: "setup"; name: string } | { op: "time"; name: string; calls: number } | { op: "teardown"; name: string };
/** What the parent needs to know of a child's case to report it. */
interface Listed {
  name: string;
  unit: string;
  work: number;
  meta: Record<string, unknown>;
}
type Reply = { cases: Listed[] } | { ms: number } | { ok: true } | { error: string };

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * The child's side: answers the parent's requests on `cases`, keyed by their result names
 * (`suite/name[-tN][-relaxed]`), until the parent disconnects. `setup` describes the child's
 * engine in every record (threads, simd). `now`: tinybench's clock (a test's stand-in clock).
 */
export function servePaired(cases: Map<string, BenchCase>, setup: Record<string, unknown>, now?: () => number): void {
  const handle = async (m: Request): Promise<Reply> => {
    if (m.op === "list") {
      return { cases: [...cases].filter(([, c]) => c.fn).map(([name, c]) => ({ name, unit: c.unit, work: c.work ?? 1, meta: { ...c.meta, runtime: `node-${process.versions.node}`, ...setup } })) };
    }
    const c = cases.get(m.name);
    if (!c?.fn) return { error: `no timed case ${m.name}` };
    if (m.op === "setup") {
      c.setup?.();
      // the warm-up of a full run (harness.ts): V8 tiers wasm up in the background
      const warm = new Bench({ time: 1000, iterations: 5, warmup: false, ...(now ? { now } : {}) });
      warm.add(m.name, c.fn);
      await warm.run();
      return { ok: true };
    }
    if (m.op === "teardown") {
      c.teardown?.();
      return { ok: true };
    }
    const bench = new Bench({ time: 0, iterations: m.calls, warmup: false, ...(now ? { now } : {}) });
    bench.add(m.name, c.fn);
    await bench.run();
    const r = bench.tasks[0]!.result;
    if (r.state !== "completed") return { error: `${m.name}: ${r.state} ${"error" in r ? String(r.error) : ""}` };
    return { ms: r.latency.p50 };
  };
  process.on("message", (m: Request) => {
    handle(m).then((reply) => process.send!(reply), (e: unknown) => process.send!({ error: e instanceof Error ? e.message : String(e) }));
  });
  process.on("disconnect", () => process.exit(0));
}

/** One request to a child, answered in order. */
function ask(child: ChildProcess, m: Request): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bench child exited (${code}) during ${m.op}`));
    child.once("exit", onExit);
    child.once("message", (reply: Reply) => {
      child.off("exit", onExit);
      if ("error" in reply) reject(new Error(reply.error));
      else resolve(reply);
    });
    child.send(m);
  });
}

/** Strips a setup's suffix from a case name (train/x-t2-relaxed → train/x). */
const baseName = (name: string): string => name.replace(/(-t\d+)?(-relaxed)?$/, "");

/**
 * Times every case that the setups share, setup against setup, in `slices` slices each. `script`
 * and `args` start a child (`--serve`, `--simd S`, `--threads T` are added); the children build
 * the cases of their setup. Returns one result per case and setup, the first setup's with no ratio.
 */
export async function runPaired(script: string, args: string[], setups: [string, number][], slices: number): Promise<BenchResult[]> {
  const children = setups.map(([simd, threads]) => fork(script, [...args, "--serve", "--simd", simd, "--threads", String(threads)], { stdio: ["ignore", "ignore", "inherit", "ipc"] }));
  try {
    const lists = await Promise.all(children.map(async (c) => ((await ask(c, { op: "list" })) as { cases: Listed[] }).cases));
    const bases = [...new Set(lists.flat().map((c) => baseName(c.name)))];
    const out: BenchResult[] = [];
    for (const base of bases) {
      // the setups that have this case, the first setup first
      const members = lists.flatMap((cases, i) => cases.filter((c) => baseName(c.name) === base).map((c) => ({ i, ...c })));
      for (const m of members) await ask(children[m.i]!, { op: "setup", name: m.name });
      const ms = members.map(() => [] as number[]);
      for (let s = 0; s < slices; s++) {
        for (let k = 0; k < members.length; k++) {
          const j = (k + s) % members.length; // rotate who goes first
          const m = members[j]!;
          ms[j]!.push(((await ask(children[m.i]!, { op: "time", name: m.name, calls: CALLS_PER_SLICE })) as { ms: number }).ms);
        }
      }
      for (const m of members) await ask(children[m.i]!, { op: "teardown", name: m.name });
      members.forEach((m, j) => {
        const rate = (t: number) => (m.unit === "ms" ? t : m.work / (t / 1000));
        const rates = ms[j]!.map(rate);
        const r: BenchResult = { case: m.name, value: round(rate(median(ms[j]!))), unit: m.unit, ...m.meta, min: round(Math.min(...rates)), max: round(Math.max(...rates)), calls: CALLS_PER_SLICE * slices, rounds: rates.map(round) };
        if (j > 0 && members[0]!.name === base) {
          // per slice: the speed-up over the first setup (its time over this one's)
          const ratios = ms[j]!.map((t, s) => ms[0]![s]! / t);
          r.paired = { against: base, median: round(median(ratios)), min: round(Math.min(...ratios)), max: round(Math.max(...ratios)), slices } satisfies PairedRatio;
        }
        process.stdout.write(JSON.stringify(r) + "\n");
        out.push(r);
      });
    }
    return out;
  } finally {
    for (const c of children) c.disconnect?.();
  }
}
