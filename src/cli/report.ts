#!/usr/bin/env node
// `node dist/cli/report.js --in FILE[,FILE…] --out docs/RESULTS.md --figures docs/figures`: turns
// experiment records (JSON lines from `npm run experiment`) into RESULTS.md plus SVG figures.
// Importing this file runs nothing: experiment.ts calls the exported writeReport. Exit codes:
// 0 ok, 1 runtime error (a file, a malformed record: file:line), 2 usage error.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writeReport, type WriteReportOptions } from "../report/write-report.js";

export { writeReport, type WriteReportOptions, type WrittenReport } from "../report/write-report.js";

const HELP = `Usage: node dist/cli/report.js --in FILE[,FILE…] --out FILE --figures DIR [options]

  --in FILES       experiment records, JSON lines (comma-separated, or --in repeated); read in
                   order, a later record of the same case replaces an earlier one
  --out FILE       the markdown report, e.g. docs/RESULTS.md
  --figures DIR    folder of the SVG figures, e.g. docs/figures (linked relative to --out)
  --command TEXT   the command that produced the records, shown in the report
  --date ISO       the report's date (default: now), e.g. 2026-11-27T10:00:00Z

Example:
  node dist/cli/report.js --in docs/experiments/paper-criteo.jsonl,docs/experiments/paper-avazu.jsonl \\
    --out docs/RESULTS.md --figures docs/figures --command "npm run -s experiment -- criteo"`;

/** A mistake in how the command was called (exit code 2). */
export class ReportUsageError extends Error {
  override name = "ReportUsageError";
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Parses the command line; "help" for --help / -h. Throws ReportUsageError naming the flag. */
export function parseReportArgs(argv: readonly string[]): WriteReportOptions | "help" {
  const inputs: string[] = [];
  let out: string | undefined, figuresDir: string | undefined, command: string | undefined, date: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--help" || word === "-h") return "help";
    if (!word.startsWith("--")) throw new ReportUsageError(`unexpected argument "${word}" (every value follows its flag, e.g. --in FILE)`);
    const eq = word.indexOf("=");
    const name = eq < 0 ? word : word.slice(0, eq);
    const value = eq < 0 ? argv[++i] : word.slice(eq + 1);
    if (value === undefined || value === "") throw new ReportUsageError(`${name} needs a value`);
    switch (name) {
      case "--in":
        inputs.push(...value.split(",").map((s) => s.trim()).filter((s) => s !== ""));
        break;
      case "--out":
        out = value;
        break;
      case "--figures":
        figuresDir = value;
        break;
      case "--command":
        command = value;
        break;
      case "--date":
        if (!ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) throw new ReportUsageError(`--date expects an ISO 8601 date such as 2026-11-27T10:00:00Z, got "${value}"`);
        date = value;
        break;
      default:
        throw new ReportUsageError(`unknown option ${name} (known: --in, --out, --figures, --command, --date, --help)`);
    }
  }
  if (inputs.length === 0) throw new ReportUsageError("--in FILE[,FILE…] is required");
  if (out === undefined) throw new ReportUsageError("--out FILE is required");
  if (figuresDir === undefined) throw new ReportUsageError("--figures DIR is required");
  return { inputs, out, figuresDir, ...(command !== undefined ? { command } : {}), ...(date !== undefined ? { date } : {}) };
}

/** Where reportMain writes: results to `out`, notes and errors to `err`. */
export interface ReportConsole {
  out(line: string): void;
  err(line: string): void;
}

const STDIO: ReportConsole = { out: (l) => process.stdout.write(l + "\n"), err: (l) => process.stderr.write(l + "\n") };

/** Runs the command line `argv`; returns the exit code (0 ok, 1 runtime error, 2 usage error). */
export async function reportMain(argv: readonly string[], io: ReportConsole = STDIO): Promise<number> {
  try {
    const opts = parseReportArgs(argv);
    if (opts === "help") {
      io.out(HELP);
      return 0;
    }
    const w = await writeReport(opts);
    for (const n of w.notes) io.err(`report: ${n}`);
    io.out(`report: wrote ${w.out} (${w.runs} runs) and ${w.figures.length} figures in ${opts.figuresDir}`);
    for (const c of w.claims) io.out(`  (${c.id}) ${c.dataset}: ${c.title} — ${c.verdict}`);
    return 0;
  } catch (e) {
    const usage = e instanceof ReportUsageError;
    io.err(`report: ${e instanceof Error ? e.message : String(e)}`);
    if (usage) io.err(HELP);
    return usage ? 2 : 1;
  }
}

/** True when this file is the script node was started with (not when imported). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) reportMain(process.argv.slice(2)).then((code) => process.exit(code));
