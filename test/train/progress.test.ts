// Progress displays: the StatusLine's three modes with a fake clock and stream (a bar redrawn in
// place, a line per interval, nothing), the Trainer's reports (every step with interval 0, the
// mean loss since the last report, an ETA that reaches 0), and the formatting helpers.
import { beforeAll, describe, expect, it } from "vitest";
import { SyntheticCtr } from "../../src/data/synthetic.js";
import { createModel } from "../../src/models/registry.js";
import type { TrainProgress } from "../../src/train/progress.js";
import { Trainer } from "../../src/train/trainer.js";
import { StatusLine, barOf, formatDuration } from "../../src/util/status-line.js";
import { engine } from "../helpers/engine.js";

beforeAll(engine);

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (s: string) => void writes.push(s) } };
}

describe("StatusLine", () => {
  it("lines: one line per interval, the first after one interval", () => {
    let t = 0;
    const { writes, stream } = fakeStream(false);
    const s = new StatusLine({ mode: "lines", intervalMs: 1000, stream, now: () => t });
    const shown: number[] = [];
    for (t = 0; t <= 3500; t += 100) if (s.due()) {
      s.show(`at ${t}`);
      shown.push(t);
    }
    expect(shown).toEqual([1000, 2000, 3000]);
    expect(writes).toEqual(["at 1000\n", "at 2000\n", "at 3000\n"]);
  });

  it("bar: drawn at once, redrawn in place, cleared before a note", () => {
    let t = 0;
    const { writes, stream } = fakeStream(true);
    const s = new StatusLine({ mode: "bar", stream, now: () => t });
    expect(s.intervalMs).toBe(200);
    expect(s.due()).toBe(true);
    s.show("a");
    t = 100;
    expect(s.due()).toBe(false);
    t = 250;
    expect(s.due()).toBe(true);
    s.show("b");
    s.note("eval");
    expect(writes).toEqual(["\r\x1b[2Ka", "\r\x1b[2Kb", "\r\x1b[2K", "eval\n"]);
  });

  it("off: writes nothing", () => {
    const { writes, stream } = fakeStream(true);
    const s = new StatusLine({ mode: "off", stream });
    s.show("x");
    s.note("y");
    s.clear();
    expect(writes).toEqual([]);
    expect(() => new StatusLine({ mode: "lines", intervalMs: -1, stream })).toThrow("intervalMs = -1");
  });

  it("formats durations and bars", () => {
    expect([formatDuration(9.4), formatDuration(75), formatDuration(3725), formatDuration(NaN)]).toEqual(["9s", "1m15s", "1h02m", "?"]);
    expect(barOf(0.5, 10)).toBe("█████·····");
    expect(barOf(2, 4)).toBe("████");
  });
});

describe("Trainer progress", () => {
  const gen = new SyntheticCtr({ seed: 4, vocabSize: 500, numericFields: 2, categoricalFields: 4, interactionPairs: 2 });
  const train = gen.generate(0, 1000);
  const valid = gen.generate(1000, 500);
  const model = () => createModel("DeepFM", { fieldSizes: gen.fieldSizes, embeddingDim: 4, hiddenUnits: [8], seed: 1, embedding: { method: "alpt", bits: 4 } });

  it("reports every step with interval 0: lines on the stream, records to the callback", () => {
    const m = model();
    const { writes, stream } = fakeStream(false);
    const reports: TrainProgress[] = [];
    const losses: number[] = [];
    new Trainer(m, {
      epochs: 2, batchSize: 256, onStep: (e) => losses.push(e.loss),
      progress: { mode: "lines", intervalMs: 0, stream, label: "b4", onReport: (r) => reports.push(r) },
    }).fit(train, valid);
    expect(reports).toHaveLength(8); // 2 epochs × ceil(1000 / 256)
    expect(reports.map((r) => [r.epoch, r.epochStep])).toEqual([[1, 1], [1, 2], [1, 3], [1, 4], [2, 1], [2, 2], [2, 3], [2, 4]]);
    expect(reports.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(reports.map((r) => r.loss)).toEqual(losses);
    expect(reports.every((r) => r.lossSteps === 1 && r.samplesPerSec > 0 && r.stepsPerEpoch === 4)).toBe(true);
    expect(reports[reports.length - 1]!.etaSeconds).toBe(0);
    const lines = writes.filter((w) => w.startsWith("b4: epoch") && w.includes("samples/s"));
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/^b4: epoch 1\/2 step 1\/4 \(25%\)  loss \d\.\d{4}  [\d,]+ samples\/s  elapsed \d+s  ETA \S+\n$/);
    // validation results as lines of their own (notes), one per epoch end
    expect(writes.filter((w) => / val AUC /.test(w))).toHaveLength(2);
    m.dispose();
  });

  it("averages the loss over the steps since the last report", () => {
    const m = model();
    const reports: TrainProgress[] = [];
    const losses: number[] = [];
    new Trainer(m, {
      epochs: 1, batchSize: 100, onStep: (e) => losses.push(e.loss),
      progress: { mode: "off", intervalMs: 1e9, onReport: (r) => reports.push(r) },
    }).fit(train);
    expect(reports).toHaveLength(0); // the interval never passed
    m.dispose();
    const m2 = model();
    const { writes, stream } = fakeStream(true);
    new Trainer(m2, { epochs: 1, batchSize: 100, progress: { mode: "bar", intervalMs: 1e9, stream, onReport: (r) => reports.push(r) } }).fit(train);
    // a bar shows the first step at once and the epoch's last step always
    expect(reports.map((r) => r.epochStep)).toEqual([1, 10]);
    expect(reports[1]!.lossSteps).toBe(9);
    expect(writes[0]).toMatch(/^\r\x1b\[2Kepoch 1\/1 █*·* 1\/10  loss/);
    expect(writes[writes.length - 1]).toBe("\r\x1b[2K"); // cleared at the end
    m2.dispose();
  });
});
