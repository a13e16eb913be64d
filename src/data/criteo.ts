// The Criteo Display Advertising Challenge format (Kaggle train.txt / dac_sample.txt): TSV, no
// header, 40 columns `label, I1..I13, C1..C26` (39 without the label in the test files). I1..I13
// are integer counts (I2 can be negative), C1..C26 8-hex-digit hashes; an empty cell is missing.
// The integer fields use the `criteo` transform by default (v > 2 → floor(ln(v)²)), so all 39
// fields become embedded categorical fields, as in the ALPT paper and FuxiCTR.
import type { DelimitedOptions } from "./delimited.js";
import type { ColumnSpec, NumericTransform } from "./schema.js";

/** Number of integer columns (I1..I13). */
export const CRITEO_NUMERIC = 13;
/** Number of categorical columns (C1..C26). */
export const CRITEO_CATEGORICAL = 26;

/** The 39 Criteo field names, I1..I13 then C1..C26 (the order of the file and of the ids). */
export const CRITEO_FIELDS: readonly string[] = [
  ...Array.from({ length: CRITEO_NUMERIC }, (_, i) => `I${i + 1}`),
  ...Array.from({ length: CRITEO_CATEGORICAL }, (_, i) => `C${i + 1}`),
];

/** Options of the Criteo preset. */
export interface CriteoOptions extends Omit<DelimitedOptions, "columns"> {
  /** false for the unlabeled test files (39 columns); default true. */
  labeled?: boolean;
  /** Transform of I1..I13 (default "criteo"). */
  transform?: NumericTransform;
}

/** The Criteo columns: label (if labeled), I1..I13 numeric, C1..C26 categorical. */
export function criteoColumns(labeled = true, transform: NumericTransform = "criteo"): ColumnSpec[] {
  const cols: ColumnSpec[] = labeled ? [{ name: "label", type: "label" }] : [];
  for (let i = 0; i < CRITEO_NUMERIC; i++) cols.push({ name: `I${i + 1}`, type: "numeric", transform });
  for (let i = 0; i < CRITEO_CATEGORICAL; i++) cols.push({ name: `C${i + 1}`, type: "categorical" });
  return cols;
}

/**
 * Reader options for Criteo TSV. Override `delimiter: ","` and `header: true` for the CSV form
 * with a `label,I1..I13,C1..C26` header (DeepCTR's criteo_sample.txt): columns match by name.
 */
export function criteoOptions(options: CriteoOptions = {}): DelimitedOptions {
  const { labeled = true, transform = "criteo", ...rest } = options;
  return { delimiter: "\t", header: false, quote: false, ...rest, columns: criteoColumns(labeled, transform) };
}
