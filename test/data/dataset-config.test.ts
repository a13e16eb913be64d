// The dataset config: our keys and FuxiCTR's aliases, every unknown key reported with its
// file:line:column, a FuxiCTR dataset_config (Frappe, its YAML translated to JSON) accepted as is
// and prepared from a generated libFM stand-in (and from the real Frappe file when ALPT_DATA has it).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, resolveDatasetConfig } from "../../src/data/config.js";
import { parseJson } from "../../src/data/json.js";
import { prepareFromConfig } from "../../src/data/prepare-config.js";

const enc = (s: string) => new TextEncoder().encode(s);
const FRAPPE_FIELDS = ["user", "item", "daytime", "weekday", "isweekend", "homework", "cost", "weather", "country", "city"];

/** FuxiCTR's frappe_x1 dataset_config.yaml, as JSON, keys as FuxiCTR spells them; the data as libFM files. */
const fuxiFrappe = (dir = "data") => ({
  frappe_x1: {
    data_format: "libfm",
    data_root: "../data/",
    feature_cols: [{ active: true, dtype: "float", name: FRAPPE_FIELDS, type: "categorical" }],
    label_col: { dtype: "float", name: "label" },
    min_categr_count: 1,
    test_data: `${dir}/frappe.test.libfm`,
    train_data: `${dir}/frappe.train.libfm`,
    valid_data: `${dir}/frappe.validation.libfm`,
  },
});

/** Frappe-like libFM rows: 10 one-hot fields with global indices, label 1 or -1. */
function frappeLike(n: number, seed: number): string {
  const sizes = [20, 30, 7, 7, 2, 3, 2, 9, 5, 8];
  const lines: string[] = [];
  let s = seed;
  const rnd = (m: number) => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) % m;
  for (let i = 0; i < n; i++) {
    let base = 0;
    const items = sizes.map((size) => {
      const it = `${base + rnd(size)}:1`;
      base += size;
      return it;
    });
    lines.push(`${rnd(3) === 0 ? 1 : -1} ${items.join(" ")}`);
  }
  return lines.join("\n") + "\n";
}

describe("dataset config", () => {
  it("accepts our keys with defaults, and FuxiCTR's spelling for the same config", () => {
    const ours = resolveDatasetConfig({
      format: "tsv", header: false, columns: ["rating", "user", "genres", "age"], train: "r.tsv", label: { col: "rating", threshold: 4 },
      features: [{ name: "user", type: "categorical", min_count: 2 }, { name: "genres", type: "sequence", splitter: "|", max_len: 5, pooling: "sum" }, { name: "age", type: "numeric", normalizer: "log1p" }],
    });
    expect(ours).toMatchObject({ format: "csv", delimiter: "\t", header: false, label: { col: "rating", threshold: 4 } });
    expect(ours.features).toEqual([
      { name: "user", col: "user", type: "categorical", minCount: 2 },
      { name: "genres", col: "genres", type: "sequence", splitter: "|", maxLen: 5, pooling: "sum", minCount: 1 },
      { name: "age", col: "age", type: "numeric", normalizer: "log1p", minCount: 1 },
    ]);
    const fuxi = resolveDatasetConfig({
      data_format: "csv", train_data: "t.csv", label_col: { name: "click", dtype: "float" }, min_categr_count: 3,
      feature_cols: [
        { name: ["a", "b"], active: true, dtype: "str", type: "categorical" }, { name: "off", active: false, type: "categorical" },
        { name: "hist", type: "sequence", splitter: "^", max_len: 10, encoder: "MaskedSumPooling", dtype: "str" },
        { name: "n", type: "numeric", normalizer: "MinMaxScaler", fill_na: 0 },
        { name: "I1", type: "categorical", preprocess: "convert_to_bucket", dtype: "float", na_value: 0 },
      ],
    });
    expect(fuxi.label).toEqual({ col: "click" });
    expect(fuxi.features.map((f) => [f.name, f.type, f.minCount])).toEqual([["a", "categorical", 3], ["b", "categorical", 3], ["hist", "sequence", 3], ["n", "numeric", 3], ["I1", "numeric", 3]]);
    expect(fuxi.features[2]).toMatchObject({ pooling: "sum", splitter: "^", maxLen: 10 });
    expect(fuxi.features[3]).toMatchObject({ normalizer: "minmax", fillNa: 0 });
    expect(fuxi.features[4]).toMatchObject({ bucketize: { transform: "criteo" }, fillNa: 0 });
    // a resolved config reads back as itself (it is what prepared folders and checkpoints store)
    expect(resolveDatasetConfig(JSON.parse(JSON.stringify(fuxi)))).toEqual(fuxi);
    expect(resolveDatasetConfig(JSON.parse(JSON.stringify(ours)))).toEqual(ours);
  });

  it("names every key it cannot take, with file:line:column", () => {
    const text = `{
  "data_format": "csv",
  "label_col": { "name": "click", "dtype": "float" },
  "feature_cols": [
    { "name": "user", "type": "categorical", "share_embedding": "item", "embedding_dim": 16 },
    { "name": "hist", "type": "sequence", "encoder": "MaskedAveragePooling", "padding": "pre" }
  ],
  "min_cnt": 2,
  "_note": "comments are fine"
}`;
    let err: unknown;
    try {
      resolveDatasetConfig(parseJson(text, "fuxi.json"), "fuxi.json");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      expect.stringMatching(/^fuxi.json:8:3: min_cnt: unknown key \(a dataset config key: /),
      expect.stringMatching(/^fuxi.json:5:46: features\[0\].share_embedding: unknown key/),
      expect.stringMatching(/^fuxi.json:5:73: features\[0\].embedding_dim: unknown key/),
      expect.stringMatching(/^fuxi.json:6:78: features\[1\].padding: unknown key/),
    ]);
  });

  it("reports bad values at their key", () => {
    const text = '{ "format": "parquet", "label": "y", "features": [{ "name": "x", "type": "numeric", "normalizer": "zscore", "splitter": "|" }, { "name": "s", "type": "sequence", "max_len": 0, "pooling": "max" }] }';
    expect(() => resolveDatasetConfig(parseJson(text, "c.json"), "c.json")).toThrow(/c.json:1:3: format = "parquet" is not a format[\s\S]*c.json:1:109: features\[0\].splitter: applies to sequence features[\s\S]*c.json:1:85: features\[0\].normalizer = "zscore"[\s\S]*c.json:1:177: features\[1\].pooling = "max"[\s\S]*c.json:1:163: features\[1\].max_len = 0 must be an integer ≥ 1/);
    expect(() => resolveDatasetConfig({ label: "y", features: [{ name: "y", type: "categorical" }] })).toThrow(/feature "y" reads the label column/);
    expect(() => resolveDatasetConfig({ features: [] })).toThrow(/label: missing[\s\S]*features must be a non-empty array/);
  });

  it("accepts FuxiCTR's Frappe config as is and prepares a libFM stand-in with it", async () => {
    const files: Record<string, string> = { "data/frappe.train.libfm": frappeLike(300, 1), "data/frappe.validation.libfm": frappeLike(60, 2), "data/frappe.test.libfm": frappeLike(60, 3) };
    const p = await prepareFromConfig(fuxiFrappe(), { open: (f) => [enc(files[f]!)] });
    expect(p.config.format).toBe("libsvm");
    expect(p.fitted.featureMap.fieldNames).toEqual(FRAPPE_FIELDS);
    expect([...p.splits.keys()]).toEqual(["train", "valid", "test"]);
    expect(p.splits.get("valid")!.n).toBe(60);
    const train = p.splits.get("train")!;
    const first = files["data/frappe.train.libfm"]!.split("\n")[0]!.split(" ");
    expect(train.labels[0]).toBe(first[0] === "1" ? 1 : 0);
    const fm = p.fitted.featureMap;
    expect(train.ids[1]).toBe(fm.fieldOffsets[1]! + fm.localId(1, first[2]!.split(":")[0]!));
  });

  const real = join(process.env.ALPT_DATA ?? "/work/shared/data", "frappe");
  it.skipIf(!existsSync(join(real, "frappe.test.libfm")))("prepares the real Frappe validation/test files with FuxiCTR's config (skipped without ALPT_DATA/frappe)", async () => {
    const cfg = fuxiFrappe(real);
    const c = cfg.frappe_x1 as Record<string, unknown>;
    c.train_data = join(real, "frappe.validation.libfm");
    delete c.valid_data;
    c.test_data = join(real, "frappe.test.libfm");
    const p = await prepareFromConfig(cfg);
    expect(p.splits.get("train")!.n).toBe(57_722);
    expect(p.splits.get("test")!.n).toBe(28_860);
    expect(p.fitted.featureMap.numFields).toBe(10);
    expect([...p.stats.values()].every((s) => s.skipped === 0)).toBe(true);
  });
});
