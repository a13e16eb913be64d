// libsvm / libFM text as a table: `label idx:val idx:val …` (positional: column 0 is the label,
// column k ≥ 1 the k-th pair, as in the Frappe and MovieLens files of NFM/FuxiCTR, where every row
// has the same one-hot fields in the same order) or field-aware `label field:idx:val …` (column 0
// the label, column f + 1 the pairs of field f; several pairs of one field make a multi-valued
// cell, an absent field is missing). A cell is the index as text (the token of a categorical
// field); a pair whose value is 0 is absent; other values are not used (one-hot data). Separators:
// spaces or tabs. Errors name file:line:column, the column being the 1-based item of the line.
import { readLineBatches, type ByteSource } from "../lines.js";
import { RowErrors, lineTableReader, resolveColumns, type Cell, type TableOptions, type TableReader, type TableRow } from "./table.js";

const SPACE = /[ \t]+/;

/** Opens a libsvm/libFM table. */
export async function openLibsvm(source: ByteSource, o: TableOptions): Promise<TableReader> {
  const file = o.file ?? "<stream>";
  const lines = readLineBatches(source, { file, maxLineLength: o.maxLineLength });
  const errors = new RowErrors(file, o);
  // without names, a column named by a number is that pair / field (0-based): column f + 1
  const want = o.columns ? o.want : o.want.map((c) => (typeof c === "string" && /^\d+$/.test(c) ? Number(c) + 1 : c));
  const at = resolveColumns(file, want, o.columns, "column names (`columns`: the label, then one name per pair or field)");
  let fieldAware: boolean | undefined = o.fieldAware === "auto" || o.fieldAware === undefined ? undefined : o.fieldAware;
  let width: number | undefined; // pairs per row (positional)

  const parseLine = (text: string, line: number): TableRow | undefined => {
    const items = text.trim().split(SPACE);
    if (fieldAware === undefined) fieldAware = items.length > 1 && items[1]!.split(":").length === 3;
    const parts = fieldAware ? 3 : 2;
    const pairs: string[][] = [];
    for (let j = 1; j < items.length; j++) {
      const p = items[j]!.split(":");
      if (p.length !== parts || p.some((x) => x.length === 0)) {
        return errors.fail(line, j + 1, `item ${JSON.stringify(items[j]!.slice(0, 40))} is not ${fieldAware ? "field:index:value" : "index:value"}`, "malformed item");
      }
      if (fieldAware && !/^\d+$/.test(p[0]!)) return errors.fail(line, j + 1, `field ${JSON.stringify(p[0]!.slice(0, 20))} is not an integer ≥ 0`, "malformed item");
      const v = Number(p[parts - 1]);
      if (Number.isNaN(v)) return errors.fail(line, j + 1, `value ${JSON.stringify(p[parts - 1]!.slice(0, 20))} is not a number`, "malformed item");
      pairs.push(p);
    }
    const cells: Cell[] = new Array<Cell>(at.length);
    const positions: number[] = new Array<number>(at.length);
    if (!fieldAware) {
      width ??= pairs.length;
      if (pairs.length !== width) return errors.fail(line, Math.min(pairs.length, width) + 2, `expected ${width} index:value pairs, got ${pairs.length}`);
      for (let k = 0; k < at.length; k++) {
        const c = at[k]!;
        positions[k] = c + 1;
        if (c === 0) cells[k] = items[0]!;
        else if (c > pairs.length) return errors.fail(line, 0, `column ${c} is beyond the ${pairs.length} pairs of the row`);
        else cells[k] = Number(pairs[c - 1]![1]) === 0 ? null : pairs[c - 1]![0]!;
      }
    } else {
      for (let k = 0; k < at.length; k++) {
        const c = at[k]!;
        positions[k] = 0;
        if (c === 0) {
          cells[k] = items[0]!;
          positions[k] = 1;
          continue;
        }
        const field = String(c - 1);
        const got: string[] = [];
        pairs.forEach((p, j) => {
          if (p[0] === field && Number(p[2]) !== 0) {
            got.push(p[1]!);
            positions[k] = j + 2;
          }
        });
        cells[k] = got.length === 0 ? null : got.length === 1 ? got[0]! : got;
      }
    }
    return { line, cells, columns: positions };
  };

  return lineTableReader(file, "libsvm", o.columns, errors, lines, parseLine);
}
