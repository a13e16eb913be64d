// A streaming reader of delimited text (CSV, TSV, …) driven by a column schema. Each line becomes
// { label, values (field order), line }; empty cells are missing (null). A malformed row (wrong
// column count, label not 0/1, numeric cell not a number, a cell a mapper rejects) is reported
// as file:line:column + reason, counted and skipped — or thrown as a DataError under `strict`.
// Quoted cells follow RFC 4180 within one line (a quoted newline is not supported).
import { parseNumber, splitQuoted } from "./cells.js";
import { readLineBatches, type ByteSource } from "./lines.js";
import {
  DataError, type CellMap, type ColumnSpec, type ColumnType, type DerivedField, type FieldSpec, type RawRow,
  type RawValue, type RowError,
} from "./schema.js";

/** Options of a delimited reader. */
export interface DelimitedOptions {
  /**
   * The columns. Without a header they are the file's columns in order; with a header they are
   * matched by name (file order decides the field order) and the rest get `otherColumns`.
   */
  columns: ColumnSpec[];
  /** Cell separator (default ","). */
  delimiter?: string;
  /** true: the first line names the columns; string[]: the names (no header line); false (default). */
  header?: boolean | string[];
  /** Type of header columns not listed in `columns` (default: such a column is an error). */
  otherColumns?: ColumnType;
  /** Categorical fields computed from a column's cell, placed after the columns' fields. */
  derived?: DerivedField[];
  /** Quote character, or false (default '"' when the delimiter is ",", else false). */
  quote?: string | false;
  /** Throw a DataError at the first malformed row instead of skipping it. */
  strict?: boolean;
  /** Name of the input in messages (default "<stream>"). */
  file?: string;
  /** Called for each malformed row that is skipped. */
  onError?: (e: RowError) => void;
  /** How many row errors `stats.errors` keeps (default 20; all are counted). */
  keepErrors?: number;
  /** Longest accepted line in characters (default 16 Mi). */
  maxLineLength?: number;
}

/** Counts of a reader, updated while it runs. */
export interface ReaderStats {
  /** Rows yielded. */
  rows: number;
  /** Malformed rows skipped. */
  skipped: number;
  /** Empty lines ignored. */
  blank: number;
  /** The first `keepErrors` row errors. */
  errors: RowError[];
  /** Skipped rows by kind of reason ("expected 40 columns, got 39": 12, …; at most 32 kinds, then "other"). */
  skippedBy: Record<string, number>;
}

/** A delimited reader: an async iterable of rows (single use) that knows its fields. */
export interface DelimitedReader extends AsyncIterable<RawRow> {
  readonly file: string;
  /** The column names of the file. */
  readonly columns: readonly string[];
  /** The fields of each row's `values`, in order. */
  readonly fields: readonly FieldSpec[];
  /** False when no column is the label (rows then have label NaN). */
  readonly hasLabel: boolean;
  readonly stats: ReaderStats;
  /** The rows in batches (one await per chunk of input; faster than row by row). */
  rowBatches(): AsyncGenerator<RawRow[]>;
}

/** Column kinds of a plan. */
export const SKIP = 0, LABEL = 1, CAT = 2, NUM = 3;
const KINDS: Record<ColumnType, number> = { skip: SKIP, label: LABEL, categorical: CAT, numeric: NUM };
const ENCODING_KEYS = ["transform", "boundaries", "minCount", "maxSize", "fillNa"] as const;

/** How one column is read. */
export interface ColPlan {
  name: string;
  kind: number;
  field: number;
  map: CellMap | undefined;
}

/** How one derived field is computed. */
export interface DerivedPlan {
  name: string;
  col: number;
  field: number;
  map: CellMap;
}

function fieldOf(spec: ColumnSpec | DerivedField, type: "categorical" | "numeric"): FieldSpec {
  const f: FieldSpec = { name: spec.name, type };
  for (const k of ENCODING_KEYS) if (spec[k] !== undefined) (f as unknown as Record<string, unknown>)[k] = spec[k];
  return f;
}

/** Builds the per-column plan from the options and the file's column names (header). */
function plan(o: DelimitedOptions, file: string, names: string[] | undefined) {
  if (!Array.isArray(o.columns)) throw new TypeError(`${file}: options.columns must be an array of { name, type }`);
  const byName = new Map<string, ColumnSpec>();
  o.columns.forEach((c, i) => {
    if (typeof c?.name !== "string" || c.name === "") throw new TypeError(`${file}: columns[${i}].name must be a non-empty string`);
    if (!(c.type in KINDS)) throw new TypeError(`${file}: columns[${i}].type = "${String(c.type)}" (${c.name}) is not one of ${Object.keys(KINDS).join(", ")}`);
    if (byName.has(c.name)) throw new TypeError(`${file}: column "${c.name}" is listed twice in options.columns`);
    byName.set(c.name, c);
  });
  if (o.otherColumns !== undefined && !(o.otherColumns in KINDS)) {
    throw new TypeError(`${file}: options.otherColumns = "${String(o.otherColumns)}" is not one of ${Object.keys(KINDS).join(", ")}`);
  }
  let specs: ColumnSpec[];
  if (names === undefined) {
    specs = o.columns;
  } else {
    const seen = new Set<string>();
    specs = names.map((name, i) => {
      if (seen.has(name)) throw new Error(`${file}: the header names column "${name}" twice (column ${i + 1})`);
      seen.add(name);
      const s = byName.get(name);
      if (s) return s;
      if (o.otherColumns === undefined) throw new Error(`${file}: header column ${i + 1} "${name}" is not in options.columns (set otherColumns to accept it)`);
      return { name, type: o.otherColumns };
    });
    for (const [name, c] of byName) {
      if (seen.has(name)) continue;
      if (c.type === "label") throw new Error(`${file}: the header has no label column "${name}": the file has no labels`);
      throw new Error(`${file}: column "${name}" is not in the header (${names.join(",").slice(0, 200)})`);
    }
  }
  const fields: FieldSpec[] = [];
  let labelCol = -1;
  const cols: ColPlan[] = specs.map((s, c) => {
    const kind = KINDS[s.type];
    if (kind === LABEL) {
      if (labelCol >= 0) throw new Error(`${file}: two label columns, "${specs[labelCol]!.name}" and "${s.name}"`);
      labelCol = c;
    }
    let field = -1;
    if (kind === CAT || kind === NUM) {
      field = fields.length;
      fields.push(fieldOf(s, kind === CAT ? "categorical" : "numeric"));
    }
    return { name: s.name, kind, field, map: s.map };
  });
  const derived: DerivedPlan[] = (o.derived ?? []).map((d, i) => {
    const col = specs.findIndex((s) => s.name === d.from);
    if (col < 0) throw new Error(`${file}: derived[${i}] "${d.name}" is computed from column "${d.from}", which the file does not have`);
    if (typeof d.map !== "function") throw new TypeError(`${file}: derived[${i}].map must be a function`);
    const field = fields.length;
    fields.push(fieldOf(d, "categorical"));
    return { name: d.name, col, field, map: d.map };
  });
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.name)) throw new Error(`${file}: two fields are named "${f.name}"`);
    seen.add(f.name);
  }
  return { specs, cols, derived, fields, labelCol };
}

function parseLabel(s: string): number {
  if (s === "0") return 0;
  if (s === "1") return 1;
  const v = s.length > 0 ? parseNumber(s) : NaN;
  return v === 0 || v === 1 ? v : -1;
}

function show(cell: string): string {
  return JSON.stringify(cell.length > 40 ? cell.slice(0, 40) + "…" : cell);
}

/** The syntax of a delimited source: its name, delimiter, quote ("" for none) and line splitter. */
export interface DelimitedSyntax {
  file: string;
  delim: string;
  quote: string;
  split: (text: string) => string[] | string;
}

/** Validates the delimiter and quote of `options`. */
export function delimitedSyntax(options: DelimitedOptions): DelimitedSyntax {
  const file = options.file ?? "<stream>";
  const delim = options.delimiter ?? ",";
  if (typeof delim !== "string" || delim.length === 0) throw new TypeError(`${file}: options.delimiter must be a non-empty string`);
  const quoteOpt = options.quote ?? (delim === "," ? '"' : false);
  if (quoteOpt !== false && (typeof quoteOpt !== "string" || quoteOpt.length === 0 || quoteOpt === delim)) {
    throw new TypeError(`${file}: options.quote = ${JSON.stringify(quoteOpt)} must be false or a string other than the delimiter`);
  }
  const quote = quoteOpt === false ? "" : quoteOpt;
  const split = (text: string): string[] | string =>
    quote !== "" && text.indexOf(quote) >= 0 ? splitQuoted(text, delim, quote) : text.split(delim);
  return { file, delim, quote, split };
}

/** The column names of a header line (line 1). */
export function headerNames(syntax: DelimitedSyntax, text: string): string[] {
  const cells = syntax.split(text);
  if (typeof cells === "string") throw new DataError({ file: syntax.file, line: 1, column: 0, reason: `header: ${cells}` });
  return cells.map((c) => c.trim());
}

/** A reader's plan and its row parser (the string path), shared by the text and the byte readers. */
export interface CompiledDelimited extends ReturnType<typeof plan> {
  stats: ReaderStats;
  /** Parses one non-empty line: its row, or undefined when it is malformed (counted, reported). */
  parseRow(text: string, line: number): RawRow | undefined;
}

/** Compiles `options` for a file with the column `names` (undefined: no header). */
export function compileDelimited(options: DelimitedOptions, syntax: DelimitedSyntax, names: string[] | undefined): CompiledDelimited {
  const { file, split } = syntax;
  const planned = plan(options, file, names);
  const { specs, cols, derived, fields } = planned;
  const C = cols.length, F = fields.length;
  const strict = options.strict ?? false;
  const keep = options.keepErrors ?? 20;
  const stats: ReaderStats = { rows: 0, skipped: 0, blank: 0, errors: [], skippedBy: Object.create(null) as Record<string, number> };
  let kinds = 0;

  const fail = (line: number, column: number, reason: string, kind = reason): undefined => {
    const e: RowError = { file, line, column, reason };
    if (strict) throw new DataError(e);
    if (stats.skippedBy[kind] === undefined && kinds >= 32) kind = "other";
    if (stats.skippedBy[kind] === undefined) kinds++;
    stats.skippedBy[kind] = (stats.skippedBy[kind] ?? 0) + 1;
    stats.skipped++;
    if (stats.errors.length < keep) stats.errors.push(e);
    options.onError?.(e);
    return undefined;
  };
  const parseRow = (text: string, line: number): RawRow | undefined => {
    const cells = split(text);
    if (typeof cells === "string") return fail(line, 0, cells, "malformed quoting");
    if (cells.length !== C) {
      const why = `expected ${C} columns, got ${cells.length}`;
      const cr = text.indexOf("\r") >= 0 ? ` (the line holds "\\r" characters: are its line ends CR only? convert them to "\\n")` : "";
      return fail(line, Math.min(cells.length, C) + 1, why + cr, why + cr);
    }
    const values: RawValue[] = new Array<RawValue>(F);
    let label = NaN;
    for (let c = 0; c < C; c++) {
      const p = cols[c]!;
      if (p.kind === SKIP) continue;
      let cell = cells[c]!;
      if (p.kind === LABEL) {
        const y = parseLabel(cell);
        if (y < 0) return fail(line, c + 1, cell === "" ? `label ${p.name} is missing` : `label ${p.name} = ${show(cell)} is not 0 or 1`, `label ${p.name} missing or not 0/1`);
        label = y;
        continue;
      }
      if (cell.length === 0) {
        values[p.field] = null;
        continue;
      }
      if (p.map) {
        const m = p.map(cell);
        if (m === undefined) return fail(line, c + 1, `${p.name} = ${show(cell)} is malformed`, `${p.name} malformed`);
        if (m === null) {
          values[p.field] = null;
          continue;
        }
        cell = m;
      }
      if (p.kind === CAT) values[p.field] = cell;
      else {
        const v = parseNumber(cell);
        if (Number.isNaN(v)) return fail(line, c + 1, `${p.name} = ${show(cell)} is not a number`, `${p.name} not a number`);
        if (!Number.isFinite(v)) return fail(line, c + 1, `${p.name} = ${show(cell)} is too large (beyond the range of a double)`, `${p.name} out of range`);
        values[p.field] = v;
      }
    }
    for (let k = 0; k < derived.length; k++) {
      const d = derived[k]!;
      const cell = cells[d.col]!;
      if (cell.length === 0) {
        values[d.field] = null;
        continue;
      }
      const m = d.map(cell);
      if (m === undefined) return fail(line, d.col + 1, `${d.name}: cannot derive it from ${specs[d.col]!.name} = ${show(cell)}`, `${d.name} cannot be derived`);
      values[d.field] = m;
    }
    return { label, values, line };
  };

  return { ...planned, stats, parseRow };
}

/**
 * Opens a delimited reader over `source`. With `header: true` the header line is read now, so
 * the returned reader already knows its columns and fields. Iterate it once.
 */
export async function openDelimited(source: ByteSource, options: DelimitedOptions): Promise<DelimitedReader> {
  const syntax = delimitedSyntax(options);
  const { file } = syntax;
  const lines = readLineBatches(source, { file, maxLineLength: options.maxLineLength });
  let pending: { lines: string[]; firstLine: number } | undefined;
  let names: string[] | undefined;
  const h = options.header ?? false;
  if (h === true) {
    const first = await lines.next();
    if (first.done) throw new Error(`${file}: the file is empty, expected a header line`);
    names = headerNames(syntax, first.value.lines[0]!);
    pending = { lines: first.value.lines.slice(1), firstLine: first.value.firstLine + 1 };
  } else if (Array.isArray(h)) {
    names = h.map((x) => String(x));
  } else if (h !== false) {
    throw new TypeError(`${file}: options.header must be a boolean or an array of column names`);
  }
  const { specs, fields, labelCol, stats, parseRow } = compileDelimited(options, syntax, names);

  let used = false;
  async function* rowBatches(): AsyncGenerator<RawRow[]> {
    if (used) throw new Error(`${file}: a delimited reader can be iterated only once; open the source again`);
    used = true;
    const parse = (b: { lines: string[]; firstLine: number }): RawRow[] => {
      const out: RawRow[] = [];
      for (let i = 0; i < b.lines.length; i++) {
        const text = b.lines[i]!;
        if (text.length === 0) {
          stats.blank++;
          continue;
        }
        const r = parseRow(text, b.firstLine + i);
        if (r) out.push(r);
      }
      stats.rows += out.length;
      return out;
    };
    if (pending) {
      const rows = parse(pending);
      pending = undefined;
      if (rows.length > 0) yield rows;
    }
    for await (const b of lines) {
      const rows = parse(b);
      if (rows.length > 0) yield rows;
    }
  }

  return {
    file,
    columns: specs.map((s) => s.name),
    fields,
    hasLabel: labelCol >= 0,
    stats,
    rowBatches,
    async *[Symbol.asyncIterator]() {
      for await (const rows of rowBatches()) yield* rows;
    },
  };
}
