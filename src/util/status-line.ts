// A status display for long work on a text stream (stderr by default): on a terminal, one line
// redrawn in place ("bar" mode, at most a few times a second); elsewhere — a pipe, a log file,
// CI — a plain line every few seconds ("lines" mode), so a log shows that the run is alive; or
// nothing ("off"). The caller asks due() before formatting, so a tight loop costs one clock read.
// Durations and rates are formatted here too (formatDuration, formatRate), for every display.

/** Where the status goes: process.stderr, or anything with write() (tests). */
export interface StatusStream {
  isTTY?: boolean;
  write(s: string): unknown;
}

/** bar: redrawn in place (terminals); lines: a line per interval (pipes, files); off: silent. */
export type StatusMode = "bar" | "lines" | "off";

/** Default intervals: redraws of a bar, lines in a log. */
export const BAR_INTERVAL_MS = 200;
export const LINES_INTERVAL_MS = 5000;

/** process.stderr where there is one (Node), else undefined (browsers, Workers). */
export function stderrStream(): StatusStream | undefined {
  const p = (globalThis as { process?: { stderr?: StatusStream } }).process;
  return p?.stderr;
}

/** "bar" on a terminal, "lines" elsewhere, "off" without a stream. */
export function autoStatusMode(stream: StatusStream | undefined = stderrStream()): StatusMode {
  return !stream ? "off" : stream.isTTY ? "bar" : "lines";
}

/** 75 → "1m15s", 3725 → "1h02m", 9 → "9s"; "?" when not finite. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** 41234.5 → "41,235". */
export function formatCount(v: number): string {
  return Number.isFinite(v) ? Math.round(v).toLocaleString("en") : "?";
}

/** A 20-character bar for a fraction in [0, 1]. */
export function barOf(fraction: number, width = 20): string {
  const full = Math.max(0, Math.min(width, Math.round(width * fraction)));
  return "█".repeat(full).padEnd(width, "·");
}

/** Options of a StatusLine. */
export interface StatusLineOptions {
  mode: StatusMode;
  /** Least time between two draws (default 200 ms for a bar, 5000 ms for lines; 0: every call). */
  intervalMs?: number;
  /** Default: process.stderr. */
  stream?: StatusStream;
  /** The clock (tests); default performance.now. */
  now?: () => number;
}

export class StatusLine {
  readonly mode: StatusMode;
  readonly intervalMs: number;
  private readonly stream: StatusStream | undefined;
  private readonly now: () => number;
  private last: number;
  private drawn = false;

  constructor(o: StatusLineOptions) {
    this.stream = o.stream ?? stderrStream();
    this.mode = this.stream ? o.mode : "off";
    this.intervalMs = o.intervalMs ?? (o.mode === "bar" ? BAR_INTERVAL_MS : LINES_INTERVAL_MS);
    if (!(this.intervalMs >= 0)) throw new RangeError(`StatusLine: intervalMs = ${this.intervalMs} must be ≥ 0`);
    this.now = o.now ?? (() => performance.now());
    // a bar shows at the first call; lines start after one interval (short work prints none)
    this.last = this.mode === "bar" ? -Infinity : this.now();
  }

  /** True (and the interval restarts) when the interval has passed since the last draw. */
  due(): boolean {
    const t = this.now();
    if (t - this.last < this.intervalMs) return false;
    this.last = t;
    return true;
  }

  /** Shows `text`: redrawn in place (bar) or as its own line (lines). */
  show(text: string): void {
    if (this.mode === "bar") {
      this.stream!.write(`\r\x1b[2K${text}`);
      this.drawn = true;
    } else if (this.mode === "lines") this.stream!.write(`${text}\n`);
  }

  /** Prints a line of its own (above the bar, which is redrawn at the next show). */
  note(line: string): void {
    if (this.mode === "off") return;
    this.clear();
    this.stream!.write(`${line}\n`);
  }

  /** Clears the bar, e.g. before another stream (stdout) writes to the same terminal. */
  clear(): void {
    if (this.drawn) this.stream!.write("\r\x1b[2K");
    this.drawn = false;
  }
}
