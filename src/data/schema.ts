// Column schemas of delimited files and the raw rows they produce. A column is a label, a
// categorical or numeric field, or skipped; derived fields are computed from another column's
// cell (Avazu `hour` → weekday). Encoding options (transform, minCount…) ride along so that the
// fields of a reader can be handed to a FeatureMap unchanged. Errors carry file:line:column.

/** What a column of a delimited file holds. */
export type ColumnType = "label" | "categorical" | "numeric" | "skip";

/** The type of a field (an input of the model): every field becomes one embedded id. */
export type FieldType = "categorical" | "numeric";

/**
 * How a numeric value becomes a categorical token (an integer):
 * - `criteo`: v > 2 → floor(ln(v)²), else trunc(v) (FuxiCTR's Criteo preprocessing);
 * - `log1p`: floor(log1p(max(v, 0)));
 * - `bucketize`: the number of `boundaries` ≤ v (bucket k holds boundaries[k−1] ≤ v < boundaries[k]);
 * - `none`: the number itself.
 */
export type NumericTransform = "criteo" | "log1p" | "bucketize" | "none";

/** The names of the numeric transforms, for validation and messages. */
export const NUMERIC_TRANSFORMS: readonly NumericTransform[] = ["criteo", "log1p", "bucketize", "none"];

/** How a field is encoded by a FeatureMap (all optional; FeatureMap defaults apply). */
export interface EncodingOptions {
  /** Numeric fields only (default "none"). */
  transform?: NumericTransform;
  /** Strictly increasing finite boundaries, for `transform: "bucketize"`. */
  boundaries?: number[];
  /** Tokens seen fewer times than this in the training rows map to OOV (integer ≥ 1). */
  minCount?: number;
  /** Keep at most this many tokens (the most frequent ones). */
  maxSize?: number;
  /** Value used in place of a missing cell (FuxiCTR `fill_na`); by default missing → id 0. */
  fillNa?: string | number;
}

/**
 * A cell mapper: returns the new cell text, null for a missing value, or undefined when the cell
 * is malformed (the row is then reported and skipped).
 */
export type CellMap = (cell: string) => string | null | undefined;

/** One column of a delimited file. */
export interface ColumnSpec extends EncodingOptions {
  name: string;
  type: ColumnType;
  /** Applied to a non-empty cell before it is parsed (e.g. Avazu YYMMDDHH → hour of day). */
  map?: CellMap;
}

/** A categorical field computed from the cell of another column (appended after the columns). */
export interface DerivedField extends EncodingOptions {
  name: string;
  /** The name of the source column. */
  from: string;
  map: CellMap;
}

/** A field as the FeatureMap sees it. */
export interface FieldSpec extends EncodingOptions {
  name: string;
  type: FieldType;
}

/** A raw value: a string for categorical fields, a number for numeric ones, null when missing. */
export type RawValue = string | number | null;

/** A parsed row: label (NaN in unlabeled files), values in field order, and its line number. */
export interface RawRow {
  label: number;
  values: RawValue[];
  line: number;
}

/** A malformed row: where (1-based line and column) and why. */
export interface RowError {
  file: string;
  line: number;
  /** 1-based column number of the offending cell (0 when the whole line is at fault). */
  column: number;
  reason: string;
}

/** The error thrown for bad data under `strict: true` (message `file:line:column: reason`). */
export class DataError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly reason: string;

  constructor(e: RowError) {
    super(`${e.file}:${e.line}:${e.column}: ${e.reason}`);
    this.name = "DataError";
    this.file = e.file;
    this.line = e.line;
    this.column = e.column;
    this.reason = e.reason;
  }
}

/** Formats a row error as `file:line:column: reason`. */
export function formatRowError(e: RowError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.reason}`;
}
