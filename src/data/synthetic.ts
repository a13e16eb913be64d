// A seeded, Criteo-shaped synthetic CTR dataset. Fields I1..In (numeric) then C1..Cc
// (categorical), as in Criteo TSV. Row i is a pure function of (seed, i), so any range can be
// generated alone. Planted signal (the hidden ground truth):
//
//   value of field f:  missing with prob. m_f, else Zipf(s) rank r over the field's vocabulary
//                      (categorical: vocab sizes ∝ decay^k, k-th largest; numeric: raw v = r,
//                      token = criteoBucket(v))
//   logit(i) = b + Σ_f w_f[x_f] + Σ_{(f,g) ∈ P} α·⟨z_f[x_f], z_g[x_g]⟩
//   w_f[·] ~ N(0, σ₁²/F),  z ~ N(0, I_K),  α = σ₂/√(|P|·K),  label ~ Bernoulli(sigmoid(logit))
//
// x_f is the local id (0 = missing has its own weight). P holds `interactionPairs` random pairs
// of the smaller-vocabulary fields (learnable from ~10^5 rows); b is calibrated (bisection on
// 4096 rows) to the target positive rate. A logistic (first-order) model cannot express the
// pair terms, so it is beaten by FM/DeepFM/DCN; the AUC of the true logit bounds what any
// model reaches. Encoded ids follow the FeatureMap layout (0 missing, 1 OOV, 2 + rank/bucket).
import { fillNormal, mix32, streamKey, uniformAt } from "../util/rng.js";
import { createDataset, type EncodedDataset } from "./dataset.js";
import { criteoBucket } from "./transform.js";

/** Options of the synthetic generator (all optional). */
export interface SyntheticOptions {
  seed?: number;
  /** Numeric fields I1..In (default 13). */
  numericFields?: number;
  /** Categorical fields C1..Cc (default 26). */
  categoricalFields?: number;
  /** Total vocabulary of the categorical fields (default 100,000; ~10^6 for the criteo1m bench). */
  vocabSize?: number;
  /** The k-th largest categorical field gets a share ∝ vocabDecay^k (default 0.75). */
  vocabDecay?: number;
  /** Zipf exponent of value frequencies (default 1.1). */
  zipf?: number;
  /** Raw numeric values are 0..numericLevels−1, Zipf-distributed (default 1000). */
  numericLevels?: number;
  /** Missing rates (defaults 0.1 categorical, 0.2 numeric, close to Criteo's 11 % / 21 %). */
  categoricalMissing?: number;
  numericMissing?: number;
  /** Target share of positive labels (default 0.25). */
  positiveRate?: number;
  /** Standard deviation of the first-order part of the logit (default 1). */
  firstOrderStd?: number;
  /** Number of planted field pairs (default 8) and the rank K of their interactions (default 4). */
  interactionPairs?: number;
  interactionRank?: number;
  /** Standard deviation of the interaction part of the logit (default 1). */
  interactionStd?: number;
}

const S_VALUE = 0x1000, S_MISS = 0x2000, S_W = 0x3000, S_Z = 0x4000;
const S_LABEL = 0x5000, S_PAIRS = 0x5001, S_PERM = 0x5002, S_TOKEN = 0x5003;
const CALIBRATION_ROWS = 4096;
const HEX2 = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/** Which part of the hidden logit to return. */
export type LogitPart = "full" | "firstOrder" | "interaction";

/** The generator. Field f < numericFields is I(f+1); the rest are C1..Cc. */
export class SyntheticCtr {
  readonly seed: number;
  readonly numFields: number;
  readonly numericFields: number;
  readonly fieldNames: readonly string[];
  /** Local ids per field (2 reserved + values), as a FeatureMap would have them. */
  readonly fieldSizes: readonly number[];
  readonly fieldOffsets: readonly number[];
  readonly totalRows: number;
  /** The planted interaction pairs (field indices). */
  readonly pairs: readonly (readonly [number, number])[];
  /** The calibrated bias b. */
  readonly bias: number;
  private readonly values: number[];
  private readonly zipfA: Float64Array;
  private readonly missRate: Float64Array;
  private readonly valueKeys: Uint32Array;
  private readonly missKeys: Uint32Array;
  private readonly labelKey: number;
  private readonly tokenKeys: Uint32Array;
  private readonly ranks: Int32Array;
  private readonly w: Float32Array;
  private readonly z: (Float32Array | undefined)[];
  private readonly K: number;
  private readonly alpha: number;
  private readonly inv: number;

  constructor(options: SyntheticOptions = {}) {
    const o = { seed: 0, numericFields: 13, categoricalFields: 26, vocabSize: 100_000, vocabDecay: 0.75, zipf: 1.1,
      numericLevels: 1000, categoricalMissing: 0.1, numericMissing: 0.2, positiveRate: 0.25, firstOrderStd: 1,
      interactionPairs: 8, interactionRank: 4, interactionStd: 1 };
    for (const [k, v] of Object.entries(options)) {
      if (!(k in o)) throw new TypeError(`SyntheticCtr: unknown option "${k}"`);
      if (v !== undefined) (o as Record<string, number>)[k] = v as number;
    }
    const int = (k: keyof SyntheticOptions, min: number) => {
      const v = o[k];
      if (!Number.isInteger(v) || v < min) throw new RangeError(`SyntheticCtr: ${k} = ${v} must be an integer ≥ ${min}`);
    };
    const real = (k: keyof SyntheticOptions, lo: number, hi: number) => {
      const v = o[k];
      if (!(v >= lo && v <= hi)) throw new RangeError(`SyntheticCtr: ${k} = ${v} must be in [${lo}, ${hi}]`);
    };
    int("seed", 0); if (o.seed > 0xffffffff) throw new RangeError(`SyntheticCtr: seed = ${o.seed} must be a u32`);
    int("numericFields", 0); int("categoricalFields", 0); int("numericLevels", 1);
    int("interactionPairs", 0); int("interactionRank", 1);
    real("vocabDecay", 1e-3, 1); real("zipf", 0, 10); real("categoricalMissing", 0, 1); real("numericMissing", 0, 1);
    real("positiveRate", 1e-6, 1 - 1e-6); real("firstOrderStd", 0, 100); real("interactionStd", 0, 100);
    const N = o.numericFields, C = o.categoricalFields, F = N + C;
    if (F < 1) throw new RangeError("SyntheticCtr: numericFields + categoricalFields must be ≥ 1");
    if (!Number.isInteger(o.vocabSize) || o.vocabSize < 2 * C) throw new RangeError(`SyntheticCtr: vocabSize = ${o.vocabSize} must be an integer ≥ 2 per categorical field`);
    this.seed = o.seed;
    this.numFields = F;
    this.numericFields = N;
    this.fieldNames = [...Array.from({ length: N }, (_, i) => `I${i + 1}`), ...Array.from({ length: C }, (_, i) => `C${i + 1}`)];

    // Vocabulary sizes: shares decay^k assigned to the categorical fields in a seeded order.
    const shares = Array.from({ length: C }, (_, k) => o.vocabDecay ** k);
    const order = Array.from({ length: C }, (_, k) => k);
    for (let k = C - 1; k > 0; k--) {
      const j = Math.floor(uniformAt(streamKey(o.seed, S_PERM), k) * (k + 1));
      [order[k], order[j]] = [order[j]!, order[k]!];
    }
    const total = shares.reduce((a, b) => a + b, 0);
    const catSizes = new Array<number>(C);
    for (let k = 0; k < C; k++) catSizes[order[k]!] = Math.max(2, Math.round((o.vocabSize * shares[k]!) / total));
    this.values = [...Array.from({ length: N }, () => o.numericLevels), ...catSizes];
    const numericBuckets = criteoBucket(o.numericLevels - 1) + 1;
    this.fieldSizes = this.values.map((v, f) => 2 + (f < N ? numericBuckets : v));
    const offsets: number[] = [];
    let rows = 0;
    for (const s of this.fieldSizes) {
      offsets.push(rows);
      rows += s;
    }
    this.fieldOffsets = offsets;
    this.totalRows = rows;

    // Zipf by inverse CDF of the continuous power law on [1, n + 1): rank = floor(x) − 1.
    const s = o.zipf === 1 ? 1 + 1e-9 : o.zipf;
    this.inv = 1 / (1 - s);
    this.zipfA = Float64Array.from(this.values, (n) => (n + 1) ** (1 - s) - 1);
    this.missRate = Float64Array.from(this.values, (_, f) => (f < N ? o.numericMissing : o.categoricalMissing));
    this.valueKeys = Uint32Array.from(this.values, (_, f) => streamKey(o.seed, S_VALUE + f));
    this.missKeys = Uint32Array.from(this.values, (_, f) => streamKey(o.seed, S_MISS + f));
    this.labelKey = streamKey(o.seed, S_LABEL);
    this.tokenKeys = Uint32Array.from(this.values, (_, f) => streamKey(o.seed, S_TOKEN + f));
    this.ranks = new Int32Array(F);

    // First-order weights by global id; latent vectors for the fields of the planted pairs.
    this.w = new Float32Array(rows);
    for (let f = 0; f < F; f++) {
      fillNormal(this.w.subarray(offsets[f]!, offsets[f]! + this.fieldSizes[f]!), o.firstOrderStd / Math.sqrt(F), o.seed, S_W + f);
    }
    this.pairs = this.pickPairs(o.interactionPairs);
    this.K = o.interactionRank;
    this.alpha = this.pairs.length ? o.interactionStd / Math.sqrt(this.pairs.length * this.K) : 0;
    this.z = new Array<Float32Array | undefined>(F).fill(undefined);
    for (const [a, b] of this.pairs) {
      for (const f of [a, b]) {
        if (this.z[f]) continue;
        const zf = new Float32Array(this.fieldSizes[f]! * this.K);
        fillNormal(zf, 1, o.seed, S_Z + f);
        this.z[f] = zf;
      }
    }
    this.bias = this.calibrate(o.positiveRate);
  }

  private pickPairs(count: number): [number, number][] {
    const F = this.numFields;
    const bySize = Array.from({ length: F }, (_, f) => f).sort((a, b) => this.fieldSizes[a]! - this.fieldSizes[b]! || a - b);
    const pool = bySize.slice(0, Math.max(2, Math.ceil(F / 2)));
    const possible = (pool.length * (pool.length - 1)) / 2;
    if (count > possible) throw new RangeError(`SyntheticCtr: interactionPairs = ${count}, at most ${possible} with ${F} fields`);
    const key = streamKey(this.seed, S_PAIRS), seen = new Set<number>(), out: [number, number][] = [];
    for (let t = 0; out.length < count; t += 2) {
      const a = pool[Math.floor(uniformAt(key, t) * pool.length)]!, b = pool[Math.floor(uniformAt(key, t + 1) * pool.length)]!;
      const lo = Math.min(a, b), hi = Math.max(a, b);
      if (lo === hi || seen.has(lo * F + hi)) continue;
      seen.add(lo * F + hi);
      out.push([lo, hi]);
    }
    return out;
  }

  private calibrate(rate: number): number {
    const x = new Float64Array(CALIBRATION_ROWS), loc = new Int32Array(this.numFields);
    for (let i = 0; i < x.length; i++) x[i] = this.logitOf(i, loc, "full", 0);
    let lo = -30, hi = 30;
    for (let it = 0; it < 60; it++) {
      const b = (lo + hi) / 2;
      let m = 0;
      for (let i = 0; i < x.length; i++) m += 1 / (1 + Math.exp(-(b + x[i]!)));
      if (m / x.length < rate) lo = b;
      else hi = b;
    }
    return (lo + hi) / 2;
  }

  /** Raw value rank of field f in row i (−1 = missing). Numeric fields: the raw integer value. */
  rank(i: number, f: number): number {
    if (uniformAt(this.missKeys[f]!, i) < this.missRate[f]!) return -1;
    const u = uniformAt(this.valueKeys[f]!, i);
    const r = Math.floor((1 + u * this.zipfA[f]!) ** this.inv) - 1;
    return r < 0 ? 0 : r >= this.values[f]! ? this.values[f]! - 1 : r;
  }

  /** Fills loc[f] with the local ids of row i (0 = missing, 2 + rank or 2 + criteoBucket(v)). */
  localIds(i: number, loc: Int32Array = new Int32Array(this.numFields)): Int32Array {
    const N = this.numericFields, ranks = this.ranks;
    for (let f = 0; f < this.numFields; f++) {
      const r = (ranks[f] = this.rank(i, f));
      loc[f] = r < 0 ? 0 : 2 + (f < N ? criteoBucket(r) : r);
    }
    return loc;
  }

  private logitOf(i: number, loc: Int32Array, part: LogitPart, bias: number): number {
    this.localIds(i, loc);
    let s = bias;
    if (part !== "interaction") for (let f = 0; f < this.numFields; f++) s += this.w[this.fieldOffsets[f]! + loc[f]!]!;
    if (part !== "firstOrder") {
      const K = this.K;
      for (let p = 0; p < this.pairs.length; p++) {
        const a = this.pairs[p]![0], b = this.pairs[p]![1];
        const za = this.z[a]!, zb = this.z[b]!, ia = loc[a]! * K, ib = loc[b]! * K;
        let d = 0;
        for (let k = 0; k < K; k++) d += za[ia + k]! * zb[ib + k]!;
        s += this.alpha * d;
      }
    }
    return s;
  }

  /** The hidden logit of rows [start, start + count) (with the bias for "full" and "firstOrder"). */
  logits(start: number, count: number, part: LogitPart = "full"): Float64Array {
    const out = new Float64Array(count), loc = new Int32Array(this.numFields);
    for (let k = 0; k < count; k++) out[k] = this.logitOf(start + k, loc, part, part === "interaction" ? 0 : this.bias);
    return out;
  }

  /** The label of row i given its logit. */
  private labelOf(i: number, logit: number): number {
    return uniformAt(this.labelKey, i) < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  }

  /** Rows [start, start + count) as an encoded dataset (global ids, FeatureMap layout). */
  generate(start: number, count: number): EncodedDataset {
    checkRange(start, count);
    const F = this.numFields, ids = new Int32Array(count * F), labels = new Float32Array(count);
    const loc = new Int32Array(F);
    for (let k = 0; k < count; k++) {
      const i = start + k;
      labels[k] = this.labelOf(i, this.logitOf(i, loc, "full", this.bias));
      for (let f = 0; f < F; f++) ids[k * F + f] = this.fieldOffsets[f]! + loc[f]!;
    }
    return createDataset(ids, labels, F, this.fieldNames);
  }

  /** The categorical token of rank r in field f: 8 hex digits, distinct per rank (mix32 is a bijection). */
  token(f: number, r: number): string {
    const h = mix32((r ^ this.tokenKeys[f]!) >>> 0);
    return HEX2[h >>> 24]! + HEX2[(h >>> 16) & 255]! + HEX2[(h >>> 8) & 255]! + HEX2[h & 255]!;
  }

  /** Row i as a Criteo TSV line (label, I…, C…; missing = empty cell), without the newline. */
  criteoLine(i: number, loc: Int32Array = new Int32Array(this.numFields)): string {
    let line = String(this.labelOf(i, this.logitOf(i, loc, "full", this.bias)));
    const ranks = this.ranks;
    for (let f = 0; f < this.numFields; f++) {
      const r = ranks[f]!;
      line += r < 0 ? "\t" : f < this.numericFields ? "\t" + r : "\t" + this.token(f, r);
    }
    return line;
  }

  /** Rows [start, start + count) as Criteo TSV text, one "\n"-terminated line per row. */
  criteoText(start: number, count: number): string {
    checkRange(start, count);
    const lines: string[] = [], loc = new Int32Array(this.numFields);
    for (let k = 0; k < count; k++) lines.push(this.criteoLine(start + k, loc));
    return lines.length ? lines.join("\n") + "\n" : "";
  }
}

function checkRange(start: number, count: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > 2 ** 32) {
    throw new RangeError(`SyntheticCtr: rows [${start}, ${start} + ${count}) must be integers within [0, 2^32)`);
  }
}
