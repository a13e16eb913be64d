// The page: reads the settings form, drives the training Web Worker (worker.js) with start /
// pause / resume / stop messages, and draws what it reports (charts.js) at most once per
// animation frame, so that the page stays responsive however fast steps arrive. The step counter
// and the status update at once. Downloads come back from the worker as bytes and leave as a
// Blob behind a temporary link. `?autostart` starts a run with the form's defaults on load (the
// time to the first step from navigation is then shown and kept in window.alptPage).
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
  return {
    data: {
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
  for (const f of form.querySelectorAll("fieldset")) f.disabled = r;
  $("bits").disabled = r || $("method").value === "fp32";
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
      { name: `this run (${page.method})`, parts: [{ kind: "fp32 weights", bytes: m.weights }, { kind: "codes", bytes: m.codes }, { kind: "Δ", bytes: m.delta }, { kind: "optimizer", bytes: m.optimizer }] },
      { name: "fp32 + Adam", parts: [{ kind: "fp32 weights", bytes: m.rows * m.dim * 4 }, { kind: "optimizer", bytes: m.rows * m.dim * 8 }] },
    ] : [],
  });
  const d = page.delta;
  if (d) histogram($("deltaChart"), { title: "Learned step sizes", xLabel: `log10 Δ (${d.n.toLocaleString("en")} rows)`, lo: d.log10Min, hi: d.log10Max, counts: d.counts });
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
      $("backend").textContent = `Engine: ${r.backend}${r.simd ? ` (${r.simd} SIMD)` : ""}, ${r.threads} kernel thread${r.threads > 1 ? "s" : ""} in a Web Worker${r.isolated ? " on a cross-origin-isolated page" : ""}${r.threadsReason ? ` — ${r.threadsReason}` : ""}.`;
      setButtons();
      if (new URLSearchParams(location.search).has("autostart")) start();
      break;
    case "data":
      page.oracleAuc = r.oracleAuc;
      $("oracle").textContent = r.oracleAuc.toFixed(4);
      setState(`training on ${r.trainRows.toLocaleString("en")} rows × ${r.fields} fields`);
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

// ---- controls ----
function start() {
  if (page.running || !page.ready) return;
  if (!form.reportValidity()) return;
  Object.assign(page, { running: true, paused: false, done: undefined, steps: [], evals: [], memory: undefined, delta: undefined, oracleAuc: undefined, error: undefined });
  page.method = $("method").value;
  page.startClickMs = performance.now();
  page.firstStepMs = undefined;
  $("error").hidden = true;
  for (const id of ["auc", "logloss", "oracle", "speed", "firstStep"]) $(id).textContent = "–";
  $("step").value = "0";
  $("files").textContent = "";
  setState("generating data…");
  setButtons();
  draw();
  worker.postMessage({ type: "start", config: readConfig() });
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  start();
});
$("pause").addEventListener("click", () => {
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
for (const b of document.querySelectorAll("#downloads button")) {
  b.addEventListener("click", () => worker.postMessage({ type: "file", kind: b.dataset.kind }));
}
setButtons();
draw();
