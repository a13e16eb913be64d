// A starting dataset config from a sample of a file (`alpt prepare FILE --infer-config`): the
// format, delimiter and header are detected from the first lines, then each column of the first
// `sampleRows` rows is counted (missing cells, numbers, integers, distinct values, multi-valued
// cells) and guessed to be
//   the label      0/1 (or −1/1) values in a column named like a label (click, label, target, y,
//                  is_*, converted…); a 1..5 "rating" column → label { threshold: 4 };
//   skipped        an id: almost every value distinct (≥ 95% of ≥ 100 rows), or named "id";
//   sequence       a "|" (or "^", ";") inside at least 20% of its cells;
//   numeric        fractions, or integers with many distinct values (> 50) packed near zero (not
//                  codes: a column named like C14, user, item or *_id, or few values spread over a wide range
//                  far from zero, is categorical); skewed non-negative values get log1p;
//   categorical    everything else (strings, low-cardinality integers).
// Each feature carries a "_guess" note (what was seen) for the person who edits the config.
import { parseNumber } from "./cells.js";
import { delimitedSyntax } from "./delimited.js";
import { readLineBatches, type ByteSource } from "./lines.js";
import { openTable, type Cell, type ColumnRef, type TableFormat } from "./formats/table.js";

/** Options of inferConfig. */
export interface InferOptions {
  /** The file's path (written as the config's train file, and named in notes). */
  file: string;
  /** Rows to read (default 10,000). */
  sampleRows?: number;
  /** Force a format / delimiter / header instead of detecting them. */
  format?: TableFormat;
  delimiter?: string;
  header?: boolean;
}

/** What was guessed for one column. */
export interface ColumnGuess {
  col: ColumnRef;
  name: string;
  kind: "label" | "skip" | "categorical" | "numeric" | "sequence";
  distinct: number;
  missing: number;
  note: string;
}

/** The guessed config (JSON-ready, our key spelling, with "_guess" notes) and the per-column guesses. */
export interface InferredConfig {
  config: Record<string, unknown>;
  columns: ColumnGuess[];
  rows: number;
}

const LABEL_NAME = /^(click|clicks|clicked|is_click|label|labels|target|y|conversion|converted|is_[a-z_]+|purchase|buy)$/i;
const RATING_NAME = /^(rating|ratings|score|stars)$/i;
const CODE_NAME = /(^c\d+$|(^|_)(id|ids|user|item|movie|product|ad|campaign|advertiser|shop|brand|code|type|category|cat|pos|domain|model|zip|city|country|hash)$)/i;
const SPLITTERS = ["|", "^", ";"];
const DISTINCT_CAP = 200_000;

function detectFormat(first: string): { format: TableFormat; delimiter: string } {
  const t = first.trim();
  if (t.startsWith("{")) return { format: "jsonl", delimiter: "," };
  if (/^[+-]?[\d.]+([ \t]+\d+(:\d+)?:[^\s:]+)+$/.test(t)) return { format: "libsvm", delimiter: " " };
  const counts = ["\t", ",", ";"].map((d) => [d, first.split(d).length - 1] as const).sort((a, b) => b[1] - a[1]);
  const best = counts[0]![1] > 0 ? counts[0]![0] : first.includes("|") ? "|" : ",";
  return { format: "csv", delimiter: best };
}

const isNum = (s: string) => s.length > 0 && Number.isFinite(parseNumber(s));

/** Reads a sample of `source` and guesses a config (see the file header). */
export async function inferConfig(source: ByteSource, o: InferOptions): Promise<InferredConfig> {
  const max = o.sampleRows ?? 10_000;
  const lines: string[] = [];
  for await (const b of readLineBatches(source, { file: o.file })) {
    for (const l of b.lines) if (l.trim().length) lines.push(l);
    if (lines.length > max) break;
  }
  if (lines.length === 0) throw new Error(`${o.file}: the file is empty: nothing to infer a config from`);
  const det = detectFormat(lines[0]!);
  const format = o.format ?? det.format;
  const delimiter = o.delimiter ?? det.delimiter;
  let header = false, want: ColumnRef[] = [], names: string[] = [];
  if (format === "csv") {
    const syn = delimitedSyntax({ columns: [], delimiter, file: o.file });
    const c0 = syn.split(lines[0]!), c1 = lines.length > 1 ? syn.split(lines[1]!) : undefined;
    if (typeof c0 === "string") throw new Error(`${o.file}:1: ${c0}`);
    header = o.header ?? (c0.every((c) => c.trim() !== "" && !isNum(c.trim())) && (c1 === undefined || typeof c1 === "string" || c1.some((c) => isNum(c)) || new Set(c0).size === c0.length));
    names = header ? c0.map((c) => c.trim()) : c0.map((_, k) => `col${k}`);
    // by name when the header names each column once, else by index
    want = header && new Set(names).size === names.length ? [...names] : c0.map((_, k) => k);
  } else if (format === "jsonl") {
    const keys = new Set<string>();
    for (const l of lines.slice(0, max)) {
      try {
        const v = JSON.parse(l) as unknown;
        if (v && typeof v === "object" && !Array.isArray(v)) for (const k of Object.keys(v)) keys.add(k);
      } catch {
        /* reported by the reader */
      }
    }
    want = names = [...keys];
  } else {
    const items = lines[0]!.trim().split(/[ \t]+/);
    const fieldAware = items.length > 1 && items[1]!.split(":").length === 3;
    if (fieldAware) {
      const fields = new Set<number>();
      for (const l of lines.slice(0, max)) for (const it of l.trim().split(/[ \t]+/).slice(1)) fields.add(Number(it.split(":")[0]));
      const sorted = [...fields].filter(Number.isInteger).sort((a, b) => a - b);
      want = [0, ...sorted.map((f) => f + 1)];
      names = ["label", ...sorted.map((f) => `field${f}`)];
    } else {
      want = items.map((_, k) => k);
      names = ["label", ...items.slice(1).map((_, k) => `f${k + 1}`)];
    }
  }
  const enc = new TextEncoder();
  const sample = (header ? lines.slice(0, max + 1) : lines.slice(0, max)).map((l) => enc.encode(l + "\n"));
  const reader = await openTable(sample, { format, file: o.file, want, delimiter, header, ...(format === "libsvm" ? { columns: names } : {}) });
  const stats = want.map(() => ({ missing: 0, nums: 0, ints: 0, values: new Set<string>(), multi: new Map<string, number>(), maxLen: 0, lists: 0, min: Infinity, max: -Infinity, sum: 0 }));
  let rows = 0;
  for await (const batch of reader.rowBatches()) {
    for (const r of batch) {
      rows++;
      r.cells.forEach((c: Cell, k) => {
        const s = stats[k]!;
        if (c === null) return void s.missing++;
        if (typeof c !== "string") {
          s.lists++;
          s.maxLen = Math.max(s.maxLen, c.length);
          for (const v of c) if (s.values.size < DISTINCT_CAP) s.values.add(v);
          return;
        }
        if (s.values.size < DISTINCT_CAP) s.values.add(c);
        for (const sp of SPLITTERS) {
          if (c.includes(sp) && !(format === "csv" && sp === delimiter)) {
            s.multi.set(sp, (s.multi.get(sp) ?? 0) + 1);
            s.maxLen = Math.max(s.maxLen, c.split(sp).length);
          }
        }
        const v = parseNumber(c.trim());
        if (Number.isFinite(v)) {
          s.nums++;
          if (Number.isInteger(v)) s.ints++;
          s.min = Math.min(s.min, v);
          s.max = Math.max(s.max, v);
          s.sum += v;
        }
      });
    }
  }
  if (rows === 0) throw new Error(`${o.file}: no usable rows in the first ${max} lines (${reader.stats.errors[0] ? `${reader.stats.errors[0].line}:${reader.stats.errors[0].column}: ${reader.stats.errors[0].reason}` : "all malformed"})`);
  const n = rows.toLocaleString("en");
  const guesses: ColumnGuess[] = want.map((col, k) => {
    const s = stats[k]!, name = names[k]!;
    const present = rows - s.missing, distinct = s.values.size;
    const d = `${distinct.toLocaleString("en")}${distinct >= DISTINCT_CAP ? "+" : ""} distinct`;
    const miss = s.missing ? `, ${Math.round((100 * s.missing) / rows)}% missing` : "";
    const g = (kind: ColumnGuess["kind"], note: string): ColumnGuess => ({ col, name, kind, distinct, missing: s.missing, note: `${note} (${d} in ${n} rows${miss})` });
    const allNum = present > 0 && s.nums === present;
    const zeroOne = allNum && [...s.values].every((v) => ["0", "1", "-1", "+1", "0.0", "1.0"].includes(v.trim()));
    if (format === "libsvm" && col === 0) return g("label", "the label column of a libsvm file");
    if (zeroOne && LABEL_NAME.test(name)) return g("label", "0/1 values in a column named like a label");
    if (zeroOne && k === 0 && !header && format === "csv") return g("label", "0/1 values in the first column of a file without a header");
    if (format === "libsvm") return g("categorical", "one-hot feature indices");
    if (allNum && s.ints === present && RATING_NAME.test(name) && s.min >= 0 && s.max <= 10) return g("label", `ratings ${s.min}..${s.max}: label = rating ≥ 4 (edit the threshold)`);
    if (/^id$/i.test(name) || (rows >= 100 && distinct >= 0.95 * present && present > 0 && !(allNum && s.ints < present))) return g("skip", "an id: almost every value is distinct, it cannot generalise");
    if (s.lists > 0 || (present > 0 && Math.max(0, ...s.multi.values()) >= 0.2 * present)) {
      const sp = s.lists > 0 ? "|" : [...s.multi.entries()].sort((a, b) => b[1] - a[1])[0]![0];
      return g("sequence", `multi-valued: "${sp}" inside ${s.lists > 0 ? "JSON arrays" : "its cells"}, up to ${s.maxLen} values`);
    }
    if (allNum && s.ints < present) return g("numeric", `fractional numbers ${s.min}..${s.max}`);
    if (allNum && distinct > 50) {
      const codes = CODE_NAME.test(name) || (s.min >= 100 && distinct <= 0.1 * (s.max - s.min));
      if (codes) return g("categorical", `integer codes ${s.min}..${s.max}${CODE_NAME.test(name) ? " (named like a code)" : " spread far from zero"}`);
      return g("numeric", `integers ${s.min}..${s.max}`);
    }
    if (allNum) return g("categorical", `few distinct integers ${s.min}..${s.max}`);
    return g("categorical", distinct > 0.5 * present ? "strings, high cardinality: consider min_count 2 or more" : "strings");
  });
  // one label: the first guessed, the others become features
  const labels = guesses.filter((x) => x.kind === "label");
  for (const x of labels.slice(1)) x.kind = "categorical";
  const label = labels[0];
  const features = guesses.filter((x) => x.kind !== "label" && x.kind !== "skip").map((x) => {
    const s = stats[want.indexOf(x.col)]!;
    const f: Record<string, unknown> = { name: x.name };
    if (x.name !== String(x.col) && (typeof x.col === "number" || format === "libsvm")) f.col = x.col;
    f.type = x.kind;
    if (x.kind === "categorical") f.min_count = x.distinct > 0.5 * (rows - x.missing) ? 2 : 1;
    if (x.kind === "numeric") {
      const mean = s.sum / Math.max(1, s.nums);
      f.normalizer = s.min >= 0 && s.max > 20 * Math.max(mean, 1e-9) ? "log1p" : "standard";
    }
    if (x.kind === "sequence") {
      f.splitter = s.lists > 0 ? "|" : [...s.multi.entries()].sort((a, b) => b[1] - a[1])[0]![0];
      f.max_len = Math.max(1, s.maxLen);
      f.pooling = "mean";
    }
    f._guess = x.note;
    return f;
  });
  const config: Record<string, unknown> = {
    _guess: `written by alpt prepare --infer-config from the first ${n} rows of ${o.file}: check the label and every feature, then delete the "_guess" notes (optional)`,
    format,
  };
  if (format === "csv") {
    config.delimiter = delimiter;
    config.header = header;
  }
  config.train = o.file;
  config.split = [0.8, 0.1, 0.1];
  if (!label) config.label = { col: "?", _guess: "no column looks like a 0/1 label: name it here (and a threshold or values map if needed)" };
  else if (RATING_NAME.test(label.name) && !LABEL_NAME.test(label.name)) config.label = { col: label.col, threshold: 4, _guess: label.note };
  else config.label = { col: label.col, _guess: label.note };
  if (format === "libsvm" && !names.every((x, k) => x === (k === 0 ? "label" : ""))) config.columns = names;
  config.features = features;
  const skipped = guesses.filter((x) => x.kind === "skip");
  if (skipped.length) config._skipped = skipped.map((x) => `${x.name}: ${x.note}`);
  return { config, columns: guesses, rows };
}
