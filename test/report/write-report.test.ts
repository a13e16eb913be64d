// writeReport and the report command on record files in a temp folder: RESULTS.md and figures
// written, relative links that resolve, identical bytes on a rerun, malformed input named by
// file:line with nothing written, and usage errors (exit code 2).
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReportArgs, reportMain, writeReport } from "../../src/cli/report.js";
import { gridLines } from "./fixtures.js";
import { xmlProblems } from "./xml.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "alpt-report-"));
  await mkdir(join(dir, "runs"));
  await writeFile(join(dir, "runs", "criteo.jsonl"), gridLines("criteo").join("\n") + "\n");
  await writeFile(join(dir, "runs", "avazu.jsonl"), gridLines("avazu").join("\n") + "\n");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const inputs = () => [join(dir, "runs", "criteo.jsonl"), join(dir, "runs", "avazu.jsonl")];

describe("writeReport", () => {
  it("writes RESULTS.md and the figures, linked relative to the markdown", async () => {
    const out = join(dir, "docs", "RESULTS.md"), figuresDir = join(dir, "docs", "figures");
    const w = await writeReport({ inputs: inputs(), out, figuresDir, command: "npm run -s experiment -- criteo", date: "2026-11-27T10:00:00Z" });
    expect(w.runs).toBe(102);
    expect(w.figures).toHaveLength(8);
    const md = await readFile(out, "utf8");
    expect(md).toContain("from 102 runs in [`../runs/criteo.jsonl`](../runs/criteo.jsonl), [`../runs/avazu.jsonl`](../runs/avazu.jsonl) by:");
    const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(links).toHaveLength(8);
    for (const l of links) {
      expect(l.startsWith("figures/")).toBe(true);
      expect(existsSync(resolve(dirname(out), l))).toBe(true);
      expect(xmlProblems(await readFile(resolve(dirname(out), l), "utf8"))).toEqual([]);
    }
    expect((await readdir(join(dir, "docs"))).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    const before = await Promise.all([out, ...w.figures].map((p) => readFile(p, "utf8")));
    await writeReport({ inputs: inputs(), out, figuresDir, command: "npm run -s experiment -- criteo", date: "2026-11-27T10:00:00Z" });
    expect(await Promise.all([out, ...w.figures].map((p) => readFile(p, "utf8")))).toEqual(before);
  });

  it("a malformed line is an error naming file:line, and nothing is written", async () => {
    const bad = join(dir, "runs", "bad.jsonl");
    await writeFile(bad, [...gridLines("criteo").slice(0, 4), '{"case": "experiment/criteo-dcn-alpt-b2-s0", "testAuc": 0.7,}'].join("\n"));
    const out = join(dir, "bad", "RESULTS.md");
    await expect(writeReport({ inputs: [inputs()[0]!, bad], out, figuresDir: join(dir, "bad", "figures") })).rejects.toThrow(/bad\.jsonl:5: not valid JSON/);
    expect(existsSync(join(dir, "bad"))).toBe(false);
    await expect(writeReport({ inputs: [join(dir, "runs", "nope.jsonl")], out, figuresDir: join(dir, "bad") })).rejects.toThrow(/cannot read .*nope\.jsonl: ENOENT/);
  });
});

describe("the report command", () => {
  it("parses its flags", () => {
    expect(parseReportArgs(["--in", "a.jsonl,b.jsonl", "--in=c.jsonl", "--out", "docs/RESULTS.md", "--figures", "docs/figures", "--command", "npm run x", "--date", "2026-11-27"])).toEqual({
      inputs: ["a.jsonl", "b.jsonl", "c.jsonl"], out: "docs/RESULTS.md", figuresDir: "docs/figures", command: "npm run x", date: "2026-11-27",
    });
    expect(parseReportArgs(["--out", "x", "-h"])).toBe("help");
    expect(() => parseReportArgs(["--out", "x", "--figures", "f"])).toThrow("--in FILE[,FILE…] is required");
    expect(() => parseReportArgs(["--in", "a", "--figures", "f"])).toThrow("--out FILE is required");
    expect(() => parseReportArgs(["--in", "a", "--out", "o", "--figures", "f", "--date", "yesterday"])).toThrow(/--date expects an ISO 8601 date/);
    expect(() => parseReportArgs(["--inn", "a"])).toThrow(/unknown option --inn/);
    expect(() => parseReportArgs(["--in"])).toThrow("--in needs a value");
  });

  it("exit codes: 0 with a summary, 1 naming file:line, 2 for usage", async () => {
    const lines: string[] = [], errors: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => errors.push(l) };
    const out = join(dir, "cli", "RESULTS.md");
    expect(await reportMain(["--in", inputs().join(","), "--out", out, "--figures", join(dir, "cli", "figures"), "--date", "2026-11-27T10:00:00Z"], io)).toBe(0);
    expect(lines[0]).toMatch(/^report: wrote .*RESULTS\.md \(102 runs\) and 8 figures in /);
    expect(lines).toContain("  (b) criteo: ALPT beats LPT at low bit widths (2 and 3 bits) — holds");
    await writeFile(join(dir, "runs", "broken.jsonl"), "[]\n");
    expect(await reportMain(["--in", join(dir, "runs", "broken.jsonl"), "--out", out, "--figures", join(dir, "cli", "figures")], io)).toBe(1);
    expect(errors.at(-1)).toMatch(/^report: .*broken\.jsonl:1: expected a JSON object, got an array$/);
    expect(await reportMain(["--out", out], io)).toBe(2);
  });
});
