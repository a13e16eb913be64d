// Iterating raw rows from any source: a DelimitedReader is read in batches (one await per chunk
// of input), any other (async) iterable row by row.
import type { RawRow } from "./schema.js";

/** Rows to consume: a reader (has rowBatches), an async iterable or an array/iterable. */
export type RowSource = AsyncIterable<RawRow> | Iterable<RawRow> | { rowBatches(): AsyncIterable<RawRow[]> };

/**
 * Calls `fn(row, index)` for every row of `source` in order; stops early when `fn` returns false.
 * Returns the number of rows passed to `fn`.
 */
export async function forEachRow(source: RowSource, fn: (row: RawRow, index: number) => boolean | void): Promise<number> {
  let n = 0;
  if ("rowBatches" in source && typeof source.rowBatches === "function") {
    for await (const rows of source.rowBatches()) {
      for (let i = 0; i < rows.length; i++) if (fn(rows[i]!, n++) === false) return n;
    }
    return n;
  }
  if (Symbol.iterator in source) {
    for (const r of source as Iterable<RawRow>) if (fn(r, n++) === false) return n;
    return n;
  }
  for await (const r of source as AsyncIterable<RawRow>) if (fn(r, n++) === false) return n;
  return n;
}
