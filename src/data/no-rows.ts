// Why a source gave no usable rows, in one line: how many lines were read, how many rows were
// skipped for what, how many lines were blank, and the usual cause when it can be told (an empty
// file, an unlabeled file given where labels are needed, CR-only line ends, the wrong format).
import type { ReaderStats } from "./delimited.js";

/** The error of a source without a single usable row. */
export class NoRowsError extends Error {
  override name = "NoRowsError";
}

/** "12 × expected 40 columns, got 39; 2 × label click missing or not 0/1" (most frequent first). */
export function summarizeSkipped(stats: Pick<ReaderStats, "skippedBy">, max = 4): string {
  const kinds = Object.entries(stats.skippedBy).sort((a, b) => b[1] - a[1]);
  const shown = kinds.slice(0, max).map(([why, n]) => `${n.toLocaleString("en")} × ${why}`);
  if (kinds.length > max) shown.push(`${kinds.length - max} more kinds`);
  return shown.join("; ");
}

/**
 * Whether the rows look unlabeled: most of them were skipped for having exactly one column fewer
 * than the `columns` of a labeled reader.
 */
export function looksUnlabeled(stats: Pick<ReaderStats, "skipped" | "skippedBy">, columns: number): boolean {
  const short = stats.skippedBy[`expected ${columns} columns, got ${columns - 1}`] ?? 0;
  return stats.skipped > 0 && short * 2 > stats.skipped;
}

/** The message of a source that gave 0 rows: `file: no usable rows: …`. */
export function noRowsMessage(file: string, stats: ReaderStats, reader: { columns: readonly string[]; hasLabel: boolean }): string {
  const lines = stats.rows + stats.skipped + stats.blank;
  let what: string;
  if (lines === 0) what = "the file is empty";
  else if (stats.skipped === 0) what = `the file holds only blank lines (${stats.blank.toLocaleString("en")})`;
  else {
    const rows = stats.skipped === 1 ? "the only row was" : `all ${stats.skipped.toLocaleString("en")} rows were`;
    what = `${rows} skipped (${summarizeSkipped(stats)})${stats.blank ? `, and ${stats.blank.toLocaleString("en")} lines were blank` : ""}`;
    const first = stats.errors[0];
    if (first) what += `; first at line ${first.line}, column ${first.column}${first.reason in stats.skippedBy ? "" : `: ${first.reason}`}`;
    const kinds = Object.keys(stats.skippedBy);
    if (reader.hasLabel && looksUnlabeled(stats, reader.columns.length)) {
      what += `. The rows have one column fewer than labeled rows: this file has no labels (training and eval need labeled rows; \`alpt predict\` takes unlabeled ones)`;
    } else if (kinds.some((k) => / columns, got \d+$/.test(k))) {
      what += ". Is --format right for this file?";
    }
  }
  return `${file}: no usable rows: ${what}`;
}
