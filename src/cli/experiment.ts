#!/usr/bin/env node
// `npm run experiment -- criteo|avazu [options]`: trains a model (DCN by default) on a real-data
// setup once per method × bits × seed at the reference recipe (rows N(0, 0.003²) with lazy Adam
// 1e-3, dense Adam 1e-3, no dropout) and prints one JSON line per run (DESIGN.md §11):
// {"case": "experiment/<dataset>-<model>[-bs<batch>]-<method>[-b<bits>]-s<seed>", "value": test AUC, …}.
// lpt's fixed Δ is chosen on validation AUC (seed 0) from multiples of the LSQ initial value.
// The data comes from the shared data folder ($ALPT_DATA, default ../shared/data next to the
// checkout) and is never copied; without it the script says so and exits 0. Progress → stderr.
import { existsSync, mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { criteoOptions } from "../data/criteo.js";
import { splitDataset, type EncodedDataset } from "../data/dataset.js";
import { prepareDataset } from "../data/prepare.js";
import { readFileBytes } from "../data/source.js";
import { summarizeDelta } from "../embedding/delta-stats.js";
import { deltaLrOf, type EmbeddingOptions, type GradScale } from "../embedding/options.js";
import { init } from "../entry/default.js";
import type { SimdMode } from "../wasm/load.js";
import type { DCNOptions } from "../models/dcn.js";
import { createModel, modelNames } from "../models/registry.js";
import { slug } from "../report/figures.js";
import { Trainer } from "../train/trainer.js";
import { caseName, fileSink, METHODS, printSink, runGrid, type GridSpec, type MethodSpec } from "./experiment-grid.js";
import { writeReport } from "./report.js";

const HELP = `Usage: npm run experiment -- criteo|avazu|paper [options]

  criteo, avazu      run the grid below on one dataset; one JSON line per run on stdout
  paper              the reproduction grid (issues 7, 12): every method at bits 8,4,3,2,
                     seeds 0,1,2 on Criteo (0..4 for 2 and 3 bits) and 0..4 on Avazu (its
                     1,500-row test set is noisy), each record appended to
                     <results-dir>/paper-<setup>.jsonl (cases already there are skipped, so an
                     interrupted grid resumes), then docs/RESULTS.md and docs/figures/*.svg
                     (with --results-dir: RESULTS.md and figures/ in that folder)
  --datasets LIST    paper: criteo,avazu (default both)
  --batch-sizes LIST paper: the Criteo DCN grid at each batch size (default 2048,1024; Avazu
                     stays at 256); a batch size other than 2048 makes its own setup
                     ("criteo, batch 1024": its own records file and report section)
  --models LIST      paper: other models on Criteo, each fp32 and alpt at 8,4,2 bits, 3 seeds
                     (default LR,DeepFM; "none" for none); LR runs up to 30 epochs, patience 2
  --results-dir DIR  paper: where the records go (default docs/experiments)
  --fresh            paper: rerun cases already recorded
  --no-report        paper: only run the cases (e.g. when several processes share the grid)

  --model NAME       LR, FM, DNN, WideDeep, DeepFM, DCN (default), DCNv2
  --batch-size N     default 2048 on Criteo, 256 on Avazu
  --methods LIST     fp32,lpt-dr,lpt-sr,alpt,qat-lsq (default fp32,lpt-dr,lpt-sr,alpt)
  --bits LIST        bit widths of the quantized methods (default 8,4,2)
  --seeds LIST       seeds of the model init, the shuffles and SR (default 0,1,2)
  --epochs N         at most N epochs (default 10; early stopping on validation AUC)
  --patience N       stop after N evaluations in a row that do not improve the best
                     validation AUC (default 2)
  --eval-every N     also validate every N steps inside an epoch (each epoch end is validated too)
  --schedule S       paper (dense lr ÷10 after epochs 6 and 9, default) or none
  --init-std X       initial rows ~ N(0, X²) for every method (default 0.003)
  --precise-bn N     before each validation, recompute the batch-norm statistics over N
                     training batches (default 0: running averages)
  --dropout X        dropout rate of the MLP (default 0, the reference recipe)
  --bn-momentum X    momentum of the batch-norm running statistics (default 0.1, PyTorch's, as
                     the reference recipe; the library's default is 0.3)
  --row-lr X         learning rate of the sparse Adam on the embedding rows (default 1e-3)
  --l2 X             L2 penalty (coupled weight decay) of the dense Adam and the rows (default 0)
  --delta-lr X       Δ learning rate, Adam (default: the library's, 0.3 × the initial Δ)
  --lpt-delta LIST   lpt's fixed Δ as multiples of the LSQ initial value; more than one: each
                     is trained on the first seed and the best validation AUC is kept for all
                     seeds (default 0.5,1,2,4)
  --delta-init I     lsq (default), lsq-group or a positive number
  --grad-scale G     hetu (default), mpe, none or a positive number
  --threads N        threads of the wasm kernels (default: the available cores, at most 8;
                     the same bits at any count)
  --simd exact|relaxed  wasm core (default exact; relaxed: fused multiply-add)
  --quick            smoke run: the first 20,000 training rows, 1 epoch, the first seed only

Data: $ALPT_DATA (default ../shared/data relative to the repository root).
One JSON line per run on stdout; progress on stderr.`;

class UsageError extends Error {}

/** A prepared real-data setup: splits, vocabulary sizes and the canonical model and trainer. */
interface Setup {
  dataset: string;
  train: EncodedDataset;
  valid: EncodedDataset;
  test: EncodedDataset;
  fieldSizes: number[];
  model: Omit<DCNOptions, "fieldSizes" | "embedding" | "seed">;
  /** Batch size and the learning rate of the dense Adam. */
  trainer: { batchSize: number; lr: number };
  describe: string;
}

type DatasetName = "criteo" | "avazu";

interface Args {
  dataset: DatasetName | "paper";
  datasets: DatasetName[];
  resultsDir: string | undefined;
  fresh: boolean;
  report: boolean;
  methods: MethodSpec[];
  bits: number[];
  seeds: number[];
  /** paper without --seeds: the seeds of each dataset. */
  seedsByDataset: Partial<Record<DatasetName, number[]>>;
  epochs: number;
  patience: number;
  evalEvery: number | undefined;
  l2: number;
  initStd: number;
  rowLr: number;
  /** The model of a criteo|avazu run; paper: the DCN grid plus `models`. */
  model: string;
  batchSize: number | undefined;
  batchSizes: number[] | undefined;
  models: string[];
  lptDelta: number[];
  preciseBn: number;
  dropout: number;
  bnMomentum: number;
  schedule: "paper" | "none";
  deltaLr: number | undefined;
  deltaInit: "lsq" | "lsq-group" | number;
  gradScale: GradScale;
  threads: number | "auto";
  simd: SimdMode;
  quick: boolean;
}

const QUICK_TRAIN_ROWS = 20_000;

function list(raw: string, what: string): string[] {
  const items = raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (items.length === 0) throw new UsageError(`${what} expects a comma-separated list, got "${raw}"`);
  return items;
}

function int(raw: string, what: string, min: number): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new UsageError(`${what} expects an integer ≥ ${min}, got "${raw}"`);
  return v;
}

/** A number in [min, below) — `below` exclusive, Infinity for no upper bound. */
function numberIn(raw: string, what: string, min: number, below = Infinity): number {
  const v = Number(raw);
  if (!(v >= min && v < below)) {
    throw new UsageError(`${what} expects a number ${below === Infinity ? `≥ ${min}` : `in [${min}, ${below})`}, got "${raw}"`);
  }
  return v;
}

function modelName(raw: string, what: string): string {
  if (!modelNames().includes(raw)) throw new UsageError(`${what}: unknown model "${raw}" (known: ${modelNames().join(", ")})`);
  return raw;
}

function positive(raw: string, what: string): number {
  const v = Number(raw);
  if (!(v > 0 && Number.isFinite(v))) throw new UsageError(`${what} expects a positive number, got "${raw}"`);
  return v;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    dataset: "criteo", datasets: ["criteo", "avazu"], resultsDir: undefined, fresh: false, report: true, methods: ["fp32", "lpt-dr", "lpt-sr", "alpt"].map((m) => METHODS[m]!), bits: [8, 4, 2], seeds: [0, 1, 2], seedsByDataset: {},
    epochs: 10, patience: 2, evalEvery: undefined, l2: 0, initStd: 0.003, rowLr: 1e-3, preciseBn: 0, dropout: 0, bnMomentum: 0.1, schedule: "paper", deltaLr: undefined,
    model: "DCN", batchSize: undefined, batchSizes: undefined, models: ["LR", "DeepFM"], lptDelta: [0.5, 1, 2, 4], deltaInit: "lsq", gradScale: "hetu", threads: "auto", simd: "exact", quick: false,
  };
  const named: string[] = [];
  let epochsGiven = false, seedsGiven = false, methodsGiven = false, bitsGiven = false, patienceGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    if (!k.startsWith("--")) {
      named.push(k);
      continue;
    }
    if (k === "--quick" || k === "--fresh" || k === "--no-report") {
      if (k === "--quick") a.quick = true;
      else if (k === "--fresh") a.fresh = true;
      else a.report = false;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw new UsageError(`${k} expects a value`);
    switch (k) {
      case "--methods":
        a.methods = list(v, k).map((m) => {
          const spec = METHODS[m];
          if (!spec) throw new UsageError(`--methods: unknown method "${m}" (known: ${Object.keys(METHODS).join(", ")})`);
          return spec;
        });
        methodsGiven = true;
        break;
      case "--bits":
        a.bits = list(v, k).map((b) => int(b, k, 1));
        if (a.bits.some((b) => b > 8 && b !== 16)) throw new UsageError(`--bits: each width must be 1..8 or 16, got "${v}"`);
        bitsGiven = true;
        break;
      case "--seeds":
        a.seeds = list(v, k).map((s) => int(s, k, 0));
        seedsGiven = true;
        break;
      case "--epochs":
        a.epochs = int(v, k, 1);
        epochsGiven = true;
        break;
      case "--patience":
        a.patience = int(v, k, 0);
        patienceGiven = true;
        break;
      case "--datasets":
        a.datasets = list(v, k).map((d) => {
          if (d !== "criteo" && d !== "avazu") throw new UsageError(`--datasets: unknown dataset "${d}" (known: criteo, avazu)`);
          return d;
        });
        break;
      case "--model":
        a.model = modelName(v, k);
        break;
      case "--models":
        a.models = v === "none" ? [] : list(v, k).map((n) => modelName(n, k));
        break;
      case "--batch-size":
        a.batchSize = int(v, k, 2);
        break;
      case "--batch-sizes":
        a.batchSizes = list(v, k).map((b) => int(b, k, 2));
        break;
      case "--lpt-delta":
        a.lptDelta = list(v, k).map((x) => positive(x, k));
        break;
      case "--results-dir":
        a.resultsDir = v;
        break;
      case "--eval-every":
        a.evalEvery = int(v, k, 1);
        break;
      case "--init-std":
        a.initStd = positive(v, k);
        break;
      case "--dropout":
        a.dropout = numberIn(v, k, 0, 1);
        break;
      case "--bn-momentum":
        a.bnMomentum = positive(v, k);
        if (a.bnMomentum > 1) throw new UsageError(`${k} expects a number in (0, 1], got "${v}"`);
        break;
      case "--precise-bn":
        a.preciseBn = int(v, k, 0);
        break;
      case "--row-lr":
        a.rowLr = positive(v, k);
        break;
      case "--l2":
        a.l2 = numberIn(v, k, 0);
        break;
      case "--threads":
        a.threads = int(v, k, 1);
        break;
      case "--simd":
        if (v !== "exact" && v !== "relaxed") throw new UsageError(`--simd expects exact or relaxed, got "${v}"`);
        a.simd = v;
        break;
      case "--schedule":
        if (v !== "paper" && v !== "none") throw new UsageError(`--schedule expects paper or none, got "${v}"`);
        a.schedule = v;
        break;
      case "--delta-lr":
        a.deltaLr = positive(v, k);
        break;
      case "--delta-init":
        a.deltaInit = v === "lsq" || v === "lsq-group" ? v : positive(v, k);
        break;
      case "--grad-scale":
        a.gradScale = v === "hetu" || v === "mpe" || v === "none" ? v : positive(v, k);
        break;
      default:
        throw new UsageError(`unknown option ${k}`);
    }
  }
  if (named.length !== 1 || (named[0] !== "criteo" && named[0] !== "avazu" && named[0] !== "paper")) {
    throw new UsageError(`expected exactly one of criteo, avazu or paper; got ${named.length ? named.join(" ") : "none"}`);
  }
  a.dataset = named[0];
  if (a.dataset === "paper") {
    // the grid of issue 7: every method, bits 8/4/3/2; one evaluation without improvement ends
    // a run (each Criteo epoch costs minutes; every fp32 seed peaks after epoch 1)
    if (!methodsGiven) a.methods = Object.values(METHODS);
    if (!bitsGiven) a.bits = [8, 4, 3, 2];
    if (!patienceGiven) a.patience = 1;
    if (!seedsGiven && !a.quick) a.seedsByDataset = { criteo: [0, 1, 2], avazu: [0, 1, 2, 3, 4] };
  }
  if (a.quick) {
    if (!epochsGiven) a.epochs = 1;
    if (!seedsGiven) a.seeds = a.seeds.slice(0, 1);
  }
  return a;
}

/** The shared data folder: $ALPT_DATA, else ../shared/data relative to the repository root. */
function dataRoot(): string {
  if (process.env.ALPT_DATA) return resolve(process.env.ALPT_DATA);
  return resolve(repoRoot(), "../shared/data");
}

const DATA_FILES: Record<DatasetName, string[]> = {
  criteo: ["criteo/criteo_w261_toy_train.txt.gz"],
  avazu: ["avazu/X_test_xsmall.csv", "avazu/y_test_xsmall.csv"],
};

function log(msg: string): void {
  process.stderr.write(msg + "\n");
}

/**
 * Criteo: the W261 toy sample (137,139 rows) split by line order 8:1:1; I1..I13 through the
 * criteo transform as categorical fields (39 fields); vocabulary of the training rows, minCount 2.
 */
async function criteoSetup(root: string): Promise<Setup> {
  const path = resolve(root, DATA_FILES.criteo[0]!);
  const { dataset, featureMap, stats } = await prepareDataset({
    open: () => readFileBytes(path),
    reader: criteoOptions({ file: path }),
    featureMap: { minCount: 2 },
    fitFraction: 0.8,
  });
  if (stats.skipped) log(`criteo: skipped ${stats.skipped} malformed rows`);
  const [train, valid, test] = splitDataset(dataset, [0.8, 0.1, 0.1]) as [EncodedDataset, EncodedDataset, EncodedDataset];
  return {
    dataset: "criteo", train, valid, test, fieldSizes: [...featureMap.fieldSizes],
    model: { embeddingDim: 16, crossLayers: 3, hiddenUnits: [1024, 512, 256], batchNorm: true },
    trainer: { batchSize: 2048, lr: 1e-3 },
    describe: "criteo_w261_toy_train.txt.gz, 39 fields, minCount 2 on train; DCN dim 16, 3 cross, MLP 1024-512-256 BN; batch 2048",
  };
}

/**
 * Avazu: the xsmall sample (15,000 random rows of train.csv, labels in a separate file) split by
 * line order 8:1:1; its 21 columns (hour of day, C1, banner_pos, site_*, app_*, device_id,
 * device_model, device_type, device_conn_type, C14..C21) as categorical fields, minCount 2.
 */
async function avazuSetup(root: string): Promise<Setup> {
  const [xFile, yFile] = DATA_FILES.avazu.map((f) => resolve(root, f)) as [string, string];
  const { dataset, featureMap, stats } = await prepareDataset({
    open: () => readFileBytes(xFile),
    reader: { delimiter: ",", header: true, columns: [], otherColumns: "categorical", file: xFile },
    featureMap: { minCount: 2 },
    fitFraction: 0.8,
  });
  if (stats.skipped) throw new Error(`${xFile}: ${stats.skipped} malformed rows (rows must stay aligned with ${yFile})`);
  const y = (await readFile(yFile, "utf8")).split(/\r?\n/).filter((l) => l !== "");
  if (y[0] !== "click") throw new Error(`${yFile}:1: expected the header "click", got "${y[0] ?? ""}"`);
  if (y.length - 1 !== dataset.n) throw new Error(`${yFile}: ${y.length - 1} labels for ${dataset.n} rows of ${xFile}`);
  for (let i = 0; i < dataset.n; i++) {
    const v = y[i + 1];
    if (v !== "0" && v !== "1") throw new Error(`${yFile}:${i + 2}: label "${v ?? ""}" is not 0 or 1`);
    dataset.labels[i] = Number(v);
  }
  const [train, valid, test] = splitDataset(dataset, [0.8, 0.1, 0.1]) as [EncodedDataset, EncodedDataset, EncodedDataset];
  return {
    dataset: "avazu", train, valid, test, fieldSizes: [...featureMap.fieldSizes],
    model: { embeddingDim: 16, crossLayers: 3, hiddenUnits: [256, 128, 64], batchNorm: true },
    trainer: { batchSize: 256, lr: 1e-3 },
    describe: "X_test_xsmall.csv + y_test_xsmall.csv, 21 fields, minCount 2 on train; DCN dim 16, 3 cross, MLP 256-128-64 BN; batch 256",
  };
}

function headOf(ds: EncodedDataset, rows: number): EncodedDataset {
  return rows >= ds.n ? ds : splitDataset(ds, [rows / ds.n, 1 - rows / ds.n])[0]!;
}

/** What one grid trains: a model at a batch size on a prepared dataset. */
interface Variant {
  setup: Setup;
  model: string;
  batchSize: number;
  /** The records' "dataset": the dataset, plus the model and batch size where not canonical. */
  label: string;
  /** Case-name stem: <dataset>-<model>[-bs<batch>]. */
  stem: string;
}

function variantOf(setup: Setup, model: string, batchSize = setup.trainer.batchSize): Variant {
  const batchPart = batchSize === setup.trainer.batchSize ? "" : `, batch ${batchSize}`;
  return {
    setup, model, batchSize,
    label: `${setup.dataset}${model === "DCN" ? "" : `, ${model}`}${batchPart}`,
    stem: `${setup.dataset}-${model.toLowerCase()}${batchPart ? `-bs${batchSize}` : ""}`,
  };
}

/** The grid of a variant: its case names, lpt's Δ choice and how a case is trained. */
function gridOf(v: Variant, a: Args): GridSpec {
  return { stem: v.stem, lptDelta: a.lptDelta, initStd: a.initStd, log, run: (m, bits, seed, fixedDelta) => run(v, a, m, bits, seed, fixedDelta) };
}

/** Trains and evaluates one configuration; returns its JSON record. */
function run(v: Variant, a: Args, m: MethodSpec, bits: number | undefined, seed: number, fixedDelta?: number): Record<string, unknown> {
  const s = v.setup;
  const name = caseName(v.stem, m, bits, seed);
  const embedding: Omit<EmbeddingOptions, "rows" | "dim"> = {
    optimizer: "adam", lr: a.rowLr, initStd: a.initStd, weightDecay: a.l2, ...m.embedding,
  };
  if (m.quantized) {
    Object.assign(embedding, { bits, deltaInit: fixedDelta ?? a.deltaInit, gradScale: a.gradScale, deltaOptimizer: { kind: "adam", lr: a.deltaLr } });
  }
  const deltaLr = deltaLrOf(embedding);
  const model = createModel(v.model, { ...s.model, dropout: a.dropout, batchNormMomentum: a.bnMomentum, fieldSizes: s.fieldSizes, seed, embedding });
  const t0 = performance.now();
  const stepsPerEpoch = Math.ceil(s.train.n / v.batchSize);
  const every = Math.max(1, Math.round(stepsPerEpoch / 9));
  const lossCurve: number[] = [];
  let lossSum = 0, lossCount = 0;
  try {
    const trainer = new Trainer(model, {
      batchSize: v.batchSize, optimizer: { kind: "adam", lr: s.trainer.lr, weightDecay: a.l2 },
      epochs: a.epochs, patience: a.patience, evalEvery: a.evalEvery, lrSchedule: a.schedule, monitor: "auc",
      restoreBest: true, seed, progress: false, preciseBn: a.preciseBn,
      onStep: (e) => {
        lossSum += e.loss;
        if (++lossCount === every) {
          lossCurve.push(round(lossSum / every));
          lossSum = lossCount = 0;
        }
      },
      onEval: (e) => {
        const secs = ((performance.now() - t0) / 1000).toFixed(0);
        log(`  ${name}${fixedDelta === undefined ? "" : ` Δ ${fixedDelta.toPrecision(3)}`} epoch ${e.epoch} step ${e.step}: loss ${e.loss.toFixed(4)} val AUC ${e.metrics!.auc.toFixed(4)} logloss ${e.metrics!.logloss.toFixed(4)} (${secs} s)`);
      },
    });
    const h = trainer.fit(s.train, s.valid);
    const val = trainer.evaluate(s.valid);
    const test = trainer.evaluate(s.test);
    const seconds = (performance.now() - t0) / 1000;
    const record: Record<string, unknown> = {
      case: `experiment/${name}`, value: round(test.auc), unit: "AUC",
      testAuc: round(test.auc), testLogloss: round(test.logloss), valAuc: round(val.auc), valLogloss: round(val.logloss),
      bestEpoch: h.bestEpoch, epochsRun: h.evals[h.evals.length - 1]?.epoch ?? 0, seconds: Math.round(seconds * 10) / 10,
      dataset: v.label, model: v.model, batchSize: v.batchSize, init: model.init, method: m.name, bits: bits ?? 32, seed,
      bytesPerRow: model.embedding.memory().bytesPerRow, embeddingRows: model.embedding.options.rows,
      rows: { train: s.train.n, valid: s.valid.n, test: s.test.n },
      bestStep: h.evals.find((e) => e.metrics === h.best)?.step, epochs: a.epochs, patience: a.patience,
      evalEvery: a.evalEvery ?? null, l2: a.l2, initStd: a.initStd, rowLr: a.rowLr, preciseBn: a.preciseBn, dropout: a.dropout, bnMomentum: a.bnMomentum, schedule: a.schedule,
      ...(m.quantized ? { deltaLr, deltaInit: fixedDelta ?? a.deltaInit, gradScale: a.gradScale } : {}),
      ...(model.embedding.deltaFloor !== undefined ? { deltaFloor: roundDeep(model.embedding.deltaFloor) } : {}),
      lossCurve: { every, values: lossCurve },
      quick: a.quick, runtime: `node-${process.versions.node}`, date: new Date().toISOString(),
    };
    const delta = model.embedding.delta;
    if (delta) record.delta = roundDeep(summarizeDelta(delta.array));
    return record;
  } finally {
    model.dispose();
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Numbers to 6 significant digits, recursively (Δ statistics span many decades). */
function roundDeep<T>(v: T): T {
  if (typeof v === "number") return (Number.isInteger(v) ? v : Number(v.toPrecision(6))) as T;
  if (Array.isArray(v)) return v.map(roundDeep) as T;
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, roundDeep(x)])) as T;
  return v;
}

/** The repository root: the nearest folder above this file with a package.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Loads and prepares a dataset, or says why it is skipped (undefined). */
async function setupOf(dataset: DatasetName, a: Args): Promise<Setup | undefined> {
  const root = dataRoot();
  const missing = DATA_FILES[dataset].map((f) => resolve(root, f)).filter((p) => !existsSync(p));
  if (missing.length) {
    log(`experiment: ${dataset} skipped — ${missing.join(", ")} not found (set ALPT_DATA to the shared data folder)`);
    return undefined;
  }
  const t0 = performance.now();
  const s = dataset === "criteo" ? await criteoSetup(root) : await avazuSetup(root);
  if (a.quick) s.train = headOf(s.train, QUICK_TRAIN_ROWS);
  log(`experiment ${s.dataset}: ${s.describe}`);
  log(`  rows train ${s.train.n} / valid ${s.valid.n} / test ${s.test.n}; ${s.fieldSizes.reduce((x, y) => x + y, 0)} embedding rows; data ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return s;
}

/** Seeds of a paper cell: 5 for the 2- and 3-bit cells (their spread is larger), else 3. */
function paperSeeds(a: Args, dataset: DatasetName, bits: number | undefined): number[] {
  const given = a.seedsByDataset[dataset];
  if (!given) return a.seeds;
  return bits !== undefined && bits <= 3 && given.length < 5 ? [0, 1, 2, 3, 4] : given;
}

/** The reproduction grid: records appended per case (resumable), then the report. */
async function paper(a: Args): Promise<number> {
  const dir = resolve(a.resultsDir ?? resolve(repoRoot(), "docs/experiments"));
  mkdirSync(dir, { recursive: true });
  const inputs: string[] = [];
  const grid = (v: Variant, args: Args, methods: MethodSpec[], bits: number[], seedsOf: (b: number | undefined) => number[]) => {
    const path = resolve(dir, `paper-${slug(v.label)}.jsonl`);
    const sink = fileSink(path, resolve(dir, `lpt-delta-${slug(v.label)}.jsonl`));
    runGrid(gridOf(v, args), methods, bits, seedsOf, sink);
    if (existsSync(path)) inputs.push(path);
  };
  for (const dataset of a.datasets) {
    const s = await setupOf(dataset, a);
    if (!s) continue;
    const sizes = dataset === "criteo" ? a.batchSizes ?? [2048, 1024] : [s.trainer.batchSize];
    for (const size of sizes) grid(variantOf(s, "DCN", size), a, a.methods, a.bits, (b) => paperSeeds(a, dataset, b));
    if (dataset !== "criteo") continue;
    for (const model of a.models.filter((x) => x !== "DCN")) {
      // LR learns slowly from one-hot rows (its best epoch is 12–21): up to 30 epochs and
      // patience 2, so that it is trained to convergence
      const args = model === "LR" ? { ...a, epochs: Math.max(a.epochs, 30), patience: Math.max(a.patience, 2) } : a;
      grid(variantOf(s, model), args, [METHODS.fp32!, METHODS.alpt!], [8, 4, 2], () => [0, 1, 2]);
    }
  }
  if (a.report && inputs.length) {
    // the repository's docs/ for its own records, else next to the records (never overwriting docs/)
    const out = a.resultsDir === undefined ? resolve(repoRoot(), "docs") : dir;
    const r = await writeReport({ inputs, out: resolve(out, "RESULTS.md"), figuresDir: resolve(out, "figures"), command: "npm run experiment -- paper" });
    log(`report: ${r.out} (${r.figures.length} figures)`);
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const a = parseArgs(argv);
  await init(undefined, { threads: a.threads, simd: a.simd });
  if (a.dataset === "paper") return paper(a);
  const s = await setupOf(a.dataset, a);
  if (!s) return 0;
  runGrid(gridOf(variantOf(s, a.model, a.batchSize), a), a.methods, a.bits, () => a.seeds, printSink());
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`experiment: ${err instanceof Error ? err.message : String(err)}`);
    if (!(err instanceof UsageError)) console.error(err);
    else console.error(HELP);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
