// Learning-rate schedules. The trainer calls them at epoch ends:
//   stepDecay:       lr = base · γ^(number of milestones ≤ epochs done)
//                    (the ALPT paper: divide by 10 after epochs 6 and 9 → milestones [6, 9])
//   ReduceOnPlateau: multiply by `factor` after `patience` epochs without improvement of the
//                    monitored metric (by more than `threshold`), never below `minLr`.

/** lr after `epochsDone` epochs under step decay. */
export function stepDecay(base: number, epochsDone: number, milestones: readonly number[] = [6, 9], gamma = 0.1): number {
  let lr = base;
  for (const m of milestones) if (epochsDone >= m) lr *= gamma;
  return lr;
}

/** Options of ReduceOnPlateau. */
export interface PlateauOptions {
  mode?: "max" | "min";
  factor?: number;
  patience?: number;
  threshold?: number;
  minLr?: number;
}

/** Reduces the learning rate when a monitored metric stops improving. */
export class ReduceOnPlateau {
  private best: number;
  private bad = 0;
  readonly mode: "max" | "min";
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly minLr: number;

  constructor({ mode = "max", factor = 0.1, patience = 1, threshold = 1e-4, minLr = 1e-6 }: PlateauOptions = {}) {
    if (!(factor > 0 && factor < 1)) throw new RangeError(`ReduceOnPlateau: factor = ${factor} must be in (0, 1)`);
    if (!(Number.isInteger(patience) && patience >= 0)) throw new RangeError(`ReduceOnPlateau: patience = ${patience}`);
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.minLr = minLr;
    this.best = mode === "max" ? -Infinity : Infinity;
  }

  /** What resuming needs: the best metric so far and the count of bad epochs. */
  state(): { best: number; bad: number } {
    return { best: this.best, bad: this.bad };
  }

  load(s: { best: number; bad: number }): void {
    this.best = s.best;
    this.bad = s.bad;
  }

  /** Observes the metric of an epoch and returns the learning rate to use next. */
  observe(metric: number, lr: number): number {
    const better = this.mode === "max" ? metric > this.best + this.threshold : metric < this.best - this.threshold;
    if (better) {
      this.best = metric;
      this.bad = 0;
      return lr;
    }
    this.bad++;
    if (this.bad > this.patience) {
      this.bad = 0;
      return Math.max(this.minLr, lr * this.factor);
    }
    return lr;
  }
}
