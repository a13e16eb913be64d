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
  if (o.data.kind === "synthetic") {
    int(o.data.trainRows, "training rows", 1);
    int(o.data.validRows, "validation rows", 1);
  }
  return o;
}

/** The train and validation data of a run, with the field sizes the model needs. */
export function loadData(alpt, d) {
  if (d.kind === "synthetic") {
    const gen = new alpt.SyntheticCtr({
      seed: d.seed, vocabSize: d.vocabSize, numericFields: d.numericFields, categoricalFields: d.categoricalFields,
    });
    const valid = gen.generate(d.trainRows, d.validRows);
    // the AUC of the hidden true logit on the validation rows: what no model can beat
    const oracleAuc = alpt.auc(valid.labels, Float32Array.from(gen.logits(d.trainRows, d.validRows)));
    return { train: gen.generate(0, d.trainRows), valid, fieldSizes: gen.fieldSizes, fieldNames: gen.fieldNames, oracleAuc };
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
  const data = loadData(alpt, o.data);
  const { train: tr, valid } = data;
  report({ type: "data", trainRows: tr.n, validRows: valid.n, fields: tr.fields, fieldNames: data.fieldNames, oracleAuc: data.oracleAuc, ms: performance.now() - t0 });
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
  const info = { model: o.model, modelOptions };
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
