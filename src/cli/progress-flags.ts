// The progress flags of the long commands (train, prepare, demo): --progress auto|bar|lines|off
// and --progress-every SECONDS, and how they resolve against the output: a bar on a terminal, a
// line every N seconds elsewhere (so a log file shows that the run is alive), and with --json no
// text on stderr but `progress` records on stdout at the same interval.
import { flag, type FlagSpec, type Output, type Parsed } from "./args.js";
import { autoStatusMode, LINES_INTERVAL_MS, type StatusMode } from "../util/status-line.js";

export const PROGRESS_FLAGS: FlagSpec[] = [
  { name: "progress", type: "choice", choices: ["auto", "bar", "lines", "off"], help: "progress on stderr: a bar redrawn in place, a line every --progress-every seconds, or nothing; auto: a bar on a terminal, lines otherwise", default: "auto" },
  { name: "progress-every", type: "number", min: 0, metavar: "SECONDS", help: `seconds between progress lines (and --json progress records)`, default: String(LINES_INTERVAL_MS / 1000) },
];

/** How a command shows progress: the display on stderr, its interval, and whether to emit records. */
export interface ProgressChoice {
  mode: StatusMode;
  /** Undefined: the display's default (a bar: 200 ms). */
  intervalMs: number | undefined;
  /** --json: `progress` records on stdout (and no display). */
  records: boolean;
}

export function progressChoice(p: Parsed, out: Output): ProgressChoice {
  const every = flag<number>(p, "progress-every");
  const asked = flag<string>(p, "progress") ?? "auto";
  const records = out.json && asked !== "off";
  const mode: StatusMode = out.json ? "off" : asked === "auto" ? autoStatusMode() : (asked as StatusMode);
  // lines (and records) default to 5 s; a bar keeps its own redraw rate unless asked
  const intervalMs = every !== undefined ? every * 1000 : mode === "bar" ? undefined : LINES_INTERVAL_MS;
  return { mode, intervalMs, records };
}
