// FeatureMapText (data/feature-map-text.ts): the summary of a FeatureMap's JSON text read without
// parsing its vocabulary equals the parsed map's (sizes, offsets, hash), for tokens that look like
// JSON syntax too; what fromJSON refuses outside the tokens is refused; a checkpoint written with
// the text is byte for byte the one written with the parsed map's JSON form, and decoded for resuming
// gives the text back without parsing its tokens.
import { describe, expect, it } from "vitest";
import { FeatureMap } from "../../src/data/feature-map.js";
import { FeatureMapText, countVocabularies } from "../../src/data/feature-map-text.js";
import { decodeCheckpoint, encodeCheckpoint } from "../../src/io/checkpoint.js";
import type { RawRow } from "../../src/data/schema.js";
import { createModel } from "../../src/models/registry.js";
import { engine } from "../helpers/engine.js";

const tricky = ['"vocab":[1,2]', "a,b", "[", "]", "{", "}", "\\", '\\"', "é", "😀", "\u0000", "vocab", '"', ",,,", "x\ny"];

async function sampleMap(): Promise<FeatureMap> {
  const rows: RawRow[] = [];
  for (let i = 0; i < 40; i++) rows.push({ label: i % 2, line: i + 1, values: [tricky[i % tricky.length]!, i % 7, i % 3 === 0 ? null : `c${i % 5}`] });
  return FeatureMap.fit(rows, {
    fields: [{ name: "vocab", type: "categorical" }, { name: "n", type: "numeric", transform: "log1p" }, { name: "c", type: "categorical" }],
    fieldOptions: { c: { maxSize: 3 } },
  });
}

describe("FeatureMapText", () => {
  it("summarises a map's JSON text as the parsed map (sizes, offsets, rows, hash) without its tokens", async () => {
    const map = await sampleMap();
    const text = JSON.stringify(map.toJSON());
    const t = FeatureMapText.read(text);
    expect(t.text).toBe(text);
    expect(t.hash).toBe(map.hash);
    expect(t.fieldNames).toEqual(map.fieldNames);
    expect(t.fieldSizes).toEqual(map.fieldSizes);
    expect(t.fieldOffsets).toEqual(map.fieldOffsets);
    expect(t.totalRows).toBe(map.totalRows);
    expect(t.fitRowCount).toBe(map.fitRowCount);
    expect(t.fields).toEqual(map.fields);
    expect(t.parse().hash).toBe(map.hash);
    // re-indented: the counts do not depend on the layout
    expect(FeatureMapText.read(JSON.stringify(map.toJSON(), null, 2)).fieldSizes).toEqual(map.fieldSizes);
    expect(JSON.parse(countVocabularies('{"vocab" : [ ] , "x":{"vocab":[[1,2],{"a":[3]},"]"]}}'))).toEqual({ vocab: 0, x: { vocab: 3 } });
  });

  it("refuses what fromJSON refuses outside the tokens, naming the place", async () => {
    const json = (await sampleMap()).toJSON();
    const read = (o: unknown) => () => FeatureMapText.read(JSON.stringify(o), "dir/feature_map.json");
    expect(read({ ...json, version: 2 })).toThrow(/dir\/feature_map\.json: version = 2 is not supported/);
    expect(read({ ...json, extra: 1 })).toThrow(/dir\/feature_map\.json: the key "extra" is not part of the FeatureMap/);
    expect(read({ ...json, fields: [{ ...json.fields[0], vocab: "x" }] })).toThrow(/fields\[0\]\.vocab must be an array/);
    expect(read({ ...json, fields: [{ ...json.fields[0], type: "text" }] })).toThrow(/dir\/feature_map\.json: fields\[0\]\.type = "text"/);
    expect(() => FeatureMapText.read('{"format":"alpt-feature-map","fields":[{"vocab":["a",', "f.json")).toThrow(/f\.json: not valid JSON/);
    // tokens are not checked: a number in a categorical field passes here, and parse() refuses it
    const bad = FeatureMapText.read(JSON.stringify({ ...json, fields: [{ ...json.fields[0], vocab: [1, 2] }, ...json.fields.slice(1)] }));
    expect(bad.fieldSizes[0]).toBe(4);
    expect(() => bad.parse()).toThrow(/fields\[0\]\.vocab\[0\] = 1 is not a string/);
  });

  it("a checkpoint written with the text is byte for byte the one written with the parsed map's JSON form", async () => {
    await engine();
    const map = await sampleMap();
    const modelOptions = { fieldSizes: [...map.fieldSizes], embeddingDim: 4, hiddenUnits: [8], crossLayers: 1, seed: 3, embedding: { method: "alpt" as const, bits: 4 } };
    const model = createModel("DCN", modelOptions);
    try {
      const old = encodeCheckpoint(model, { model: "DCN", modelOptions, featureMap: map.toJSON(), dataFormat: "criteo" });
      const light = encodeCheckpoint(model, { model: "DCN", modelOptions, featureMap: FeatureMapText.read(JSON.stringify(map.toJSON())), dataFormat: "criteo" });
      expect(Buffer.from(light).equals(Buffer.from(old))).toBe(true);
      // decoded for resuming: the map summarised (its hash verified against the text), not parsed
      const d = decodeCheckpoint(light, "c.safetensors", { featureMapText: true });
      expect(d.info.featureMap).toBeInstanceOf(FeatureMapText);
      expect((d.info.featureMap as FeatureMapText).text).toBe(JSON.stringify(map.toJSON()));
      expect(d.info.featureMapHash).toBe(map.hash);
      const full = decodeCheckpoint(light, "c.safetensors");
      expect(full.info.featureMap).toEqual(map.toJSON());
      expect(full.info.featureMapHash).toBe(map.hash);
    } finally {
      model.dispose();
    }
  });
});
