// `alpt prepare --config data.json [--out DIR]`: a dataset config (data/config.ts; FuxiCTR's keys
// too) → a prepared folder with the layout of files.ts plus data_config.json (the resolved config
// and the fitted normalisers, what `predict` needs to encode raw rows as prepare did); the caches
// carry the dense inputs and bag fields (cache.ts version 2), each split written in shards of
// --shard-rows rows as they fill (data/prepare-config-shards.ts), and the manifest records the
// training rows' bag lengths (bagLengths: mean and max ids per bag field, for the memory plan).
// `alpt prepare FILE --infer-config [--out data.json]`: a starting config from the first rows of
// FILE (data/infer-config.ts), printed or written for the user to edit.
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { ConfigError, resolveDatasetConfig, type DatasetConfig } from "../data/config.js";
import { inferConfig } from "../data/infer-config.js";
import { summarizeSkipped } from "../data/no-rows.js";
import { rowPlan } from "../data/encode-row.js";
import { dataConfigToJSON } from "../data/prepare-config.js";
import { prepareConfigShards } from "../data/prepare-config-shards.js";
import { DEFAULT_SHARD_ROWS } from "../data/prepare-shards.js";
import { readRegularText } from "../data/regular-file.js";
import { formatRowError } from "../data/schema.js";
import { readFileBytes } from "../data/source.js";
import { writeFileAtomic } from "../io/atomic.js";
import { UsageError, flag, type Output, type Parsed } from "./args.js";
import { DATASET_FORMAT, DATASET_VERSION, requireFile, type DatasetManifest } from "./files.js";
import { parseJsonFile } from "./config.js";
import { prepareOutputFolder, removeEmptyFolders } from "./targets.js";
import { writePreparedFolder } from "./prepared-folder.js";

/** The file of a prepared folder that holds the config and the fitted normalisers. */
export const DATA_CONFIG_FILE = "data_config.json";

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2) + "\n");

/** `--infer-config`: prints the guessed config, or writes it to --out. */
export async function runInferConfig(p: Parsed, out: Output): Promise<number> {
  const input = p.positionals[0];
  if (!input) throw new UsageError("--infer-config needs the data file: alpt prepare FILE --infer-config [--out data.json]");
  await requireFile(input, "input");
  const target = p.flags.has("out") ? flag<string>(p, "out")! : undefined;
  // the config names its train file relative to its own folder (as prepare --config reads it)
  const named = target && !isAbsolute(input) ? relative(dirname(resolve(target)), resolve(input)) || input : input;
  const r = await inferConfig(readFileBytes(input), { file: named });
  const kinds = (k: string) => r.columns.filter((c) => c.kind === k).map((c) => c.name);
  out.record({ event: "done", command: "prepare", inferConfig: true, rows: r.rows, out: target ?? null, label: kinds("label")[0] ?? null, categorical: kinds("categorical"), numeric: kinds("numeric"), sequence: kinds("sequence"), skipped: kinds("skip"), config: target ? undefined : r.config });
  if (target) {
    await writeFileAtomic(target, json(r.config));
    out.text(`wrote ${target}: a config guessed from ${r.rows.toLocaleString("en")} rows of ${input} — check it, then: alpt prepare --config ${target}`);
    for (const k of ["label", "categorical", "numeric", "sequence", "skip"]) if (kinds(k).length) out.text(`  ${k === "skip" ? "skipped" : k}: ${kinds(k).join(", ")}`);
  } else out.text(JSON.stringify(r.config, null, 2));
  return 0;
}

/** `--config`: prepares the folder the config describes. */
export async function runConfigPrepare(p: Parsed, out: Output): Promise<number> {
  const cpath = flag<string>(p, "config")!;
  if (p.flags.has("min-count")) throw new UsageError("--min-count does not apply with --config: set min_count in the config (top level or per feature)");
  if (p.flags.has("format")) throw new UsageError("--format does not apply with --config: the config's format says how to read the data");
  const text = await readRegularText(cpath, "dataset config", 16 << 20);
  // a bad config is a usage error (exit 2), as for train --config
  const raw = parseJsonFile(text, cpath, "config");
  let config: DatasetConfig;
  try {
    config = resolveDatasetConfig(raw, cpath);
  } catch (e) {
    throw e instanceof ConfigError ? new UsageError(e.message) : e;
  }
  // paths in the config are relative to the config's folder; the command line overrides them
  const base = dirname(cpath);
  const at = (f: string | undefined) => (f === undefined ? undefined : isAbsolute(f) ? f : join(base, f));
  const input = p.positionals[0] ?? at(config.train);
  if (!input) throw new UsageError(`${cpath}: no training file: give "train" (or "train_data") in the config, or the file on the command line`);
  const validFile = flag<string>(p, "valid") ?? (p.positionals[0] ? undefined : at(config.valid));
  const testFile = flag<string>(p, "test") ?? (p.positionals[0] ? undefined : at(config.test));
  let split: number[] | undefined;
  if (p.flags.has("split")) {
    if (validFile || testFile) throw new UsageError("--split and valid/test files exclude each other: give either fractions or files");
    split = (flag<string>(p, "split") ?? "").split(",").map((x) => Number(x.trim()));
  }
  for (const [f, what] of [[input, "input"], [validFile, "valid file"], [testFile, "test file"]] as const) if (f) await requireFile(f, what);
  const resolved = { ...config, train: input, ...(validFile ? { valid: validFile } : {}), ...(testFile ? { test: testFile } : {}) };
  if (!validFile) delete resolved.valid;
  if (!testFile) delete resolved.test;
  if (split) delete resolved.split;
  const dir = flag<string>(p, "out") ?? "prepared";
  const created = await prepareOutputFolder(dir, "--out");
  try {
    return await writeFolder(dir, resolved, cpath, { split, strict: flag<boolean>(p, "strict") ?? false, shardRows: flag<number>(p, "shard-rows") ?? DEFAULT_SHARD_ROWS }, out);
  } catch (e) {
    await removeEmptyFolders(created);
    throw e;
  }
}

/** Prepares into `staging`: the FeatureMap and the fitted config first, then each split in shards as it is encoded. */
async function writeStaged(staging: string, config: ReturnType<typeof resolveDatasetConfig>, cpath: string, o: { split?: number[]; strict: boolean; shardRows: number }, out: Output) {
  const prep = await prepareConfigShards(config, {
    where: cpath, strict: o.strict, dir: staging, shardRows: o.shardRows, ...(o.split ? { split: o.split } : {}),
    onFitted: async (fitted) => {
      await writeFileAtomic(join(staging, "feature_map.json"), new TextEncoder().encode(JSON.stringify(fitted.featureMap.toJSON())));
      await writeFileAtomic(join(staging, DATA_CONFIG_FILE), json(dataConfigToJSON(resolveDatasetConfig(config, cpath), fitted)));
    },
  });
  let skipped = 0;
  for (const [file, stats] of prep.stats) {
    skipped += stats.skipped;
    if (stats.skipped) out.note(`${file}: skipped ${stats.skipped} malformed row(s) (${summarizeSkipped(stats)}); first: ${stats.errors.slice(0, 3).map(formatRowError).join("; ")}`);
  }
  const fm = prep.fitted.featureMap;
  const plan = rowPlan(prep.config);
  const manifest: DatasetManifest = {
    format: DATASET_FORMAT, version: DATASET_VERSION, dataFormat: config.format, source: resolve(config.train!), featureMap: "feature_map.json",
    featureMapHash: fm.hash, fields: fm.numFields, totalRows: fm.totalRows, splits: {}, skippedRows: skipped,
    dataConfig: DATA_CONFIG_FILE, denseFeatures: plan.denseCount, bagFields: plan.bagFields, ...(prep.bagLengths ? { bagLengths: prep.bagLengths } : {}),
  };
  for (const s of prep.splits) {
    if (s.rows === 0) {
      out.note(`note: the ${s.name} split is empty: not written`);
      continue;
    }
    manifest.splits[s.name] = { rows: s.rows, shards: s.shards };
  }
  return { manifest, prep, skipped };
}

/**
 * Prepares into a staging subfolder of `dir` and switches the new files in at the end
 * (prepared-folder.ts): a run that fails leaves a folder holding an earlier prepared dataset as it was.
 */
async function writeFolder(dir: string, config: ReturnType<typeof resolveDatasetConfig>, cpath: string, o: { split?: number[]; strict: boolean; shardRows: number }, out: Output): Promise<number> {
  const t0 = performance.now();
  const { manifest, prep, skipped } = await writePreparedFolder(dir, (staging) => writeStaged(staging, config, cpath, o, out));
  const fm = prep.fitted.featureMap;
  const plan = rowPlan(prep.config);
  const seconds = (performance.now() - t0) / 1000;
  const rows = Object.fromEntries(Object.entries(manifest.splits).map(([k, v]) => [k, v.rows]));
  const shards = Object.fromEntries(Object.entries(manifest.splits).map(([k, v]) => [k, v.shards.length]));
  const F = plan.fields, D = plan.denseCount, Fb = plan.bagFields;
  out.record({ event: "done", command: "prepare", out: dir, format: config.format, config: cpath, fields: F, denseFeatures: D, bagFields: Fb, embeddingRows: fm.totalRows, fieldSizes: fm.fieldSizes, rows, shards, skippedRows: skipped, featureMapHash: fm.hash, ...(prep.bagLengths ? { bagLengths: prep.bagLengths } : {}), seconds });
  out.text(`prepared ${config.train} (${config.format}, config ${cpath}) into ${dir}/`);
  out.text(`  rows: ${Object.entries(rows).map(([k, v]) => `${k} ${v.toLocaleString("en")}${shards[k]! > 1 ? ` (${shards[k]} shards)` : ""}`).join(", ")}${skipped ? ` (${skipped} malformed rows skipped)` : ""}`);
  const count = (k: number, what: string) => `${k} ${what}${k === 1 ? "" : "s"}`;
  out.text(`  ${count(F, "categorical field")}, ${count(D, "dense input")}, ${count(Fb, "bag field")}; ${fm.totalRows.toLocaleString("en")} embedding rows, FeatureMap ${fm.hash}`);
  out.text(`  ${seconds.toFixed(2)} s`);
  return 0;
}
