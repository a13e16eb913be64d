// The dataset config: which file and format, which column is the label (and how to make it 0/1),
// and per feature how it is encoded — categorical (min count; rarer values and unseen ones share
// the field's OOV id), numeric (a dense input with a normaliser fitted on the training rows, or
// bucketized into a categorical field) or sequence (a multi-valued cell cut by a splitter, at most
// max_len values, pooled by mean or sum: a bag field, bag-fields.ts). A JSON file or the same
// object in the API. FuxiCTR's dataset_config keys are accepted where they mean the same thing
// (data_format, label_col, feature_cols with a name or a list of names, active, dtype, type,
// min_categr_count, preprocess: convert_to_bucket, splitter, max_len, encoder, normalizer,
// na_value / fill_na), and FuxiCTR's dataset-id wrapper ({ "frappe_x1": { … } }). Keys starting
// with "_" are comments. Every other key is an error; all are reported at once, each with its
// file:line:column when the object came from parseJson (json.ts placeOfKey).
import type { BagPooling } from "./bag-fields.js";
import { placeOfKey } from "./json.js";
import type { ColumnRef, TableFormat } from "./formats/table.js";

/** How a numeric dense input is normalised (fitted on the training rows). */
export type Normalizer = "standard" | "minmax" | "log1p" | "none";
export const NORMALIZERS: readonly Normalizer[] = ["standard", "minmax", "log1p", "none"];

/** How a numeric column becomes a categorical field instead of a dense input. */
export type Bucketize = { boundaries: number[] } | { quantiles: number } | { transform: "criteo" };

interface FeatureBase {
  /** The feature's name (a field of the FeatureMap, or a dense input). */
  name: string;
  /** Its column in the file (default: the name). */
  col: ColumnRef;
}
export interface CategoricalFeature extends FeatureBase {
  type: "categorical";
  minCount: number;
  maxSize?: number;
  fillNa?: string;
}
export interface NumericFeature extends FeatureBase {
  type: "numeric";
  /** Dense input normaliser (unused when bucketized). */
  normalizer: Normalizer;
  /** Bucketized into a categorical field instead of a dense input. */
  bucketize?: Bucketize;
  /** Bucketized fields: buckets seen fewer times map to OOV. */
  minCount: number;
  /** Value of a missing cell (default: the training mean for dense inputs, the missing id for buckets). */
  fillNa?: number;
}
export interface SequenceFeature extends FeatureBase {
  type: "sequence";
  splitter: string;
  maxLen: number;
  pooling: BagPooling;
  minCount: number;
  maxSize?: number;
}
export type FeatureConfig = CategoricalFeature | NumericFeature | SequenceFeature;

/** The label column and how its cell becomes 0/1. */
export interface LabelConfig {
  col: ColumnRef;
  /** label = value ≥ threshold (e.g. rating ≥ 4). */
  threshold?: number;
  /** label = values[cell] (e.g. { "click": 1, "view": 0 }). */
  values?: Record<string, number>;
}

/** A validated dataset config (resolveDatasetConfig). */
export interface DatasetConfig {
  format: TableFormat;
  /** csv: the cell separator. */
  delimiter: string;
  /** csv: the first line names the columns. */
  header: boolean;
  quote?: string | false;
  /** Column names when the file has none (headerless csv, libsvm: the label then one per pair/field). */
  columns?: string[];
  train?: string;
  valid?: string;
  test?: string;
  /** Fractions of train, valid (and test) by line order. */
  split?: number[];
  label: LabelConfig;
  features: FeatureConfig[];
}

/** The keys a config may have (ours and FuxiCTR's), each with the key it stands for. */
const TOP_KEYS: Record<string, string> = {
  format: "format", data_format: "format", delimiter: "delimiter", header: "header", quote: "quote", columns: "columns",
  train: "train", train_data: "train", valid: "valid", valid_data: "valid", test: "test", test_data: "test", split: "split",
  label: "label", label_col: "label", features: "features", feature_cols: "features", min_count: "min_count",
  min_categr_count: "min_count", data_root: "ignored", dataset_id: "ignored",
};
const FEATURE_KEYS: Record<string, string> = {
  name: "name", col: "col", column: "col", type: "type", dtype: "dtype", active: "active", min_count: "min_count",
  min_categr_count: "min_count", max_size: "max_size", na_value: "fill_na", fill_na: "fill_na", normalizer: "normalizer",
  bucketize: "bucketize", preprocess: "preprocess", splitter: "splitter", max_len: "max_len", pooling: "pooling", encoder: "pooling",
  // the spelling of a resolved config (stored in prepared folders and checkpoints), read back as is
  minCount: "min_count", maxSize: "max_size", fillNa: "fill_na", maxLen: "max_len",
};
const LABEL_KEYS: Record<string, string> = { col: "col", column: "col", name: "col", dtype: "dtype", threshold: "threshold", values: "values" };
const FORMATS: Record<string, [TableFormat, string?]> = {
  csv: ["csv"], tsv: ["csv", "\t"], jsonl: ["jsonl"], json_lines: ["jsonl"], ndjson: ["jsonl"], libsvm: ["libsvm"], libfm: ["libsvm"], svm: ["libsvm"],
};
const NORMALIZER_ALIASES: Record<string, Normalizer> = {
  standard: "standard", StandardScaler: "standard", minmax: "minmax", MinMaxScaler: "minmax", log1p: "log1p", none: "none",
};
const POOLING_ALIASES: Record<string, BagPooling> = { mean: "mean", sum: "sum", MaskedAveragePooling: "mean", MaskedSumPooling: "sum" };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => (JSON.stringify(v) ?? String(v)).slice(0, 60);
const isInt = (v: unknown, min: number): v is number => typeof v === "number" && Number.isInteger(v) && v >= min;

/** The error of an invalid config: every problem, one per line. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0]! : `${problems.length} problems in the dataset config:\n  ${problems.join("\n  ")}`);
  }
}

/**
 * Validates a dataset config (ours or FuxiCTR's spelling) into a DatasetConfig; `where` names it in
 * messages (its path). Throws a ConfigError listing every problem.
 */
export function resolveDatasetConfig(input: unknown, where = "dataset config"): DatasetConfig {
  const problems: string[] = [];
  const at = (obj: object, key: string, path: string) => `${placeOfKey(obj, key) ?? where}: ${path}`;
  if (!isObj(input)) throw new ConfigError([`${where}: expected a JSON object (the dataset config)`]);
  let o = input;
  // FuxiCTR's dataset_config.yaml: { <dataset_id>: { data_format, … } }
  const keys = Object.keys(o);
  if (keys.length === 1 && !(keys[0]! in TOP_KEYS) && isObj(o[keys[0]!])) o = o[keys[0]!] as Record<string, unknown>;
  const top = canonical(o, TOP_KEYS, "", at, problems, "a dataset config key");

  const fmtRaw = top.format ?? "csv";
  let format: TableFormat = "csv", delimiter = ",";
  const fmt = typeof fmtRaw === "string" ? FORMATS[fmtRaw.toLowerCase()] : undefined;
  if (!fmt) problems.push(`${at(o, keyOf(o, TOP_KEYS, "format"), "format")} = ${show(fmtRaw)} is not a format this build reads (${Object.keys(FORMATS).join(", ")}; FuxiCTR's parquet/npz/h5 are its own caches)`);
  else [format, delimiter = ","] = [fmt[0], fmt[1]];
  if (top.delimiter !== undefined) {
    if (typeof top.delimiter !== "string" || top.delimiter.length === 0) problems.push(`${at(o, "delimiter", "delimiter")} must be a non-empty string (e.g. "," or "\\t")`);
    else delimiter = top.delimiter;
  }
  const header = top.header ?? true;
  if (typeof header !== "boolean") problems.push(`${at(o, "header", "header")} must be true or false`);
  let quote: string | false | undefined;
  if (top.quote !== undefined) {
    if (top.quote !== false && (typeof top.quote !== "string" || top.quote.length === 0)) problems.push(`${at(o, "quote", "quote")} must be false or a string`);
    else quote = top.quote as string | false;
  }
  let columns: string[] | undefined;
  if (top.columns !== undefined) {
    if (!Array.isArray(top.columns) || top.columns.length === 0 || !top.columns.every((c) => typeof c === "string" && c !== "")) problems.push(`${at(o, "columns", "columns")} must be a non-empty array of column names`);
    else columns = top.columns as string[];
  }
  const files: Partial<Record<"train" | "valid" | "test", string>> = {};
  for (const k of ["train", "valid", "test"] as const) {
    const v = top[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== "string" || v === "") problems.push(`${at(o, keyOf(o, TOP_KEYS, k), k)} must be a file path`);
    else files[k] = v;
  }
  let split: number[] | undefined;
  if (top.split !== undefined) {
    const s = top.split;
    const ok = Array.isArray(s) && s.length >= 1 && s.length <= 3 && s.every((x) => typeof x === "number" && x >= 0 && x <= 1)
      && Math.abs((s as number[]).reduce((a, b) => a + b, 0) - 1) < 1e-6 && (s[0] as number) > 0;
    if (!ok) problems.push(`${at(o, "split", "split")} = ${show(s)} must be 1 to 3 fractions in [0, 1] summing to 1 with train > 0, e.g. [0.8, 0.1, 0.1]`);
    else split = s as number[];
    if (files.valid || files.test) problems.push(`${at(o, "split", "split")} and valid/test files exclude each other`);
  }
  const minCount = top.min_count ?? 1;
  if (!isInt(minCount, 1)) problems.push(`${at(o, keyOf(o, TOP_KEYS, "min_count"), "min_count")} = ${show(minCount)} must be an integer ≥ 1`);

  // the label
  let label: LabelConfig = { col: "label" };
  const lraw = top.label;
  if (lraw === undefined) problems.push(`${where}: label: missing (the label column, e.g. "click" or { "col": "rating", "threshold": 4 })`);
  else if (typeof lraw === "string" || typeof lraw === "number") label = { col: lraw };
  else if (Array.isArray(lraw)) problems.push(`${at(o, keyOf(o, TOP_KEYS, "label"), "label")}: one label column (several labels are multi-task data, not supported)`);
  else if (isObj(lraw)) label = resolveLabel(lraw, at, problems);
  else problems.push(`${at(o, keyOf(o, TOP_KEYS, "label"), "label")} must be a column name or { col, threshold | values }`);

  // the features
  const features: FeatureConfig[] = [];
  const fraw = top.features;
  if (!Array.isArray(fraw) || fraw.length === 0) problems.push(`${fraw === undefined ? where : at(o, keyOf(o, TOP_KEYS, "features"), "features")}: features must be a non-empty array of { name, type, … }`);
  else fraw.forEach((f, i) => features.push(...resolveFeature(f, `features[${i}]`, minCount as number, at, problems, where)));
  const names = new Set<string>();
  for (const f of features) {
    if (names.has(f.name)) problems.push(`${where}: features: two features are named "${f.name}"`);
    names.add(f.name);
    if (f.col === label.col) problems.push(`${where}: feature "${f.name}" reads the label column ${show(label.col)}`);
  }
  if (Array.isArray(fraw) && fraw.length > 0 && features.length === 0 && problems.length === 0) problems.push(`${where}: features: every feature is inactive`);
  if (problems.length) throw new ConfigError(problems);
  const c: DatasetConfig = { format, delimiter, header: header as boolean, label, features, ...files };
  if (quote !== undefined) c.quote = quote;
  if (columns) c.columns = columns;
  if (split) c.split = split;
  return c;
}

type At = (obj: object, key: string, path: string) => string;

/** The key of `o` that stands for `canon` (its own spelling or an alias). */
function keyOf(o: Record<string, unknown>, table: Record<string, string>, canon: string): string {
  return Object.keys(o).find((k) => table[k] === canon) ?? canon;
}

/** `o` with its keys in canonical spelling; unknown keys and a key given twice (two spellings) are problems. */
function canonical(o: Record<string, unknown>, table: Record<string, string>, path: string, at: At, problems: string[], what: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const from: Record<string, string> = {};
  for (const k of Object.keys(o)) {
    if (k.startsWith("_")) continue; // a comment ("_guess", "_comment")
    const c = Object.prototype.hasOwnProperty.call(table, k) ? table[k] : undefined;
    if (c === undefined) {
      problems.push(`${at(o, k, path + k)}: unknown key (${what}: ${Object.keys(table).filter((x) => !/[A-Z]/.test(x)).join(", ")})`);
      continue;
    }
    if (c === "ignored") continue;
    if (from[c] !== undefined) {
      problems.push(`${at(o, k, path + k)}: given twice (as "${from[c]}" and "${k}")`);
      continue;
    }
    from[c] = k;
    out[c] = o[k];
  }
  return out;
}

function resolveLabel(l: Record<string, unknown>, at: At, problems: string[]): LabelConfig {
  const c = canonical(l, LABEL_KEYS, "label.", at, problems, "a label key");
  const col = c.col;
  let label: LabelConfig = { col: "label" };
  if (typeof col === "string" && col !== "") label = { col };
  else if (isInt(col, 0)) label = { col };
  else problems.push(`${at(l, keyOf(l, LABEL_KEYS, "col"), "label.col")} = ${show(col)} must be a column name or a 0-based index`);
  if (c.threshold !== undefined) {
    if (typeof c.threshold !== "number" || !Number.isFinite(c.threshold)) problems.push(`${at(l, "threshold", "label.threshold")} must be a number (label = value ≥ threshold)`);
    else label.threshold = c.threshold;
  }
  if (c.values !== undefined) {
    const v = c.values;
    if (!isObj(v) || Object.keys(v).length === 0 || Object.values(v).some((x) => x !== 0 && x !== 1)) problems.push(`${at(l, "values", "label.values")} must map cell values to 0 or 1, e.g. { "click": 1, "view": 0 }`);
    else label.values = { ...(v as Record<string, number>) };
    if (c.threshold !== undefined) problems.push(`${at(l, "values", "label.values")} and label.threshold exclude each other`);
  }
  if (c.dtype !== undefined && !["float", "int", "str", "string"].includes(String(c.dtype))) problems.push(`${at(l, "dtype", "label.dtype")} = ${show(c.dtype)}: expected float, int or str`);
  return label;
}

function resolveFeature(raw: unknown, path: string, defMin: number, at: At, problems: string[], where: string): FeatureConfig[] {
  if (!isObj(raw)) {
    problems.push(`${where}: ${path} must be an object { name, type, … }`);
    return [];
  }
  const c = canonical(raw, FEATURE_KEYS, path + ".", at, problems, "a feature key");
  const p = (k: string) => at(raw, keyOf(raw, FEATURE_KEYS, k), `${path}.${keyOf(raw, FEATURE_KEYS, k)}`);
  const n0 = problems.length;
  const names = Array.isArray(c.name) ? c.name : [c.name];
  if (names.length === 0 || !names.every((x) => typeof x === "string" && x !== "")) problems.push(`${c.name === undefined ? `${where}: ${path}.name` : p("name")}: ${c.name === undefined ? "missing" : `= ${show(c.name)} must be a name or a non-empty list of names`}`);
  if (Array.isArray(c.name) && c.col !== undefined) problems.push(`${p("col")}: a list of names reads the columns of those names; col applies to one feature`);
  if (c.active !== undefined && typeof c.active !== "boolean") problems.push(`${p("active")} must be true or false`);
  if (c.dtype !== undefined && !["float", "int", "str", "string"].includes(String(c.dtype))) problems.push(`${p("dtype")} = ${show(c.dtype)}: expected float, int or str`);
  let type = c.type;
  if (type === undefined) problems.push(`${where}: ${path}.type: missing (categorical, numeric or sequence)`);
  else if (type !== "categorical" && type !== "numeric" && type !== "sequence") problems.push(`${p("type")} = ${show(type)} is not categorical, numeric or sequence`);
  // FuxiCTR's Criteo: { type: categorical, preprocess: convert_to_bucket } is a bucketized number
  let bucketize: Bucketize | undefined;
  if (c.preprocess !== undefined && c.preprocess !== null) {
    if (c.preprocess === "convert_to_bucket") {
      bucketize = { transform: "criteo" };
      type = "numeric";
    } else problems.push(`${p("preprocess")} = ${show(c.preprocess)}: only FuxiCTR's "convert_to_bucket" (floor(ln(x)²) for x > 2) is known here; transform the column beforehand`);
  }
  if (c.bucketize !== undefined) {
    const b = c.bucketize;
    if (typeof b === "number") {
      if (!isInt(b, 2)) problems.push(`${p("bucketize")} = ${show(b)}: a number of quantile buckets must be an integer ≥ 2`);
      else bucketize = { quantiles: b };
    } else if (Array.isArray(b) || (isObj(b) && Array.isArray(b.boundaries))) {
      const xs = (Array.isArray(b) ? b : b.boundaries) as unknown[];
      if (xs.length === 0 || !xs.every((x, k) => typeof x === "number" && Number.isFinite(x) && (k === 0 || x > (xs[k - 1] as number)))) problems.push(`${p("bucketize")}: boundaries must be a non-empty, strictly increasing list of numbers`);
      else bucketize = { boundaries: xs as number[] };
    } else if (isObj(b) && b.transform === "criteo" && Object.keys(b).length === 1) {
      bucketize = { transform: "criteo" };
    } else if (isObj(b) && b.quantiles !== undefined && Object.keys(b).length === 1) {
      if (!isInt(b.quantiles, 2)) problems.push(`${p("bucketize")}.quantiles = ${show(b.quantiles)} must be an integer ≥ 2`);
      else bucketize = { quantiles: b.quantiles };
    } else problems.push(`${p("bucketize")} = ${show(b)}: expected a number of quantile buckets, a list of boundaries, { "quantiles": k } or { "boundaries": […] }`);
    if (type !== "numeric") problems.push(`${p("bucketize")}: applies to numeric features`);
  }
  const minCount = c.min_count ?? defMin;
  if (!isInt(minCount, 1)) problems.push(`${p("min_count")} = ${show(minCount)} must be an integer ≥ 1`);
  if (c.max_size !== undefined && !isInt(c.max_size, 1)) problems.push(`${p("max_size")} = ${show(c.max_size)} must be an integer ≥ 1`);
  const onlyFor = (k: string, t: string) => {
    if (c[k] !== undefined && type !== t && !(k === "normalizer" && c[k] === null)) problems.push(`${p(k)}: applies to ${t} features, not ${String(type)}`);
  };
  onlyFor("normalizer", "numeric");
  for (const k of ["splitter", "max_len", "pooling"]) onlyFor(k, "sequence");
  const fill = c.fill_na;
  if (fill !== undefined && fill !== null) {
    if (type === "numeric" && !(typeof fill === "number" && Number.isFinite(fill))) problems.push(`${p("fill_na")} = ${show(fill)} must be a number for a numeric feature`);
    if (type === "categorical" && typeof fill !== "string") problems.push(`${p("fill_na")} = ${show(fill)} must be a string for a categorical feature`);
    if (type === "sequence") problems.push(`${p("fill_na")}: applies to categorical and numeric features (a missing sequence is an empty bag)`);
  }
  let normalizer: Normalizer = "standard";
  if (c.normalizer !== undefined && type === "numeric") {
    const nz = c.normalizer === null ? "none" : typeof c.normalizer === "string" ? NORMALIZER_ALIASES[c.normalizer] : undefined;
    if (!nz) problems.push(`${p("normalizer")} = ${show(c.normalizer)} is not one of ${NORMALIZERS.join(", ")} (or StandardScaler, MinMaxScaler)`);
    else normalizer = nz;
    if (bucketize && c.normalizer !== null && c.normalizer !== "none") problems.push(`${p("normalizer")}: a bucketized feature is categorical (no normaliser)`);
  }
  let pooling: BagPooling = "mean";
  if (c.pooling !== undefined && type === "sequence") {
    const pl = typeof c.pooling === "string" ? POOLING_ALIASES[c.pooling] : undefined;
    if (!pl) problems.push(`${p("pooling")} = ${show(c.pooling)} is not mean or sum (or MaskedAveragePooling, MaskedSumPooling)`);
    else pooling = pl;
  }
  const splitter = c.splitter ?? "|";
  if (type === "sequence" && (typeof splitter !== "string" || splitter.length === 0)) problems.push(`${p("splitter")} must be a non-empty string (e.g. "|")`);
  const maxLen = c.max_len ?? 64;
  if (type === "sequence" && !isInt(maxLen, 1)) problems.push(`${p("max_len")} = ${show(maxLen)} must be an integer ≥ 1`);
  let col: ColumnRef | undefined;
  if (c.col !== undefined) {
    if ((typeof c.col === "string" && c.col !== "") || isInt(c.col, 0)) col = c.col as ColumnRef;
    else problems.push(`${p("col")} = ${show(c.col)} must be a column name or a 0-based index`);
  }
  if (problems.length > n0 || c.active === false) return [];
  return (names as string[]).map((name): FeatureConfig => {
    const base = { name, col: col ?? name };
    if (type === "categorical") {
      const f: CategoricalFeature = { ...base, type, minCount: minCount as number };
      if (c.max_size !== undefined) f.maxSize = c.max_size as number;
      if (typeof fill === "string") f.fillNa = fill;
      return f;
    }
    if (type === "numeric") {
      const f: NumericFeature = { ...base, type, normalizer: bucketize ? "none" : normalizer, minCount: minCount as number };
      if (bucketize) f.bucketize = bucketize;
      if (typeof fill === "number") f.fillNa = fill;
      return f;
    }
    const f: SequenceFeature = { ...base, type: "sequence", splitter: splitter as string, maxLen: maxLen as number, pooling, minCount: minCount as number };
    if (c.max_size !== undefined) f.maxSize = c.max_size as number;
    return f;
  });
}
