// The SVG writer: well-formed output (balanced tags, quoted attributes, escaped text) that names
// every series, is byte-identical for the same input, breaks lines at non-finite points, and
// picks readable ticks.
import { describe, expect, it } from "vitest";
import { escapeXml, fmt, lineChart, niceTicks, stepChart, type LineChartSpec } from "../../src/report/svg.js";
import { xmlProblems } from "./xml.js";

const spec = (): LineChartSpec => ({
  title: "AUC <vs> bits & more", xLabel: "bits", yLabel: "test AUC",
  xTicks: [{ value: 0, label: "2" }, { value: 1, label: "4" }, { value: 2, label: "8" }], xDomain: [-0.5, 2.5], dodge: 6,
  series: [
    { name: "alpt", points: [{ x: 0, y: 0.73, err: 0.004 }, { x: 1, y: 0.738, err: 0.003 }, { x: 2, y: 0.739, err: 0.002 }] },
    { name: 'lpt-sr "2" & <co>', dashed: true, points: [{ x: 0, y: 0.7306 }, { x: 1, y: NaN }, { x: 2, y: 0.7398 }] },
  ],
  reference: { y: 0.7374, label: "fp32 0.7374" },
});

describe("lineChart", () => {
  it("is well formed, escapes text and names every series and the reference", () => {
    const svg = lineChart(spec());
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith("</svg>\n")).toBe(true);
    expect(svg).toContain("<title>AUC &lt;vs&gt; bits &amp; more</title>");
    expect(svg).toContain(">alpt</text>");
    expect(svg).toContain(">lpt-sr &quot;2&quot; &amp; &lt;co&gt;</text>");
    expect(svg).toContain(">fp32 0.7374</text>");
    expect(svg).toContain('stroke-dasharray="6 4"');
  });

  it("is deterministic, with two-decimal coordinates", () => {
    const a = lineChart(spec()), b = lineChart(spec());
    expect(a).toBe(b);
    const numbers = [...a.matchAll(/ (?:x|y|x1|y1|x2|y2|cx|cy|width|height)="(-?[\d.]+)"/g)].map((m) => m[1]!);
    expect(numbers.length).toBeGreaterThan(30);
    for (const n of numbers) expect(n).toMatch(/^-?\d+(\.\d\d)?$/);
  });

  it("draws error bars, markers, and breaks a line at a non-finite point", () => {
    const svg = lineChart(spec());
    const alpt = svg.slice(svg.indexOf('<g data-series="alpt">'), svg.indexOf("</g>", svg.indexOf('<g data-series="alpt">')));
    expect(alpt.match(/<circle/g)).toHaveLength(3);
    expect(alpt.match(/stroke-width="1.2"/g)).toHaveLength(3); // one error bar per point
    const sr = svg.slice(svg.indexOf('<g data-series="lpt-sr'));
    const line = /<path d="([^"]+)" stroke="[^"]+" stroke-width="2"/.exec(sr)![1]!;
    expect(line.match(/M/g)).toHaveLength(2);
    expect(line).not.toContain("L");
    expect(sr.slice(0, sr.indexOf("</g>")).match(/<circle/g)).toHaveLength(2);
  });

  it("copes with no data at all", () => {
    const svg = lineChart({ title: "empty", xLabel: "x", yLabel: "y", series: [] });
    expect(xmlProblems(svg)).toEqual([]);
  });
});

describe("stepChart", () => {
  const edges = [-6, -5, -4, -3];
  it("overlays distributions as step lines, well formed and deterministic", () => {
    const s = {
      title: "Δ of alpt", xLabel: "Δ", yLabel: "fraction", xTicks: edges.map((e) => ({ value: e, label: `1e${e}` })),
      series: [{ name: "8-bit", edges, values: [0.1, 0.6, 0.3] }, { name: "2-bit", edges, values: [0, 0.2, 0.8], dashed: true }],
    };
    const svg = stepChart(s);
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toBe(stepChart(s));
    for (const n of ["8-bit", "2-bit", "Δ of alpt", "1e-6"]) expect(svg).toContain(n);
    const path = /<path data-series="8-bit" d="([^"]+)"/.exec(svg)![1]!;
    expect(path.split(" L")).toHaveLength(8); // baseline, 2 per bin, baseline
  });

  it("rejects a series whose edges do not fit its values", () => {
    expect(() => stepChart({ title: "t", xLabel: "x", yLabel: "y", series: [{ name: "bad", edges: [0, 1], values: [1, 2] }] })).toThrow(RangeError);
  });
});

describe("helpers", () => {
  it("niceTicks, fmt and escapeXml", () => {
    expect(niceTicks(0.7105, 0.7452).ticks.map((t) => t.label)).toEqual(["0.71", "0.72", "0.73", "0.74", "0.75"]);
    expect(niceTicks(0, 1)).toMatchObject({ lo: 0, hi: 1, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1].map((v) => ({ value: v, label: v.toFixed(1) })) });
    expect(niceTicks(0, 1.2)).toMatchObject({ lo: 0, hi: 1.5 });
    expect(niceTicks(-0.3, 0.1).ticks.map((t) => t.label)).toContain("0.0");
    expect(niceTicks(5, 5).ticks.length).toBeGreaterThan(1);
    expect([fmt(-0.001), fmt(1 / 3), fmt(12)]).toEqual(["0.00", "0.33", "12.00"]);
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
  });
});
