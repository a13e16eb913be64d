// JSON lines as a table: one JSON object per line, its keys are the columns. A string is a cell, a
// number or boolean its text, null or an absent key a missing cell, an array of scalars a
// multi-valued cell (a sequence feature's values); a nested object is an error. A column by index
// is the k-th key of each object. Errors give file:line:column (the column of the JSON text).
import { JsonError, parseJson } from "../json.js";
import { readLineBatches, type ByteSource } from "../lines.js";
import { RowErrors, lineTableReader, type Cell, type TableOptions, type TableReader, type TableRow } from "./table.js";

function scalar(v: unknown): string | null | undefined {
  if (v === null) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

/** Opens a JSON-lines table. */
export async function openJsonLines(source: ByteSource, o: TableOptions): Promise<TableReader> {
  const file = o.file ?? "<stream>";
  const lines = readLineBatches(source, { file, maxLineLength: o.maxLineLength });
  const errors = new RowErrors(file, o);
  for (const c of o.want) if (typeof c === "number" && !(Number.isInteger(c) && c >= 0)) throw new Error(`${file}: column index ${c} must be an integer ≥ 0`);
  const positions = o.want.map(() => 0);

  const parseLine = (text: string, line: number): TableRow | undefined => {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      try {
        parseJson(text, file);
      } catch (e) {
        if (e instanceof JsonError) return errors.fail(line, e.column, e.reason, "not valid JSON");
      }
      return errors.fail(line, 0, "not valid JSON", "not valid JSON");
    }
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return errors.fail(line, 1, "expected a JSON object (one per line)", "not an object");
    const rec = obj as Record<string, unknown>;
    let keys: string[] | undefined;
    const cells: Cell[] = new Array<Cell>(o.want.length);
    for (let k = 0; k < o.want.length; k++) {
      const c = o.want[k]!;
      const key = typeof c === "string" ? c : (keys ??= Object.keys(rec))[c];
      const v = key === undefined || !Object.prototype.hasOwnProperty.call(rec, key) ? null : rec[key];
      if (Array.isArray(v)) {
        const xs = v.map(scalar);
        if (xs.some((x) => x === undefined || x === null)) return errors.fail(line, 0, `"${key}": an array of strings or numbers expected`, `${key} malformed`);
        cells[k] = xs as string[];
        continue;
      }
      const s = scalar(v);
      if (s === undefined) return errors.fail(line, 0, `"${key}": a nested object is not a cell (expected a string, number, boolean, null or array)`, `${key} malformed`);
      cells[k] = s === "" ? null : s;
    }
    return { line, cells, columns: positions };
  };

  return lineTableReader(file, "jsonl", undefined, errors, lines, parseLine);
}
