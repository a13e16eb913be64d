// The page: reads the settings form, drives the training Web Worker (worker.js) with start /
// pause / resume / stop messages, and draws what it reports (charts.js) at most once per
// animation frame, so that the page stays responsive however fast steps arrive. The step counter
// and the status update at once. Downloads come back from the worker as bytes and leave as a
// Blob behind a temporary link. `?autostart` starts a run with the form's defaults on load (the
// time to the first step from navigation is then shown and kept in window.alptPage); other
// parameters set the form field of that name (?epochs=3&bits=2).
import { fmt, fmtBytes, histogram, lineChart, stackedBars } from "./charts.js";

const $ = (id) => document.getElementById(id);
const form = $("settings");
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });

/** What the page knows about the current run (also read by the tests). */
const page = (window.alptPage = {
  ready: false, running: false, paused: false, done: undefined, steps: [], evals: [], memory: undefined, delta: undefined,
  readyMs: undefined, firstStepMs: undefined, startClickMs: undefined, error: undefined, backend: undefined,
});

function readConfig() {
  const num = (id) => Number($(id).value);
  const hidden = $("hiddenUnits").value.split(",").map((s) => Number(s.trim())).filter((n) => n > 0);
  const file = $("file").files?.[0];
  const fromFile = $("source-file").checked;
  if (fromFile && !file) throw new Error("choose or drop a file first (or pick the synthetic generator)");
  return {
    data: fromFile ? { kind: "file", file, name: file.name, validFraction: num("validFraction") } : {
      kind: "synthetic", trainRows: num("trainRows"), validRows: num("validRows"), numericFields: num("numericFields"),
      categoricalFields: num("categoricalFields"), vocabSize: num("vocabSize"), seed: num("seed"),
    },
    model: $("model").value, embeddingDim: num("embeddingDim"), hiddenUnits: hidden, crossLayers: num("crossLayers"),
    method: $("method").value, bits: num("bits"), embeddingOptimizer: $("embeddingOptimizer").value, embeddingLr: num("embeddingLr"),
    lr: num("lr"), batchSize: num("batchSize"), epochs: num("epochs"), evalEvery: num("evalEvery"), seed: num("seed"),
  };
}

function setButtons() {
  const r = page.running;
  $("start").disabled = r || !page.ready;
  $("pause").disabled = !r || page.paused;
  $("resume").disabled = !r || !page.paused;
  $("stop").disabled = !r;
  for (const b of document.querySelectorAll("#downloads button")) b.disabled = r || !page.done;
  $("predictButton").disabled = r || !page.ready;
  for (const f of form.querySelectorAll("fieldset")) f.disabled = r;
  $("bits").disabled = r || $("method").value === "fp32";
  const fromFile = $("source-file").checked;
  for (const e of $("synthetic-options").querySelectorAll("input")) e.disabled = r || fromFile;
  $("validFraction").disabled = r || !fromFile;
}

function setState(text) {
  $("state").textContent = text;
}

function showError(message) {
  page.error = message;
  $("error").hidden = false;
  $("error").textContent = message;
}

// ---- drawing, once per animation frame ----
let queued = false;
function redraw() {
  if (queued) return;
  queued = true;
  requestAnimationFrame(() => {
    queued = false;
    draw();
  });
}

function rollingMean(points, k) {
  const out = [];
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    sum += points[i][1];
    if (i >= k) sum -= points[i - k][1];
    out.push([points[i][0], sum / Math.min(i + 1, k)]);
  }
  return out;
}

function draw() {
  const loss = page.steps.map((s) => [s.step, s.loss]);
  lineChart($("lossChart"), {
    title: "Training loss per step", xLabel: "step", yLabel: "BCE loss",
    series: [{ name: "loss", points: loss, className: "s1" }, { name: "mean of 10", points: rollingMean(loss, 10), className: "s2" }],
  });
  const evals = page.evals;
  lineChart($("aucChart"), {
    title: "Validation AUC per evaluation", xLabel: "step", yLabel: "AUC",
    series: [
      { name: "AUC", points: evals.map((e) => [e.step, e.auc]), className: "s3", dots: true },
      ...(page.oracleAuc ? [{ name: "ground truth", points: evals.length ? [[0, page.oracleAuc], [Math.max(1, evals.at(-1).step), page.oracleAuc]] : [], className: "ref" }] : []),
    ],
  });
  lineChart($("loglossChart"), {
    title: "Validation logloss per evaluation", xLabel: "step", yLabel: "logloss",
    series: [{ name: "logloss", points: evals.map((e) => [e.step, e.logloss]), className: "s4", dots: true }],
  });
  lineChart($("speedChart"), {
    title: "Samples per second", xLabel: "step", yLabel: "samples/s", yMin: 0,
    series: [{ name: "samples/s", points: rollingMean(page.steps.map((s) => [s.step, s.samplesPerSec]), 10), className: "s1" }],
  });
  const m = page.memory;
  stackedBars($("memoryChart"), {
    title: "Embedding table memory by kind",
    rows: m ? [
      { name: `this run (${page.method})`, note: `${(m.rows * m.dim * 12 / m.total).toFixed(1)}× smaller`, parts: [{ kind: "fp32 weights", bytes: m.weights }, { kind: "codes", bytes: m.codes }, { kind: "Δ", bytes: m.delta }, { kind: "optimizer", bytes: m.optimizer }] },
      { name: "fp32 + Adam", parts: [{ kind: "fp32 weights", bytes: m.rows * m.dim * 4 }, { kind: "optimizer", bytes: m.rows * m.dim * 8 }] },
    ] : [],
  });
  const d = page.delta;
  if (d) histogram($("deltaChart"), { title: "Learned step sizes", xLabel: `log10 Δ (${d.n.toLocaleString("en")} rows${page.method === "lpt" ? "; fixed, not learned, with lpt" : ""})`, lo: d.log10Min, hi: d.log10Max, counts: d.counts });
  else lineChart($("deltaChart"), { title: "Learned step sizes", xLabel: page.method === "fp32" || page.method === "lpt" ? `no learned Δ with ${page.method}` : "log10 Δ", yLabel: "rows", series: [] });
}

// ---- worker messages ----
worker.onmessage = (e) => {
  const r = e.data;
  switch (r.type) {
    case "ready":
      page.ready = true;
      page.readyMs = performance.now();
      page.backend = r;
      // when the worker started, had its modules, had the engine (ms from navigation)
      page.startup = Object.fromEntries(["workerStartedAt", "importedAt", "initAt"].map((k) => [k, Math.round(r[k] - performance.timeOrigin)]));
      $("backend").textContent = `Engine: ${r.backend}${r.simd ? ` (${r.simd} SIMD)` : ""}, ${r.threads} kernel thread${r.threads > 1 ? "s" : ""} in a Web Worker${r.isolated ? " on a cross-origin-isolated page" : " (the page is not cross-origin isolated, so no shared memory for more)"}${r.threadsReason ? ` — ${r.threadsReason}` : ""}.`;
      setButtons();
      if (new URLSearchParams(location.search).has("autostart")) start();
      break;
    case "data":
      page.data = r;
      page.oracleAuc = r.oracleAuc;
      if (r.oracleAuc) $("oracle").textContent = r.oracleAuc.toFixed(4);
      setState(`training on ${r.trainRows.toLocaleString("en")} rows × ${r.fields} fields`);
      showFields(r);
      break;
    case "memory":
      page.memory = r;
      redraw();
      break;
    case "step":
      if (page.firstStepMs === undefined) {
        page.firstStepMs = performance.now();
        $("firstStep").textContent = `${(page.firstStepMs / 1000).toFixed(2)} s from navigation, ${((page.firstStepMs - page.startClickMs) / 1000).toFixed(2)} s from Start`;
      }
      page.steps.push(r);
      $("step").value = String(r.step);
      if (r.step % 10 === 0) $("speed").textContent = fmt(page.steps.slice(-10).reduce((a, x) => a + x.samplesPerSec, 0) / Math.min(10, page.steps.length));
      $("totalSteps").textContent = String(r.totalSteps);
      $("epoch").textContent = String(r.epoch);
      $("bar").max = r.totalSteps;
      $("bar").value = r.step;
      redraw();
      break;
    case "eval":
      page.evals.push(r);
      $("auc").textContent = r.auc.toFixed(4);
      $("logloss").textContent = r.logloss.toFixed(4);
      redraw();
      break;
    case "delta":
      page.delta = r;
      redraw();
      break;
    case "paused":
      page.paused = true;
      // how long the worker took to see the pause, and how many steps it finished meanwhile
      if (page.pauseClick) page.pauseLag = { ms: performance.now() - page.pauseClick.ms, steps: Number($("step").value) - page.pauseClick.step };
      setState(`paused at step ${$("step").value}`);
      setButtons();
      break;
    case "resumed":
      page.paused = false;
      setState("training");
      setButtons();
      break;
    case "done":
      page.done = r;
      page.running = page.paused = false;
      $("auc").textContent = r.auc.toFixed(4);
      $("logloss").textContent = r.logloss.toFixed(4);
      $("speed").textContent = fmt(r.samplesPerSec);
      setState(`${r.stopped ? "stopped" : "done"} after ${r.steps} steps in ${r.seconds.toFixed(1)} s — final AUC ${r.auc.toFixed(4)}`);
      setButtons();
      redraw();
      break;
    case "predicted":
      page.predicted = r;
      $("predicted").textContent = `${r.rows.toLocaleString("en")} rows predicted (${r.format})${r.auc !== undefined ? `, AUC ${r.auc.toFixed(4)} on their labels` : ""}${r.skipped ? `; ${r.skipped} malformed rows skipped: ${r.errors.join("; ")}` : ""} → ${r.name}`;
      $("predictButton").disabled = false;
      break;
    case "file": {
      const url = URL.createObjectURL(new Blob([r.bytes], { type: "application/octet-stream" }));
      const a = Object.assign(document.createElement("a"), { href: url, download: r.name });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      $("files").textContent = `${r.name}: ${fmtBytes(r.bytes.byteLength)}`;
      break;
    }
    case "error":
      page.running = page.paused = false;
      $("predictButton").disabled = false;
      showError(r.message);
      setState("failed");
      setButtons();
      break;
  }
};
worker.onerror = (e) => {
  showError(`the worker failed: ${e.message}`);
  page.running = false;
  setButtons();
};

/** The fields the run reads: name, role, embedding rows (2 reserved + vocabulary). */
function showFields(r) {
  const box = $("fields");
  const role = (name) => (/^I\d+$/.test(name) ? "numeric (bucketized)" : "categorical");
  const src = r.format ? `${r.format} file, ${r.validRows.toLocaleString("en")} rows held out in file order` : "synthetic";
  const warn = r.skipped ? `; ${r.skipped} malformed rows skipped (${r.errors.join("; ")})` : "";
  box.replaceChildren();
  const details = Object.assign(document.createElement("details"), {});
  const summary = document.createElement("summary");
  summary.textContent = `Fields: ${r.fields} (${src}${warn}), ${r.fieldSizes.reduce((a, b) => a + b, 0).toLocaleString("en")} embedding rows`;
  const list = document.createElement("div");
  list.className = "cols";
  for (let i = 0; i < r.fieldNames.length; i++) {
    const item = document.createElement("div");
    item.textContent = `${r.fieldNames[i]} — ${role(r.fieldNames[i])}, ${r.fieldSizes[i].toLocaleString("en")} rows`;
    list.append(item);
  }
  details.append(summary, list);
  box.append(details);
}

// ---- controls ----
function start() {
  if (page.running || !page.ready) return;
  if (!form.reportValidity()) return;
  let config;
  try {
    config = readConfig();
  } catch (err) {
    showError(err.message);
    return;
  }
  Object.assign(page, { running: true, paused: false, done: undefined, steps: [], evals: [], memory: undefined, delta: undefined, oracleAuc: undefined, error: undefined });
  page.method = $("method").value;
  page.startClickMs = performance.now();
  page.firstStepMs = undefined;
  $("error").hidden = true;
  for (const id of ["auc", "logloss", "oracle", "speed", "firstStep"]) $(id).textContent = "–";
  $("step").value = "0";
  $("files").textContent = "";
  setButtons();
  draw();
  $("fields").replaceChildren();
  setState(config.data.kind === "file" ? `reading ${config.data.name}…` : "generating data…");
  worker.postMessage({ type: "start", config });
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  start();
});
$("pause").addEventListener("click", () => {
  page.pauseClick = { ms: performance.now(), step: Number($("step").value) };
  setState("pausing…");
  $("pause").disabled = true;
  worker.postMessage({ type: "pause" });
});
$("resume").addEventListener("click", () => {
  $("resume").disabled = true;
  worker.postMessage({ type: "resume" });
});
$("stop").addEventListener("click", () => {
  setState("stopping…");
  worker.postMessage({ type: "stop" });
});
$("method").addEventListener("change", setButtons);
$("file").addEventListener("change", () => {
  if ($("file").files?.length) $("source-file").checked = true;
  setButtons();
});
for (const r of document.querySelectorAll('input[name="source"]')) r.addEventListener("change", setButtons);
const zone = $("dropzone");
zone.addEventListener("dragover", (e) => {
  e.preventDefault();
  zone.classList.add("over");
});
zone.addEventListener("dragleave", () => zone.classList.remove("over"));
zone.addEventListener("drop", (e) => {
  e.preventDefault();
  zone.classList.remove("over");
  if (!e.dataTransfer?.files.length) return;
  $("file").files = e.dataTransfer.files;
  $("source-file").checked = true;
  setButtons();
});
$("predictForm").addEventListener("submit", (e) => {
  e.preventDefault();
  const dataFile = $("predictFile").files?.[0];
  if (!dataFile) return;
  $("error").hidden = true;
  page.predicted = undefined;
  $("predictButton").disabled = true;
  $("predicted").textContent = `predicting ${dataFile.name}…`;
  worker.postMessage({ type: "predict", modelFile: $("modelFile").files?.[0], dataFile });
});
for (const b of document.querySelectorAll("#downloads button")) {
  b.addEventListener("click", () => worker.postMessage({ type: "file", kind: b.dataset.kind }));
}
// settings from the URL: ?epochs=3&method=lpt… set the form field of that id (links and tests)
for (const [k, v] of new URLSearchParams(location.search)) {
  const field = form.elements.namedItem(k);
  if (field && "value" in field && field.type !== "file" && field.type !== "radio") field.value = v;
}
setButtons();
draw();
