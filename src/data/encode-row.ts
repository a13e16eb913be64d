// Raw cells → model inputs, the one encoder of config datasets: `prepare` calls it for every row
// and the predictor for raw rows, so both encode identically. Given a dataset config, what was
// fitted on its training rows (the FeatureMap — categorical, bucketized and sequence fields — and
// the dense normalisers) and a row's cells in the plan's column order, it gives the label, the ids
// of the single-valued fields, the dense inputs and the global ids of each bag field.
//
//   FeatureMap fields: single-valued features in config order (categorical, bucketized numeric),
//                      then the sequence features (one bag field each, bag-fields.ts);
//   dense inputs:      the numeric features that are not bucketized, in config order,
//                      x' = (g(x) − shift) / scale with g = log1p(max(x, 0)) for "log1p", else x.
import type { BagPooling } from "./bag-fields.js";
import { parseNumber } from "./cells.js";
import type { DatasetConfig, FeatureConfig, Normalizer, SequenceFeature } from "./config.js";
import { MISSING_ID, type FeatureMap } from "./feature-map.js";
import type { Cell, ColumnRef } from "./formats/table.js";
import type { FieldSpec } from "./schema.js";

/** A fitted dense normaliser: x' = (g(x) − shift) / scale; a missing cell is `fill` (before g). */
export interface FittedDense {
  name: string;
  normalizer: Normalizer;
  fill: number;
  shift: number;
  scale: number;
}

/** What is fitted on the training rows. */
export interface FittedInputs {
  featureMap: FeatureMap;
  dense: FittedDense[];
}

/** How the cells of a row are laid out and what each feature becomes (derived from a config). */
export interface RowPlan {
  /** The columns to read: the label first (when labeled), then each feature's column. */
  want: ColumnRef[];
  labeled: boolean;
  /** Per feature (config order): its cell index in `want`, and its FeatureMap field, dense slot or bag slot. */
  features: { feature: FeatureConfig; cell: number; field: number; dense: number; bag: number }[];
  /** Single-valued fields F, dense inputs D, bag fields Fb. */
  fields: number;
  denseCount: number;
  bagFields: number;
  /** The FieldSpecs of the FeatureMap (before fitting quantile boundaries). */
  fieldSpecs: FieldSpec[];
  denseNames: string[];
  bagNames: string[];
  pooling: BagPooling[];
}

const plans = new WeakMap<DatasetConfig, RowPlan[]>();

/** The plan of a config (cached per config object); `labeled: false` reads no label column. */
export function rowPlan(config: DatasetConfig, labeled = true): RowPlan {
  const cached = plans.get(config)?.[labeled ? 1 : 0];
  if (cached) return cached;
  const want: ColumnRef[] = labeled ? [config.label.col] : [];
  const singles: FieldSpec[] = [], bags: FieldSpec[] = [];
  const denseNames: string[] = [], bagNames: string[] = [], pooling: BagPooling[] = [];
  const features: RowPlan["features"] = [];
  for (const f of config.features) {
    let cell = want.indexOf(f.col);
    if (cell < 0) cell = want.push(f.col) - 1;
    const e = { feature: f, cell, field: -1, dense: -1, bag: -1 };
    if (f.type === "categorical") {
      e.field = singles.length;
      singles.push({ name: f.name, type: "categorical", minCount: f.minCount, ...(f.maxSize ? { maxSize: f.maxSize } : {}), ...(f.fillNa !== undefined ? { fillNa: f.fillNa } : {}) });
    } else if (f.type === "numeric" && f.bucketize) {
      e.field = singles.length;
      const b = f.bucketize;
      const spec: FieldSpec = { name: f.name, type: "numeric", minCount: f.minCount };
      if ("transform" in b) spec.transform = b.transform;
      else if ("boundaries" in b) Object.assign(spec, { transform: "bucketize", boundaries: b.boundaries });
      else Object.assign(spec, { transform: "bucketize", boundaries: [0] }); // quantiles: boundaries fitted later
      singles.push(spec);
    } else if (f.type === "numeric") {
      e.dense = denseNames.length;
      denseNames.push(f.name);
    } else {
      e.bag = bags.length;
      bags.push({ name: f.name, type: "categorical", minCount: f.minCount, ...(f.maxSize ? { maxSize: f.maxSize } : {}) });
      bagNames.push(f.name);
      pooling.push(f.pooling);
    }
    features.push(e);
  }
  for (const e of features) if (e.bag >= 0) e.field = singles.length + e.bag;
  const plan: RowPlan = {
    want, labeled, features, fields: singles.length, denseCount: denseNames.length, bagFields: bags.length,
    fieldSpecs: [...singles, ...bags], denseNames, bagNames, pooling,
  };
  const list = plans.get(config) ?? [];
  list[labeled ? 1 : 0] = plan;
  plans.set(config, list);
  return plan;
}

/** The 0/1 label of a cell (config.label: a threshold, a value map, or 1/0/-1/true/false); -1 if it is not one. */
export function labelOf(config: DatasetConfig, cell: Cell): number {
  if (typeof cell !== "string") return -1;
  const l = config.label;
  if (l.values) return Object.prototype.hasOwnProperty.call(l.values, cell) ? l.values[cell]! : -1;
  const v = parseNumber(cell);
  if (l.threshold !== undefined) return Number.isFinite(v) ? (v >= l.threshold ? 1 : 0) : -1;
  if (v === 1) return 1;
  if (v === 0 || v === -1) return 0;
  const t = cell.trim().toLowerCase();
  return t === "true" ? 1 : t === "false" ? 0 : -1;
}

/** The values of a sequence cell: split, trimmed, empty ones dropped, the first max_len. */
export function sequenceValues(f: SequenceFeature, cell: Cell): string[] {
  if (cell === null) return [];
  const xs = typeof cell === "string" ? cell.split(f.splitter) : [...cell];
  const out: string[] = [];
  for (const x of xs) {
    const t = x.trim();
    if (t.length > 0) out.push(t);
    if (out.length === f.maxLen) break;
  }
  return out;
}

/** The number of a numeric cell (NaN when missing); undefined when it is not a number. */
export function numberOf(cell: Cell): number | undefined {
  if (cell === null) return NaN;
  if (typeof cell !== "string") return undefined;
  const v = parseNumber(cell);
  return Number.isFinite(v) ? v : undefined;
}

/** g(x) of a normaliser. */
export function preNormalize(n: Normalizer, x: number): number {
  return n === "log1p" ? Math.log1p(x > 0 ? x : 0) : x;
}

/** Where one row's inputs go. */
export interface RowOut {
  ids: Int32Array;
  idsAt: number;
  dense: Float32Array;
  denseAt: number;
  /** Receives each bag field's global ids, in bag order. */
  bag: (slot: number, ids: readonly number[]) => void;
}

/**
 * Encodes one row's cells (plan.want order) into `out`; returns the label (NaN when unlabeled), or
 * { cell, reason } naming the bad cell (plan.want index).
 */
export function encodeCells(config: DatasetConfig, fitted: FittedInputs, plan: RowPlan, cells: readonly Cell[], out: RowOut): number | { cell: number; reason: string } {
  let label = NaN;
  if (plan.labeled) {
    label = labelOf(config, cells[0]!);
    if (label < 0) {
      const c = cells[0];
      return { cell: 0, reason: c === null ? `label ${String(config.label.col)} is missing` : `label ${String(config.label.col)} = ${JSON.stringify(String(c).slice(0, 40))} is not ${config.label.values ? `one of ${Object.keys(config.label.values).join(", ")}` : config.label.threshold !== undefined ? "a number" : "0/1 (or -1, true, false)"}` };
    }
  }
  const fm = fitted.featureMap;
  for (const e of plan.features) {
    const f = e.feature, cell = cells[e.cell]!;
    if (f.type === "sequence") {
      const vals = sequenceValues(f, cell);
      const off = fm.fieldOffsets[e.field]!;
      out.bag(e.bag, vals.map((v) => off + fm.localId(e.field, v)));
      continue;
    }
    if (typeof cell !== "string" && cell !== null) return { cell: e.cell, reason: `${f.name}: a list of values in a ${f.type} feature (make it a sequence feature)` };
    if (f.type === "categorical") {
      out.ids[out.idsAt + e.field] = fm.fieldOffsets[e.field]! + fm.localId(e.field, cell);
      continue;
    }
    const x = numberOf(cell);
    if (x === undefined) return { cell: e.cell, reason: `${f.name} = ${JSON.stringify(String(cell).slice(0, 40))} is not a number` };
    if (e.field >= 0) {
      const v = Number.isNaN(x) ? (f.fillNa ?? null) : x;
      out.ids[out.idsAt + e.field] = fm.fieldOffsets[e.field]! + (v === null ? MISSING_ID : fm.localId(e.field, v));
    } else {
      const d = fitted.dense[e.dense]!;
      const v = preNormalize(d.normalizer, Number.isNaN(x) ? d.fill : x);
      out.dense[out.denseAt + e.dense] = (v - d.shift) / d.scale;
    }
  }
  return label;
}

/** One encoded row. */
export interface EncodedRow {
  /** 0/1, NaN when unlabeled. */
  label: number;
  /** Global ids of the single-valued fields [F]. */
  ids: Int32Array;
  /** Normalised dense inputs [D]. */
  dense: Float32Array;
  /** Global ids of each bag field's values. */
  bags: Int32Array[];
}

/**
 * Encodes one raw row (a pure function of the config, what was fitted, and the cells): `row` is
 * either the cells in rowPlan(config, labeled).want order or a record keyed by column name (a
 * column by index is then its decimal text). Throws an Error naming the feature on a bad cell.
 */
export function encodeRawRow(config: DatasetConfig, fitted: FittedInputs, row: readonly Cell[] | Readonly<Record<string, unknown>>, labeled = false): EncodedRow {
  const plan = rowPlan(config, labeled);
  const cells: Cell[] = Array.isArray(row) ? (row as Cell[]) : plan.want.map((c) => toCell((row as Record<string, unknown>)[String(c)]));
  if (cells.length !== plan.want.length) throw new RangeError(`encodeRawRow: ${cells.length} cells, expected ${plan.want.length} (${plan.want.join(",")})`);
  const ids = new Int32Array(plan.fields), dense = new Float32Array(plan.denseCount);
  const bags: Int32Array[] = new Array<Int32Array>(plan.bagFields);
  const r = encodeCells(config, fitted, plan, cells, { ids, idsAt: 0, dense, denseAt: 0, bag: (k, xs) => (bags[k] = Int32Array.from(xs)) });
  if (typeof r !== "number") throw new Error(`encodeRawRow: column ${JSON.stringify(plan.want[r.cell])}: ${r.reason}`);
  return { label: r, ids, dense, bags };
}

/** A record value as a cell (numbers as text, arrays as lists, undefined/""/null missing). */
export function toCell(v: unknown): Cell {
  if (v === undefined || v === null || v === "") return null;
  if (Array.isArray(v)) return v.map((x) => String(x));
  return typeof v === "string" ? v : String(v);
}
