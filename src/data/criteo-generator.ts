// A seeded generator of Criteo-shaped TSV (criteo.ts: label, I1..I13, C1..C26) at any size,
// streamed as byte chunks. Per field, like the Kaggle data: categorical values are ranks drawn
// from Zipf(s) over the field's Kaggle cardinality (up to 10.1 M; rejection-inversion sampling,
// O(1) memory per field) and written as 8 hex digits; integers are heavy-tailed counts (I2 can be
// −1/−2); empty cells at Kaggle's per-field rates (≈ 21 % of the integer cells, ≈ 11 % of the
// categorical ones). The label is Bernoulli(σ(logit)) with a logit that sums per-value effects of
// a few fields, so a model has something to learn (CTR ≈ 0.25). Same options → same bytes.
import { mix32 } from "../util/rng.js";

/** Distinct values of C1..C26 in the Kaggle train.txt. */
export const CRITEO_CARDINALITIES: readonly number[] = [
  1460, 583, 10131227, 2202608, 305, 24, 12517, 633, 3, 93145, 5683, 8351593, 3194, 27, 14992,
  5461306, 10, 5652, 2173, 4, 7046547, 18, 15, 286181, 105, 142572,
];
/** Share of empty cells of I1..I13 in the Kaggle train.txt (≈ 0.21 on average). */
const INT_MISSING = [0.45, 0, 0.21, 0.22, 0.03, 0.22, 0.04, 0.0005, 0.04, 0.45, 0.04, 0.77, 0.22];
/** Share of empty cells of C1..C26 (≈ 0.11 on average). */
const CAT_MISSING = [
  0, 0, 0.034, 0.034, 0, 0.12, 0, 0, 0, 0.034, 0, 0.034, 0, 0, 0, 0.034, 0, 0, 0.44, 0.44, 0.034, 0.76, 0, 0.034, 0.44, 0.44,
];
/** Typical size of I1..I13 (the scale of a heavy-tailed draw). */
const INT_SCALE = [2, 60, 15, 6, 10000, 80, 12, 15, 80, 0.5, 2, 1, 6];
/** Fields whose values move the label, with the weight of their effect: [column 0-based in I/C order, weight]. */
const EFFECTS: [number, number][] = [[0, 0.25], [6, 0.2], [13, 0.6], [14, 0.4], [18, 0.5], [19, 0.4], [26, 0.5], [29, 0.4], [36, 0.4]];

/** Options of generateCriteo. */
export interface CriteoGeneratorOptions {
  /** Number of rows (lines). */
  rows: number;
  /** Seed (u32, default 1). */
  seed?: number;
  /** false: no label column (the 39 columns of the test files); default true. */
  labeled?: boolean;
  /** Zipf exponent of the categorical values (default 1.05). */
  zipf?: number;
  /** Multiplies the cardinalities (e.g. 0.01 for a small vocabulary; default 1). */
  cardinalityScale?: number;
  /** Approximate bytes per chunk (default 1 MiB). */
  chunkBytes?: number;
}

/** A small sequential PRNG (splitmix32) with 53-bit doubles: tail ranks of 10 M values need them. */
class Random {
  constructor(private state: number) {}
  u32(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    return mix32(this.state);
  }
  /** Uniform in [0, 1). */
  next(): number {
    return ((this.u32() >>> 5) * 67108864 + (this.u32() >>> 6)) / 9007199254740992;
  }
}

const helper1 = (x: number) => (Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x)));
const helper2 = (x: number) => (Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + x * (1 / 3) * (1 + 0.25 * x)));

/** Zipf(s) over ranks 1..n by rejection-inversion (Hörmann & Derflinger 1996), s > 0. */
export class ZipfSampler {
  private readonly hX1: number;
  private readonly hN: number;
  private readonly sq: number;
  constructor(readonly n: number, readonly s: number) {
    if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`ZipfSampler: n = ${n} must be an integer ≥ 1`);
    if (!(s > 0)) throw new RangeError(`ZipfSampler: s = ${s} must be > 0`);
    this.hX1 = this.H(1.5) - 1;
    this.hN = this.H(n + 0.5);
    this.sq = 2 - this.Hinv(this.H(2.5) - this.h(2));
  }
  private h(x: number): number {
    return Math.exp(-this.s * Math.log(x));
  }
  private H(x: number): number {
    const l = Math.log(x);
    return helper2((1 - this.s) * l) * l;
  }
  private Hinv(x: number): number {
    let t = x * (1 - this.s);
    if (t < -1) t = -1;
    return Math.exp(helper1(t) * x);
  }
  /** A rank in 1..n. */
  sample(r: Random): number {
    for (;;) {
      const u = this.hN + r.next() * (this.hX1 - this.hN);
      const x = this.Hinv(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > this.n) k = this.n;
      if (k - x <= this.sq || u >= this.H(k + 0.5) - this.h(k)) return k;
    }
  }
}

const HEX = new TextEncoder().encode("0123456789abcdef");

/** Unit-variance effect of (field, rank), fixed by the seed. */
function effect(key: number, rank: number): number {
  return ((mix32((key ^ Math.imul(rank, 0x85ebca6b)) >>> 0) / 4294967296) - 0.5) * 3.4641;
}

/** The TSV bytes of `rows` generated rows, in chunks of about `chunkBytes`. */
export function* generateCriteo(options: CriteoGeneratorOptions): Generator<Uint8Array> {
  const { rows, seed = 1, labeled = true, zipf = 1.05, cardinalityScale = 1, chunkBytes = 1 << 20 } = options;
  if (!(Number.isInteger(rows) && rows >= 0)) throw new RangeError(`generateCriteo: rows = ${rows} must be an integer ≥ 0`);
  if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) throw new RangeError(`generateCriteo: seed = ${seed} must be a u32`);
  if (!(cardinalityScale > 0)) throw new RangeError(`generateCriteo: cardinalityScale = ${cardinalityScale} must be > 0`);
  const rng = new Random(mix32(seed ^ 0x43524954));
  const samplers = CRITEO_CARDINALITIES.map((n) => new ZipfSampler(Math.max(1, Math.round(n * cardinalityScale)), zipf));
  const keys = Array.from({ length: 39 }, (_, f) => mix32((seed * 39 + f + 1) >>> 0));
  const weights = new Float64Array(39);
  for (const [f, w] of EFFECTS) weights[f] = w;
  const values = new Float64Array(39); // per row: the int value or the categorical rank (0: missing)
  const maxRow = 40 * 12;
  let buf = new Uint8Array(chunkBytes + maxRow);
  let pos = 0;
  for (let r = 0; r < rows; r++) {
    let logit = -1.6;
    for (let f = 0; f < 13; f++) {
      if (rng.next() < INT_MISSING[f]!) {
        values[f] = NaN;
        continue;
      }
      // heavy tail: scale · (−ln u)² (Weibull, shape 1/2), I2 shifted to reach −2
      const e = -Math.log(1 - rng.next());
      const v = Math.floor(INT_SCALE[f]! * e * e) - (f === 1 ? 2 : 0);
      values[f] = v;
      if (weights[f]! !== 0) logit += weights[f]! * (Math.log1p(Math.max(v, 0)) - 1);
    }
    for (let c = 0; c < 26; c++) {
      const f = 13 + c;
      if (CAT_MISSING[c]! > 0 && rng.next() < CAT_MISSING[c]!) {
        values[f] = 0;
        continue;
      }
      const rank = samplers[c]!.sample(rng);
      values[f] = rank;
      if (weights[f]! !== 0) logit += weights[f]! * effect(keys[f]!, rank);
    }
    if (labeled) {
      buf[pos++] = rng.next() < 1 / (1 + Math.exp(-logit)) ? 49 : 48;
      buf[pos++] = 9;
    }
    for (let f = 0; f < 13; f++) {
      const v = values[f]!;
      if (v === v) {
        let x = v;
        if (x < 0) {
          buf[pos++] = 45;
          x = -x;
        }
        const start = pos;
        do {
          buf[pos++] = 48 + (x % 10);
          x = Math.floor(x / 10);
        } while (x > 0);
        buf.subarray(start, pos).reverse();
      }
      buf[pos++] = 9;
    }
    for (let c = 0; c < 26; c++) {
      const rank = values[13 + c]!;
      if (rank > 0) {
        const h = mix32((keys[13 + c]! ^ Math.imul(rank, 0x9e3779b1)) >>> 0);
        for (let k = 7; k >= 0; k--) buf[pos++] = HEX[(h >>> (4 * k)) & 15]!;
      }
      buf[pos++] = c === 25 ? 10 : 9;
    }
    if (pos >= chunkBytes) {
      yield buf.subarray(0, pos);
      buf = new Uint8Array(chunkBytes + maxRow);
      pos = 0;
    }
  }
  if (pos > 0) yield buf.subarray(0, pos);
}
