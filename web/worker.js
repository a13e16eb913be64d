// The page's Web Worker: loads the package (../dist/entry/default.js), starts the engine (two
// kernel threads when the page is cross-origin isolated, else one) and runs session.js's
// training on "start". It yields to its message queue between two steps (a MessageChannel
// message, which unlike setTimeout is not clamped to 4 ms), so "pause", "resume" and "stop"
// arrive while training; "file" asks for a download's bytes (transferred, not copied).
import * as alpt from "../dist/entry/default.js";
import { fileOf, predictFile, train } from "./session.js";

const THREADS = self.crossOriginIsolated ? 2 : 1;
const now = () => performance.timeOrigin + performance.now(); // comparable with the page's clock
const importedAt = now(); // the package's modules are loaded when this runs
const ready = alpt.init(undefined, { threads: THREADS }).then(() => {
  const b = alpt.backend();
  postMessage({ type: "ready", workerStartedAt: performance.timeOrigin, importedAt, initAt: now(), backend: b.name, simd: b.simd, threads: b.threads ?? 1, threadsReason: b.threadsReason, isolated: self.crossOriginIsolated });
});
ready.catch((err) => postMessage({ type: "error", message: `init: ${String(err?.message ?? err)}` }));

let paused = false, stopped = false, wake = () => {}, run, running = false;
const tick = new MessageChannel();
const yieldToMessages = () => new Promise((resolve) => {
  tick.port1.onmessage = () => resolve();
  tick.port2.postMessage(0);
});
const control = {
  async between() {
    await yieldToMessages();
    if (!paused || stopped) return;
    // posted after the last step's report, so the page's step counter is final when it arrives
    postMessage({ type: "paused" });
    while (paused && !stopped) await new Promise((resolve) => (wake = resolve));
    postMessage({ type: "resumed" });
  },
  stopped: () => stopped,
};

onmessage = async (e) => {
  const msg = e.data;
  try {
    if (msg.type === "start") {
      if (running) throw new Error("a run is in progress: stop it first");
      await ready;
      running = true;
      paused = stopped = false;
      run?.model.dispose();
      run = undefined;
      try {
        run = await train(alpt, msg.config, control, (r) => postMessage(r));
      } finally {
        running = false;
      }
    } else if (msg.type === "pause") {
      paused = true;
    } else if (msg.type === "resume") {
      paused = false;
      wake();
    } else if (msg.type === "stop") {
      stopped = true;
      wake();
    } else if (msg.type === "predict") {
      if (running) throw new Error("predict: a run is in progress: stop it first");
      await ready;
      const modelBytes = msg.modelFile ? new Uint8Array(await msg.modelFile.arrayBuffer()) : undefined;
      const r = await predictFile(alpt, { modelBytes, modelName: msg.modelFile?.name, run, file: msg.dataFile, name: msg.dataFile.name });
      const name = `${msg.dataFile.name.replace(/\.[^.]*$/, "")}.predictions.csv`;
      postMessage({ type: "predicted", rows: r.rows, auc: r.auc, format: r.format, skipped: r.skipped, errors: r.errors, name });
      postMessage({ type: "file", kind: "predictions", name, bytes: r.csv }, [r.csv.buffer]);
    } else if (msg.type === "file") {
      if (!run) throw new Error("no trained model yet");
      const { name, bytes } = fileOf(alpt, run, msg.kind);
      const copy = bytes.slice(); // off the heap, so it can be transferred
      postMessage({ type: "file", kind: msg.kind, name, bytes: copy }, [copy.buffer]);
    }
  } catch (err) {
    postMessage({ type: "error", message: String(err?.message ?? err) });
  }
};
