// The training state a resume file carries besides the tensors (`alpt train` writes it at each
// epoch end, see train.ts), and its validation: a resume file is data from disk, so every setting
// is checked against the settings table (config.ts) and every field of the trainer state for its
// type and range before anything is built. The --out path is not stored (two identical runs to
// different paths write identical bytes): a resumed run writes next to its resume file unless
// --out is given.
import type { TrainerState } from "../train/trainer.js";
import { convert, expectation } from "./args.js";
import { SETTINGS, showValue, type Settings } from "./config.js";

/** What the resume file stores besides the tensors. */
export interface ResumeInfo {
  settings: Settings;
  experiment: string | null;
  state: TrainerState;
}

/** Settings kept out of a resume file: the path and the threads of this run, not part of the run itself (any thread count gives the same bits). */
export const RESUME_UNSTORED = ["out", "threads"];

/** The resume file next to `out`: model.safetensors → model.resume.safetensors. */
export function resumePathOf(out: string): string {
  return out.replace(/(\.safetensors)?$/, ".resume.safetensors");
}

/** The checkpoint a resume file belongs to: model.resume.safetensors → model.safetensors. */
export function outPathOfResume(resume: string): string {
  return resume.endsWith(".resume.safetensors") ? resume.slice(0, -".resume.safetensors".length) + ".safetensors" : resume + ".out.safetensors";
}

const isInt = (v: unknown, min: number): boolean => typeof v === "number" && Number.isSafeInteger(v) && v >= min;
const isNum = (v: unknown, min: number): boolean => typeof v === "number" && Number.isFinite(v) && v >= min;

/** Checks the `training` metadata of a resume file; errors name the file and the key (exit 1). */
export function checkResumeInfo(training: unknown, path: string): ResumeInfo {
  const t = training as Partial<ResumeInfo> | undefined;
  if (typeof t !== "object" || t === null || typeof t.settings !== "object" || t.settings === null || typeof t.state !== "object" || t.state === null) {
    throw new Error(`${path}: not a resume file (it has no training state); \`alpt train\` writes one next to its --out at each epoch end`);
  }
  const bad = (key: string, v: unknown, expected: string): never => {
    throw new Error(`${path}: training.${key} = ${showValue(v)}: expected ${expected} (the resume file is damaged)`);
  };
  if (t.experiment !== undefined && t.experiment !== null && typeof t.experiment !== "string") bad("experiment", t.experiment, "a string or null");
  const settings: Settings = {};
  for (const [k, v] of Object.entries(t.settings)) {
    const st = SETTINGS.find((x) => x.key === k);
    if (!st) throw new Error(`${path}: training.settings.${k.slice(0, 60)} is not a setting (the resume file is damaged)`);
    const c = convert(st, v, true);
    if (typeof c === "object" && !Array.isArray(c)) bad(`settings.${k}`, v, expectation(st));
    else settings[k] = c;
  }
  const s = t.state as unknown as Record<string, unknown>;
  const need = (key: string, ok: boolean, expected: string) => {
    if (!ok) bad(`state.${key}`, s[key], expected);
  };
  need("epoch", isInt(s.epoch, 1), "an integer ≥ 1");
  need("steps", isInt(s.steps, 0), "an integer ≥ 0");
  need("baseLr", isNum(s.baseLr, 0), "a finite number ≥ 0");
  need("lr", isNum(s.lr, 0), "a finite number ≥ 0");
  need("bestEpoch", isInt(s.bestEpoch, 0) && (s.bestEpoch as number) <= (s.epoch as number), `an integer in [0, ${String(s.epoch)}]`);
  need("bestStep", isInt(s.bestStep, 0) && (s.bestStep as number) <= (s.steps as number), `an integer in [0, ${String(s.steps)}]`);
  need("bad", isInt(s.bad, 0), "an integer ≥ 0");
  need("stoppedEarly", typeof s.stoppedEarly === "boolean", "true or false");
  if (s.best !== undefined) {
    const b = s.best as Record<string, unknown> | null;
    need("best", typeof b === "object" && b !== null && isNum(b.auc, 0) && isNum(b.logloss, 0), "{ auc, logloss } (finite numbers ≥ 0)");
  }
  if (s.plateau !== undefined) {
    const p = s.plateau as Record<string, unknown> | null;
    need("plateau", typeof p === "object" && p !== null && typeof p.best === "number" && !Number.isNaN(p.best) && isInt(p.bad, 0), "{ best, bad }");
  }
  return { settings, experiment: (t.experiment as string | null | undefined) ?? null, state: t.state as TrainerState };
}
