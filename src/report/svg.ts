// Hand-written SVG charts for the report, no dependencies: a line chart (several series, optional
// error bars, an optional horizontal reference line) and a step-line overlay of histograms, both
// with axis ticks, axis labels and a legend right of the plot. The output is deterministic —
// coordinates with two decimals, elements in input order, one element per line — so regenerated
// figures diff cleanly; every text is XML-escaped. Non-finite points break a line.

/** Colours for series without their own (matplotlib's tab10 order). */
export const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** A tick: its position in data units and its label. */
export interface Tick {
  value: number;
  label: string;
}

/** What every chart has: title, axis labels, size, and optional fixed ticks or domains. */
export interface Axes {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Pixels; the legend takes part of the width (default 640 × 400). */
  width?: number;
  height?: number;
  /** Fixed x ticks (e.g. categories at 0, 1, 2 labelled "2", "3", "4"); default: nice numbers. */
  xTicks?: Tick[];
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** The id of the plot's clip path (default "plot-area"); distinct ids let charts share a document (stackCharts). */
  clipId?: string;
}

/** A data point; `err` draws an error bar y ± err. */
export interface Point {
  x: number;
  y: number;
  err?: number;
}

/** One line of a line chart. */
export interface LineSeries {
  name: string;
  points: Point[];
  color?: string;
  dashed?: boolean;
  /** Circles at the points (default true). */
  markers?: boolean;
}

/** A line chart. */
export interface LineChartSpec extends Axes {
  series: LineSeries[];
  /** A horizontal line across the plot, in the legend under its label. */
  reference?: { y: number; label: string; color?: string };
  /** Pixels between series drawn at the same x, so their error bars do not overlap (default 0). */
  dodge?: number;
}

/** One distribution: `values[i]` over [edges[i], edges[i + 1]). */
export interface StepSeries {
  name: string;
  edges: number[];
  values: number[];
  color?: string;
  dashed?: boolean;
}

/** Histograms drawn as step lines over each other (y from 0). */
export interface StepChartSpec extends Axes {
  series: StepSeries[];
}

/** Escapes the five XML special characters. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/** A coordinate with two decimals ("-0.00" printed as "0.00"). */
export function fmt(v: number): string {
  const s = v.toFixed(2);
  return s === "-0.00" ? "0.00" : s;
}

/** Ticks at 1, 2 or 5 × 10^k covering [lo, hi] (about `target` intervals), and the covered range. */
export function niceTicks(lo: number, hi: number, target = 5): { ticks: Tick[]; lo: number; hi: number } {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.05;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const first = Math.floor(lo / step + 1e-9), last = Math.ceil(hi / step - 1e-9);
  const ticks: Tick[] = [];
  for (let k = first; k <= last; k++) {
    const label = (k * step).toFixed(decimals);
    ticks.push({ value: Number(label), label: label.startsWith("-") && Number(label) === 0 ? label.slice(1) : label });
  }
  return { ticks, lo: ticks[0]!.value, hi: ticks[ticks.length - 1]!.value };
}

const CHAR_PX = 6.6; // mean advance of a 12 px sans-serif character (legend width estimate)
const MARGIN = { left: 68, top: 36, bottom: 52, gap: 16 };

interface LegendEntry {
  name: string;
  color: string;
  dashed: boolean;
}

interface Frame {
  sx(v: number): number;
  sy(v: number): number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const dash = (dashed: boolean) => (dashed ? ' stroke-dasharray="6 4"' : "");

/** The range of finite values (NaN, NaN when there are none). */
function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return lo <= hi ? [lo, hi] : [NaN, NaN];
}

/**
 * Draws the frame (background, title, grid, ticks, axis labels, legend) around `body`, which
 * gets the data → pixel scales and returns the plot's elements (clipped to the plot area).
 */
function chart(spec: Axes, xData: [number, number], yData: [number, number], legend: LegendEntry[], body: (f: Frame) => string[]): string {
  const width = spec.width ?? 640, height = spec.height ?? 400;
  const legendWidth = legend.length ? 40 + CHAR_PX * Math.max(...legend.map((e) => e.name.length)) : 0;
  const left = MARGIN.left, right = width - legendWidth - MARGIN.gap, top = MARGIN.top, bottom = height - MARGIN.bottom;

  let xTicks = spec.xTicks;
  let [x0, x1] = spec.xDomain ?? (xTicks?.length ? extent(xTicks.map((t) => t.value)) : xData);
  if (!xTicks) ({ ticks: xTicks, lo: x0, hi: x1 } = niceTicks(x0, x1, 6));
  if (!(x1 > x0)) [x0, x1] = [x0 - 0.5, x0 + 0.5];
  let yTicks: Tick[];
  let [y0, y1] = yData;
  if (spec.yDomain) {
    [y0, y1] = spec.yDomain;
    yTicks = niceTicks(y0, y1).ticks.filter((t) => t.value >= y0 && t.value <= y1);
  } else {
    const pad = (y1 - y0) * 0.03; // keeps markers off the frame; a zero baseline stays at zero
    ({ ticks: yTicks, lo: y0, hi: y1 } = niceTicks(y0 === 0 ? 0 : y0 - pad, y1 + pad));
  }
  const f: Frame = {
    sx: (v) => left + ((v - x0) / (x1 - x0)) * (right - left),
    sy: (v) => bottom - ((v - y0) / (y1 - y0)) * (bottom - top),
    left, right, top, bottom,
  };

  const clip = escapeXml(spec.clipId ?? "plot-area");
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(spec.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${fmt((left + right) / 2)}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(spec.title)}</text>`,
    `<g stroke="#e6e6e6" stroke-width="1">`,
  ];
  for (const t of yTicks) out.push(`<line x1="${fmt(left)}" y1="${fmt(f.sy(t.value))}" x2="${fmt(right)}" y2="${fmt(f.sy(t.value))}"/>`);
  for (const t of xTicks) out.push(`<line x1="${fmt(f.sx(t.value))}" y1="${fmt(top)}" x2="${fmt(f.sx(t.value))}" y2="${fmt(bottom)}"/>`);
  out.push(`</g>`, `<g font-size="11" fill="#333333">`);
  for (const t of yTicks) out.push(`<text x="${fmt(left - 6)}" y="${fmt(f.sy(t.value) + 4)}" text-anchor="end">${escapeXml(t.label)}</text>`);
  for (const t of xTicks) out.push(`<text x="${fmt(f.sx(t.value))}" y="${fmt(bottom + 16)}" text-anchor="middle">${escapeXml(t.label)}</text>`);
  out.push(
    `</g>`,
    `<clipPath id="${clip}"><rect x="${fmt(left)}" y="${fmt(top)}" width="${fmt(right - left)}" height="${fmt(bottom - top)}"/></clipPath>`,
    `<g clip-path="url(#${clip})">`,
    ...body(f),
    `</g>`,
    `<rect x="${fmt(left)}" y="${fmt(top)}" width="${fmt(right - left)}" height="${fmt(bottom - top)}" fill="none" stroke="#333333"/>`,
    `<text x="${fmt((left + right) / 2)}" y="${fmt(height - 12)}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`,
    `<text x="16" y="${fmt((top + bottom) / 2)}" text-anchor="middle" transform="rotate(-90 16 ${fmt((top + bottom) / 2)})">${escapeXml(spec.yLabel)}</text>`,
  );
  if (legend.length) {
    out.push(`<g font-size="12">`);
    legend.forEach((e, i) => {
      const x = right + MARGIN.gap, y = top + 8 + i * 20;
      out.push(
        `<line x1="${fmt(x)}" y1="${fmt(y)}" x2="${fmt(x + 24)}" y2="${fmt(y)}" stroke="${escapeXml(e.color)}" stroke-width="2"${dash(e.dashed)}/>`,
        `<text x="${fmt(x + 30)}" y="${fmt(y + 4)}">${escapeXml(e.name)}</text>`,
      );
    });
    out.push(`</g>`);
  }
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

/** Path data through the finite points, starting a new segment after each gap. */
function polyline(points: readonly [number, number][]): string {
  const parts: string[] = [];
  let pen = "M";
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = "M";
      continue;
    }
    parts.push(`${pen}${fmt(x)} ${fmt(y)}`);
    pen = "L";
  }
  return parts.join(" ");
}

/** A line chart of `spec.series` (see LineChartSpec); returns the SVG document. */
export function lineChart(spec: LineChartSpec): string {
  const finite = (p: Point) => Number.isFinite(p.x) && Number.isFinite(p.y);
  const all = spec.series.flatMap((s) => s.points.filter(finite));
  const ys = all.flatMap((p) => (p.err !== undefined && Number.isFinite(p.err) ? [p.y - p.err, p.y + p.err] : [p.y]));
  if (spec.reference && Number.isFinite(spec.reference.y)) ys.push(spec.reference.y);
  const colors = spec.series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]!);
  const legend: LegendEntry[] = spec.series.map((s, i) => ({ name: s.name, color: colors[i]!, dashed: s.dashed ?? false }));
  const ref = spec.reference;
  if (ref) legend.push({ name: ref.label, color: ref.color ?? "#000000", dashed: true });
  return chart(spec, extent(all.map((p) => p.x)), extent(ys), legend, (f) => {
    const out: string[] = [];
    if (ref && Number.isFinite(ref.y)) {
      out.push(`<line x1="${fmt(f.left)}" y1="${fmt(f.sy(ref.y))}" x2="${fmt(f.right)}" y2="${fmt(f.sy(ref.y))}" stroke="${escapeXml(ref.color ?? "#000000")}" stroke-width="1.5" stroke-dasharray="6 4"/>`);
    }
    spec.series.forEach((s, i) => {
      const c = escapeXml(colors[i]!);
      const shift = (i - (spec.series.length - 1) / 2) * (spec.dodge ?? 0);
      const px = s.points.map((p): [number, number] => [f.sx(p.x) + shift, f.sy(p.y)]);
      out.push(`<g data-series="${escapeXml(s.name)}">`);
      s.points.forEach((p, j) => {
        if (!finite(p) || p.err === undefined || !(p.err > 0)) return;
        const [x] = px[j]!, ya = f.sy(p.y - p.err), yb = f.sy(p.y + p.err);
        out.push(`<path d="M${fmt(x)} ${fmt(ya)} L${fmt(x)} ${fmt(yb)} M${fmt(x - 4)} ${fmt(ya)} L${fmt(x + 4)} ${fmt(ya)} M${fmt(x - 4)} ${fmt(yb)} L${fmt(x + 4)} ${fmt(yb)}" stroke="${c}" stroke-width="1.2" fill="none"/>`);
      });
      const d = polyline(px);
      if (d) out.push(`<path d="${d}" stroke="${c}" stroke-width="2" fill="none"${dash(s.dashed ?? false)}/>`);
      if (s.markers ?? true) {
        s.points.forEach((p, j) => {
          if (finite(p)) out.push(`<circle cx="${fmt(px[j]![0])}" cy="${fmt(px[j]![1])}" r="3" fill="${c}"/>`);
        });
      }
      out.push(`</g>`);
    });
    return out;
  });
}

/** Histograms as step lines over each other (y from 0); returns the SVG document. */
export function stepChart(spec: StepChartSpec): string {
  for (const s of spec.series) {
    if (s.edges.length !== s.values.length + 1) throw new RangeError(`stepChart: "${s.name}" has ${s.values.length} values but ${s.edges.length} edges (expected ${s.values.length + 1})`);
  }
  const colors = spec.series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]!);
  const legend = spec.series.map((s, i) => ({ name: s.name, color: colors[i]!, dashed: s.dashed ?? false }));
  const xs = extent(spec.series.flatMap((s) => s.edges));
  const [, yMax] = extent(spec.series.flatMap((s) => s.values));
  return chart(spec, xs, [0, Number.isFinite(yMax) ? yMax : 1], legend, (f) =>
    spec.series.map((s, i) => {
      const pts: [number, number][] = [[f.sx(s.edges[0]!), f.sy(0)]];
      s.values.forEach((v, j) => {
        const y = f.sy(Number.isFinite(v) ? v : 0);
        pts.push([f.sx(s.edges[j]!), y], [f.sx(s.edges[j + 1]!), y]);
      });
      pts.push([f.sx(s.edges[s.edges.length - 1]!), f.sy(0)]);
      return `<path data-series="${escapeXml(s.name)}" d="${polyline(pts)}" stroke="${escapeXml(colors[i]!)}" stroke-width="1.8" fill="none"${dash(s.dashed ?? false)}/>`;
    }),
  );
}

/**
 * Charts (documents of lineChart / stepChart, with distinct clipId) one above the other in one
 * SVG document, as many panels of one figure.
 */
export function stackCharts(title: string, charts: readonly string[]): string {
  const OPEN = '<svg xmlns="http://www.w3.org/2000/svg" ';
  let y = 0, width = 0;
  const panels = charts.map((c) => {
    const m = /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="(\d+(?:\.\d+)?)" height="(\d+(?:\.\d+)?)"/.exec(c);
    if (!m) throw new Error("stackCharts: not a chart of svg.ts");
    const panel = `<svg x="0" y="${fmt(y)}" ` + c.slice(OPEN.length).trimEnd();
    y += Number(m[2]);
    width = Math.max(width, Number(m[1]));
    return panel;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(width)}" height="${fmt(y)}" viewBox="0 0 ${fmt(width)} ${fmt(y)}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    ...panels,
    `</svg>`,
  ].join("\n") + "\n";
}
