// Out-of-core prepare (prepare-shards.ts) against the in-memory path it replaces in `alpt prepare`
// (prepareDataset + splitByOrder + one cache per split): the same FeatureMap (JSON and hash) and
// the same rows — byte-identical cache files when a split fits one shard, the same rows in order
// when it is cut into several — on the real Criteo and Avazu samples (skipped without ALPT_DATA),
// on generated Criteo (min-count 1 and 3, fitFraction < 1, blank
// and malformed lines that force the recount), Avazu CSV with its header, and a separate file
// encoded with a fitted map; plus the bytes per distinct value of the counting pass.
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { avazuOptions } from "../../src/data/avazu.js";
import { readCacheFile, writeCacheFile } from "../../src/data/cache-file.js";
import { criteoOptions } from "../../src/data/criteo.js";
import { generateCriteo } from "../../src/data/criteo-generator.js";
import { splitDataset, type EncodedDataset } from "../../src/data/dataset.js";
import type { DelimitedOptions } from "../../src/data/delimited.js";
import type { FeatureMap } from "../../src/data/feature-map.js";
import { prepareDataset } from "../../src/data/prepare.js";
import { prepareShards, shardFileName, type PrepareShardsOptions, type ShardedPrepared } from "../../src/data/prepare-shards.js";
import { AVAZU_HEADER, avazuRow, tempDir } from "./fixtures.js";

const temp = tempDir();
afterAll(() => temp.cleanup());
let runs = 0;
const freshDir = () => {
  const d = join(temp.dir, `run${runs++}`);
  mkdirSync(d);
  return d;
};

const SPLITS = ["train", "valid", "test"];

/** The reference: prepareDataset, split by order, one cache per split (what `alpt prepare` wrote before shards). */
async function reference(bytes: Uint8Array, reader: DelimitedOptions, fractions: number[], minCount = 1, fittedMap?: FeatureMap) {
  const p = await prepareDataset({ open: () => [bytes], reader, featureMap: { minCount }, fitFraction: fractions[0], fittedMap });
  const parts = fractions.length === 1 ? [p.dataset] : splitDataset(p.dataset, fractions);
  const dir = freshDir();
  const files = new Map<string, Uint8Array>();
  for (let k = 0; k < parts.length; k++) {
    if (parts[k]!.n === 0) continue;
    const path = join(dir, `${SPLITS[k]}.cache`);
    await writeCacheFile(path, parts[k]!, p.featureMap.hash, SPLITS[k]);
    files.set(SPLITS[k]!, readFileSync(path));
  }
  return { map: p.featureMap, parts, files, stats: p.stats };
}

async function sharded(bytes: Uint8Array, reader: DelimitedOptions, fractions: number[], o: Partial<PrepareShardsOptions> = {}): Promise<ShardedPrepared & { dir: string }> {
  const dir = freshDir();
  const r = await prepareShards({ open: () => [bytes], reader, dir, fractions, ...o });
  return { ...r, dir };
}

/** The rows of a split read back from its shards, concatenated. */
async function rowsOf(dir: string, shards: { file: string; rows: number }[], map: FeatureMap): Promise<{ ids: Int32Array; labels: Float32Array }> {
  const parts: EncodedDataset[] = [];
  for (const s of shards) {
    const ds = await readCacheFile(join(dir, s.file), { featureMapHash: map.hash, fieldSizes: map.fieldSizes });
    expect(ds.n).toBe(s.rows);
    parts.push(ds);
  }
  const F = map.numFields, n = parts.reduce((a, d) => a + d.n, 0);
  const ids = new Int32Array(n * F), labels = new Float32Array(n);
  let at = 0;
  for (const d of parts) {
    ids.set(d.ids, at * F);
    labels.set(d.labels, at);
    at += d.n;
  }
  return { ids, labels };
}

async function expectSameAsReference(
  bytes: Uint8Array, reader: DelimitedOptions, fractions: number[], minCount = 1, extra: Partial<PrepareShardsOptions> = {}, cut = { shardRows: 97, blockRows: 64 },
) {
  const ref = await reference(bytes, reader, fractions, minCount);
  // one shard per split: the very files of the in-memory path
  const one = await sharded(bytes, reader, fractions, { featureMap: { minCount }, ...extra });
  expect(JSON.stringify(one.featureMap.toJSON())).toBe(JSON.stringify(ref.map.toJSON()));
  expect(one.featureMap.hash).toBe(ref.map.hash);
  expect(one.stats).toEqual(ref.stats);
  for (const [k, part] of ref.parts.entries()) {
    const s = one.splits[k]!;
    expect(s.rows).toBe(part.n);
    if (part.n === 0) continue;
    expect(s.shards).toEqual([{ file: `${SPLITS[k]}.cache`, rows: part.n }]);
    expect(Buffer.from(readFileSync(join(one.dir, s.shards[0]!.file))).equals(Buffer.from(ref.files.get(SPLITS[k]!)!))).toBe(true);
  }
  // small shards and blocks: the same rows, cut
  const many = await sharded(bytes, reader, fractions, { featureMap: { minCount }, ...extra, ...cut });
  expect(many.featureMap.hash).toBe(ref.map.hash);
  for (const [k, part] of ref.parts.entries()) {
    const s = many.splits[k]!;
    expect(s.shards.length).toBe(Math.ceil(part.n / cut.shardRows));
    if (s.shards.length > 1) expect(s.shards.map((x) => x.file)).toEqual(s.shards.map((_, j) => shardFileName(SPLITS[k]!, j)));
    const got = await rowsOf(many.dir, s.shards, many.featureMap);
    expect(got.ids).toEqual(part.ids.subarray(0, part.n * part.fields));
    expect(got.labels).toEqual(part.labels.subarray(0, part.n));
  }
  return { ref, one, many };
}

const criteo = (rows: number, seed: number, scale: number) => new Uint8Array(Buffer.concat([...generateCriteo({ rows, seed, cardinalityScale: scale })]));

describe("prepareShards: the same FeatureMap and caches as prepareDataset", () => {
  const bytes = criteo(3000, 5, 0.001);
  const reader = criteoOptions({ file: "gen.txt" });

  it("generated Criteo, --split 0.8,0.1,0.1 (map on the training rows only), min-count 1 and 3", async () => {
    const a = await expectSameAsReference(bytes, reader, [0.8, 0.1, 0.1], 1);
    expect(a.one.passes).toEqual(["newline count", "counting", "encoding"]);
    expect(a.one.fitRows).toBe(2400);
    const b = await expectSameAsReference(bytes, reader, [0.8, 0.1, 0.1], 3);
    expect(b.one.featureMap.totalRows).toBeLessThan(a.one.featureMap.totalRows);
  });

  it("all rows for training: no newline count, two passes", async () => {
    const a = await expectSameAsReference(bytes, reader, [1], 2);
    expect(a.one.passes).toEqual(["counting", "encoding"]);
  });

  it("blank and malformed lines (skipped): the training part is recounted", async () => {
    const lines = new TextDecoder().decode(bytes).split("\n");
    lines.splice(10, 0, "", "1\tnot-a-number", "");
    lines.splice(2000, 0, "0\t1\t2", "");
    const odd = new TextEncoder().encode(lines.join("\n"));
    const a = await expectSameAsReference(odd, reader, [0.7, 0.3], 2);
    expect(a.one.passes).toEqual(["newline count", "counting", "counting", "encoding"]);
    expect(a.one.stats.skipped).toBe(2);
  });

  it("Avazu CSV with a header and its derived hour fields", async () => {
    const rows = [AVAZU_HEADER];
    for (let k = 0; k < 600; k++) rows.push(avazuRow(String(1000 + k), String(k % 3 === 0 ? 1 : 0), `141021${String(k % 24).padStart(2, "0")}`, k % 37));
    const csv = new TextEncoder().encode(rows.join("\n") + "\n");
    await expectSameAsReference(csv, avazuOptions({ file: "a.csv" }), [0.6, 0.4], 1);
    await expectSameAsReference(csv, avazuOptions({ file: "a.csv" }), [0.6, 0.4], 2);
  });

  it("a separate file with a fitted map: unseen values are OOV, one shard gets the plain name", async () => {
    const ref = await reference(bytes, reader, [1]);
    const other = criteo(500, 6, 0.001);
    const want = await reference(other, criteoOptions({ file: "valid.txt" }), [1], 1, ref.map);
    const o = { fittedMap: ref.map, splitNames: ["valid"] };
    const one = await sharded(other, criteoOptions({ file: "valid.txt" }), [1], o);
    expect(one.passes).toEqual(["encoding"]);
    expect(one.splits).toEqual([{ name: "valid", rows: 500, shards: [{ file: "valid.cache", rows: 500 }] }]);
    // the reference wrote its part under the name "train"
    const a = await readCacheFile(join(one.dir, "valid.cache"));
    expect(a.ids).toEqual(want.parts[0]!.ids);
    expect(a.labels).toEqual(want.parts[0]!.labels);
    const many = await sharded(other, criteoOptions({ file: "valid.txt" }), [1], { ...o, shardRows: 200, blockRows: 64 });
    expect(many.splits[0]!.shards).toEqual([0, 1, 2].map((k) => ({ file: shardFileName("valid", k), rows: k < 2 ? 200 : 100 })));
    expect((await rowsOf(many.dir, many.splits[0]!.shards, ref.map)).ids).toEqual(want.parts[0]!.ids);
    expect(readdirSync(many.dir).sort()).toEqual(["valid-00000.cache", "valid-00001.cache", "valid-00002.cache"]);
  });

  it("no rows: the NoRowsError of prepareDataset", async () => {
    const empty = new TextEncoder().encode("\n\n");
    const ref = await prepareDataset({ open: () => [empty], reader }).catch((e: Error) => e.message);
    await expect(sharded(empty, reader, [0.8, 0.2])).rejects.toThrow(ref as string);
  });

  it("progress and shard callbacks", async () => {
    const shards: unknown[] = [];
    let last = 0;
    const r = await sharded(bytes, reader, [0.8, 0.1, 0.1], { shardRows: 1000, blockRows: 256, onShard: (s) => shards.push(s), onProgress: (p) => (last = p.rows) });
    expect(last).toBe(3000);
    expect(shards.map((s) => (s as { file: string }).file)).toEqual(["train-00000.cache", "train-00001.cache", "train-00002.cache", "valid.cache", "test.cache"]);
    expect(shards[0]).toMatchObject({ split: "train", shard: 0, rows: 1000, bytes: expect.any(Number), elapsedMs: expect.any(Number) });
    expect(r.splits.map((s) => s.rows)).toEqual([2400, 300, 300]);
  });
});

const dataDir = process.env.ALPT_DATA ?? resolve(dirname(fileURLToPath(import.meta.url)), "../../../shared/data");
const real: [string, DelimitedOptions, number[], number][] = [
  ["criteo/criteo_kaggle_train_sample.txt", criteoOptions(), [0.8, 0.1, 0.1], 1],
  ["criteo/criteo_kaggle_train_sample.txt", criteoOptions(), [0.8, 0.1, 0.1], 5],
  ["avazu/avazu_train_first10k.csv", avazuOptions(), [0.8, 0.2], 2],
];

describe("prepareShards = prepareDataset on the real samples", () => {
  for (const [rel, options, fractions, minCount] of real) {
    const path = join(dataDir, rel);
    const present = existsSync(path);
    if (!present) console.warn(`prepare-shards real-data case skipped: ${path} not found (set ALPT_DATA to the shared data folder)`);
    it.skipIf(!present)(`${rel}, --split ${fractions.join(",")}, min-count ${minCount}`, async () => {
      const bytes = new Uint8Array(readFileSync(path));
      const r = await expectSameAsReference(bytes, { ...options, file: path }, fractions, minCount, { blockRows: 4096 }, { shardRows: 25_000, blockRows: 1000 });
      expect(r.one.n).toBeGreaterThan(5000);
    }, 120_000);
  }
});

describe("the counting pass: bytes per distinct value", () => {
  it("≈ 50–80 B per distinct 8-hex-digit value (dictionary + count, capacity included)", async () => {
    // many distinct values: cardinality scale 0.05 gives ~ 10^5 distinct values in all
    const big = criteo(60_000, 11, 0.05);
    const r = await sharded(big, criteoOptions({ file: "big.txt" }), [1], { shardRows: 1 << 20 });
    const per = r.vocabularyBytes / r.distinctValues;
    console.log(`counting pass: ${r.distinctValues} distinct values, ${(r.vocabularyBytes / 2 ** 20).toFixed(1)} MiB, ${per.toFixed(1)} B per value`);
    expect(r.distinctValues).toBeGreaterThan(80_000);
    expect(per).toBeGreaterThan(30);
    expect(per).toBeLessThan(90);
  }, 60_000);
});

describe("a source that changes between the passes", () => {
  it("more or fewer rows in the encoding pass is an error naming the file", async () => {
    const a = criteo(300, 3, 0.01), b = criteo(400, 3, 0.01);
    for (const [first, then, re] of [[a, b, /gen\.txt: the file changed while it was prepared \(300 rows in the first pass, at least 301 now\)/], [b, a, /gen\.txt: the file changed while it was prepared \(400 rows in the first pass, 300 now\)/]] as const) {
      let opened = 0;
      await expect(prepareShards({ open: () => [opened++ === 0 ? first : then], reader: criteoOptions({ file: "gen.txt" }), dir: freshDir() })).rejects.toThrow(re);
    }
  });
});
