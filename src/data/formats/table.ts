// The common shape of the generic table readers (csv.ts, jsonl.ts, libsvm.ts): a file is read as
// rows of cells, each row giving the cells of the columns a caller asked for (`want`: names or
// 0-based indexes), in that order. A cell is a string, null when missing, or a list of strings
// (a JSON array; several libfm pairs of one field). Malformed rows are reported as
// file:line:column + reason, counted and skipped — or thrown as a DataError under `strict` — with
// the same ReaderStats as the delimited reader of the criteo/avazu presets.
import type { ReaderStats } from "../delimited.js";
import type { ByteSource, LineBatch } from "../lines.js";
import { DataError, type RowError } from "../schema.js";

/** A column of a table: its name, or its 0-based index. */
export type ColumnRef = string | number;

/** One cell: text, null (missing), or several values. */
export type Cell = string | null | readonly string[];

/** A row: the wanted cells in `want` order, its 1-based line, and the 1-based file column of each wanted cell (0: not positional). */
export interface TableRow {
  line: number;
  cells: Cell[];
  columns: readonly number[];
}

/** The table formats. */
export const TABLE_FORMATS = ["csv", "jsonl", "libsvm"] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

/** Options of openTable. */
export interface TableOptions {
  format: TableFormat;
  /** Name of the input in messages. */
  file?: string;
  /** The columns to read, by name or 0-based index. */
  want: readonly ColumnRef[];
  /** csv: cell separator (default ","). */
  delimiter?: string;
  /** csv: true = the first line names the columns (default); false = no header. */
  header?: boolean;
  /** csv: quote character or false (default '"' for ",", else none). */
  quote?: string | false;
  /** Names of the columns when the file has none (headerless csv; libsvm: label, then pairs or fields). */
  columns?: readonly string[];
  /** libsvm: "auto" (default): `f:i:v` pairs are field-aware, `i:v` positional. */
  fieldAware?: boolean | "auto";
  strict?: boolean;
  onError?: (e: RowError) => void;
  keepErrors?: number;
  maxLineLength?: number;
}

/** A table reader: its columns (when known up front) and its rows in batches (iterate once). */
export interface TableReader {
  readonly file: string;
  readonly format: TableFormat;
  /** Column names from the header or the options (undefined: known per row, as in JSON lines). */
  readonly columns: readonly string[] | undefined;
  readonly stats: ReaderStats;
  rowBatches(): AsyncGenerator<TableRow[]>;
  /** Reports a row found malformed after reading (a cell the encoder rejects), counted in `stats`. */
  fail(line: number, column: number, reason: string, kind?: string): undefined;
}

/** Counts and reports malformed rows (the policy of delimited.ts). */
export class RowErrors {
  readonly stats: ReaderStats = { rows: 0, skipped: 0, blank: 0, errors: [], skippedBy: Object.create(null) as Record<string, number> };
  private kinds = 0;
  constructor(readonly file: string, private readonly o: Pick<TableOptions, "strict" | "onError" | "keepErrors">) {}

  /** Reports a malformed row (throws under strict); returns undefined for `return fail(…)`. */
  fail(line: number, column: number, reason: string, kind = reason): undefined {
    const e: RowError = { file: this.file, line, column, reason };
    if (this.o.strict) throw new DataError(e);
    const s = this.stats;
    if (s.skippedBy[kind] === undefined && this.kinds >= 32) kind = "other";
    if (s.skippedBy[kind] === undefined) this.kinds++;
    s.skippedBy[kind] = (s.skippedBy[kind] ?? 0) + 1;
    s.skipped++;
    if (s.errors.length < (this.o.keepErrors ?? 20)) s.errors.push(e);
    this.o.onError?.(e);
    return undefined;
  }
}

/**
 * The reader of a line-per-row format (JSON lines, libsvm): each non-blank line parsed by
 * `parseLine` (undefined: malformed, already reported to `errors`), rows in batches, iterable once.
 */
export function lineTableReader(
  file: string, format: TableFormat, columns: readonly string[] | undefined, errors: RowErrors,
  lines: AsyncIterable<LineBatch>, parseLine: (text: string, line: number) => TableRow | undefined,
): TableReader {
  let used = false;
  return {
    file, format, columns, stats: errors.stats,
    fail: (line, column, reason, kind) => errors.fail(line, column, reason, kind),
    async *rowBatches() {
      if (used) throw new Error(`${file}: a table reader can be iterated only once; open the source again`);
      used = true;
      for await (const b of lines) {
        const out: TableRow[] = [];
        for (let i = 0; i < b.lines.length; i++) {
          const text = b.lines[i]!;
          if (text.trim().length === 0) {
            errors.stats.blank++;
            continue;
          }
          const r = parseLine(text, b.firstLine + i);
          if (r) out.push(r);
        }
        errors.stats.rows += out.length;
        if (out.length) yield out;
      }
    },
  };
}

/** Resolves `want` against known column names: the 0-based index of each (errors name the column). */
export function resolveColumns(file: string, want: readonly ColumnRef[], names: readonly string[] | undefined, what: string, count?: number): number[] {
  return want.map((c) => {
    if (typeof c === "number") {
      if (!Number.isInteger(c) || c < 0) throw new Error(`${file}: column index ${c} must be an integer ≥ 0`);
      const n = names?.length ?? count;
      if (n !== undefined && c >= n) throw new Error(`${file}: column index ${c} is beyond the ${n} columns of the file`);
      return c;
    }
    if (!names) throw new Error(`${file}: column "${c}" is named, but the file has no ${what}: give the column names (\`columns\`) or use 0-based indexes`);
    const k = names.indexOf(c);
    if (k < 0) throw new Error(`${file}: there is no column "${c}" (${what}: ${names.join(",").slice(0, 200)})`);
    return k;
  });
}

/** Opens a table reader of the given format. */
export async function openTable(source: ByteSource, o: TableOptions): Promise<TableReader> {
  if (o.format === "csv") return (await import("./csv.js")).openCsv(source, o);
  if (o.format === "jsonl") return (await import("./jsonl.js")).openJsonLines(source, o);
  if (o.format === "libsvm") return (await import("./libsvm.js")).openLibsvm(source, o);
  throw new TypeError(`${o.file ?? "<stream>"}: format ${JSON.stringify(o.format)} is not one of ${TABLE_FORMATS.join(", ")}`);
}
