// A tiny CTR task with a planted signal, generated inside tests: per-field vocabularies with
// Zipf-like ids, labels from a hidden logistic model with first-order weights and one pairwise
// interaction, so that models must learn both to do well.
import type { Batch } from "../../src/train/step.js";
import { normal, uniform } from "../../src/util/rng.js";
import { getEngine } from "../../src/wasm/load.js";

export interface Planted {
  fieldSizes: number[];
  /** [n, F] global ids */
  ids: Int32Array;
  labels: Float32Array;
  n: number;
}

export function planted(n: number, fieldSizes: number[], seed = 1): Planted {
  const F = fieldSizes.length;
  const offsets: number[] = [];
  let rows = 0;
  for (const s of fieldSizes) {
    offsets.push(rows);
    rows += s;
  }
  const w = Float64Array.from({ length: rows }, (_, i) => 1.2 * normal(seed, 1, i));
  const pair = Float64Array.from({ length: fieldSizes[0] * fieldSizes[1] }, (_, i) => 1.5 * normal(seed, 2, i));
  const ids = new Int32Array(n * F);
  const labels = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    let z = -1.2;
    const local: number[] = [];
    for (let f = 0; f < F; f++) {
      const u = uniform(seed, 3 + f, k);
      const v = Math.min(fieldSizes[f] - 1, Math.floor(fieldSizes[f] * u * u)); // skewed towards small ids
      local.push(v);
      ids[k * F + f] = offsets[f] + v;
      z += w[offsets[f] + v];
    }
    z += pair[local[0] * fieldSizes[1] + local[1]];
    labels[k] = uniform(seed, 99, k) < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { fieldSizes, ids, labels, n };
}

/** Samples [start, start + size) of a planted task as a training batch (ids copied to the heap). */
export function plantedBatch(data: Planted, start: number, size: number): Batch {
  const F = data.fieldSizes.length;
  const ids = getEngine().heap.allocI32(size * F);
  ids.array.set(data.ids.subarray(start * F, (start + size) * F));
  return { ids, labels: data.labels.slice(start, start + size), size };
}
