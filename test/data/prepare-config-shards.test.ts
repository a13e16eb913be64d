// prepareConfigShards: a config dataset written in shards as it is encoded. One shard per split is
// byte for byte the caches of the in-memory prepareFromConfig; several shards join to its splits;
// separate valid/test files (sizes unknown while encoding) get the same names as prepare-shards.ts;
// the training rows' bag lengths; the fit without a list of values (ValueCounts' quantiles equal
// quantileBoundaries over the values).
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { encodeCache } from "../../src/data/cache.js";
import { readCacheFile } from "../../src/data/cache-file.js";
import { joinShards } from "../../src/data/join-shards.js";
import { ValueCounts, prepareFromConfig, quantileBoundaries } from "../../src/data/prepare-config.js";
import { prepareConfigShards } from "../../src/data/prepare-config-shards.js";

const enc = (s: string) => new TextEncoder().encode(s);
const opener = (files: Record<string, string>) => (p: string) => {
  if (!(p in files)) throw new Error(`no file ${p}`);
  return [enc(files[p]!)];
};

/** A click log: user, ad (categorical), price (dense), age (quantile buckets), tags (0–3 of 4, |-separated); row 17 malformed. */
function clickLog(n: number, seed = 1): string {
  let s = seed;
  const r = (m: number) => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) % m;
  const rows = ["click,user,ad,price,age,tags"];
  for (let i = 0; i < n; i++) {
    const tags = ["sport", "news", "tech", "food"].filter(() => r(3) === 0).join("|");
    rows.push(`${i === 17 ? "x" : r(4) === 0 ? 1 : 0},u${r(40)},ad${r(9)},${(r(5000) / 10).toFixed(1)},${i % 11 === 0 ? "" : 18 + r(50)},${tags}`);
  }
  return rows.join("\n") + "\n";
}

const CONFIG = {
  format: "csv", train: "log.csv", split: [0.8, 0.1, 0.1], label: "click",
  features: [
    { name: "user", type: "categorical" }, { name: "ad", type: "categorical" },
    { name: "price", type: "numeric", normalizer: "standard" }, { name: "age", type: "numeric", bucketize: { quantiles: 6 }, fill_na: 30 },
    { name: "tags", type: "sequence", splitter: "|", max_len: 2, pooling: "sum" },
  ],
};

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), "alpt-config-shards-"));
  dirs.push(d);
  return d;
};

describe("prepareConfigShards", () => {
  const files = { "log.csv": clickLog(600), "valid.csv": clickLog(130, 7), "test.csv": clickLog(90, 8) };

  it("one shard per split: the in-memory splits' caches byte for byte, the same fit", async () => {
    const dir = await tempDir();
    const mem = await prepareFromConfig(CONFIG, { open: opener(files) });
    const fitted: unknown[] = [];
    const p = await prepareConfigShards(CONFIG, { open: opener(files), dir, onFitted: (f) => void fitted.push(f) });
    expect(fitted).toHaveLength(1);
    expect(p.fitted.featureMap.hash).toBe(mem.fitted.featureMap.hash);
    expect(p.fitted.dense).toEqual(mem.fitted.dense);
    expect(p.fitRows).toBe(mem.fitRows);
    expect(p.splits.map((s) => [s.name, s.rows, s.shards])).toEqual(["train", "valid", "test"].map((n) => [n, mem.splits.get(n as "train")!.n, [{ file: `${n}.cache`, rows: mem.splits.get(n as "train")!.n }]]));
    for (const name of ["train", "valid", "test"] as const) {
      const want = encodeCache(mem.splits.get(name)!, mem.fitted.featureMap.hash, name);
      expect(Buffer.compare(await readFile(join(dir, `${name}.cache`)), want), name).toBe(0);
    }
    expect(p.stats.get("log.csv")!.skipped).toBe(1);
  });

  it("several shards join to the in-memory splits; separate valid/test files get prepare-shards' names", async () => {
    const dir = await tempDir();
    const cfg = { ...CONFIG, split: undefined, valid: "valid.csv", test: "test.csv" };
    const mem = await prepareFromConfig(cfg, { open: opener(files) });
    const shards: string[] = [];
    const p = await prepareConfigShards(cfg, { open: opener(files), dir, shardRows: 100, onShard: (s) => shards.push(`${s.split}:${s.file}:${s.rows}`) });
    expect(p.splits.map((s) => [s.name, s.rows, s.shards.length])).toEqual([["train", 599, 6], ["valid", 129, 2], ["test", 89, 1]]);
    expect(shards.slice(0, 2)).toEqual(["train:train-00000.cache:100", "train:train-00001.cache:100"]);
    expect(p.splits[2]!.shards).toEqual([{ file: "test.cache", rows: 89 }]); // one shard of unknown size: the plain name
    expect((await readdir(dir)).sort()).toEqual([...Array.from({ length: 6 }, (_, k) => `train-0000${k}.cache`), "test.cache", "valid-00000.cache", "valid-00001.cache"].sort());
    for (const s of p.splits) {
      const parts = await Promise.all(s.shards.map((x) => readCacheFile(join(dir, x.file), { featureMapHash: p.fitted.featureMap.hash, split: s.name })));
      const joined = joinShards(parts, parts[0]!.fieldNames!);
      const want = mem.splits.get(s.name as "train")!;
      expect(Buffer.compare(encodeCache(joined, p.fitted.featureMap.hash, s.name), encodeCache(want, p.fitted.featureMap.hash, s.name)), s.name).toBe(0);
    }
  });

  it("split fractions across shard boundaries; the training rows' bag lengths", async () => {
    const dir = await tempDir();
    const mem = await prepareFromConfig(CONFIG, { open: opener(files) });
    const p = await prepareConfigShards(CONFIG, { open: opener(files), dir, shardRows: 70 });
    expect(p.splits.map((s) => [s.name, s.rows, s.shards.map((x) => x.rows)])).toEqual([["train", 479, [70, 70, 70, 70, 70, 70, 59]], ["valid", 60, [60]], ["test", 60, [60]]]);
    const train = mem.splits.get("train")!, b = train.bags!;
    let sum = 0, max = 0;
    for (let r = 0; r < train.n; r++) {
      const len = b.offsets[r + 1]! - b.offsets[r]!;
      sum += len;
      max = Math.max(max, len);
    }
    expect(p.bagLengths).toEqual({ mean: [+(sum / train.n).toFixed(4)], max: [max] });
    expect(max).toBe(2); // max_len
    const joined = joinShards(await Promise.all(p.splits[0]!.shards.map((x) => readCacheFile(join(dir, x.file)))), train.fieldNames!);
    expect(Buffer.compare(encodeCache(joined), encodeCache(train))).toBe(0);
  });

  it("names the file without usable rows", async () => {
    const dir = await tempDir();
    await expect(prepareConfigShards(CONFIG, { open: opener({ "log.csv": "click,user,ad,price,age,tags\nx,u,a,1,2,t\n" }), dir })).rejects.toThrow(/log\.csv: no usable rows \(1 malformed, 0 blank\)/);
  });
});

describe("ValueCounts", () => {
  it("quantile boundaries from counts per distinct value equal those of the list of values", () => {
    let s = 3;
    const r = (m: number) => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) % m;
    for (const [n, distinct, k] of [[1, 1, 4], [10, 3, 4], [1000, 17, 10], [997, 500, 7], [50, 50, 100], [0, 1, 5]] as const) {
      const values = new Float64Array(n), counts = new ValueCounts();
      for (let i = 0; i < n; i++) {
        values[i] = i % 13 === 5 ? NaN : (r(distinct) - distinct / 2) * 0.25;
        counts.add(values[i]!);
      }
      expect(counts.quantileBoundaries(k), `${n} values, ${distinct} distinct, ${k} buckets`).toEqual(quantileBoundaries(values.filter((x) => !Number.isNaN(x)), k));
    }
  });
});
