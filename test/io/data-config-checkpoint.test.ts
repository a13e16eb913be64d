// The dataset config and its fitted normalisers travel in checkpoints and exports (metadata
// "dataConfig"), checked against the saved FeatureMap on load; the predictor of either file hands
// them back, so encodeRawRow encodes raw rows exactly as prepare did.
import { beforeAll, describe, expect, it } from "vitest";
import { encodeRawRow } from "../../src/data/encode-row.js";
import { dataConfigToJSON, prepareFromConfig } from "../../src/data/prepare-config.js";
import { decodeCheckpoint, encodeCheckpoint, restoreCheckpoint } from "../../src/io/checkpoint.js";
import { encodeExport } from "../../src/io/export.js";
import { createModel } from "../../src/models/registry.js";
import { loadPredictor, predictorFromModel } from "../../src/serve/predictor.js";
import { engine } from "../helpers/engine.js";

beforeAll(async () => {
  await engine();
});

const enc = (s: string) => new TextEncoder().encode(s);
const text = "y,user,price,tags\n" + Array.from({ length: 40 }, (_, i) => `${i % 2},u${i % 6},${i * 1.5},${["a|b", "b", "", "c|a"][i % 4]}`).join("\n") + "\n";
const config = { train: "t.csv", split: [1], label: "y", features: [{ name: "user", type: "categorical" }, { name: "price", type: "numeric" }, { name: "tags", type: "sequence" }] };

describe("dataConfig in model files", () => {
  it("round-trips through a checkpoint and an export, and is refused when it does not fit the FeatureMap", async () => {
    const p = await prepareFromConfig(config, { open: () => [enc(text)] });
    const fm = p.fitted.featureMap;
    const modelOptions = { fieldSizes: [...fm.fieldSizes], denseFeatures: 1, embeddingDim: 4, hiddenUnits: [8] };
    const model = createModel("DNN", modelOptions);
    const dataConfig = dataConfigToJSON(p.config, p.fitted);
    const info = { model: "DNN", modelOptions, featureMap: fm.toJSON(), dataFormat: "csv", dataConfig };
    const bytes = encodeCheckpoint(model, info);
    const d = decodeCheckpoint(bytes);
    expect(d.info.dataConfig).toEqual(JSON.parse(JSON.stringify(dataConfig)));
    const { model: m2, info: i2 } = restoreCheckpoint(bytes);
    const pred = predictorFromModel(m2, i2);
    const raw = { user: "u3", price: "7.5", tags: "a|zz" };
    expect(encodeRawRow(pred.info.dataConfig!.config, pred.info.dataConfig!.fitted, raw)).toEqual(encodeRawRow(p.config, p.fitted, raw));
    pred.dispose();
    m2.dispose();
    const exported = loadPredictor(encodeExport(model, info));
    expect(exported.info.dataConfig!.fitted.dense).toEqual(p.fitted.dense);
    exported.dispose();
    // a config whose fields differ from the saved FeatureMap's
    const wrong = { ...dataConfig, config: { ...p.config, features: p.config.features.filter((f) => f.name !== "tags") } };
    expect(() => decodeCheckpoint(encodeCheckpoint(model, { ...info, dataConfig: wrong }), "m.ckpt")).toThrow(/m.ckpt: metadata "dataConfig": the config's fields \(user\) differ from the FeatureMap's \(user,tags\)/);
    const noScale = { ...dataConfig, dense: [{ ...p.fitted.dense[0]!, scale: 0 }] };
    expect(() => decodeCheckpoint(encodeCheckpoint(model, { ...info, dataConfig: noScale }), "m.ckpt")).toThrow(/dense must list the 1 fitted normalisers/);
    model.dispose();
  });
});
