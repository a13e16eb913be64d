// A one-line progress display on stderr when it is a TTY (epoch, step, samples/s, loss, ETA),
// silent otherwise (pipes, CI, browsers, Workers). Notes (evaluations) print as their own lines.

interface Stream {
  isTTY?: boolean;
  write(s: string): unknown;
}

function stderr(): Stream | undefined {
  const p = (globalThis as { process?: { stderr?: Stream } }).process;
  return p?.stderr;
}

export class Progress {
  private readonly out: Stream | undefined;
  private last = 0;
  private drawn = false;

  constructor(mode: boolean | "auto") {
    const s = stderr();
    this.out = mode === true || (mode === "auto" && s?.isTTY) ? s : undefined;
  }

  /** Redraws the line at most 10 times a second. */
  update(epoch: number, epochs: number, step: number, steps: number, loss: number, samples: number, ms: number): void {
    if (!this.out) return;
    const now = performance.now();
    if (now - this.last < 100 && step !== steps) return;
    this.last = now;
    const rate = samples / (ms / 1000);
    const left = ((epochs - epoch) * steps + (steps - step)) * (samples / Math.max(1, (epoch - 1) * steps + step));
    const eta = rate > 0 ? Math.round(left / rate) : 0;
    const bar = "█".repeat(Math.round((20 * step) / steps)).padEnd(20, "·");
    this.out.write(
      `\r\x1b[2Kepoch ${epoch}/${epochs} ${bar} ${step}/${steps}  loss ${loss.toFixed(4)}  ${Math.round(rate).toLocaleString("en")} samples/s  ETA ${eta}s`,
    );
    this.drawn = true;
  }

  /** Prints a line above the progress line. */
  note(line: string): void {
    if (!this.out) return;
    this.out.write(`${this.drawn ? "\r\x1b[2K" : ""}${line}\n`);
    this.drawn = false;
  }

  /** Clears the line. */
  done(): void {
    if (this.out && this.drawn) this.out.write("\r\x1b[2K");
    this.drawn = false;
  }
}
