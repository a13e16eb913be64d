// Reads experiment record files (JSON lines), builds the report and writes RESULTS.md and its
// SVG figures, each file atomically; the figures go first, so the markdown never links a figure
// that is not there. Figures of earlier reports that are no longer produced are left alone.
import { mkdir, readFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import type { ClaimResult } from "./claims.js";
import { parseRecords, type ParsedRecords } from "./records.js";
import { buildReport } from "./results.js";

/** What writeReport needs: record files, the markdown path and the figures folder. */
export interface WriteReportOptions {
  /** JSON-lines files of experiment records, read in order (a later record of a case wins). */
  inputs: string[];
  /** The markdown file, e.g. docs/RESULTS.md. */
  out: string;
  /** The folder of the SVG figures, e.g. docs/figures (created if needed). */
  figuresDir: string;
  /** The command that produced the records, shown in the report. */
  command?: string;
  /** ISO 8601 date shown in the report (default: now). */
  date?: string;
}

/** What writeReport wrote. */
export interface WrittenReport {
  out: string;
  /** Paths of the figures written. */
  figures: string[];
  /** Runs in the report (one per case). */
  runs: number;
  /** Lines of the input that were not runs (also listed in the report). */
  notes: string[];
  claims: ClaimResult[];
}

const posix = (p: string) => p.split(sep).join("/");

/** Reads and parses the record files; errors name the file (and line, for a bad record). */
export async function readRecordFiles(paths: readonly string[]): Promise<ParsedRecords> {
  const all: ParsedRecords = { records: [], warnings: [] };
  for (const p of paths) {
    let text: string;
    try {
      text = await readFile(p, "utf8");
    } catch (e) {
      throw new Error(`cannot read ${p}: ${(e as Error).message}`, { cause: e });
    }
    const { records, warnings } = parseRecords(text, p);
    all.records.push(...records);
    all.warnings.push(...warnings);
  }
  return all;
}

/**
 * Writes the report of the records in `o.inputs` to `o.out` and its figures to `o.figuresDir`
 * (image links in the markdown are relative to the markdown's folder). For experiment.ts:
 * `await writeReport({ inputs: ["docs/experiments/paper-criteo.jsonl"], out: "docs/RESULTS.md", figuresDir: "docs/figures", command })`.
 */
export async function writeReport(o: WriteReportOptions): Promise<WrittenReport> {
  if (o.inputs.length === 0) throw new Error("writeReport: no input files");
  const { records, warnings } = await readRecordFiles(o.inputs);
  const base = dirname(resolve(o.out));
  const report = buildReport(records, {
    date: o.date ?? new Date().toISOString(),
    sources: o.inputs.map((p) => posix(relative(base, resolve(p)))),
    figuresHref: posix(relative(base, resolve(o.figuresDir))),
    notes: warnings,
    ...(o.command !== undefined ? { command: o.command } : {}),
  });
  await mkdir(o.figuresDir, { recursive: true });
  await mkdir(dirname(resolve(o.out)), { recursive: true });
  const written: string[] = [];
  for (const [file, svg] of report.figures) {
    const path = join(o.figuresDir, file);
    await writeFileAtomic(path, new TextEncoder().encode(svg));
    written.push(path);
  }
  await writeFileAtomic(o.out, new TextEncoder().encode(report.markdown));
  return { out: o.out, figures: written, runs: report.runs, notes: warnings, claims: report.claims };
}
