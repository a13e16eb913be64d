// The rows of several shards of one split as one in-memory dataset (the in-memory path over a
// sharded folder): ids and labels, and the dense inputs and bag fields when the shards carry
// them (bag offsets rebased onto the joined ids).
import type { DatasetWithInputs } from "./cache.js";
import { createDataset } from "./dataset.js";

/** Joins `parts` (same fields, same inputs) in order. */
export function joinShards(parts: readonly DatasetWithInputs[], fieldNames: readonly string[]): DatasetWithInputs {
  const first = parts[0];
  if (!first) throw new RangeError("joinShards: no shards");
  const F = first.fields, n = parts.reduce((a, p) => a + p.n, 0);
  const ids = new Int32Array(n * F), labels = new Float32Array(n);
  const D = first.dense ? first.dense.length / Math.max(first.n, 1) : 0;
  const dense = first.dense ? new Float32Array(n * D) : undefined;
  const Fb = first.bags?.fields ?? 0;
  const bagOffsets = first.bags ? new Int32Array(n * Fb + 1) : undefined;
  const bagIds = first.bags ? new Int32Array(parts.reduce((a, p) => a + (p.bags ? p.bags.offsets[p.n * Fb]! : 0), 0)) : undefined;
  let at = 0, idAt = 0;
  for (const p of parts) {
    if (p.fields !== F || !p.dense !== !first.dense || p.bags?.fields !== first.bags?.fields) throw new RangeError(`joinShards: the shards differ in their fields or inputs`);
    ids.set(p.ids.subarray(0, p.n * F), at * F);
    labels.set(p.labels.subarray(0, p.n), at);
    if (dense) dense.set(p.dense!.subarray(0, p.n * D), at * D);
    if (bagOffsets && bagIds && p.bags) {
      for (let k = 1; k <= p.n * Fb; k++) bagOffsets[at * Fb + k] = idAt + p.bags.offsets[k]!;
      const m = p.bags.offsets[p.n * Fb]!;
      bagIds.set(p.bags.ids.subarray(0, m), idAt);
      idAt += m;
    }
    at += p.n;
  }
  const ds: DatasetWithInputs = createDataset(ids, labels, F, fieldNames);
  if (dense) ds.dense = dense;
  if (first.denseNames) ds.denseNames = first.denseNames;
  if (first.bags && bagOffsets && bagIds) ds.bags = { ...first.bags, offsets: bagOffsets, ids: bagIds };
  return ds;
}
