// A slow, plain reference of one embedding update per method (granularity "row"), written
// from the formulas with Math.fround after every operation, in the kernels' documented order.
import { streamKey, uniformAt } from "../../src/util/rng.js";

const f = Math.fround;

export interface RefTable {
  method: "fp32" | "qat-lsq" | "lpt" | "alpt";
  optimizer: "sgd" | "adam" | "adagrad";
  rows: number;
  dim: number;
  bits: number;
  rounding: "dr" | "sr";
  lr: number;
  seed: number;
  /** fp32 rows (fp32, qat) */
  w: Float32Array;
  /** codes per element (lpt, alpt) */
  codes: Int32Array;
  delta: Float32Array;
  m: Float32Array;
  v: Float32Array;
  acc: Float32Array;
  dm: Float32Array;
  dv: Float32Array;
  deltaLr: number;
  deltaFloor: number;
  step: number;
  deltaStep: number;
}

const qmin = (b: number) => -(2 ** (b - 1));
const qmax = (b: number) => 2 ** (b - 1) - 1;
const clip = (q: number, b: number) => Math.max(Math.min(q, qmax(b)), qmin(b));

/** Sum of four lanes over chunks of 4, then (l0 + l1) + (l2 + l3), then the tail. */
function laneSum(terms: number[]): number {
  const l = [0, 0, 0, 0];
  let j = 0;
  for (; j + 4 <= terms.length; j += 4) for (let i = 0; i < 4; i++) l[i] = f(l[i] + terms[j + i]);
  let s = f(f(l[0] + l[1]) + f(l[2] + l[3]));
  for (; j < terms.length; j++) s = f(s + terms[j]);
  return s;
}

function adam(w: number, g: number, m: number, v: number, lr: number, t: number): [number, number, number] {
  const b1 = f(0.9), b2 = f(0.999), eps = f(1e-8);
  const c1 = f(1 - 0.9 ** t), c2 = f(1 - 0.999 ** t);
  // 1 − β from the f64 β, as PyTorch (not 1 − f32(β): 1 − f32(0.999) is 1.3e-5 below 0.001)
  const mj = f(f(b1 * m) + f(f(1 - 0.9) * g));
  const vj = f(f(b2 * v) + f(f(f(1 - 0.999) * g) * g));
  return [f(w - f(f(f(lr) * f(mj / c1)) / f(f(Math.sqrt(f(vj / c2))) + eps))), mj, vj];
}

function optimizeRow(t: RefTable, row: number[], g: number[], r: number): number[] {
  const lr = f(t.lr);
  if (t.optimizer === "sgd") return row.map((w, j) => f(w - f(lr * g[j])));
  if (t.optimizer === "adam") {
    return row.map((w, j) => {
      const [nw, m, v] = adam(w, g[j], t.m[r * t.dim + j], t.v[r * t.dim + j], t.lr, t.step);
      t.m[r * t.dim + j] = m;
      t.v[r * t.dim + j] = v;
      return nw;
    });
  }
  const a = f(t.acc[r] + f(laneSum(g.map((x) => f(x * x))) / t.dim));
  t.acc[r] = a;
  const mult = f(lr / f(f(Math.sqrt(a)) + f(1e-8)));
  return row.map((w, j) => f(w - f(mult * g[j])));
}

function lsqSlope(v: number, b: number): number {
  return v <= qmin(b) ? qmin(b) : v >= qmax(b) ? qmax(b) : f(Math.floor(f(v + 0.5)) - v);
}

/**
 * One update of `t` from the batch ids and the gradient g [n][dim] of the looked-up rows;
 * for alpt, `pass2` maps the fake-quantized rows (per unique id) to the pass-2 gradient.
 */
export function refUpdate(
  t: RefTable, ids: number[], g: number[][], samples: number,
  pass2?: (fq: Map<number, number[]>) => number[][],
): void {
  const unique: number[] = [];
  const sums = new Map<number, number[]>();
  ids.forEach((id, k) => {
    if (!sums.has(id)) {
      unique.push(id);
      sums.set(id, new Array(t.dim).fill(0));
    }
    const s = sums.get(id)!;
    for (let j = 0; j < t.dim; j++) s[j] = f(s[j] + g[k][j]);
  });
  t.step++;
  const D = t.dim;
  const scale = f(1 / Math.sqrt(samples * D * (qmax(t.bits) || 1)));
  const readRow = (r: number) =>
    t.method === "fp32" || t.method === "qat-lsq"
      ? Array.from(t.w.subarray(r * D, (r + 1) * D))
      : Array.from(t.codes.subarray(r * D, (r + 1) * D), (c) => f(c * t.delta[r]));
  const quantize = (r: number, row: number[], rounding: "dr" | "sr") => {
    const key = streamKey(streamKey(t.seed, t.step), r);
    row.forEach((x, j) => {
      const u = rounding === "sr" ? uniformAt(key, j) : 0.5;
      t.codes[r * D + j] = clip(Math.floor(f(f(x / t.delta[r]) + u)), t.bits);
    });
  };
  const deltaUpdate = (r: number, gd: number) => {
    t.deltaStep = t.step;
    const [nd, m, v] = adam(t.delta[r], gd, t.dm[r], t.dv[r], t.deltaLr, t.step);
    t.dm[r] = m;
    t.dv[r] = v;
    t.delta[r] = nd >= f(t.deltaFloor) ? nd : f(t.deltaFloor);
  };
  const updated = new Map<number, number[]>();
  for (const r of unique) {
    const row = readRow(r);
    let grad = sums.get(r)!;
    if (t.method === "qat-lsq") {
      const gd = f(laneSum(row.map((w, j) => f(grad[j] * lsqSlope(f(w / t.delta[r]), t.bits)))) * scale);
      grad = grad.map((x, j) => {
        const v = f(row[j] / t.delta[r]);
        return v > qmin(t.bits) && v < qmax(t.bits) ? x : 0;
      });
      const nw = optimizeRow(t, row, grad, r);
      t.w.set(nw, r * D);
      deltaUpdate(r, gd);
      continue;
    }
    const nw = optimizeRow(t, row, grad, r);
    if (t.method === "fp32") t.w.set(nw, r * D);
    else if (t.method === "lpt") quantize(r, nw, t.rounding);
    else updated.set(r, nw);
  }
  if (t.method !== "alpt") return;
  const fq = new Map<number, number[]>();
  for (const r of unique) {
    fq.set(r, updated.get(r)!.map((w) => f(clip(Math.floor(f(f(w / t.delta[r]) + 0.5)), t.bits) * t.delta[r])));
  }
  const g2 = pass2!(fq);
  const sums2 = new Map<number, number[]>(unique.map((r) => [r, new Array(D).fill(0)]));
  ids.forEach((id, k) => {
    const s = sums2.get(id)!;
    for (let j = 0; j < D; j++) s[j] = f(s[j] + g2[k][j]);
  });
  for (const r of unique) {
    const w = updated.get(r)!, s = sums2.get(r)!;
    const gd = f(laneSum(w.map((x, j) => f(s[j] * lsqSlope(f(x / t.delta[r]), t.bits)))) * scale);
    deltaUpdate(r, gd);
    quantize(r, w, "sr");
  }
}
