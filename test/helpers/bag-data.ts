// Generated rows with a learnable signal for models with bag fields and dense inputs: 3
// single-valued fields, 1 tag field (0 to 5 tags, repeats allowed), 2 dense inputs.
import type { BagData } from "../../src/data/bag-fields.js";
import type { EncodedData } from "../../src/train/trainer.js";
import { rng } from "./engine.js";

export const VOCAB = [40, 30, 20], TAGS = 60;
export const FIELD_SIZES = [...VOCAB, TAGS];

/** n rows: logit = w[x₀] + w[x₁] + 2·mean(tag weights) + 0.8·d₀ − 0.6·d₁; label ~ Bernoulli(σ(logit)). */
export function generate(n: number, seed: string): EncodedData {
  const r = rng(`bag-weights`);
  const w = VOCAB.map((v) => Array.from({ length: v }, () => r() * 2 - 1));
  const tagW = Array.from({ length: TAGS }, () => (r() < 0.5 ? -1.5 : 1.5));
  const g = rng(seed);
  const ids = new Int32Array(n * 3), labels = new Float32Array(n), dense = new Float32Array(n * 2);
  const offsets = new Int32Array(n + 1), tags: number[] = [];
  const base = VOCAB.reduce((a, b) => a + b, 0);
  for (let i = 0; i < n; i++) {
    let z = 0, off = 0;
    for (let f = 0; f < 3; f++) {
      const x = Math.floor(g() * VOCAB[f]);
      ids[i * 3 + f] = off + x;
      if (f < 2) z += w[f][x];
      off += VOCAB[f];
    }
    const len = Math.floor(g() * 6);
    let s = 0;
    for (let k = 0; k < len; k++) {
      const t = k > 0 && g() < 0.2 ? tags[tags.length - 1]! - base : Math.floor(g() * TAGS);
      tags.push(base + t);
      s += tagW[t];
    }
    if (len) z += (2 * s) / len;
    offsets[i + 1] = tags.length;
    const d0 = g() * 2 - 1, d1 = g() * 2 - 1;
    dense[i * 2] = d0;
    dense[i * 2 + 1] = d1;
    z += 0.8 * d0 - 0.6 * d1;
    labels[i] = g() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  const bags: BagData = { fields: 1, pooling: ["mean"], offsets, ids: Int32Array.from(tags), names: ["tags"] };
  return { n, fields: 3, ids, labels, dense, bags };
}


/** The bags padded to [n, Fb, L] ids (padding: row 0) and a float mask (1 = value), L = max(1, longest bag). */
export function padBags(bags: BagData, n: number): { ids: Int32Array; mask: Float32Array; len: number } {
  const Fb = bags.fields, o = bags.offsets;
  let len = 1;
  for (let i = 0; i < n * Fb; i++) len = Math.max(len, o[i + 1]! - o[i]!);
  const ids = new Int32Array(n * Fb * len), mask = new Float32Array(n * Fb * len);
  for (let i = 0; i < n * Fb; i++) {
    for (let k = o[i]!; k < o[i + 1]!; k++) {
      ids[i * len + k - o[i]!] = bags.ids[k]!;
      mask[i * len + k - o[i]!] = 1;
    }
  }
  return { ids, mask, len };
}
