// Delimited text (CSV, TSV, any delimiter) as a table: with a header line naming the columns, or
// without (columns by index, or named by the options). Quoted cells follow RFC 4180 within one line
// (cells.ts splitQuoted, as the criteo/avazu reader); an empty cell is missing; every row must have
// as many cells as the header (or the first row).
import { delimitedSyntax, headerNames } from "../delimited.js";
import { readLineBatches, type ByteSource } from "../lines.js";
import { RowErrors, resolveColumns, type Cell, type TableOptions, type TableReader, type TableRow } from "./table.js";

/** Opens a delimited table; with a header the first line is read now. */
export async function openCsv(source: ByteSource, o: TableOptions): Promise<TableReader> {
  const syntax = delimitedSyntax({ columns: [], delimiter: o.delimiter, quote: o.quote, file: o.file });
  const { file, split } = syntax;
  const lines = readLineBatches(source, { file, maxLineLength: o.maxLineLength });
  let pending: { lines: string[]; firstLine: number } | undefined;
  let names: string[] | undefined = o.columns ? [...o.columns] : undefined;
  if (o.header ?? true) {
    const first = await lines.next();
    if (first.done) throw new Error(`${file}: the file is empty, expected a header line`);
    const read = headerNames(syntax, first.value.lines[0]!);
    if (names && names.join("\u0000") !== read.join("\u0000")) throw new Error(`${file}:1: the header (${read.join(",").slice(0, 200)}) differs from the columns given (${names.join(",").slice(0, 200)})`);
    names = read;
    pending = { lines: first.value.lines.slice(1), firstLine: first.value.firstLine + 1 };
  }
  const at = resolveColumns(file, o.want, names, "header");
  const positions = at.map((k) => k + 1);
  const errors = new RowErrors(file, o);
  let width = names?.length;
  let used = false;

  const parse = (b: { lines: string[]; firstLine: number }): TableRow[] => {
    const out: TableRow[] = [];
    for (let i = 0; i < b.lines.length; i++) {
      const text = b.lines[i]!, line = b.firstLine + i;
      if (text.length === 0) {
        errors.stats.blank++;
        continue;
      }
      const cells = split(text);
      if (typeof cells === "string") {
        errors.fail(line, 0, cells, "malformed quoting");
        continue;
      }
      width ??= cells.length;
      if (cells.length !== width) {
        const why = `expected ${width} columns, got ${cells.length}`;
        errors.fail(line, Math.min(cells.length, width) + 1, why);
        continue;
      }
      const row: Cell[] = new Array<Cell>(at.length);
      let ok = true;
      for (let k = 0; k < at.length && ok; k++) {
        const c = at[k]!;
        if (c >= cells.length) ok = errors.fail(line, cells.length + 1, `column ${c + 1} is beyond the ${cells.length} columns of the row`) ?? false;
        else row[k] = cells[c]!.length === 0 ? null : cells[c]!;
      }
      if (ok) out.push({ line, cells: row, columns: positions });
    }
    errors.stats.rows += out.length;
    return out;
  };

  return {
    file, format: "csv", columns: names, stats: errors.stats,
    fail: (line: number, column: number, reason: string, kind?: string) => errors.fail(line, column, reason, kind),
    async *rowBatches() {
      if (used) throw new Error(`${file}: a table reader can be iterated only once; open the source again`);
      used = true;
      if (pending) {
        const rows = parse(pending);
        pending = undefined;
        if (rows.length) yield rows;
      }
      for await (const b of lines) {
        const rows = parse(b);
        if (rows.length) yield rows;
      }
    },
  };
}
