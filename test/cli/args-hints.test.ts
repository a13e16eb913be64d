// Refused values that name a setting alpt has under another name get a hint: `rowwise-adagrad`
// (alpt's `adagrad` is rowwise Adagrad), as a flag and as a config key.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../../src/cli/args.js";
import { loadConfig } from "../../src/cli/config.js";
import { spec as trainSpec } from "../../src/cli/train.js";

describe("hints for values under another name", () => {
  it("--embedding-optimizer rowwise-adagrad points to adagrad", () => {
    for (const v of ["rowwise-adagrad", "RowWise_Adagrad", "row-wise-adagrad"]) {
      expect(() => parseArgs(trainSpec, ["--embedding-optimizer", v])).toThrow(`option --embedding-optimizer expects one of sgd, adam, adagrad, got "${v}" (alpt's adagrad is rowwise Adagrad: give adagrad)`);
    }
    expect(() => parseArgs(trainSpec, ["--embedding-optimizer", "lamb"])).toThrow(/got "lamb"$/);
    expect(parseArgs(trainSpec, ["--embedding-optimizer", "adagrad"]).flags.get("embedding-optimizer")).toBe("adagrad");
  });

  it("in a config file too", async () => {
    const dir = mkdtempSync(join(tmpdir(), "alpt-hints-"));
    try {
      const file = join(dir, "c.json");
      writeFileSync(file, JSON.stringify({ x: { embeddingOptimizer: "rowwise_adagrad" } }));
      await expect(loadConfig(file, undefined)).rejects.toThrow(/"embeddingOptimizer" = "rowwise_adagrad": expected one of sgd, adam, adagrad \(alpt's adagrad is rowwise Adagrad: give adagrad\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
