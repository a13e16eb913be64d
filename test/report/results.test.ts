// The report from generated records: mean ± sample std per dataset × method × bits, table order,
// the last record of a case winning, old records without the new fields, figure links that
// match the figures returned, and claim verdicts stated in the markdown.
import { describe, expect, it } from "vitest";
import { groupCells } from "../../src/report/cells.js";
import { parseRecords } from "../../src/report/records.js";
import { buildReport } from "../../src/report/results.js";
import { gridLines, record } from "./fixtures.js";
import { xmlProblems } from "./xml.js";

const parse = (lines: string[]) => parseRecords(lines.join("\n"), "runs.jsonl").records;
const row = (md: string, method: string, bits: number, dataset = "Criteo") => {
  const section = md.slice(md.indexOf(`## ${dataset}`));
  return section.split("\n").find((l) => l.startsWith(`| ${method} | ${bits} |`));
};

describe("cells", () => {
  it("mean and sample std over seeds, seconds, bytes and best epochs", () => {
    const lines = [0.70, 0.72, 0.74].map((auc, seed) => JSON.stringify(record({ method: "alpt", bits: 2, seed, testAuc: auc, testLogloss: 0.4 + seed / 100, seconds: 10 * (seed + 1) })));
    const [c] = groupCells(parse(lines));
    expect(c!.testAuc.mean).toBeCloseTo(0.72, 12);
    expect(c!.testAuc.std).toBeCloseTo(0.02, 12);
    expect(c!.testLogloss.mean).toBeCloseTo(0.41, 12);
    expect(c!.testLogloss.std).toBeCloseTo(0.01, 12);
    expect([c!.seconds, c!.bytesPerRow, c!.bestEpochs, c!.seeds]).toEqual([20, [148], [1, 2, 1], [0, 1, 2]]);
    const md = buildReport(parse(lines)).markdown;
    expect(row(md, "alpt", 2)).toBe("| alpt | 2 | 0,1,2 | 0.7200 ± 0.0200 | — | 0.4100 ± 0.0100 | 0.7300 ± 0.0200 | 1,2,1 | 148 | 20 |");
  });

  it("sorts fp32 first, then by method, bits descending; datasets criteo then avazu", () => {
    const cells = groupCells(parse([...gridLines("avazu"), ...gridLines("criteo")]));
    expect(cells.slice(0, 6).map((c) => `${c.dataset}/${c.method}/${c.bits}`)).toEqual([
      "criteo/fp32/32", "criteo/qat-lsq/8", "criteo/qat-lsq/4", "criteo/qat-lsq/3", "criteo/qat-lsq/2", "criteo/lpt-dr/8",
    ]);
    expect(cells.at(-1)).toMatchObject({ dataset: "avazu", method: "alpt", bits: 2 });
    expect(cells).toHaveLength(34);
  });
});

describe("buildReport", () => {
  const ctx = { command: "npm run -s experiment -- criteo", date: "2026-11-27T10:00:00Z", sources: ["experiments/criteo.jsonl"] };

  it("provenance, setup, one table per dataset with differences to fp32", () => {
    const { markdown: md, runs } = buildReport(parse([...gridLines("criteo"), ...gridLines("avazu")]), ctx);
    expect(runs).toBe(102);
    expect(md).toMatch(/^# Results\n\nGenerated on 2026-11-27T10:00:00Z from 102 runs in \[`experiments\/criteo\.jsonl`\]\(experiments\/criteo\.jsonl\) by:\n\n```sh\nnpm run -s experiment -- criteo\n```/);
    expect(md).toContain("- Runtime: node-20.20.2.");
    expect(md).toContain("- Splits: train 8,000 / valid 1,000 / test 1,000 rows.");
    expect(md).toContain("- Embedding rows: 5,000.");
    expect(md.indexOf("## Criteo")).toBeLessThan(md.indexOf("## Avazu"));
    expect(row(md, "fp32", 32)).toMatch(/^\| fp32 \| 32 \| 0,1,2 \| 0\.7500 ± 0\.0010 \| — \|/);
    expect(row(md, "lpt-dr", 2)).toMatch(/^\| lpt-dr \| 2 \| 0,1,2 \| 0\.7000 ± 0\.0010 \| −0\.0500 \|/);
    expect(row(md, "alpt", 8, "Avazu")).toMatch(/\| \+0\.0002 \|/);
  });

  it("the last record of a case wins", () => {
    const lines = gridLines();
    const replaced = JSON.stringify(record({ method: "alpt", bits: 2, seed: 1, testAuc: 0.745 }));
    const md = buildReport(parse([...lines, replaced])).markdown;
    // seeds 0.734, 0.745, 0.736 → mean 0.7383, std 0.0059
    expect(row(md, "alpt", 2)).toMatch(/^\| alpt \| 2 \| 0,1,2 \| 0\.7383 ± 0\.0059 \|/);
  });

  it("figures: links match the returned SVGs, which are well formed and name their series", () => {
    const { markdown: md, figures } = buildReport(parse(gridLines()), { figuresHref: "../figs" });
    const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    expect(links).toEqual(["criteo-auc-vs-bits.svg", "criteo-loss-sr-vs-dr.svg", "criteo-delta-alpt.svg", "criteo-delta-qat-lsq.svg"].map((f) => `../figs/${f}`));
    expect([...figures.keys()].map((f) => `../figs/${f}`)).toEqual(links);
    for (const svg of figures.values()) expect(xmlProblems(svg)).toEqual([]);
    expect(figures.get("criteo-auc-vs-bits.svg")).toContain(">fp32 0.7500</text>");
    for (const m of ["qat-lsq", "lpt-dr", "lpt-sr", "alpt"]) expect(figures.get("criteo-auc-vs-bits.svg")).toContain(`>${m}</text>`);
    for (const s of ["lpt-sr 2-bit (3 seeds)", "lpt-dr 2-bit (3 seeds)", "lpt-sr 4-bit (3 seeds)", "lpt-dr 4-bit (3 seeds)"]) expect(figures.get("criteo-loss-sr-vs-dr.svg")).toContain(s);
    for (const s of ["8-bit (3 seeds)", "2-bit (3 seeds)"]) expect(figures.get("criteo-delta-alpt.svg")).toContain(s);
    expect(md).toMatch(/\| alpt \| 2 \| 3 \| 3\.98e-4 \|/); // Δ table: mean over seeds of the medians
    expect(buildReport(parse(gridLines()), { figuresHref: "../figs" }).figures).toEqual(figures); // deterministic
  });

  it("old records without the new fields: no invented figures, the reason is stated", () => {
    const old = gridLines().map((l) => {
      const o = JSON.parse(l) as Record<string, unknown>;
      delete o.lossCurve;
      delete o.delta;
      return JSON.stringify(o);
    });
    const { markdown: md, figures } = buildReport(parse(old));
    expect([...figures.keys()]).toEqual(["criteo-auc-vs-bits.svg"]);
    expect(md).toContain("- No figure for training-loss curves: no lpt-sr or lpt-dr run at 2 or 4 bits has a loss curve.");
    expect(md).toContain("- No figure for Δ distribution of alpt: no alpt run has a Δ histogram.");
    expect(md).toContain("No run of this dataset records Δ statistics");
  });

  it("states each claim's verdict with numbers, and missing cells as missing", () => {
    const lines = gridLines().filter((l) => !l.includes('"bits":3,'));
    const { markdown: md, claims } = buildReport(parse(lines));
    const section = md.slice(md.indexOf("## Paper claims on this data"));
    expect(section).toContain("m = 0.001 AUC");
    expect(section).toContain("- **Criteo: inconclusive** — difference +0.0002 (95% CI [");
    expect(section).toContain("- **Criteo: holds** — holds at 2 bits vs lpt-sr, 2 bits vs lpt-dr; missing at 3 bits vs lpt-sr, 3 bits vs lpt-dr.");
    expect(section).toContain("- **Criteo: mixed** — holds at 4 bits, 2 bits; inconclusive at 8 bits; missing at 3 bits.");
    expect(section).toContain("| Criteo | alpt 3-bit | lpt-sr 3-bit | — | — | — | — | — | **missing** | no runs of alpt 3-bit or lpt-sr 3-bit |");
    expect(claims.map((c) => c.verdict)).toEqual(["inconclusive", "holds", "mixed"]);
  });

  it("no runs at all", () => {
    expect(buildReport([]).markdown).toContain("No experiment runs in the input.");
  });
});
