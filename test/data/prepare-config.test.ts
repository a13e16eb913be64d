// prepareDataset(config) on generated stand-ins: a click-log CSV with a header, 3 categorical, 2
// numeric (standard and minmax dense inputs) and 1 multi-valued column → ids, dense and bags as
// computed by hand; normalisers and vocabularies fitted on the training rows only; the cache
// round trip of the new sections; encodeRawRow equal to the prepared rows.
import { describe, expect, it } from "vitest";
import { decodeCache, encodeCache } from "../../src/data/cache.js";
import { encodeRawRow, rowPlan } from "../../src/data/encode-row.js";
import { OOV_ID, RESERVED_IDS } from "../../src/data/feature-map.js";
import { dataConfigFromJSON, dataConfigToJSON, encodeRawFile, fitDense, prepareFromConfig, quantileBoundaries } from "../../src/data/prepare-config.js";

const enc = (s: string) => new TextEncoder().encode(s);
const opener = (files: Record<string, string>) => (p: string) => {
  if (!(p in files)) throw new Error(`no file ${p}`);
  return [enc(files[p]!)];
};

/** A click log: user, ad, site (categorical), price, age (numeric), tags (|-separated). */
function clickLog(n: number): { text: string; rows: string[][] } {
  const rows: string[][] = [];
  for (let i = 0; i < n; i++) {
    const tags = ["sport", "news", "tech", "food"].filter((_, k) => (i + k) % 3 === 0).join("|");
    rows.push([String(i % 2), `u${i % 5}`, `ad${i % 3}`, i % 7 === 0 ? "" : `s${i % 4}`, String(10 + i), String((i * 7) % 50), tags]);
  }
  return { text: "click,user,ad,site,price,age,tags\n" + rows.map((r) => r.join(",")).join("\n") + "\n", rows };
}

const CONFIG = {
  format: "csv", train: "log.csv", split: [0.8, 0.2], label: "click",
  features: [
    { name: "user", type: "categorical" }, { name: "ad", type: "categorical" }, { name: "site", type: "categorical" },
    { name: "price", type: "numeric", normalizer: "standard" }, { name: "age", type: "numeric", normalizer: "minmax" },
    { name: "tags", type: "sequence", splitter: "|", max_len: 2, pooling: "mean" },
  ],
};

describe("prepareDataset(config)", () => {
  it("encodes categorical, dense and bag fields of a CSV with a header", async () => {
    const { text, rows } = clickLog(50);
    const p = await prepareFromConfig(CONFIG, { open: opener({ "log.csv": text }) });
    const fm = p.fitted.featureMap;
    expect(fm.fieldNames).toEqual(["user", "ad", "site", "tags"]);
    expect(p.fitRows).toBe(40);
    const train = p.splits.get("train")!, valid = p.splits.get("valid")!;
    expect([train.n, valid.n]).toEqual([40, 10]);
    expect(train.fields).toBe(3);
    expect(train.dense!.length).toBe(40 * 2);
    // normalisers from the 40 training rows only
    const price = rows.slice(0, 40).map((r) => Number(r[4]));
    const mean = price.reduce((a, b) => a + b, 0) / 40;
    const std = Math.sqrt(price.reduce((a, b) => a + (b - mean) ** 2, 0) / 40);
    expect(p.fitted.dense[0]!.shift).toBeCloseTo(mean, 10);
    expect(p.fitted.dense[0]!.scale).toBeCloseTo(std, 10);
    const ages = rows.slice(0, 40).map((r) => Number(r[5]));
    expect(p.fitted.dense[1]).toMatchObject({ shift: Math.min(...ages), scale: Math.max(...ages) - Math.min(...ages) });
    // a validation row: its price is beyond the training range, standardised with the training fit
    const r45 = rows[45]!;
    expect(valid.dense![5 * 2]).toBeCloseTo((45 + 10 - mean) / std, 5);
    expect(valid.labels[5]).toBe(Number(r45[0]));
    // ids: field offsets + local ids; a missing site is id 0 of its field
    for (let r = 0; r < 40; r++) {
      const row = rows[r]!;
      expect(train.ids[r * 3]).toBe(fm.fieldOffsets[0]! + fm.localId(0, row[1]!));
      expect(train.ids[r * 3 + 2]).toBe(row[3] === "" ? fm.fieldOffsets[2]! : fm.fieldOffsets[2]! + fm.localId(2, row[3]!));
    }
    // bags: at most max_len = 2 values each, global ids in the tags field's range
    const b = train.bags!;
    expect(b).toMatchObject({ fields: 1, pooling: ["mean"], names: ["tags"] });
    expect(b.offsets.length).toBe(41);
    for (let r = 0; r < 40; r++) {
      const want = rows[r]![6]!.split("|").filter(Boolean).slice(0, 2).map((t) => fm.fieldOffsets[3]! + fm.localId(3, t));
      expect([...b.ids.subarray(b.offsets[r]!, b.offsets[r + 1]!)]).toEqual(want);
    }
    // valid's offsets start at 0
    expect(valid.bags!.offsets[0]).toBe(0);
    expect(valid.bags!.offsets[10]).toBe(valid.bags!.ids.length);
  });

  it("encodeRawRow gives the prepared row (from cells or a record), also after a JSON round trip", async () => {
    const { text, rows } = clickLog(30);
    const p = await prepareFromConfig({ ...CONFIG, split: [1] }, { open: opener({ "log.csv": text }) });
    const back = dataConfigFromJSON(JSON.parse(JSON.stringify(dataConfigToJSON(p.config, p.fitted))), JSON.parse(JSON.stringify(p.fitted.featureMap.toJSON())));
    const ds = p.splits.get("train")!;
    const head = ["click", "user", "ad", "site", "price", "age", "tags"];
    for (const r of [0, 7, 29]) {
      const rec = Object.fromEntries(head.map((h, k) => [h, rows[r]![k]!]));
      const e = encodeRawRow(back.config, back.fitted, rec);
      expect([...e.ids]).toEqual([...ds.ids.subarray(r * 3, r * 3 + 3)]);
      expect([...e.dense]).toEqual([...ds.dense!.subarray(r * 2, r * 2 + 2)]);
      expect([...e.bags[0]!]).toEqual([...ds.bags!.ids.subarray(ds.bags!.offsets[r]!, ds.bags!.offsets[r + 1]!)]);
      expect(Number.isNaN(e.label)).toBe(true);
      expect(encodeRawRow(back.config, back.fitted, rec, true).label).toBe(Number(rows[r]![0]));
    }
    // an unseen user and tag → OOV
    const e = encodeRawRow(p.config, p.fitted, { user: "nobody", ad: "ad1", site: "", price: "3", age: "", tags: "unknown|sport" });
    expect(e.ids[0]).toBe(p.fitted.featureMap.fieldOffsets[0]! + OOV_ID);
    expect(e.bags[0]![0]).toBe(p.fitted.featureMap.fieldOffsets[3]! + OOV_ID);
    expect(e.bags[0]![1]).toBeGreaterThanOrEqual(p.fitted.featureMap.fieldOffsets[3]! + RESERVED_IDS);
    expect(() => encodeRawRow(p.config, p.fitted, { price: "cheap" })).toThrow(/column "price": price = "cheap" is not a number/);
    expect(rowPlan(p.config, false).want).toEqual(["user", "ad", "site", "price", "age", "tags"]);
  });

  it("encodeRawFile encodes raw rows, with or without the label column, as the prepared split holds them", async () => {
    const { text } = clickLog(50);
    const p = await prepareFromConfig(CONFIG, { open: opener({ "log.csv": text }) });
    const valid = p.splits.get("valid")!;
    const lines = text.trim().split("\n");
    const rawValid = [lines[0], ...lines.slice(41)].join("\n");
    const unlabeled = rawValid.split("\n").map((l) => l.slice(l.indexOf(",") + 1)).join("\n");
    for (const [src, labeled] of [[rawValid, true], [unlabeled, false]] as const) {
      const { dataset: d } = await encodeRawFile(p.config, p.fitted, [enc(src)], { file: "raw.csv", labeled });
      expect([...d.ids]).toEqual([...valid.ids]);
      expect([...d.dense!]).toEqual([...valid.dense!]);
      expect([...d.bags!.offsets]).toEqual([...valid.bags!.offsets]);
      expect([...d.bags!.ids]).toEqual([...valid.bags!.ids]);
      expect(Number.isNaN(d.labels[0]!)).toBe(!labeled);
    }
  });

  it("writes and reads the dense and bag sections in a version-2 cache (old caches unchanged)", async () => {
    const { text } = clickLog(20);
    const p = await prepareFromConfig({ ...CONFIG, split: [1] }, { open: opener({ "log.csv": text }) });
    const ds = p.splits.get("train")!;
    const bytes = encodeCache(ds, p.fitted.featureMap.hash, "train");
    const back = decodeCache(bytes, { featureMapHash: p.fitted.featureMap.hash, bagNames: ["tags"], denseNames: ["price", "age"] });
    expect(back.header.version).toBe(2);
    expect([...back.dense!]).toEqual([...ds.dense!]);
    expect([...back.bags!.offsets]).toEqual([...ds.bags!.offsets]);
    expect([...back.bags!.ids]).toEqual([...ds.bags!.ids]);
    // the checksum covers the bag ids
    const bad = bytes.slice();
    bad[bad.length - 1]! ^= 1;
    expect(() => decodeCache(bad)).toThrow(/checksum mismatch/);
    // a bag id outside its field's range
    const fm = p.fitted.featureMap;
    expect(() => decodeCache(bytes, { bagRanges: [[fm.fieldOffsets[3]!, fm.fieldOffsets[3]! + 2]] })).toThrow(/bag field 1 has id/);
    // without inputs: version 1, byte for byte as before
    const plain = { n: ds.n, fields: ds.fields, ids: ds.ids, labels: ds.labels };
    expect(decodeCache(encodeCache(plain)).header.version).toBe(1);
  });

  it("reports a bad cell as file:line:column and skips the row in every pass", async () => {
    const { text } = clickLog(10);
    const lines = text.split("\n");
    lines[3] = lines[3]!.replace(/^0,/, "yes,");
    lines[5] = lines[5]!.split(",").map((c, k) => (k === 4 ? "cheap" : c)).join(",");
    const errors: string[] = [];
    const p = await prepareFromConfig({ ...CONFIG, split: [1] }, { open: opener({ "log.csv": lines.join("\n") }), onError: (e) => errors.push(`${e.file}:${e.line}:${e.column}: ${e.reason}`) });
    expect(errors).toEqual(['log.csv:4:1: label click = "yes" is not 0/1 (or -1, true, false)', 'log.csv:6:5: price = "cheap" is not a number']);
    expect(p.splits.get("train")!.n).toBe(8);
    expect(p.fitRows).toBe(8);
    await expect(prepareFromConfig({ ...CONFIG, split: [1] }, { open: opener({ "log.csv": lines.join("\n") }), strict: true })).rejects.toThrow(/log.csv:4:1: label click/);
  });

  it("bucketizes numbers by quantiles of the training rows, or by FuxiCTR's convert_to_bucket", async () => {
    const { text } = clickLog(40);
    const cfg = { ...CONFIG, split: [0.5, 0.5], features: [{ name: "user", type: "categorical" }, { name: "price", type: "numeric", bucketize: 4 }, { name: "age", type: "categorical", preprocess: "convert_to_bucket" }] };
    const p = await prepareFromConfig(cfg, { open: opener({ "log.csv": text }) });
    const f = p.fitted.featureMap.fields;
    // train prices are 10..29: quartile boundaries from them only
    expect(f[1]).toMatchObject({ type: "numeric", transform: "bucketize", boundaries: [15, 20, 25] });
    expect(f[2]).toMatchObject({ type: "numeric", transform: "criteo" });
    expect(p.splits.get("train")!.dense).toBeUndefined();
    expect(quantileBoundaries(Float64Array.from([5, 5, 5]), 4)).toEqual([5]);
    expect(fitDense("x", "log1p", [0, Math.E - 1, NaN])).toMatchObject({ shift: 0.5, scale: 0.5, fill: (Math.E - 1) / 2 });
  });
});
