// Training progress inside an epoch: epoch, step, mean loss since the last report, samples/s and
// ETA, shown through a StatusLine (a bar redrawn in place on a TTY, a plain line every few
// seconds in a log, or nothing), and/or handed to a callback at the same cadence (the CLI's
// --json `progress` events). The Trainer's default ("auto") is a bar on a TTY and silence
// elsewhere, so a library user's logs do not fill with lines they did not ask for.
import { StatusLine, barOf, formatCount, formatDuration, stderrStream, type StatusMode, type StatusStream } from "../util/status-line.js";

/** One progress report. */
export interface TrainProgress {
  epoch: number;
  epochs: number;
  /** The step counted from the run's start, as in TrainEvent (a resumed run goes on counting). */
  step: number;
  /** The step within the epoch (1-based) and the epoch's steps. */
  epochStep: number;
  stepsPerEpoch: number;
  /** Steps done by this run (a resumed run counts from its start). */
  steps: number;
  /** Mean training loss over the steps since the previous report, and how many steps that is. */
  loss: number;
  lossSteps: number;
  samplesPerSec: number;
  /** Seconds since the run started, and an estimate of the seconds left (evaluations included). */
  elapsedSeconds: number;
  etaSeconds: number;
}

/** Options of a Progress (the Trainer's `progress` option takes these too). */
export interface ProgressOptions {
  /** "auto": a bar on a TTY, else nothing (default). */
  mode?: StatusMode | "auto";
  /** Least time between two reports (default 200 ms for a bar, 5000 ms for lines). */
  intervalMs?: number;
  stream?: StatusStream;
  /** Text before each report (e.g. the method a demo is running). */
  label?: string;
  /** Print validation results as lines of their own (default true). */
  notes?: boolean;
  /** Called with every report (also in mode "off"). */
  onReport?: (p: TrainProgress) => void;
}

/** Where the Trainer is: what update() needs. */
export interface StepPosition {
  epoch: number;
  epochs: number;
  /** As in TrainProgress. */
  step: number;
  epochStep: number;
  stepsPerEpoch: number;
  /** Steps left in the run after this one. */
  stepsLeft: number;
  loss: number;
  /** Samples and milliseconds of this run so far. */
  samples: number;
  ms: number;
}

export class Progress {
  private readonly line: StatusLine;
  private readonly o: ProgressOptions;
  private lossSum = 0;
  private lossSteps = 0;
  private steps = 0;

  constructor(o: boolean | "auto" | ProgressOptions = "auto") {
    const opts: ProgressOptions = typeof o === "object" ? o : { mode: o === true ? "bar" : o === false ? "off" : "auto" };
    this.o = opts;
    const stream = opts.stream ?? stderrStream();
    const mode = opts.mode === "auto" || opts.mode === undefined ? (stream?.isTTY ? "bar" : "off") : opts.mode;
    this.line = new StatusLine({ mode, stream, ...(opts.intervalMs !== undefined ? { intervalMs: opts.intervalMs } : {}) });
  }

  /** Records a step; reports when the interval has passed or the epoch ends (bar only). */
  update(p: StepPosition): void {
    this.steps++;
    if (Number.isFinite(p.loss)) {
      this.lossSum += p.loss;
      this.lossSteps++;
    }
    if (this.line.mode === "off" && !this.o.onReport) return;
    const last = p.epochStep === p.stepsPerEpoch && this.line.mode === "bar";
    if (!this.line.due() && !last) return;
    const seconds = p.ms / 1000;
    const rate = p.samples / Math.max(seconds, 1e-9);
    const r: TrainProgress = {
      epoch: p.epoch, epochs: p.epochs, step: p.step, epochStep: p.epochStep, stepsPerEpoch: p.stepsPerEpoch, steps: this.steps,
      loss: this.lossSteps ? this.lossSum / this.lossSteps : NaN, lossSteps: this.lossSteps, samplesPerSec: rate,
      elapsedSeconds: seconds, etaSeconds: (p.stepsLeft * seconds) / this.steps,
    };
    this.lossSum = 0;
    this.lossSteps = 0;
    this.o.onReport?.(r);
    if (this.line.mode !== "off") this.line.show(this.text(r));
  }

  private text(r: TrainProgress): string {
    const label = this.o.label ? `${this.o.label}: ` : "";
    const pct = `${Math.floor((100 * r.epochStep) / r.stepsPerEpoch)}%`;
    const where = this.line.mode === "bar"
      ? `epoch ${r.epoch}/${r.epochs} ${barOf(r.epochStep / r.stepsPerEpoch)} ${r.epochStep}/${r.stepsPerEpoch}`
      : `epoch ${r.epoch}/${r.epochs} step ${r.epochStep}/${r.stepsPerEpoch} (${pct})`;
    return `${label}${where}  loss ${r.loss.toFixed(4)}  ${formatCount(r.samplesPerSec)} samples/s  elapsed ${formatDuration(r.elapsedSeconds)}  ETA ${formatDuration(r.etaSeconds)}`;
  }

  /** Prints a validation result as its own line (unless notes: false). */
  note(line: string): void {
    if (this.o.notes ?? true) this.line.note(`${this.o.label ? `${this.o.label}: ` : ""}${line}`);
  }

  /** Clears the bar (before a callback may print to the same terminal). */
  clear(): void {
    this.line.clear();
  }

  /** Clears the bar at the end. */
  done(): void {
    this.line.clear();
  }
}
