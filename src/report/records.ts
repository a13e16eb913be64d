// Experiment records as written by `npm run experiment` (one JSON object per line), read into
// typed records for the report. Old records may lack any field: dataset, method, bits and seed
// fall back to the case name ("experiment/<dataset>-<model>-<method>[-b<bits>]-s<seed>"), fp32
// means 32 bits, and a missing metric is just missing. A field of the wrong type, or a line
// that is not a JSON object, is an error naming file:line. The last record of a case wins.

import type { DeltaSummary } from "../embedding/delta-stats.js";

/** Per-row step sizes Δ at the end of a run (embedding/delta-stats.ts); old records may lack any field. */
export type DeltaStats = Partial<DeltaSummary>;
export type { LogHistogram as DeltaHistogram } from "../embedding/delta-stats.js";

/** Mean training loss over consecutive windows of `every` steps (NaN where the loss was not finite). */
export interface LossCurve {
  every: number;
  values: number[];
}

/** One training run. */
export interface ExperimentRecord {
  case: string;
  dataset: string;
  method: string;
  bits: number;
  seed?: number;
  model?: string;
  testAuc?: number;
  testLogloss?: number;
  valAuc?: number;
  valLogloss?: number;
  bestEpoch?: number;
  epochsRun?: number;
  seconds?: number;
  bytesPerRow?: number;
  embeddingRows?: number;
  rows?: { train?: number; valid?: number; test?: number };
  runtime?: string;
  date?: string;
  lossCurve?: LossCurve;
  delta?: DeltaStats;
  /** The parsed line as is (settings such as patience, schedule, deltaLr are read from here). */
  raw: Readonly<Record<string, unknown>>;
  /** "file:line" of the line. */
  source: string;
}

/** Records of one or more files, and notes on the lines that were not runs. */
export interface ParsedRecords {
  records: ExperimentRecord[];
  warnings: string[];
}

/** A line that cannot be read; the message starts with file:line. */
export class RecordError extends Error {
  override name = "RecordError";
}

const CASE = /^experiment\/([a-z0-9_.]+)-([a-z0-9_.]+)-(.+?)(?:-b(\d+))?-s(\d+)$/i;

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Typed field access that names file:line and the field when a present value has the wrong type. */
function fields(o: Obj, where: string) {
  const bad = (key: string, want: string): never => {
    throw new RecordError(`${where}: "${key}" must be ${want}, got ${JSON.stringify(o[key])}`);
  };
  return {
    num(key: string, from: Obj = o, prefix = ""): number | undefined {
      const v = from[key];
      if (v === undefined || v === null) return undefined;
      return typeof v === "number" ? v : bad(prefix + key, "a number");
    },
    str(key: string): string | undefined {
      const v = o[key];
      if (v === undefined || v === null) return undefined;
      return typeof v === "string" ? v : bad(key, "a string");
    },
    obj(key: string, from: Obj = o, prefix = ""): Obj | undefined {
      const v = from[key];
      if (v === undefined || v === null) return undefined;
      return isObject(v) ? v : bad(prefix + key, "an object");
    },
    /** A number array; null entries (NaN or ±Infinity written by JSON.stringify) become NaN. */
    nums(key: string, from: Obj, prefix: string): number[] {
      const v = from[key];
      if (!Array.isArray(v) || !v.every((x) => x === null || typeof x === "number")) return bad(prefix + key, "an array of numbers");
      return v.map((x: number | null) => (x === null ? NaN : x));
    },
    fail: bad,
  };
}

function lossCurveOf(f: ReturnType<typeof fields>): LossCurve | undefined {
  const c = f.obj("lossCurve");
  if (!c) return undefined;
  const every = f.num("every", c, "lossCurve.");
  if (every === undefined || !(every > 0)) return f.fail("lossCurve.every", "a positive number");
  return { every, values: f.nums("values", c, "lossCurve.") };
}

function deltaOf(f: ReturnType<typeof fields>): DeltaStats | undefined {
  const d = f.obj("delta");
  if (!d) return undefined;
  const out: DeltaStats = {};
  for (const k of ["min", "p10", "median", "p90", "max", "mean"] as const) {
    const v = f.num(k, d, "delta.");
    if (v !== undefined) out[k] = v;
  }
  const h = f.obj("histogram", d, "delta.");
  if (h) {
    const p = "delta.histogram.";
    const log10Min = f.num("log10Min", h, p), log10Max = f.num("log10Max", h, p), bins = f.num("bins", h, p);
    const counts = f.nums("counts", h, p);
    if (log10Min === undefined || log10Max === undefined || !(log10Max > log10Min)) return f.fail(p + "log10Max", "a number above log10Min");
    if (bins === undefined || !Number.isInteger(bins) || bins < 1) return f.fail(p + "bins", "a positive integer");
    if (counts.length !== bins) return f.fail(p + "counts", `an array of ${bins} counts (bins)`);
    out.histogram = { log10Min, log10Max, bins, counts, below: f.num("below", h, p) ?? 0, above: f.num("above", h, p) ?? 0 };
  }
  return out;
}

/**
 * Reads one record; returns a warning text instead when the line is a JSON object that does not
 * say which dataset, method and bit width it belongs to.
 */
function recordOf(o: Obj, where: string): ExperimentRecord | string {
  const f = fields(o, where);
  const caseName = f.str("case");
  const m = caseName ? CASE.exec(caseName) : null;
  const dataset = f.str("dataset") ?? m?.[1];
  const method = f.str("method") ?? m?.[3];
  const bits = f.num("bits") ?? (m?.[4] !== undefined ? Number(m[4]) : method === "fp32" ? 32 : undefined);
  if (dataset === undefined || method === undefined || bits === undefined) {
    return `${where}: skipped, not an experiment run (no dataset, method or bit width${caseName ? ` in "${caseName}"` : ""})`;
  }
  const seed = f.num("seed") ?? (m?.[5] !== undefined ? Number(m[5]) : undefined);
  const unit = f.str("unit");
  const r: ExperimentRecord = {
    case: caseName ?? `experiment/${dataset}-${method}-b${bits}-s${seed ?? "?"}`,
    dataset, method, bits, raw: o, source: where,
  };
  const set = <K extends keyof ExperimentRecord>(k: K, v: ExperimentRecord[K] | undefined) => {
    if (v !== undefined) r[k] = v;
  };
  set("seed", seed);
  set("model", f.str("model") ?? m?.[2]);
  set("testAuc", f.num("testAuc") ?? (unit === "AUC" ? f.num("value") : undefined));
  for (const k of ["testLogloss", "valAuc", "valLogloss", "bestEpoch", "epochsRun", "seconds", "bytesPerRow", "embeddingRows"] as const) set(k, f.num(k));
  set("runtime", f.str("runtime"));
  set("date", f.str("date"));
  const rows = f.obj("rows");
  if (rows) r.rows = { train: f.num("train", rows, "rows."), valid: f.num("valid", rows, "rows."), test: f.num("test", rows, "rows.") };
  set("lossCurve", lossCurveOf(f));
  set("delta", deltaOf(f));
  return r;
}

/**
 * Parses the JSON lines of `text` (blank lines are skipped); `file` names the source in errors
 * and warnings. Throws a RecordError "file:line: …" for a line that is not a JSON object or has
 * a field of the wrong type.
 */
export function parseRecords(text: string, file: string): ParsedRecords {
  const records: ExperimentRecord[] = [], warnings: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const where = `${file}:${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new RecordError(`${where}: not valid JSON (${(e as Error).message})`);
    }
    if (!isObject(v)) throw new RecordError(`${where}: expected a JSON object, got ${Array.isArray(v) ? "an array" : JSON.stringify(v)}`);
    const r = recordOf(v, where);
    if (typeof r === "string") warnings.push(r);
    else records.push(r);
  }
  return { records, warnings };
}

/** One record per case: the last one in input order (a rerun replaces the earlier run). */
export function latestPerCase(records: readonly ExperimentRecord[]): ExperimentRecord[] {
  const byCase = new Map<string, ExperimentRecord>();
  for (const r of records) {
    byCase.delete(r.case); // keep the order of the latest occurrence
    byCase.set(r.case, r);
  }
  return [...byCase.values()];
}
