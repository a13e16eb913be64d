// One training run of the page, driven step by step so that it can be paused and stopped: data
// (the synthetic generator or a Criteo TSV text) → model → batches through trainStep, with an
// evaluation every `evalEvery` steps and at each epoch end. No DOM and no Worker globals: the
// Web Worker (worker.js) feeds it messages, and Node can run it as it is. `report` receives
// plain objects ({ type: "step" | "eval" | "memory" | "delta" | "done", … }); between two steps
// the session awaits `control.between()`, where the worker yields to its message queue.

/** Settings of a run as the page sends them (every field has a default). */
export const DEFAULTS = {
  data: { kind: "synthetic", trainRows: 20000, validRows: 5000, numericFields: 13, categoricalFields: 26, vocabSize: 5000, seed: 7 },
  model: "DCN",
  embeddingDim: 8,
  hiddenUnits: [64, 32],
  crossLayers: 2,
  method: "alpt",
  bits: 4,
  embeddingOptimizer: "adagrad",
  embeddingLr: 0.05,
  lr: 3e-3,
  batchSize: 256,
  epochs: 2,
  evalEvery: 20,
  seed: 7,
};

/** The settings with defaults filled in and checked (errors name the setting). */
export function resolveConfig(c = {}) {
  const o = { ...DEFAULTS, ...c, data: { ...DEFAULTS.data, ...(c.data ?? {}) } };
  const int = (v, name, min) => {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} = ${v} must be an integer ≥ ${min}`);
  };
  int(o.batchSize, "batch size", 1);
  int(o.epochs, "epochs", 1);
  int(o.embeddingDim, "embedding dim", 1);
  int(o.evalEvery, "evaluate every", 0);
  if (!(o.lr > 0)) throw new RangeError(`learning rate = ${o.lr} must be > 0`);
  if (!(o.embeddingLr > 0)) throw new RangeError(`embedding learning rate = ${o.embeddingLr} must be > 0`);
  if (o.data.kind === "file" && !o.data.file) throw new RangeError("data: no file chosen");
  if (o.data.kind === "synthetic") {
    int(o.data.trainRows, "training rows", 1);
    int(o.data.validRows, "validation rows", 1);
  }
  return o;
}

/** The reader preset of a delimited text from its first line: Criteo TSV, Criteo or Avazu CSV. */
export function detectFormat(firstLine) {
  if (firstLine.includes("\t")) return "criteo";
  const cells = firstLine.split(",").map((c) => c.trim().toLowerCase());
  if (cells.includes("click") && cells.includes("hour")) return "avazu";
  if (cells.includes("label") && cells.includes("c1")) return "criteo-csv";
  throw new RangeError(`data: the first line is neither Criteo TSV (tab-separated), a Criteo CSV header (label,I1..,C1..) nor an Avazu CSV header (id,click,hour,…): ${JSON.stringify(firstLine.slice(0, 120))}`);
}

/** Whether the first line of a file of `format` has a label column (Criteo test files have none). */
export function isLabeled(format, firstLine) {
  if (format === "criteo") return firstLine.split("\t").length !== 39;
  if (format === "criteo-csv") return firstLine.split(",").map((c) => c.trim().toLowerCase()).includes("label");
  return true;
}

/** Reader options of a format (data/criteo.ts, data/avazu.ts) for the file `name`. */
function readerOf(alpt, format, name, labeled = true) {
  if (format === "criteo") return alpt.criteoOptions({ file: name, labeled });
  if (format === "criteo-csv") return alpt.criteoOptions({ file: name, delimiter: ",", header: true, labeled });
  if (format === "avazu") return alpt.avazuOptions({ file: name });
  throw new RangeError(`data: unknown format "${format}"`);
}

/** The first line of a File or Blob (read from its first 64 KiB). */
async function firstLineOf(file) {
  return new TextDecoder().decode(await file.slice(0, 64 * 1024).arrayBuffer()).split(/\r?\n/)[0] ?? "";
}

/**
 * The train and validation data of a run, with the field sizes the model needs. Synthetic data
 * is generated; a file (a File or Blob: { file, name, validFraction }) is streamed twice (fit the
 * FeatureMap on the training part, encode), its last validFraction of rows held out in file order.
 */
export async function loadData(alpt, d) {
  if (d.kind === "synthetic") {
    const gen = new alpt.SyntheticCtr({
      seed: d.seed, vocabSize: d.vocabSize, numericFields: d.numericFields, categoricalFields: d.categoricalFields,
    });
    const valid = gen.generate(d.trainRows, d.validRows);
    // the AUC of the hidden true logit on the validation rows: what no model can beat
    const oracleAuc = alpt.auc(valid.labels, Float32Array.from(gen.logits(d.trainRows, d.validRows)));
    return { train: gen.generate(0, d.trainRows), valid, fieldSizes: gen.fieldSizes, fieldNames: gen.fieldNames, oracleAuc };
  }
  if (d.kind === "file") {
    const name = d.name ?? d.file.name ?? "dropped file";
    const head = await firstLineOf(d.file);
    const format = d.format ?? detectFormat(head);
    const validFraction = d.validFraction ?? 0.2;
    if (!(validFraction > 0 && validFraction < 1)) throw new RangeError(`validation share = ${validFraction} must be in (0, 1)`);
    const errors = [];
    const prepared = await alpt.prepareDataset({
      open: () => d.file.stream(), reader: { ...readerOf(alpt, format, name), onError: (e) => errors.length < 3 && errors.push(alpt.formatRowError(e)) },
      fitFraction: 1 - validFraction,
    });
    const { dataset, featureMap, stats } = prepared;
    const [[a, b], [c, e]] = alpt.splitByOrder(dataset.n, [1 - validFraction, validFraction]);
    if (b - a < 1 || e - c < 1) throw new RangeError(`data: ${name} has ${dataset.n} usable rows, too few to hold out ${validFraction * 100} % for validation`);
    const fields = featureMap.fieldNames.map((f, i) => ({ name: f, size: featureMap.fieldSizes[i] }));
    return {
      train: alpt.sliceDataset(dataset, a, b), valid: alpt.sliceDataset(dataset, c, e), fieldSizes: featureMap.fieldSizes, fieldNames: featureMap.fieldNames,
      featureMap: featureMap.toJSON(), dataFormat: format.startsWith("criteo") ? "criteo" : format, format, fields, skipped: stats.skipped ?? 0, errors,
    };
  }
  throw new RangeError(`data: unknown kind "${d.kind}"`);
}

/** The model's settings (what the checkpoint and the export record). */
export function modelOptionsOf(o, fieldSizes) {
  return {
    fieldSizes: [...fieldSizes], embeddingDim: o.embeddingDim, hiddenUnits: o.hiddenUnits, crossLayers: o.crossLayers, seed: o.seed,
    embedding: { method: o.method, ...(o.method === "fp32" ? {} : { bits: o.bits }), optimizer: o.embeddingOptimizer, lr: o.embeddingLr },
  };
}

/** Bytes of the embedding table by kind, and what fp32 rows with Adam (m, v) would take. */
export function memoryOf(table) {
  const m = table.memory();
  return {
    type: "memory", rows: m.rows, dim: m.dim, weights: m.weightBytes, codes: m.codesBytes, delta: m.deltaBytes,
    optimizer: m.optimizerBytes + m.deltaOptimizerBytes, total: m.totalBytes, fp32Adam: m.rows * m.dim * 4 * 3,
  };
}

/** A histogram of log10 Δ (40 bins between the smallest and the largest). */
export function deltaHistogram(delta, bins = 40) {
  const x = Float64Array.from(delta, (v) => Math.log10(Math.max(v, 1e-30)));
  let lo = Infinity, hi = -Infinity;
  for (const v of x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (hi - lo < 1e-6) hi = lo + 1e-6;
  const counts = new Array(bins).fill(0);
  for (const v of x) counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))]++;
  return { type: "delta", log10Min: lo, log10Max: hi, counts, n: x.length };
}

/**
 * Runs one training. `control.between()` is awaited between steps (pause and stop happen there);
 * `control.stopped()` ends the run early (it still reports "done", with the model as it is).
 * Returns { model, optimizer, info } for the downloads.
 */
export async function train(alpt, config, control, report) {
  const o = resolveConfig(config);
  const t0 = performance.now();
  const data = await loadData(alpt, o.data);
  const { train: tr, valid } = data;
  report({
    type: "data", trainRows: tr.n, validRows: valid.n, fields: tr.fields, fieldNames: data.fieldNames, fieldSizes: [...data.fieldSizes], oracleAuc: data.oracleAuc,
    format: data.format, skipped: data.skipped, errors: data.errors, ms: performance.now() - t0,
  });
  const modelOptions = modelOptionsOf(o, data.fieldSizes);
  const model = alpt.createModel(o.model, modelOptions);
  const optimizer = new alpt.Adam(model.parameters(), { lr: o.lr });
  const trainer = new alpt.Trainer(model, { batchSize: Math.max(o.batchSize, 1024), progress: false });
  report(memoryOf(model.embedding));
  const { heap } = alpt.getEngine();
  const B = o.batchSize, F = tr.fields, stepsPerEpoch = Math.ceil(tr.n / B);
  const ids = heap.allocI32(B * F, "page batch ids");
  const labels = new Float32Array(B);
  let step = 0, samples = 0, trainMs = 0, loss = NaN;
  const evaluate = (epoch, midEpoch) => {
    const m = trainer.evaluate(valid);
    report({ type: "eval", epoch, step, auc: m.auc, logloss: m.logloss, midEpoch });
    return m;
  };
  let last;
  try {
    evaluate(0, false);
    outer: for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const order = alpt.shuffledOrder(tr.n, o.seed, epoch);
      for (let s = 0; s < stepsPerEpoch; s++) {
        await control.between();
        if (control.stopped()) break outer;
        const size = Math.min(B, tr.n - s * B);
        const ts = performance.now();
        alpt.fillBatch(tr, order, s * B, size, ids.array, labels);
        loss = alpt.trainStep(model, { ids, labels, size }, optimizer).loss;
        const ms = performance.now() - ts;
        trainMs += ms;
        step++;
        samples += size;
        report({ type: "step", epoch, step, stepsPerEpoch, totalSteps: stepsPerEpoch * o.epochs, loss, samplesPerSec: size / (ms / 1000), ms: performance.now() - t0 });
        if (o.evalEvery && step % o.evalEvery === 0 && s + 1 < stepsPerEpoch) last = evaluate(epoch, true);
      }
      last = evaluate(epoch, false);
    }
  } finally {
    ids.free();
  }
  if (!last || control.stopped()) last = trainer.evaluate(valid);
  report(memoryOf(model.embedding));
  if (model.embedding.delta) report(deltaHistogram(model.embedding.delta.array));
  const info = { model: o.model, modelOptions, ...(data.featureMap ? { featureMap: data.featureMap, dataFormat: data.dataFormat } : {}) };
  report({
    type: "done", steps: step, auc: last.auc, logloss: last.logloss, stopped: control.stopped(), samplesPerSec: samples / (trainMs / 1000), seconds: (performance.now() - t0) / 1000,
  });
  return { model, optimizer, info, step };
}

/** The bytes of a download: "checkpoint", "export" or "onnx". */
export function fileOf(alpt, run, kind) {
  const { model, optimizer, info } = run;
  if (kind === "checkpoint") return { name: `${info.model}-${info.modelOptions.embedding.method}.checkpoint.safetensors`, bytes: alpt.encodeCheckpoint(model, { ...info, progress: { steps: run.step } }, optimizer) };
  if (kind === "export") return { name: `${info.model}-${info.modelOptions.embedding.method}.export.safetensors`, bytes: alpt.encodeExport(model, info) };
  if (kind === "onnx") return { name: `${info.model}-${info.modelOptions.embedding.method}.onnx`, bytes: alpt.exportOnnx(model, info) };
  throw new RangeError(`download: unknown kind "${kind}"`);
}

/**
 * Click probabilities of every row of a raw data file (Criteo TSV / CSV, Avazu CSV; with or without
 * labels), from an export's bytes or from the run just trained. Returns the predictions as CSV
 * ("line,probability" and the label when the file has one) and, for labelled rows, the AUC.
 */
export async function predictFile(alpt, { modelBytes, modelName, run, file, name }) {
  if (!modelBytes && !run) throw new Error("predict: choose an export file (.safetensors), or train a model first");
  const predictor = modelBytes ? alpt.loadPredictor(modelBytes, { what: modelName ?? "export" }) : alpt.predictorFromModel(run.model, run.info);
  try {
    if (!predictor.info.featureMap) throw new Error(`predict: ${modelBytes ? modelName : "the trained model"} has no FeatureMap (trained on synthetic ids): it cannot encode raw rows; train on a file first`);
    const head = await firstLineOf(file);
    const format = detectFormat(head);
    const labeled = isLabeled(format, head);
    const errors = [];
    const reader = await alpt.openDelimited(file.stream(), { ...readerOf(alpt, format, name ?? file.name, labeled), onError: (e) => errors.length < 3 && errors.push(alpt.formatRowError(e)) });
    const parts = [labeled ? "line,probability,label\n" : "line,probability\n"];
    const probs = [], labels = [];
    for await (const batch of reader.rowBatches()) {
      const p = predictor.predictBatch(batch.map((r) => r.values));
      let out = "";
      for (let k = 0; k < p.length; k++) {
        out += labeled ? `${batch[k].line},${Number(p[k].toPrecision(9))},${batch[k].label}\n` : `${batch[k].line},${Number(p[k].toPrecision(9))}\n`;
        probs.push(p[k]);
        if (labeled) labels.push(batch[k].label);
      }
      parts.push(out);
    }
    const auc = labeled && probs.length ? alpt.auc(Float32Array.from(labels), Float32Array.from(probs)) : undefined;
    return { csv: new TextEncoder().encode(parts.join("")), rows: probs.length, auc, format, skipped: reader.stats.skipped, errors };
  } finally {
    predictor.dispose();
  }
}
