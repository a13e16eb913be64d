// Training logs and their plot: the log reader (header, steps, evaluations, end; an unfinished
// last line accepted; errors naming file:line), and the two-panel SVG of several runs (well
// formed, one series per run in each panel with its label, windows of steps for long runs).
import { describe, expect, it } from "vitest";
import { parseTrainLog, TRAIN_LOG_FORMAT, type TrainLog } from "../../src/io/train-log.js";
import { lossWindow, runCurvesSvg } from "../../src/report/run-curves.js";
import { lineChart, stackCharts } from "../../src/report/svg.js";
import { xmlProblems } from "./xml.js";

const header = (o: Record<string, unknown> = {}) => JSON.stringify({
  kind: "header", format: TRAIN_LOG_FORMAT, version: 1, startedAt: "2026-11-27T00:00:00Z", model: "DCN", method: "alpt", bits: 4,
  experiment: null, data: "prep", trainRows: 1000, validRows: 100, batchSize: 100, stepsPerEpoch: 10, epochs: 2, startStep: 0, settings: {}, ...o,
});

function logText(steps: number, evalEvery: number, auc0: number, o: Record<string, unknown> = {}): string {
  const lines = [header(o)];
  for (let s = 1; s <= steps; s++) {
    lines.push(JSON.stringify({ kind: "step", epoch: Math.ceil(s / 10), step: s, loss: 0.7 - s * 0.001, lr: 1e-3, t: s / 10 }));
    if (s % evalEvery === 0) lines.push(JSON.stringify({ kind: "eval", epoch: Math.ceil(s / 10), step: s, midEpoch: s % 10 !== 0, auc: auc0 + s * 1e-4, logloss: 0.5, t: s / 10 }));
  }
  return lines.join("\n") + "\n";
}

describe("parseTrainLog", () => {
  it("reads steps, evaluations and the end record", () => {
    const text = logText(20, 5, 0.7) + JSON.stringify({ kind: "end", steps: 20, bestEpoch: 2, bestStep: 20, stoppedEarly: false, valAuc: 0.702, valLogloss: 0.5, seconds: 2 }) + "\n";
    const log = parseTrainLog(text, "a.jsonl");
    expect(log.header.model).toBe("DCN");
    expect(log.steps).toHaveLength(20);
    expect(log.evals.map((e) => [e.step, e.midEpoch])).toEqual([[5, true], [10, false], [15, true], [20, false]]);
    expect(log.end?.bestStep).toBe(20);
    expect(log.truncated).toBe(false);
  });

  it("accepts an unfinished last line (a run still writing), and a null loss (diverged)", () => {
    const text = logText(3, 100, 0.7) + '{"kind":"step","epoch":1,"ste';
    const log = parseTrainLog(text.replace('"loss":0.699', '"loss":null'), "a.jsonl");
    expect(log.truncated).toBe(true);
    expect(log.steps).toHaveLength(3);
    expect(log.steps[0]!.loss).toBeNull();
  });

  it("names the file and line of what is wrong", () => {
    expect(() => parseTrainLog('{"kind":"step"}\n', "x.jsonl")).toThrow("x.jsonl:1: not an alpt training log");
    expect(() => parseTrainLog(`${header()}\nnot json\n{}\n`, "x.jsonl")).toThrow("x.jsonl:2: not a JSON line");
    expect(() => parseTrainLog(`${header()}\n{"kind":"eval","epoch":1,"step":2,"auc":"high","logloss":1}\n`, "x.jsonl")).toThrow('x.jsonl:2: "auc" is not a number');
    expect(() => parseTrainLog(header({ version: 9 }) + "\n", "x.jsonl")).toThrow("x.jsonl:1: log version 9 is newer");
    expect(() => parseTrainLog("", "x.jsonl")).toThrow("x.jsonl: empty");
  });
});

describe("runCurvesSvg", () => {
  const run = (label: string, text: string): { label: string; log: TrainLog } => ({ label, log: parseTrainLog(text, `${label}.jsonl`) });

  it("draws two runs in both panels, each with its label and colour", () => {
    const svg = runCurvesSvg([run("b4 <alpt>", logText(20, 5, 0.70)), run("b2", logText(20, 5, 0.69))], "bits");
    expect(xmlProblems(svg)).toEqual([]);
    for (const label of ["b4 &lt;alpt&gt;", "b2"]) {
      expect(svg.split(`data-series="${label}"`)).toHaveLength(3); // loss panel + AUC panel
      expect(svg.split(`>${label}</text>`)).toHaveLength(3); // a legend entry in each panel
    }
    expect(svg).toContain("bits: training loss");
    expect(svg).toContain("bits: validation AUC");
    // distinct clip paths, so the panels can share the document
    expect(svg).toContain('id="loss-plot"');
    expect(svg).toContain('id="auc-plot"');
    // 4 evaluations per run → 4 markers per run in the AUC panel
    expect(svg.match(/<circle /g)).toHaveLength(8);
  });

  it("averages windows of steps for long runs", () => {
    expect(lossWindow(400)).toBe(1);
    expect(lossWindow(4001)).toBe(11);
    const svg = runCurvesSvg([run("long", logText(2000, 1000, 0.7, { stepsPerEpoch: 1000 }))]);
    expect(svg).toContain("training loss (mean of 5 steps)");
    const lossPath = /data-series="long">\n<path d="([^"]+)"/.exec(svg)![1]!;
    expect(lossPath.split(/[ML]/).filter((s) => s.trim() !== "")).toHaveLength(400);
  });
});

describe("stackCharts", () => {
  it("puts charts one above the other in one document", () => {
    const a = lineChart({ title: "a", xLabel: "x", yLabel: "y", series: [{ name: "s", points: [{ x: 0, y: 1 }] }], clipId: "a", height: 300 });
    const b = lineChart({ title: "b", xLabel: "x", yLabel: "y", series: [{ name: "s", points: [{ x: 0, y: 1 }] }], clipId: "b", height: 200 });
    const svg = stackCharts("both", [a, b]);
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="640.00" height="500.00"/);
    expect(svg).toContain('<svg x="0" y="300.00" width="640" height="200"');
    expect(() => stackCharts("x", ["<div/>"])).toThrow("not a chart");
  });
});
