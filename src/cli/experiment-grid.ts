// The grid runner of `npm run experiment`: method × bits × seed cases of one setup, each run once
// and kept by a sink (printed, or appended to a JSON-lines file so that a grid resumes), and lpt's
// fixed Δ chosen on the first seed's validation AUC from multiples of the LSQ initial value.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { lsqDelta, type EmbeddingOptions } from "../embedding/options.js";
import { parseRecords } from "../report/records.js";

/** A method as named on the command line. */
export interface MethodSpec {
  name: string;
  embedding: Omit<EmbeddingOptions, "rows" | "dim">;
  quantized: boolean;
}

export const METHODS: Record<string, MethodSpec> = {
  fp32: { name: "fp32", embedding: { method: "fp32" }, quantized: false },
  "lpt-dr": { name: "lpt-dr", embedding: { method: "lpt", rounding: "dr" }, quantized: true },
  "lpt-sr": { name: "lpt-sr", embedding: { method: "lpt", rounding: "sr" }, quantized: true },
  alpt: { name: "alpt", embedding: { method: "alpt" }, quantized: true },
  "qat-lsq": { name: "qat-lsq", embedding: { method: "qat-lsq" }, quantized: true },
};

/** One run's JSON record. */
export type RunRecord = Record<string, unknown>;

/** What a grid needs of its setup: the case-name stem and how to train one case. */
export interface GridSpec {
  /** Case-name stem: <dataset>-<model>[-bs<batch>]. */
  stem: string;
  /** lpt's fixed Δ as multiples of the LSQ Δ₀ (more than one: chosen on validation). */
  lptDelta: readonly number[];
  initStd: number;
  /** Trains and evaluates one case (fixedDelta: lpt's Δ) and returns its record. */
  run(m: MethodSpec, bits: number | undefined, seed: number, fixedDelta?: number): RunRecord;
  log(line: string): void;
}

export function caseName(stem: string, m: MethodSpec, bits: number | undefined, seed: number): string {
  return `${stem}-${m.name}${bits === undefined ? "" : `-b${bits}`}-s${seed}`;
}

/** Where a grid's records go: which cases are done, and how to keep a new record. */
export interface Sink {
  has(caseName: string): boolean;
  /** A record kept before (the lpt Δ selection runs), by case name. */
  find(caseName: string): RunRecord | undefined;
  put(record: RunRecord): void;
  /** Keeps a record that is not a grid cell (an lpt Δ selection run). */
  putAside(record: RunRecord): void;
}

/** Records printed (and kept in memory for the lpt Δ selection): a criteo|avazu run. */
export function printSink(): Sink {
  const aside = new Map<string, RunRecord>();
  return {
    has: () => false,
    find: (name) => aside.get(name),
    put: (r) => console.log(JSON.stringify(r)),
    putAside: (r) => aside.set(r.case as string, r),
  };
}

/** JSON lines on file, appended per case (re-read each time: other processes may share the grid). */
export function fileSink(path: string, asidePath: string): Sink {
  const read = (p: string): RunRecord[] =>
    existsSync(p) ? readFileSync(p, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as RunRecord) : [];
  return {
    has: (name) => recordedCases(path).has(name),
    find: (name) => read(asidePath).find((r) => r.case === name),
    put: (r) => {
      appendFileSync(path, JSON.stringify(r) + "\n");
      console.log(JSON.stringify(r));
    },
    putAside: (r) => appendFileSync(asidePath, JSON.stringify(r) + "\n"),
  };
}

/**
 * lpt's fixed Δ for one bit width: each multiple of the LSQ initial value in a.lptDelta trained on
 * the first seed, the best validation AUC kept (the fair baseline: a tuned fixed Δ). Returns Δ and
 * the first seed's record with that Δ (its grid cell).
 */
function chooseLptDelta(g: GridSpec, m: MethodSpec, bits: number, seed: number, sink: Sink): { delta: number; record: RunRecord } {
  const base = lsqDelta(g.initStd, bits);
  const tried = g.lptDelta.map((k) => {
    const name = `experiment/${caseName(g.stem, m, bits, seed)}-dx${k}`;
    let r = sink.find(name);
    if (!r) {
      r = { ...g.run(m, bits, seed, base * k), case: name, lptDeltaMultiple: k };
      sink.putAside(r);
    }
    return r;
  });
  let best = 0;
  tried.forEach((r, i) => {
    if ((r.valAuc as number) > (tried[best]!.valAuc as number)) best = i;
  });
  const grid = tried.map((r, i) => ({ multiple: g.lptDelta[i]!, valAuc: r.valAuc as number }));
  const record = { ...tried[best]!, case: `experiment/${caseName(g.stem, m, bits, seed)}`, lptDeltaGrid: grid };
  g.log(`  ${caseName(g.stem, m, bits, seed)}: Δ = ${g.lptDelta[best]} × LSQ Δ₀ (${(base * g.lptDelta[best]!).toPrecision(3)}), validation AUC ${grid.map((x) => `${x.multiple}: ${x.valAuc}`).join(", ")}`);
  return { delta: base * g.lptDelta[best]!, record };
}

/** Runs every case of a grid (method × bits × seeds of those bits) that the sink does not have yet. */
export function runGrid(
  g: GridSpec, methods: readonly MethodSpec[], bits: readonly number[], seedsOf: (bits: number | undefined) => readonly number[], sink: Sink,
): void {
  for (const m of methods) {
    for (const b of m.quantized ? bits : [undefined]) {
      const seeds = seedsOf(b);
      const todo = seeds.filter((seed) => {
        const name = `experiment/${caseName(g.stem, m, b, seed)}`;
        const done = sink.has(name);
        if (done) g.log(`  ${name}: recorded, skipped`);
        return !done;
      });
      if (!todo.length) continue;
      let fixed: number | undefined;
      if (m.embedding.method === "lpt" && b !== undefined && g.lptDelta.length > 1) {
        const chosen = chooseLptDelta(g, m, b, seeds[0]!, sink);
        fixed = chosen.delta;
        if (todo[0] === seeds[0]) sink.put(chosen.record);
      } else if (m.embedding.method === "lpt" && b !== undefined) {
        fixed = lsqDelta(g.initStd, b) * g.lptDelta[0]!;
      }
      for (const seed of todo) {
        if (fixed !== undefined && g.lptDelta.length > 1 && seed === seeds[0]) continue;
        sink.put(g.run(m, b, seed, fixed));
      }
    }
  }
}

/** Cases already recorded in a JSON-lines file (a malformed line is an error naming file:line). */
export function recordedCases(path: string): Set<string> {
  if (!existsSync(path)) return new Set();
  return new Set(parseRecords(readFileSync(path, "utf8"), path).records.map((r) => r.case));
}

