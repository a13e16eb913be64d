// `alpt plot LOG [LOG…] --out runs.svg`: the training logs of `alpt train --log` as one SVG —
// training loss and validation AUC against epochs, one colour per run (report/run-curves.ts) —
// written atomically. A log still being written (or cut off) is drawn up to its last full line.
import { basename, dirname, extname, join } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { readTrainLog } from "../io/train-log.js";
import { describeRun, runCurvesSvg, type RunCurve } from "../report/run-curves.js";
import { UsageError, flag, type CommandSpec, type Output, type Parsed } from "./args.js";
import { requireWritableFile } from "./targets.js";

export const spec: CommandSpec = {
  name: "plot",
  summary: "draw the loss and AUC curves of training logs (alpt train --log) as an SVG",
  positionals: [{ name: "log", help: "a training log written by `alpt train --log FILE` (several: one chart)", required: true, variadic: true }],
  flags: [
    { name: "out", type: "string", metavar: "FILE", help: "the SVG to write (default: next to the first log, its name with .svg)" },
    { name: "labels", type: "string", metavar: "A,B,…", help: "legend names of the runs, in order (default: file name, model, method, bits)" },
    { name: "title", type: "string", metavar: "TEXT", help: "the chart's title", default: "Training runs" },
  ],
  details: `Two panels, one above the other: the training loss (the mean over windows of steps when a run has
more than 400 steps) and the validation AUC at each evaluation, both against epochs (step / steps
per epoch, so runs with different batch sizes line up). A run keeps its colour in both panels.

Example:
  alpt train --data prepared --bits 4 --log b4.jsonl --out b4.safetensors
  alpt train --data prepared --bits 2 --log b2.jsonl --out b2.safetensors
  alpt plot b4.jsonl b2.jsonl --out bits.svg`,
};

const stem = (path: string) => basename(path, extname(path));

export async function run(p: Parsed, out: Output): Promise<number> {
  const paths = p.positionals;
  const outPath = flag<string>(p, "out") ?? join(dirname(paths[0]!), `${stem(paths[0]!)}.svg`);
  const labelsFlag = flag<string>(p, "labels");
  const labels = labelsFlag?.split(",").map((s) => s.trim());
  if (labels && labels.length !== paths.length) throw new UsageError(`option --labels has ${labels.length} name(s) for ${paths.length} log(s); give one per log, comma-separated`);
  if (paths.some((x) => x === outPath)) throw new UsageError(`--out ${outPath} is one of the logs; choose another file`);
  await requireWritableFile(outPath, "--out");
  const runs: RunCurve[] = [];
  for (const [i, path] of paths.entries()) {
    const log = await readTrainLog(path);
    if (log.truncated) out.note(`note: ${path}: the last line is unfinished (a run still writing?); drawn up to the line before`);
    if (log.steps.length === 0 && log.evals.length === 0) out.note(`note: ${path}: no steps or evaluations yet`);
    runs.push({ label: labels?.[i] ?? `${stem(path)} (${describeRun(log)})`, log });
  }
  const svg = runCurvesSvg(runs, flag<string>(p, "title") ?? "Training runs");
  await writeFileAtomic(outPath, new TextEncoder().encode(svg));
  out.record({ event: "done", command: "plot", out: outPath, runs: runs.map((r) => ({ log: r.log.path, label: r.label, steps: r.log.steps.length, evals: r.log.evals.length, finished: r.log.end !== undefined })) });
  out.text(`plotted ${runs.length} run${runs.length === 1 ? "" : "s"} into ${outPath}`);
  for (const r of runs) {
    const lastEval = r.log.evals[r.log.evals.length - 1];
    out.text(`  ${r.label}: ${r.log.steps.length.toLocaleString("en")} steps, ${r.log.evals.length} evaluation${r.log.evals.length === 1 ? "" : "s"}${lastEval ? `, last val AUC ${lastEval.auc.toFixed(5)}` : ""}${r.log.end ? "" : " (unfinished)"}`);
  }
  return 0;
}
