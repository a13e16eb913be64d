// Reading experiment records: the runner's new fields, old records without them, fallbacks from
// the case name, the last record of a case winning, and errors that name file:line.
import { describe, expect, it } from "vitest";
import { latestPerCase, parseRecords } from "../../src/report/records.js";
import { record } from "./fixtures.js";

const line = (o: unknown) => JSON.stringify(o);

describe("parseRecords", () => {
  it("reads the new fields: loss curve (null → NaN) and Δ statistics with the histogram", () => {
    const r = record({ method: "alpt", bits: 2, seed: 1, testAuc: 0.73 });
    (r.lossCurve as { values: (number | null)[] }).values[3] = null; // NaN written by JSON.stringify
    const { records, warnings } = parseRecords(`${line(r)}\n`, "runs.jsonl");
    expect(warnings).toEqual([]);
    const x = records[0]!;
    expect(x).toMatchObject({ dataset: "criteo", method: "alpt", bits: 2, seed: 1, testAuc: 0.73, bytesPerRow: 148, source: "runs.jsonl:1" });
    expect(x.lossCurve!.every).toBe(10);
    expect(x.lossCurve!.values[3]).toBeNaN();
    expect(x.delta!.histogram!.counts).toHaveLength(60);
    expect(x.delta!.median).toBeGreaterThan(0);
    expect(x.rows).toEqual({ train: 8000, valid: 1000, test: 1000 });
  });

  it("older records without the new fields, and fields taken from the case name", () => {
    const text = [
      line({ case: "experiment/criteo-dcn-fp32-s2", value: 0.74, unit: "AUC" }),
      "",
      line({ case: "experiment/avazu-dcn-lpt-sr-b4-s3", testAuc: 0.68, runtime: "node-20" }),
      line({ dataset: "criteo", method: "fp32", seed: 0, testAuc: 0.75 }),
    ].join("\r\n");
    const { records } = parseRecords(text, "old.jsonl");
    expect(records.map((r) => [r.dataset, r.method, r.bits, r.seed, r.testAuc, r.source])).toEqual([
      ["criteo", "fp32", 32, 2, 0.74, "old.jsonl:1"],
      ["avazu", "lpt-sr", 4, 3, 0.68, "old.jsonl:3"],
      ["criteo", "fp32", 32, 0, 0.75, "old.jsonl:4"],
    ]);
    expect(records[1]!.lossCurve).toBeUndefined();
    expect(records[1]!.delta).toBeUndefined();
  });

  it("a JSON object that is not a run is skipped with a note naming file:line", () => {
    const { records, warnings } = parseRecords(`${line({ case: "kernels/gemm", value: 33, unit: "GFLOP/s" })}\n`, "bench.jsonl");
    expect(records).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^bench\.jsonl:1: skipped, not an experiment run/)]);
  });

  it("malformed lines are errors naming file:line", () => {
    const good = line(record({ method: "fp32", seed: 0, testAuc: 0.7 }));
    expect(() => parseRecords(`${good}\n${good}\n{"case": "x", "testAuc": 0.7\n`, "docs/criteo.jsonl")).toThrow(/^docs\/criteo\.jsonl:3: not valid JSON/);
    expect(() => parseRecords(`${good}\n[1, 2]\n`, "a.jsonl")).toThrow("a.jsonl:2: expected a JSON object, got an array");
    expect(() => parseRecords(`\n\n42\n`, "a.jsonl")).toThrow("a.jsonl:3: expected a JSON object, got 42");
    expect(() => parseRecords(line({ ...record({ method: "fp32", seed: 0, testAuc: 0.7 }), testAuc: "0.7" }), "b.jsonl")).toThrow('b.jsonl:1: "testAuc" must be a number, got "0.7"');
    const r = record({ method: "alpt", bits: 4, seed: 0, testAuc: 0.7 });
    (r.delta as { histogram: { counts: number[] } }).histogram.counts.pop();
    expect(() => parseRecords(`${good}\n${line(r)}`, "c.jsonl")).toThrow(/^c\.jsonl:2: "delta\.histogram\.counts" must be an array of 60 counts/);
    expect(() => parseRecords(line({ ...r, lossCurve: { every: 0, values: [] } }), "d.jsonl")).toThrow('d.jsonl:1: "lossCurve.every" must be a positive number');
  });
});

describe("latestPerCase", () => {
  it("keeps the last record of each case", () => {
    const a = record({ method: "alpt", bits: 4, seed: 0, testAuc: 0.7 });
    const b = record({ method: "alpt", bits: 4, seed: 1, testAuc: 0.71 });
    const { records } = parseRecords([a, b, { ...a, testAuc: 0.72 }].map(line).join("\n"), "f.jsonl");
    expect(latestPerCase(records).map((r) => [r.seed, r.testAuc, r.source])).toEqual([[1, 0.71, "f.jsonl:2"], [0, 0.72, "f.jsonl:3"]]);
  });
});
