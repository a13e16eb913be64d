// The Avazu Click-Through Rate Prediction format (Kaggle train.csv): CSV with the header
// `id,click,hour,C1,banner_pos,site_id,…,C21` (24 columns). `id` is dropped, `click` is the
// label, `hour` (YYMMDDHH) becomes the hour of day plus two derived fields `weekday` (0 = Sunday,
// Python's %w) and `is_weekend` (1 on Saturday and Sunday), as FuxiCTR's Avazu preprocessing
// does; every other column is categorical. Fields: hour, C1, …, C21, weekday, is_weekend.
import type { DelimitedOptions } from "./delimited.js";

/** The date and hour of an Avazu `hour` cell. */
export interface AvazuHour {
  year: number;
  month: number;
  day: number;
  hour: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

/** Parses YYMMDDHH (years 2000-2099); undefined if the cell is not a valid date and hour. */
export function parseAvazuHour(cell: string): AvazuHour | undefined {
  if (!/^\d{8}$/.test(cell)) return undefined;
  const year = 2000 + Number(cell.slice(0, 2)), month = Number(cell.slice(2, 4));
  const day = Number(cell.slice(4, 6)), hour = Number(cell.slice(6, 8));
  if (month < 1 || month > 12 || day < 1 || hour > 23) return undefined;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCDate() !== day) return undefined;
  return { year, month, day, hour, weekday: d.getUTCDay() };
}

/** Reader options for Avazu CSV (override any of them, e.g. `file`, `strict`, `onError`). */
export function avazuOptions(options: Omit<DelimitedOptions, "columns"> = {}): DelimitedOptions {
  // Every row of an hour shares the cell: remember the last one instead of parsing it 3 times.
  let lastCell = "";
  let last: AvazuHour | undefined;
  const at = (cell: string): AvazuHour | undefined => {
    if (cell !== lastCell) {
      lastCell = cell;
      last = parseAvazuHour(cell);
    }
    return last;
  };
  return {
    delimiter: ",",
    header: true,
    otherColumns: "categorical",
    ...options,
    columns: [
      { name: "id", type: "skip" },
      { name: "click", type: "label" },
      { name: "hour", type: "categorical", map: (c) => (at(c) ? String(at(c)!.hour) : undefined) },
    ],
    derived: [
      { name: "weekday", from: "hour", map: (c) => (at(c) ? String(at(c)!.weekday) : undefined) },
      { name: "is_weekend", from: "hour", map: (c) => {
        const h = at(c);
        return h ? (h.weekday === 0 || h.weekday === 6 ? "1" : "0") : undefined;
      } },
    ],
  };
}
