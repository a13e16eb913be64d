// `alpt predict`: raw rows in (Criteo TSV, Avazu CSV, or JSON lines of arrays/records keyed by
// field name), click probabilities out (CSV `line,probability` or JSON lines), streamed in
// batches through the model's FeatureMap (unseen values → OOV). A file output is written
// atomically. Probabilities are printed with 9 significant digits (they round-trip as f32).
import { openDelimited } from "../data/delimited.js";
import { readLineBatches } from "../data/lines.js";
import { formatRowError, type RowError } from "../data/schema.js";
import { readFileBytes } from "../data/source.js";
import { writeFileAtomic } from "../io/atomic.js";
import type { Predictor, RowInput } from "../serve/predictor.js";
import { ENGINE_FLAGS, startEngineFromFlags } from "./engine.js";
import { predictConfigRows } from "./predict-config.js";
import { UsageError, flag, type CommandSpec, type Output, type Parsed } from "./args.js";
import { DATA_FORMATS, detectLabeled, openModel, readerOptions, requireFile } from "./files.js";

export const spec: CommandSpec = {
  name: "predict",
  summary: "click probabilities of raw rows",
  positionals: [{ name: "model", help: "a checkpoint or an export (.safetensors)", required: true }],
  flags: [
    { name: "input", type: "string", metavar: "FILE", help: "raw rows (plain or .gz)" },
    { name: "format", type: "choice", choices: [...DATA_FORMATS, "jsonl"], help: "format of --input", default: "the model's" },
    { name: "unlabeled", type: "bool", help: "the rows have no label column (default: detected from the first line)" },
    { name: "output", type: "string", metavar: "FILE", help: "write the predictions here (default stdout)" },
    { name: "output-format", type: "choice", choices: ["csv", "jsonl"], help: "csv: line,probability; jsonl: {\"line\",\"probability\"}", default: "csv (jsonl with --json)" },
    { name: "skip-bad-rows", type: "bool", help: "skip malformed rows (reported on stderr) instead of stopping at the first" },
    { name: "batch-size", type: "int", min: 1, help: "rows per forward pass", default: "2048" },
    ...ENGINE_FLAGS,
  ],
  details: `jsonl input: one row per line, either an array of the field values in order or an object keyed
by field name (absent fields are missing), e.g. {"I1": 3, "C1": "68fd1e64"}.
"line" in the output is the 1-based line of the row in the input.`,
};

const fmt = (p: number) => String(Number(p.toPrecision(9)));

type Rows = AsyncGenerator<{ lines: number[]; rows: RowInput[] }>;

async function* delimitedRows(path: string, format: string, labeled: boolean, skip: boolean, errors: RowError[]): Rows {
  const reader = await openDelimited(readFileBytes(path), { ...readerOptions(format, path, { labeled, strict: !skip }), onError: (e) => void errors.push(e) });
  for await (const batch of reader.rowBatches()) yield { lines: batch.map((r) => r.line), rows: batch.map((r) => r.values) };
}

async function* jsonRows(path: string, skip: boolean, errors: RowError[]): Rows {
  for await (const b of readLineBatches(readFileBytes(path), { file: path })) {
    const lines: number[] = [], rows: RowInput[] = [];
    b.lines.forEach((text, i) => {
      const line = b.firstLine + i;
      if (text.trim() === "") return;
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch (e) {
        v = new Error((e as Error).message);
      }
      if (v instanceof Error || typeof v !== "object" || v === null) {
        const reason = v instanceof Error ? `not valid JSON: ${v.message}` : `expected an array or an object, got ${JSON.stringify(v)}`;
        if (!skip) throw new Error(`${path}:${line}: ${reason}`);
        errors.push({ file: path, line, column: 0, reason });
        return;
      }
      lines.push(line);
      rows.push(v as RowInput);
    });
    if (rows.length) yield { lines, rows };
  }
}

async function* render(source: Rows, file: string, predictor: Predictor, csv: boolean, count: { rows: number }): AsyncGenerator<Uint8Array> {
  const enc = new TextEncoder();
  if (csv) yield enc.encode("line,probability\n");
  for await (const { lines, rows } of source) {
    let probs: Float32Array;
    try {
      probs = predictor.predictBatch(rows);
    } catch (e) {
      // name the input line of the row the predictor refused
      const m = /row (\d+): (.*)$/s.exec((e as Error).message);
      throw m ? new Error(`${file}:${lines[Number(m[1])]}: ${m[2]}`) : e;
    }
    let s = "";
    for (let k = 0; k < probs.length; k++) {
      s += csv ? `${lines[k]},${fmt(probs[k]!)}\n` : `{"line":${lines[k]},"probability":${fmt(probs[k]!)}}\n`;
    }
    count.rows += probs.length;
    yield enc.encode(s);
  }
}

export async function run(p: Parsed, out: Output): Promise<number> {
  const modelPath = p.positionals[0]!;
  const input = flag<string>(p, "input");
  if (!input) throw new UsageError("predict needs --input FILE (raw rows)");
  await requireFile(modelPath, "model");
  await requireFile(input, "input");
  await startEngineFromFlags(p, out);
  const m = await openModel(modelPath, flag<number>(p, "batch-size"));
  try {
    const info = m.predictor.info;
    if (!info.featureMap) throw new Error(`${modelPath} has no FeatureMap: it cannot encode raw rows`);
    // a model of a config dataset encodes raw rows with its saved config (predict-config.ts)
    const byConfig = info.dataConfig !== undefined;
    if (byConfig && p.flags.has("format")) throw new UsageError(`${modelPath} was trained on a config dataset: its rows are read as the config says (no --format)`);
    const format = byConfig ? info.dataConfig!.config.format : flag<string>(p, "format") ?? info.dataFormat;
    if (!format) throw new UsageError(`${modelPath} does not record its data format: give --format ${[...DATA_FORMATS, "jsonl"].join("|")}`);
    const skip = flag<boolean>(p, "skip-bad-rows") ?? false;
    const errors: RowError[] = [];
    const csv = (flag<string>(p, "output-format") ?? (out.json ? "jsonl" : "csv")) === "csv";
    const count = { rows: 0 };
    const unlabeled = p.flags.has("unlabeled") ? flag<boolean>(p, "unlabeled") : undefined;
    const labeled = byConfig ? unlabeled !== true : format === "jsonl" ? false : unlabeled !== undefined ? !unlabeled : await detectLabeled(input, format);
    const chunks = byConfig ? predictConfigRows(input, m.predictor, { ...(unlabeled !== undefined ? { unlabeled } : {}), skip, csv, errors, count })
      : render(format === "jsonl" ? jsonRows(input, skip, errors) : delimitedRows(input, format, labeled, skip, errors), input, m.predictor, csv, count);
    const target = flag<string>(p, "output");
    const t0 = performance.now();
    if (target) await writeFileAtomic(target, chunks);
    else {
      for await (const c of chunks) {
        if (!process.stdout.write(c)) await new Promise((r) => process.stdout.once("drain", r));
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    if (errors.length) out.note(`${input}: skipped ${errors.length} malformed row(s); first: ${errors.slice(0, 3).map(formatRowError).join("; ")}`);
    const summary = { command: "predict", model: modelPath, kind: m.kind, input, format, labeled, rows: count.rows, skipped: errors.length, output: target ?? null, seconds };
    if (target) {
      out.record(summary);
      out.text(`${count.rows.toLocaleString("en")} predictions → ${target} (${seconds.toFixed(2)} s${errors.length ? `, ${errors.length} rows skipped` : ""})`);
    } else if (!out.json) out.note(`${count.rows.toLocaleString("en")} predictions (${seconds.toFixed(2)} s)`);
    return 0;
  } finally {
    m.dispose();
  }
}
