// The training log of `alpt train --log FILE`: JSON lines written as the run goes — a header
// describing the run, then one record per step (loss, lr) and per evaluation (AUC, logloss,
// mid-epoch or epoch end), and an end record — and its reader for `alpt plot`. The writer buffers
// and flushes at every evaluation and at least once a second, so `tail -f` and a plot of a
// running (or killed) log see it nearly up to date; the reader accepts an unfinished last line.
import { closeSync, openSync, writeSync } from "node:fs";
import { readFile } from "node:fs/promises";

export const TRAIN_LOG_FORMAT = "alpt-train-log";
export const TRAIN_LOG_VERSION = 1;

/** The first line: what was trained on what. */
export interface TrainLogHeader {
  kind: "header";
  format: typeof TRAIN_LOG_FORMAT;
  version: number;
  startedAt: string;
  model: string;
  method: string;
  bits: number;
  experiment: string | null;
  data: string;
  trainRows: number;
  validRows: number;
  batchSize: number;
  stepsPerEpoch: number;
  epochs: number;
  /** Steps already done when the run started (a resumed run), else 0. */
  startStep: number;
  /** The run's settings (flags and config). */
  settings: Record<string, unknown>;
}

/** One training step: its global step number, epoch, loss and learning rate; t: seconds since start. */
export interface TrainLogStep {
  kind: "step";
  epoch: number;
  step: number;
  loss: number | null;
  lr: number;
  t: number;
}

/** One evaluation on the validation split. */
export interface TrainLogEval {
  kind: "eval";
  epoch: number;
  step: number;
  midEpoch: boolean;
  auc: number;
  logloss: number;
  t: number;
}

/** The last line of a finished run. */
export interface TrainLogEnd {
  kind: "end";
  steps: number;
  bestEpoch: number;
  bestStep: number;
  stoppedEarly: boolean;
  valAuc: number | null;
  valLogloss: number | null;
  seconds: number;
}

/** A JSON number, or null where JSON has none (NaN, ±Infinity: a diverged loss). */
const num = (v: number) => (Number.isFinite(v) ? v : null);

/** Appends records to a log file as training goes. */
export class TrainLogWriter {
  private fd: number;
  private buffer: string[] = [];
  private bytes = 0;
  private lastFlush = performance.now();
  private readonly t0 = performance.now();

  /** Creates (or truncates) `path` and writes the header. */
  constructor(readonly path: string, header: Omit<TrainLogHeader, "kind" | "format" | "version" | "startedAt">) {
    try {
      this.fd = openSync(path, "w");
    } catch (e) {
      throw new Error(`cannot write the training log ${path}: ${(e as Error).message}`, { cause: e });
    }
    this.push({ kind: "header", format: TRAIN_LOG_FORMAT, version: TRAIN_LOG_VERSION, startedAt: new Date().toISOString(), ...header });
    this.flush();
  }

  private seconds(): number {
    return Math.round(performance.now() - this.t0) / 1000;
  }

  private push(record: object): void {
    const line = JSON.stringify(record) + "\n";
    this.buffer.push(line);
    this.bytes += line.length;
    if (this.bytes > 256 * 1024 || performance.now() - this.lastFlush > 1000) this.flush();
  }

  step(epoch: number, step: number, loss: number, lr: number): void {
    this.push({ kind: "step", epoch, step, loss: num(loss), lr, t: this.seconds() } satisfies TrainLogStep);
  }

  evaluation(epoch: number, step: number, midEpoch: boolean, auc: number, logloss: number): void {
    this.push({ kind: "eval", epoch, step, midEpoch, auc, logloss, t: this.seconds() } satisfies TrainLogEval);
    this.flush();
  }

  end(e: Omit<TrainLogEnd, "kind">): void {
    this.push({ kind: "end", ...e });
    this.close();
  }

  /** Writes what is buffered. */
  flush(): void {
    if (this.fd < 0 || this.buffer.length === 0) return;
    const text = this.buffer.join("");
    this.buffer = [];
    this.bytes = 0;
    this.lastFlush = performance.now();
    try {
      writeSync(this.fd, text);
    } catch (e) {
      throw new Error(`cannot write the training log ${this.path}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Flushes and closes (a second call does nothing). */
  close(): void {
    if (this.fd < 0) return;
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** A log as read back. */
export interface TrainLog {
  path: string;
  header: TrainLogHeader;
  steps: TrainLogStep[];
  evals: TrainLogEval[];
  end?: TrainLogEnd;
  /** True when the last line was cut off (a run still going, or killed mid-write). */
  truncated: boolean;
}

/** Parses the text of a log; errors name `path`:line. */
export function parseTrainLog(text: string, path: string): TrainLog {
  const lines = text.split("\n");
  const log: Partial<TrainLog> & { steps: TrainLogStep[]; evals: TrainLogEval[] } = { path, steps: [], evals: [], truncated: false };
  const finite = (r: Record<string, unknown>, keys: string[], at: string) => {
    for (const k of keys) if (typeof r[k] !== "number" || !Number.isFinite(r[k])) throw new Error(`${at}: "${k}" is not a number`);
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const at = `${path}:${i + 1}`;
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      if (!log.header) throw new Error(`${at}: not an alpt training log (not JSON; \`alpt train --log FILE\` writes JSON lines)`);
      if (i === lines.length - 1) {
        log.truncated = true; // an unfinished last line: the run is still writing (or was killed)
        break;
      }
      throw new Error(`${at}: not a JSON line`);
    }
    if (i === 0 || !log.header) {
      if (r.kind !== "header" || r.format !== TRAIN_LOG_FORMAT) throw new Error(`${at}: not an alpt training log (the first line must be a header with "format": "${TRAIN_LOG_FORMAT}", as \`alpt train --log FILE\` writes)`);
      if (typeof r.version !== "number" || r.version > TRAIN_LOG_VERSION) throw new Error(`${at}: log version ${String(r.version)} is newer than this alpt reads (${TRAIN_LOG_VERSION})`);
      finite(r, ["stepsPerEpoch", "batchSize"], at);
      log.header = r as unknown as TrainLogHeader;
      continue;
    }
    if (r.kind === "step") {
      finite(r, ["epoch", "step"], at);
      if (r.loss !== null && typeof r.loss !== "number") throw new Error(`${at}: "loss" is not a number`);
      log.steps.push(r as unknown as TrainLogStep);
    } else if (r.kind === "eval") {
      finite(r, ["epoch", "step", "auc", "logloss"], at);
      log.evals.push(r as unknown as TrainLogEval);
    } else if (r.kind === "end") log.end = r as unknown as TrainLogEnd;
    // other kinds: written by a later alpt; skipped
  }
  if (!log.header) throw new Error(`${path}: empty (no header line)`);
  return log as TrainLog;
}

/** Reads and parses a log file. */
export async function readTrainLog(path: string): Promise<TrainLog> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new Error(`${path}: cannot read the training log: ${(e as Error).message}`, { cause: e });
  }
  return parseTrainLog(text, path);
}
