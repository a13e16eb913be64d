// The data's host memory in the plan (train/data-memory.ts): every row in memory, or streamed the
// buffer + carry + prefetched shard and the validation predictions.
import { describe, expect, it } from "vitest";
import { planDataMemory } from "../../src/train/data-memory.js";

describe("planDataMemory", () => {
  const base = { fields: 39, batchSize: 2048, train: { rows: 4_000_000, largestShard: 500_000 }, valid: { rows: 500_000, largestShard: 500_000 } };

  it("in memory: every train row, every valid row and its prediction", () => {
    const d = planDataMemory({ ...base, streamed: false });
    expect(d).toMatchObject({ streamed: false, rowBytes: 160, trainRows: 4_000_000, train: 640_000_000, valid: 500_000 * 164 });
    expect(planDataMemory({ ...base, denseFeatures: 13, streamed: false }).rowBytes).toBe(160 + 52);
  });

  it("streamed: buffer (whole shards, default two) + carry + prefetched shard, and the permutation", () => {
    const d = planDataMemory({ ...base, streamed: true });
    expect(d.trainRows).toBe(1_000_000 + 2047 + 500_000);
    expect(d.train).toBe(d.trainRows * 160 + 4 * 1_000_000);
    // one valid shard held + the next, and 8 B/row of predictions and labels
    expect(d.valid).toBe(500_000 * 160 + 8 * 500_000);
    // a buffer smaller than a shard still holds one shard; one holding the split needs no prefetch
    expect(planDataMemory({ ...base, streamed: true, bufferRows: 1000 }).trainRows).toBe(500_000 + 2047 + 500_000);
    expect(planDataMemory({ ...base, streamed: true, bufferRows: 1e9 }).trainRows).toBe(4_000_000 + 2047);
  });
});
