// Bench inputs shaped like Criteo: 26 fields with skewed vocabulary sizes summing to about
// 1M rows, Zipf-distributed ids within each field, seeded.
import seedrandom from "seedrandom";

/** Vocabulary sizes of 26 Criteo-like fields, scaled so that they sum to about `total` rows. */
export function fieldSizes(total = 1_000_000): number[] {
  const raw = [
    1460, 583, 10131227, 2202608, 305, 24, 12517, 633, 3, 93145, 5683, 8351593, 3194, 27, 14992,
    5461306, 10, 5652, 2173, 4, 7046547, 18, 15, 286181, 105, 142572,
  ];
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((v) => Math.max(2, Math.round((v / sum) * total)));
}

/** Cumulative Zipf(s) weights over ranks 1..size, normalised to 1. */
function zipfCdf(size: number, s: number): Float64Array {
  const cdf = new Float64Array(size);
  let acc = 0;
  for (let i = 0; i < size; i++) cdf[i] = acc += 1 / (i + 1) ** s;
  for (let i = 0; i < size; i++) cdf[i] /= acc;
  return cdf;
}

/**
 * ids [batch, fields]: field f draws a Zipf(s) rank inside its vocabulary, offset by the sizes
 * of the fields before it. With `layout: "frequency"` (default) rank r is row r of the field,
 * as the FeatureMap assigns ids (most frequent first); "scattered" spreads ranks over the
 * field's rows by a multiplicative hash, the worst case for caches.
 */
export function zipfIds(
  sizes: number[], batch: number, seed = 1, s = 1.05, layout: "frequency" | "scattered" = "frequency",
): Int32Array {
  const rand = seedrandom(`zipf-${seed}`);
  const cdfs = sizes.map((n) => zipfCdf(n, s));
  const offsets: number[] = [];
  let off = 0;
  for (const n of sizes) {
    offsets.push(off);
    off += n;
  }
  const F = sizes.length;
  const ids = new Int32Array(batch * F);
  for (let b = 0; b < batch; b++) {
    for (let f = 0; f < F; f++) {
      const cdf = cdfs[f];
      const u = rand();
      let lo = 0;
      let hi = cdf.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid] < u) lo = mid + 1;
        else hi = mid;
      }
      const n = sizes[f];
      ids[b * F + f] = offsets[f] + (layout === "frequency" ? lo : (lo * 2654435761) % n);
    }
  }
  return ids;
}
