import { describe, expect, it } from "vitest";
import { FeatureMap, FeatureMapBuilder, MISSING_ID, OOV_ID, type FeatureMapOptions } from "../../src/data/feature-map.js";
import type { FieldSpec, RawRow, RawValue } from "../../src/data/schema.js";
import { bucketize, criteoBucket, log1pBucket } from "../../src/data/transform.js";

const rows = (vals: RawValue[][]): RawRow[] => vals.map((values, i) => ({ label: i % 2, values, line: i + 1 }));
const fields: FieldSpec[] = [
  { name: "c", type: "categorical" },
  { name: "n", type: "numeric", transform: "criteo" },
];
// c: b×3, a×3, z×2, q×1, one missing; n: 100 → 21 (×2), 99 → 21, 3 → 1 (×2), 0, 2, −2, missing ×2
const data = rows([
  ["b", 100], ["a", 3], ["z", null], ["b", 0], ["q", 99],
  ["a", 2], [null, 3], ["z", -2], ["b", null], ["a", 100],
]);

describe("numeric transforms", () => {
  it("criteo: v > 2 → floor(ln(v)²), else the integer itself", () => {
    expect([0, 1, 2, 3, 100, -2, 2.5, 1.7, 1e6].map(criteoBucket)).toEqual([0, 1, 2, 1, 21, -2, 0, 1, 190]);
  });
  it("log1p and bucketize", () => {
    expect([0, -5, 1, 2, 100].map(log1pBucket)).toEqual([0, 0, 0, 1, 4]);
    expect([-1, 0, 5, 10, 1000].map((v) => bucketize(v, [0, 10, 100]))).toEqual([0, 1, 1, 2, 3]);
  });
});

describe("FeatureMap", () => {
  it("orders ids by count desc then token asc, after 0 = missing and 1 = OOV", async () => {
    const fm = await FeatureMap.fit(data, { fields });
    expect(fm.vocabulary(0)).toEqual(["a", "b", "z", "q"]);
    expect(fm.vocabulary(1)).toEqual([21, 1, -2, 0, 2]);
    expect(fm.fieldSizes).toEqual([6, 7]);
    expect(fm.fieldOffsets).toEqual([0, 6]);
    expect(fm.totalRows).toBe(13);
    expect(fm.fieldNames).toEqual(["c", "n"]);
    expect(fm.fitRowCount).toBe(10);
    expect(Array.from(fm.encode(["a", 100]))).toEqual([2, 6 + 2]);
    expect(Array.from(fm.encode([null, null]))).toEqual([MISSING_ID, 6 + MISSING_ID]);
    expect(Array.from(fm.encode(["never", 5000]))).toEqual([OOV_ID, 6 + OOV_ID]);
    expect(Array.from(fm.encode(["q", "99"]))).toEqual([5, 6 + 2]); // numeric strings are parsed
    expect(fm.localId(1, NaN)).toBe(MISSING_ID);
    expect(Array.from(fm.encodeRecord({ n: 3 }))).toEqual([MISSING_ID, 6 + 3]);
    expect(() => fm.encodeRecord({ m: 1 })).toThrow('unknown field "m"');
    expect(() => fm.encode(["a"])).toThrow("1 values, expected 2");
    expect(() => fm.encode(["a", "x1"])).toThrow('field n: "x1" is not a finite number');
  });

  it("applies minCount (global and per field) and maxSize; rare tokens become OOV", async () => {
    const fm = await FeatureMap.fit(data, { fields, minCount: 2, fieldOptions: { n: { minCount: 3 } } });
    expect(fm.vocabulary(0)).toEqual(["a", "b", "z"]);
    expect(fm.vocabulary(1)).toEqual([21]);
    expect(fm.localId(0, "q")).toBe(OOV_ID);
    expect(fm.localId(1, 3)).toBe(OOV_ID);
    const top = await FeatureMap.fit(data, { fields, fieldOptions: { c: { maxSize: 1 } } });
    expect(top.vocabulary(0)).toEqual(["a"]);
  });

  it("fills missing values with fillNa before the transform, and fits on the first fitRows rows", async () => {
    const fm = await FeatureMap.fit(data, { fields, fieldOptions: { n: { fillNa: 0 }, c: { fillNa: "NA" } } });
    expect(fm.vocabulary(1)[0]).toBe(0); // 0 ×1 + 3 missing
    expect(fm.localId(1, null)).toBe(fm.localId(1, 0));
    expect(fm.vocabulary(0)).toContain("NA");
    const head = await FeatureMap.fit(data, { fields, fitRows: 3 });
    expect(head.fitRowCount).toBe(3);
    expect(head.vocabulary(0)).toEqual(["a", "b", "z"]);
  });

  it("is deterministic: the row order does not change the map", async () => {
    const a = await FeatureMap.fit(data, { fields });
    const b = await FeatureMap.fit([...data].reverse(), { fields });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(b.hash).toBe(a.hash);
    expect(a.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it("round-trips through JSON and rejects corrupted JSON", async () => {
    const fm = await FeatureMap.fit(data, { fields, fieldOptions: { c: { minCount: 2 } } });
    const back = FeatureMap.fromJSON(JSON.parse(JSON.stringify(fm)));
    expect(back.toJSON()).toEqual(fm.toJSON());
    expect(back.hash).toBe(fm.hash);
    for (const r of data) expect(back.encode(r.values)).toEqual(fm.encode(r.values));
    expect(FeatureMap.fromJSON(JSON.stringify(fm)).totalRows).toBe(fm.totalRows);
    const j = () => JSON.parse(JSON.stringify(fm));
    expect(() => FeatureMap.fromJSON({ ...j(), format: "x" })).toThrow('format = "x"');
    expect(() => FeatureMap.fromJSON({ ...j(), version: 2 })).toThrow("version = 2 is not supported");
    const dup = j();
    dup.fields[0].vocab.push("a");
    expect(() => FeatureMap.fromJSON(dup)).toThrow("fields[0].vocab has duplicate tokens");
    const wrong = j();
    wrong.fields[1].vocab[0] = "1";
    expect(() => FeatureMap.fromJSON(wrong)).toThrow('fields[1].vocab[0] = "1" is not a number');
    const badT = j();
    badT.fields[1].transform = "sqrt";
    expect(() => FeatureMap.fromJSON(badT)).toThrow('fields[1].transform = "sqrt"');
    // a key the loader would ignore (renamed, unknown) changes what the map means: refused, so
    // that the hash of the canonical form cannot hide it (checkpoints, exports, prepared folders)
    const renamed = j();
    renamed.fields[1].transfrom = renamed.fields[1].transform;
    delete renamed.fields[1].transform;
    expect(() => FeatureMap.fromJSON(renamed)).toThrow(/the key "fields\[1\]\.transfrom" is not part of the FeatureMap it describes/);
    expect(() => FeatureMap.fromJSON({ ...j(), note: 1 })).toThrow(/the key "note" is not part/);
  });

  it("names the offending key of a bad config", () => {
    const make = (o: Partial<FeatureMapOptions>) => () => new FeatureMapBuilder({ fields, ...o });
    expect(make({ fields: [{ name: "n", type: "numeric", transform: "sqrt" as "log1p" }] })).toThrow('fields[0].transform = "sqrt" is not one of criteo, log1p, bucketize, none');
    expect(make({ minCount: 0 })).toThrow("FeatureMap: minCount = 0 must be an integer ≥ 1");
    expect(make({ fieldOptions: { c: { minCount: 1.5 } } })).toThrow("fieldOptions.c.minCount = 1.5 must be an integer ≥ 1");
    expect(make({ fieldOptions: { nope: { minCount: 2 } } })).toThrow('fieldOptions.nope: there is no field "nope"');
    expect(make({ fieldOptions: { c: { mincount: 2 } as object } })).toThrow("fieldOptions.c.mincount is not an option");
    expect(make({ fieldOptions: { c: { transform: "log1p" } } })).toThrow("applies to numeric fields, c is categorical");
    expect(make({ fieldOptions: { n: { transform: "bucketize", boundaries: [1, 1] } } })).toThrow("fieldOptions.n.boundaries must be a non-empty, strictly increasing");
    expect(make({ fieldOptions: { n: { boundaries: [1, 2] } } })).toThrow('fieldOptions.n.boundaries is given but fields[1].transform is "criteo"');
    expect(make({ fields: [{ name: "c", type: "categorical" }, { name: "c", type: "categorical" }] })).toThrow("two fields have the same name");
    expect(make({ minCnt: 2 } as object)).toThrow('unknown option "minCnt"');
  });

  it("bucketizes with boundaries", async () => {
    const fm = await FeatureMap.fit(rows([[1], [5], [50], [500]]), { fields: [{ name: "v", type: "numeric", transform: "bucketize", boundaries: [2, 10, 100] }] });
    expect([...fm.vocabulary(0)].sort()).toEqual([0, 1, 2, 3]);
    expect(fm.localId(0, 7)).toBe(fm.localId(0, 5));
  });
});
