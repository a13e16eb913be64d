// The model options a prepared split implies: its dense width and its bag fields' pooling.
import { expect, it } from "vitest";
import { dataInputs, withDataInputs } from "../../src/cli/data-inputs.js";
import { generate } from "../helpers/bag-data.js";
import type { EncodedData } from "../../src/train/trainer.js";

it("reads denseFeatures and bagPooling from a split that carries dense values and bags", () => {
  const ds = generate(10, "cli");
  expect(dataInputs(ds, "d")).toEqual({ denseFeatures: 2, bagPooling: ["mean"] });
  expect(withDataInputs({ fieldSizes: [40, 30, 20, 60], embeddingDim: 4 }, ds, "d")).toEqual({ fieldSizes: [40, 30, 20, 60], embeddingDim: 4, denseFeatures: 2, bagPooling: ["mean"] });
  const plain = { n: ds.n, fields: ds.fields, ids: ds.ids, labels: ds.labels };
  expect(withDataInputs({ fieldSizes: [40, 30, 20] }, plain, "d")).toEqual({ fieldSizes: [40, 30, 20] });
  const odd: EncodedData = { ...ds, dense: new Float32Array(15) };
  expect(() => dataInputs(odd, "data/train")).toThrow(/data\/train: 15 dense values for 10 rows is not a whole number per row/);
});
