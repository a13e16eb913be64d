// The page's charts, drawn as plain SVG: a line chart (loss, AUC, logloss, samples/s), a stacked
// bar chart (memory by kind) and a histogram (learned Δ). Plain SVG rather than a plotting
// library: no dependency to ship or keep (uPlot would add ~45 kB minified), the page draws a few
// hundred points per chart, which a full redraw per animation frame handles in well under a
// millisecond, and the elements stay in the DOM where a test or a screen reader can find them.
// Each chart sets data-points on its <svg> to the number of points it draws.

const NS = "http://www.w3.org/2000/svg";
const W = 480, H = 220, M = { left: 56, right: 14, top: 24, bottom: 38 };

function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? raw;
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}

/** A short label for a number (1.2k, 3.4M, 0.512). */
export function fmt(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a >= 100 || v === 0) return String(Math.round(v));
  return String(+v.toPrecision(3));
}

/** Bytes as B / kB / MB. */
export function fmtBytes(b) {
  if (b >= 1e6) return `${(b / 1e6).toFixed(2)} MB`;
  if (b >= 1e3) return `${(b / 1e3).toFixed(1)} kB`;
  return `${b} B`;
}

function frame(svg, title) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", title);
}

function axes(svg, x0, x1, y0, y1, xLabel, yLabel) {
  const sx = (x) => M.left + ((x - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const sy = (y) => H - M.bottom - ((y - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom);
  const g = el("g", { class: "axes" });
  for (const t of ticks(y0, y1, 4)) {
    g.append(el("line", { x1: M.left, x2: W - M.right, y1: sy(t), y2: sy(t), class: "grid" }));
    g.append(el("text", { x: M.left - 6, y: sy(t) + 4, "text-anchor": "end" }, fmt(t)));
  }
  for (const t of ticks(x0, x1, 6)) g.append(el("text", { x: sx(t), y: H - M.bottom + 16, "text-anchor": "middle" }, fmt(t)));
  g.append(el("line", { x1: M.left, x2: W - M.right, y1: H - M.bottom, y2: H - M.bottom, class: "axis" }));
  g.append(el("line", { x1: M.left, x2: M.left, y1: M.top, y2: H - M.bottom, class: "axis" }));
  g.append(el("text", { x: (M.left + W - M.right) / 2, y: H - 4, "text-anchor": "middle", class: "label" }, xLabel));
  g.append(el("text", { x: 12, y: (M.top + H - M.bottom) / 2, "text-anchor": "middle", class: "label", transform: `rotate(-90 12 ${(M.top + H - M.bottom) / 2})` }, yLabel));
  svg.append(g);
  return { sx, sy };
}

/**
 * Line chart of series [{ name, points: [[x, y]…], className, dots }]. Empty series draw an
 * empty frame with "waiting for data".
 */
export function lineChart(svg, { title, xLabel, yLabel, series, yMin, yMax }) {
  frame(svg, title);
  const all = series.flatMap((s) => s.points);
  svg.dataset.points = String(all.length);
  if (!all.length) {
    axes(svg, 0, 1, 0, 1, xLabel, yLabel);
    svg.append(el("text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "empty" }, "waiting for data"));
    return;
  }
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const [x, y] of all) {
    x0 = Math.min(x0, x); x1 = Math.max(x1, x);
    if (Number.isFinite(y)) { y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  }
  if (x1 === x0) x1 = x0 + 1;
  const pad = (y1 - y0) * 0.08 || Math.abs(y0) * 0.05 || 0.05;
  y0 = yMin ?? y0 - pad;
  y1 = yMax ?? y1 + pad;
  const { sx, sy } = axes(svg, x0, x1, y0, y1, xLabel, yLabel);
  for (const s of series) {
    if (!s.points.length) continue;
    // more points than pixels: keep every k-th (the chart is ~420 px wide)
    const k = Math.max(1, Math.floor(s.points.length / 800));
    const pts = s.points.filter((_, i) => i % k === 0 || i === s.points.length - 1).filter(([, y]) => Number.isFinite(y));
    const d = pts.map(([x, y], i) => `${i ? "L" : "M"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join("");
    svg.append(el("path", { d, class: `series ${s.className}`, "data-points": pts.length }));
    if (s.dots) for (const [x, y] of pts) svg.append(el("circle", { cx: sx(x), cy: sy(y), r: 3, class: `dot ${s.className}` }));
  }
  // legend, top right
  let lx = W - M.right - 8;
  for (const s of [...series].reverse()) {
    const t = el("text", { x: lx, y: 12, "text-anchor": "end", class: `legend ${s.className}` }, `— ${s.name}`);
    svg.append(t);
    lx -= 8 + 7 * (s.name.length + 2);
  }
}

const KIND_CLASS = { "fp32 weights": "kind-weights", codes: "kind-codes", "Δ": "kind-delta", optimizer: "kind-opt" };
const kindClass = (k) => KIND_CLASS[k] ?? "kind-other";

/** Horizontal stacked bars: rows [{ name, parts: [{ kind, bytes }] }], kinds colour-coded. */
export function stackedBars(svg, { title, rows }) {
  frame(svg, title);
  const max = Math.max(1, ...rows.map((r) => r.parts.reduce((a, p) => a + p.bytes, 0)));
  const left = 120, right = 90, barH = 34, gap = 30, top = 24;
  const scale = (W - left - right) / max;
  let n = 0;
  rows.forEach((r, i) => {
    const y = top + i * (barH + gap);
    svg.append(el("text", { x: left - 8, y: y + barH / 2 + 4, "text-anchor": "end", class: "label" }, r.name));
    let x = left;
    for (const p of r.parts) {
      if (!p.bytes) continue;
      const w = Math.max(1, p.bytes * scale);
      const rect = el("rect", { x, y, width: w, height: barH, class: kindClass(p.kind) });
      rect.append(el("title", {}, `${p.kind}: ${fmtBytes(p.bytes)}`));
      svg.append(rect);
      x += w;
      n++;
    }
    const total = r.parts.reduce((a, p) => a + p.bytes, 0);
    svg.append(el("text", { x: x + 6, y: y + barH / 2 + 4, class: "value" }, fmtBytes(total)));
    if (r.note) svg.append(el("text", { x: x + 6, y: y + barH / 2 + 18, class: "label" }, r.note));
  });
  svg.dataset.points = String(n);
  // legend
  const kinds = [...new Set(rows.flatMap((r) => r.parts.filter((p) => p.bytes).map((p) => p.kind)))];
  let lx = left;
  const ly = top + rows.length * (barH + gap) + 4;
  for (const k of kinds) {
    svg.append(el("rect", { x: lx, y: ly - 10, width: 12, height: 12, class: kindClass(k) }));
    svg.append(el("text", { x: lx + 16, y: ly, class: "legend" }, k));
    lx += 24 + 7.5 * k.length;
  }
}

/** A histogram: counts over equal bins of [lo, hi] (x axis in log10 units, labelled 10^x). */
export function histogram(svg, { title, xLabel, lo, hi, counts }) {
  frame(svg, title);
  const max = Math.max(1, ...counts);
  const { sx, sy } = axes(svg, lo, hi, 0, max * 1.05, xLabel, "rows");
  const w = (hi - lo) / counts.length;
  counts.forEach((c, i) => {
    if (!c) return;
    const x = sx(lo + i * w), x2 = sx(lo + (i + 1) * w);
    const rect = el("rect", { x: x + 0.5, y: sy(c), width: Math.max(0.5, x2 - x - 1), height: sy(0) - sy(c), class: "bar" });
    rect.append(el("title", {}, `Δ in [${(10 ** (lo + i * w)).toExponential(2)}, ${(10 ** (lo + (i + 1) * w)).toExponential(2)}): ${c} rows`));
    svg.append(rect);
  });
  svg.dataset.points = String(counts.filter((c) => c).length);
}
