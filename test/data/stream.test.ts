// The streaming batch source (data/stream.ts): every row once per pass, the same sequence for the
// same seed, the in-memory shuffle when one fill holds the split, file order unshuffled, a bounded
// buffer, shards read from cache files, and bag fields that travel with their rows.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { batches, shuffledOrder } from "../../src/data/batcher.js";
import type { DatasetWithInputs } from "../../src/data/cache.js";
import { createDataset, type EncodedDataset } from "../../src/data/dataset.js";
import { shardsOf } from "../../src/data/shards-of.js";
import type { ShardedSplit } from "../../src/data/shard-source.js";
import { StreamCursor, predictStream, streamBatches, type StreamPassOptions } from "../../src/data/stream.js";
import { shardFiles } from "../helpers/shard-files.js";

const F = 3;
/** Row r has ids [r, r + 1e6, r + 2e6] and label r % 2. */
function rowsDataset(n: number): EncodedDataset {
  const ids = new Int32Array(n * F), labels = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    ids[r * F] = r;
    ids[r * F + 1] = r + 1e6;
    ids[r * F + 2] = r + 2e6;
    labels[r] = r % 2;
  }
  return createDataset(ids, labels, F);
}

async function rowsOfPass(split: ShardedSplit, o: StreamPassOptions): Promise<{ rows: number[]; sizes: number[] }> {
  const rows: number[] = [], sizes: number[] = [];
  for await (const b of streamBatches(split, o)) {
    sizes.push(b.size);
    for (let k = 0; k < b.size; k++) {
      expect(b.ids[k * F + 1]).toBe(b.ids[k * F]! + 1e6);
      expect(b.labels[k]).toBe(b.ids[k * F]! % 2);
      rows.push(b.ids[k * F]!);
    }
  }
  return { rows, sizes };
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("streamed batches", () => {
  const ds = rowsDataset(1000);

  it("one shard held whole: exactly the in-memory Trainer's batches (shuffledOrder(n, seed, epoch))", async () => {
    for (const epoch of [1, 2, 7]) {
      const mem = [...batches(ds, { batchSize: 64, order: shuffledOrder(ds.n, 5, epoch), copy: true })];
      const got = await rowsOfPass(shardsOf(ds, 1000), { batchSize: 64, seed: 5, epoch });
      expect(got.sizes).toEqual(mem.map((b) => b.size));
      expect(got.rows).toEqual(mem.flatMap((b) => Array.from({ length: b.size }, (_, k) => b.ids[k * F]!)));
    }
    // a buffer as large as the split does the same with several shards
    const mem = [...batches(ds, { batchSize: 64, order: shuffledOrder(ds.n, 5, 3), copy: true })];
    const got = await rowsOfPass(shardsOf(ds, 300), { batchSize: 64, seed: 5, epoch: 3, bufferRows: 1000 });
    expect(got.rows).toEqual(mem.flatMap((b) => Array.from({ length: b.size }, (_, k) => b.ids[k * F]!)));
  });

  it("several shards: every row once per epoch, full batches but the last, deterministic, epochs differ", async () => {
    const split = shardsOf(ds, 130); // 8 shards, the last of 90 rows
    const a = await rowsOfPass(split, { batchSize: 48, seed: 9, epoch: 1, bufferRows: 260 });
    expect([...a.rows].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(a.sizes.length).toBe(Math.ceil(1000 / 48));
    expect(a.sizes.slice(0, -1).every((s) => s === 48)).toBe(true);
    const again = await rowsOfPass(split, { batchSize: 48, seed: 9, epoch: 1, bufferRows: 260 });
    expect(again.rows).toEqual(a.rows);
    const e2 = await rowsOfPass(split, { batchSize: 48, seed: 9, epoch: 2, bufferRows: 260 });
    expect(e2.rows).not.toEqual(a.rows);
    const s2 = await rowsOfPass(split, { batchSize: 48, seed: 10, epoch: 1, bufferRows: 260 });
    expect(s2.rows).not.toEqual(a.rows);
    // shuffled across shard boundaries: the first batch mixes rows of two shards
    const first = new Set(a.rows.slice(0, 48).map((r) => Math.floor(r / 130)));
    expect(first.size).toBe(2);
  });

  it("unshuffled: file order, batches across shard boundaries as in memory", async () => {
    const got = await rowsOfPass(shardsOf(ds, 130), { batchSize: 48, shuffle: false });
    expect(got.rows).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(got.sizes).toEqual([...batches(ds, { batchSize: 48 })].map((b) => b.size));
  });

  it("holds at most the buffer (whole shards) and one prefetched shard", async () => {
    const split = shardsOf(ds, 100);
    const c = new StreamCursor(split, { batchSize: 32, seed: 1, epoch: 1, bufferRows: 250 });
    const ids = new Int32Array(32 * F), labels = new Float32Array(32);
    let n = 0;
    for (;;) {
      const r = c.next(ids, labels);
      if (typeof r !== "number") {
        await r;
        continue;
      }
      if (r === 0) break;
      n += r;
    }
    expect(n).toBe(1000);
    // a fill takes 2 shards (300 > 250) plus < 32 rows carried over, and the next shard is prefetched
    expect(c.peakRows).toBeLessThanOrEqual(200 + 31 + 100);
    expect(c.peakRows).toBeGreaterThanOrEqual(300);
    c.close();
  });

  it("predictStream: predictions in file order with the in-memory batching", async () => {
    const seen: number[] = [];
    const { predictions, labels } = await predictStream(shardsOf(ds, 130), 64, (b, out) => {
      seen.push(b.size);
      for (let k = 0; k < b.size; k++) out[k] = b.ids[k * F]! / 1000;
    });
    expect(seen).toEqual([...batches(ds, { batchSize: 64 })].map((b) => b.size));
    expect(Array.from(predictions)).toEqual(Array.from({ length: 1000 }, (_, i) => Math.fround(i / 1000)));
    expect(Array.from(labels)).toEqual(Array.from(ds.labels));
  });

  it("reads shards from cache files and names a bad one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "alpt-stream-"));
    dirs.push(dir);
    const split = await shardFiles(dir, ds, 250);
    const mem = await rowsOfPass(shardsOf(ds, 250), { batchSize: 40, seed: 3, epoch: 2 });
    const files = await rowsOfPass(split, { batchSize: 40, seed: 3, epoch: 2 });
    expect(files.rows).toEqual(mem.rows);
    await writeFile(split.shards[2]!.name, "not a cache");
    await expect(rowsOfPass(split, { batchSize: 40, shuffle: false })).rejects.toThrow(split.shards[2]!.name);
    // a shard holding other rows than the manifest says
    const short: ShardedSplit = { rows: 1000, fields: F, shards: [{ rows: 1000, name: "short.cache", load: async () => rowsDataset(999) }] };
    await expect(rowsOfPass(short, { batchSize: 40 })).rejects.toThrow(/short\.cache: holds 999 rows, the split says 1000/);
  });
});

describe("bag fields in streamed batches", () => {
  /** rowsDataset(n) with 2 bag fields: row r's bag j holds (r + j) % 4 ids r·10 + j·1e6 + k, and one dense input r. */
  function withBags(n: number): DatasetWithInputs {
    const ds: DatasetWithInputs = rowsDataset(n);
    const offsets = new Int32Array(2 * n + 1), ids: number[] = [];
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < 2; j++) {
        for (let k = 0; k < (r + j) % 4; k++) ids.push(r * 10 + j * 1e6 + k);
        offsets[2 * r + j + 1] = ids.length;
      }
    }
    ds.bags = { fields: 2, pooling: ["sum", "mean"], names: ["a", "b"], offsets, ids: Int32Array.from(ids) };
    ds.dense = Float32Array.from({ length: n }, (_, r) => r);
    return ds;
  }
  /** Checks each row's bags and dense input against its ids; returns the rows of the pass. */
  async function checkedRows(split: ShardedSplit, o: StreamPassOptions): Promise<number[]> {
    const rows: number[] = [];
    for await (const b of streamBatches(split, { ...o, denseFeatures: 1, bagPooling: ["sum", "mean"] })) {
      expect(b.bags!.offsets.length).toBe(2 * b.size + 1);
      expect(b.bags!.offsets[0]).toBe(0);
      expect(b.bags!.offsets[2 * b.size]).toBe(b.bags!.ids.length);
      for (let k = 0; k < b.size; k++) {
        const r = b.ids[k * F]!;
        expect(b.dense![k]).toBe(r);
        for (let j = 0; j < 2; j++) {
          const got = Array.from(b.bags!.ids.subarray(b.bags!.offsets[2 * k + j]!, b.bags!.offsets[2 * k + j + 1]!));
          expect(got).toEqual(Array.from({ length: (r + j) % 4 }, (_, q) => r * 10 + j * 1e6 + q));
        }
        rows.push(r);
      }
    }
    return rows;
  }

  it("every row once per pass with its own bags: several shards, a small buffer (carried rows), cache files, file order", async () => {
    const ds = withBags(1000);
    const dir = await mkdtemp(join(tmpdir(), "alpt-stream-bags-"));
    dirs.push(dir);
    for (const split of [shardsOf(ds, 130), await shardFiles(dir, ds, 130)]) {
      const a = await checkedRows(split, { batchSize: 48, seed: 3, epoch: 2, bufferRows: 260 });
      expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, r) => r));
      expect(await checkedRows(split, { batchSize: 48, seed: 3, epoch: 2, bufferRows: 260 })).toEqual(a);
      expect(await checkedRows(split, { batchSize: 48, shuffle: false })).toEqual(Array.from({ length: 1000 }, (_, r) => r));
    }
  });

  it("one shard held whole: the in-memory batches' bags (batchBags over shuffledOrder)", async () => {
    const ds = withBags(500);
    const mem = [...batches(ds, { batchSize: 64, order: shuffledOrder(ds.n, 9, 4), copy: true })];
    const got: DatasetWithInputs["bags"][] = [];
    for await (const b of streamBatches(shardsOf(ds, 500), { batchSize: 64, seed: 9, epoch: 4, bagPooling: ["sum", "mean"] })) got.push(b.bags);
    expect(got.map((b) => [Array.from(b!.offsets), Array.from(b!.ids)])).toEqual(mem.map((b) => [Array.from(b.bags!.offsets), Array.from(b.bags!.ids)]));
  });

  it("names a shard without the bag fields the pass takes", async () => {
    const cursor = new StreamCursor(shardsOf(rowsDataset(10), 10), { batchSize: 4, bagPooling: ["mean"] });
    await expect((async () => {
      for (;;) {
        const r = cursor.next(new Int32Array(4 * F), new Float32Array(4));
        if (typeof r === "number") return r;
        await r;
      }
    })()).rejects.toThrow(/memory\[0\]: has no bag fields, the pass takes 1 pooled \["mean"\]/);
  });
});
