// `alpt prepare`: a raw Criteo/Avazu file → a prepared-data folder (files.ts): the FeatureMap
// fitted on the training rows only, and binary caches of the splits, so training never re-parses
// text. Splits are by line order (train first), or separate --valid / --test files. Out of core
// (data/prepare-shards.ts): a counting pass, then an encoding pass that writes each split in
// shards of --shard-rows rows as they fill, so memory follows the vocabulary, not the rows.
// Progress: each pass over a file shows the bytes and rows it has read (rows/s, an ETA from the
// bytes against the file size) as a bar, a line every few seconds, or --json `progress` records,
// and every shard written is a `shard` record (or a line).
import { stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { DEFAULT_SHARD_ROWS, prepareShards, type WrittenShard, type WrittenSplit } from "../data/prepare-shards.js";
import type { ReaderStats } from "../data/delimited.js";
import { summarizeSkipped } from "../data/no-rows.js";
import { formatRowError } from "../data/schema.js";
import { isGzipFile, readFileBytes } from "../data/source.js";
import type { ByteSource } from "../data/lines.js";
import { StatusLine, barOf, formatCount, formatDuration } from "../util/status-line.js";
import { PROGRESS_FLAGS, progressChoice, type ProgressChoice } from "./progress-flags.js";
import type { FeatureMap } from "../data/feature-map.js";
import { writeFileAtomic } from "../io/atomic.js";
import { UsageError, flag, type CommandSpec, type Output, type Parsed } from "./args.js";
import { DATA_FORMATS, DATASET_FORMAT, DATASET_VERSION, SPLIT_NAMES, readerOptions, requireFile, type DatasetManifest } from "./files.js";
import { prepareOutputFolder, removeEmptyFolders } from "./targets.js";
import { writePreparedFolder } from "./prepared-folder.js";
import { runConfigPrepare, runInferConfig } from "./prepare-config.js";

export const spec: CommandSpec = {
  name: "prepare",
  summary: "fit a FeatureMap on raw data and write binary caches of the splits",
  positionals: [{ name: "input", help: "raw training data (Criteo TSV or Avazu CSV, plain or .gz; with --config: overrides its train file)", required: false }],
  flags: [
    { name: "out", type: "string", metavar: "DIR", help: "folder to write (created if missing)", default: "prepared" },
    { name: "format", type: "choice", choices: DATA_FORMATS, help: "raw data format", default: "criteo" },
    { name: "min-count", type: "int", min: 1, help: "values seen fewer times in the training rows map to OOV", default: "1" },
    { name: "split", type: "string", metavar: "T,V[,E]", help: "fractions of train, valid (and test) by line order", default: "0.8,0.1,0.1" },
    { name: "valid", type: "string", metavar: "FILE", help: "a separate validation file (instead of --split)" },
    { name: "test", type: "string", metavar: "FILE", help: "a separate test file (instead of --split)" },
    { name: "strict", type: "bool", help: "stop at the first malformed row (default: skip and count them)" },
    { name: "shard-rows", type: "int", min: 1, metavar: "N", help: "rows per cache file: a larger split is written in shards of N rows as they fill (memory ≈ vocabulary + one shard)", default: String(DEFAULT_SHARD_ROWS) },
    { name: "config", type: "string", metavar: "FILE", help: "a dataset config (JSON; CSV/TSV, JSON lines or libsvm data; see docs/YOUR-DATA.md)" },
    { name: "infer-config", type: "bool", help: "write a starting dataset config guessed from the first rows of INPUT (to --out FILE, or stdout)" },
    ...PROGRESS_FLAGS,
  ],
  details: `Writes DIR/dataset.json, DIR/feature_map.json and DIR/{train,valid,test}.cache (a split of more
than --shard-rows rows: DIR/train-00000.cache, DIR/train-00001.cache, …). The FeatureMap sees only
the training rows (the first fraction of --split, or all of INPUT with --valid/--test).
Malformed rows are reported as file:line:column and skipped (or fatal with --strict).
Your own data: alpt prepare FILE --infer-config --out data.json, edit it, then alpt prepare --config data.json
(docs/YOUR-DATA.md); --config folders are written in shards of --shard-rows rows too, with their dense
inputs and bag fields, and the manifest records the training rows' bag lengths (mean, longest).`,
};


function parseSplit(raw: string): number[] {
  const parts = raw.split(",").map((x) => Number(x.trim()));
  const sum = parts.reduce((a, b) => a + b, 0);
  if (parts.length < 1 || parts.length > 3 || parts.some((x) => !(x >= 0 && x <= 1)) || Math.abs(sum - 1) > 1e-6 || !(parts[0]! > 0)) {
    throw new UsageError(`option --split expects 1 to 3 fractions in [0, 1] summing to 1 with train > 0, e.g. 0.8,0.1,0.1; got ${JSON.stringify(raw)}`);
  }
  return parts;
}

export async function run(p: Parsed, out: Output): Promise<number> {
  if (p.flags.has("infer-config") && p.flags.has("config")) throw new UsageError("--infer-config and --config exclude each other: infer a config first, then prepare with it");
  if (flag<boolean>(p, "infer-config")) return runInferConfig(p, out);
  if (p.flags.has("config")) return runConfigPrepare(p, out);
  const input = p.positionals[0];
  if (!input) throw new UsageError("missing INPUT (or --config FILE with a dataset config)");
  const dir = flag<string>(p, "out") ?? "prepared";
  const format = flag<string>(p, "format") ?? "criteo";
  const minCount = flag<number>(p, "min-count") ?? 1;
  const strict = flag<boolean>(p, "strict") ?? false;
  const shardRows = flag<number>(p, "shard-rows") ?? DEFAULT_SHARD_ROWS;
  const validFile = flag<string>(p, "valid"), testFile = flag<string>(p, "test");
  if ((validFile || testFile) && p.flags.has("split")) throw new UsageError("--split and --valid/--test exclude each other: give either fractions or files");
  const fractions = validFile || testFile ? [1] : parseSplit(flag<string>(p, "split") ?? "0.8,0.1,0.1");
  for (const [f, what] of [[input, "input"], [validFile, "--valid"], [testFile, "--test"]] as const) if (f) await requireFile(f, what);

  // the target first: a folder that cannot be made or written fails now, not after the work
  const created = await prepareOutputFolder(dir, "--out");
  try {
    return await prepareInto(dir, { input, format, minCount, strict, shardRows, validFile, testFile, fractions, shown: progressChoice(p, out) }, out);
  } catch (e) {
    await removeEmptyFolders(created);
    throw e;
  }
}

interface PrepareRun {
  input: string;
  format: string;
  minCount: number;
  strict: boolean;
  shardRows: number;
  validFile?: string;
  testFile?: string;
  fractions: number[];
  shown: ProgressChoice;
}

const MB = 1024 * 1024;
/** Megabytes with one decimal below 10 MB. */
const mb = (bytes: number) => (bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0);

/** Rows read so far in the current pass (prepareShards' onProgress), shown next to the bytes. */
interface RowCounter {
  rows: number;
}

/**
 * Opens a file for prepareShards and shows how far each pass over it has read: `passNames[k]` is
 * the k-th opening (what that pass does), `counter` the rows it has parsed. The size is known for
 * plain files; for gzip data the bytes are the unzipped ones, without a percentage until a pass
 * has read them all.
 */
async function trackedOpen(path: string, passNames: readonly string[], status: StatusLine, shown: ProgressChoice, out: Output, counter: RowCounter): Promise<() => ByteSource> {
  // gzip data: the unzipped size is known once a pass has read the whole file
  let size = (await isGzipFile(path)) ? undefined : (await stat(path)).size;
  let pass = 0;
  if (status.mode === "off" && !shown.records) return () => readFileBytes(path);
  async function* counted(name: string, k: number): AsyncGenerator<Uint8Array> {
    let bytes = 0;
    counter.rows = 0;
    const t0 = performance.now();
    for await (const chunk of readFileBytes(path)) {
      bytes += chunk.length;
      if (status.due()) {
        const seconds = Math.max((performance.now() - t0) / 1000, 1e-9);
        const rate = bytes / MB / seconds, rowRate = counter.rows / seconds;
        const eta = size !== undefined ? (size - bytes) / MB / rate : NaN;
        if (shown.records) out.record({ event: "progress", command: "prepare", file: path, pass: k, passes: Math.max(k, passNames.length), passName: name, bytes, totalBytes: size ?? null, rows: counter.rows, rowsPerSec: rowRate, mbPerSec: rate, etaSeconds: Number.isFinite(eta) ? eta : null });
        const of = size !== undefined ? ` of ${mb(size)} MB (${Math.floor((100 * bytes) / size)}%)` : " (unzipped)";
        // (a reader that opens the file more often than expected gets "pass 4" rather than "4/3")
        const head = `${basename(path)} pass ${k}${k <= passNames.length ? `/${passNames.length}` : ""} (${name})`;
        const where = status.mode === "bar" && size !== undefined ? `${head} ${barOf(bytes / size)}` : head;
        const rows = name === "counting lines" ? "" : `, ${formatCount(counter.rows)} rows, ${formatCount(rowRate)} rows/s`;
        status.show(`${where}: ${mb(bytes)} MB${of}${rows}, ${rate.toFixed(1)} MB/s${size !== undefined ? `, ETA ${formatDuration(eta)} for this pass` : ""}`);
      }
      yield chunk;
    }
    size ??= bytes;
    status.clear();
  }
  return () => {
    pass++;
    return counted(passNames[pass - 1] ?? "reading", pass);
  };
}

/**
 * Prepares into a staging subfolder of `dir` and switches the new files in at the end
 * (prepared-folder.ts): a run that fails leaves a folder holding an earlier prepared dataset as it was.
 */
async function prepareInto(dir: string, o: PrepareRun, out: Output): Promise<number> {
  const done = await writePreparedFolder(dir, (staging) => prepareStaged(staging, o, out));
  return done.report(dir);
}

/** Prepares into `staging`; the manifest, and the report to give once the files are switched in. */
async function prepareStaged(staging: string, o: PrepareRun, out: Output): Promise<{ manifest: DatasetManifest; report(dir: string): number }> {
  const { input, format, minCount, strict, shardRows, validFile, testFile, fractions, shown } = o;
  const t0 = performance.now();
  const status = new StatusLine({ mode: shown.mode, ...(shown.intervalMs !== undefined ? { intervalMs: shown.intervalMs } : {}) });
  let skipped = 0;
  const report = (file: string, stats: ReaderStats) => {
    skipped += stats.skipped;
    if (stats.skipped) out.note(`${file}: skipped ${stats.skipped} malformed row(s) (${summarizeSkipped(stats)}); first: ${stats.errors.slice(0, 3).map(formatRowError).join("; ")}`);
  };
  const counter: RowCounter = { rows: 0 };
  const onProgress = (p: { rows: number }) => void (counter.rows = p.rows);
  const onShard = (written: WrittenShard) => {
    // elapsed since the command started (prepareShards counts from each file's start)
    const s = { ...written, elapsedMs: performance.now() - t0 };
    if (shown.records) out.record({ event: "shard", command: "prepare", ...s });
    else status.note(`wrote ${s.file}: ${s.rows.toLocaleString("en")} rows of ${s.split}, ${mb(s.bytes)} MB, at ${formatDuration(s.elapsedMs / 1000)}`);
  };
  const passNames = fractions[0]! < 1 ? ["counting lines", "counting values", "encoding into shards"] : ["counting values", "encoding into shards"];
  const common = { dir: staging, shardRows, onShard, onProgress };
  const prep = await prepareShards({
    ...common, open: await trackedOpen(input, passNames, status, shown, out, counter),
    reader: readerOptions(format, input, { strict }), featureMap: { minCount }, fractions, splitNames: SPLIT_NAMES,
  });
  report(input, prep.stats);
  const fm: FeatureMap = prep.featureMap;
  const splits: WrittenSplit[] = [...prep.splits];
  for (const [name, file] of [["valid", validFile], ["test", testFile]] as const) {
    if (!file) continue;
    const r = await prepareShards({
      ...common, open: await trackedOpen(file, ["encoding into shards"], status, shown, out, counter),
      reader: readerOptions(format, file, { strict }), fittedMap: fm, splitNames: [name],
    });
    report(file, r.stats);
    splits.push(...r.splits);
  }
  const trainRows = splits.find((s) => s.name === "train")!.rows;
  if (trainRows === 0) throw new Error(`${input}: no training rows: the ${prep.n} usable row(s) are too few for --split ${fractions.join(",")}`);

  await writeFileAtomic(join(staging, "feature_map.json"), new TextEncoder().encode(JSON.stringify(fm.toJSON())));
  const manifest: DatasetManifest = {
    format: DATASET_FORMAT, version: DATASET_VERSION, dataFormat: format, source: resolve(input), featureMap: "feature_map.json",
    featureMapHash: fm.hash, fields: fm.numFields, totalRows: fm.totalRows, splits: {}, skippedRows: skipped,
  };
  for (const s of splits) {
    if (s.rows === 0) {
      out.note(`note: the ${s.name} split of ${input} is empty (${prep.n} rows × ${fractions[(SPLIT_NAMES as readonly string[]).indexOf(s.name)]}): not written`);
      continue;
    }
    manifest.splits[s.name] = { rows: s.rows, shards: s.shards };
  }
  return { manifest, report: (dir) => reportPrepared(dir, o, manifest, fm, { t0, skipped, total: splits.reduce((a, s) => a + s.rows, 0), prep }, out) };
}

/** The done record and the summary lines of a prepare. */
function reportPrepared(dir: string, o: PrepareRun, manifest: DatasetManifest, fm: FeatureMap, run: { t0: number; skipped: number; total: number; prep: { distinctValues: number; vocabularyBytes: number } }, out: Output): number {
  const { input, format, minCount } = o;
  const { t0, skipped, total, prep } = run;
  const seconds = (performance.now() - t0) / 1000;
  const rows = Object.fromEntries(Object.entries(manifest.splits).map(([k, v]) => [k, v.rows]));
  const shards = Object.fromEntries(Object.entries(manifest.splits).map(([k, v]) => [k, v.shards.length]));
  out.record({ event: "done", command: "prepare", out: dir, format, fields: fm.numFields, embeddingRows: fm.totalRows, fieldSizes: fm.fieldSizes, rows, shards, skippedRows: skipped, featureMapHash: fm.hash, distinctValues: prep.distinctValues, countingBytes: prep.vocabularyBytes, seconds, rowsPerSec: total / seconds });
  out.text(`prepared ${basename(input)} (${format}) into ${dir}/`);
  out.text(`  rows: ${Object.entries(rows).map(([k, v]) => `${k} ${v.toLocaleString("en")}${shards[k]! > 1 ? ` (${shards[k]} shards)` : ""}`).join(", ")}${skipped ? ` (${skipped} malformed rows skipped)` : ""}`);
  out.text(`  ${fm.numFields} fields, ${fm.totalRows.toLocaleString("en")} embedding rows (min count ${minCount}), FeatureMap ${fm.hash}`);
  out.text(`  ${seconds.toFixed(2)} s (${formatCount(total / seconds)} rows/s)`);
  return 0;
}
