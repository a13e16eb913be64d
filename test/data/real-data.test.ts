// Reads the real Criteo sample from the shared data folder (never part of the repository).
// Set ALPT_DATA to its location; the default is ../shared/data next to the repository root.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { criteoOptions } from "../../src/data/criteo.js";
import { prepareDataset } from "../../src/data/prepare.js";
import { readFileBytes } from "../../src/data/source.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const dataDir = process.env.ALPT_DATA ?? resolve(root, "../shared/data");
const sample = join(dataDir, "criteo", "criteo_deepctr_sample_200.txt");
const present = existsSync(sample);
if (!present) console.warn(`real-data test skipped: ${sample} not found (set ALPT_DATA to the shared data folder)`);

describe("real Criteo sample (DeepCTR's 200 rows)", () => {
  it.skipIf(!present)(`parses, fits and encodes ${sample}`, async () => {
    const { featureMap, dataset, stats } = await prepareDataset({
      open: () => readFileBytes(sample), reader: criteoOptions({ file: sample, strict: true }),
    });
    expect(stats).toMatchObject({ rows: 200, skipped: 0, blank: 0 });
    expect(dataset.n).toBe(200);
    expect(dataset.labels.reduce((a, b) => a + b, 0)).toBe(49);
    expect(featureMap.numFields).toBe(39);
    expect(featureMap.fitRowCount).toBe(200);
    let missing = 0;
    for (let i = 0; i < dataset.ids.length; i++) if (dataset.ids[i] === featureMap.fieldOffsets[i % 39]) missing++;
    expect(missing / dataset.ids.length).toBeGreaterThan(0.05); // ~21 % of I cells, ~11 % of C cells
    expect(missing / dataset.ids.length).toBeLessThan(0.3);
  });
});
