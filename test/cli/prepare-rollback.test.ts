// A failed `alpt prepare` into a folder that holds a prepared dataset leaves the folder as it was
// (io/staged-folder.ts): the new run writes into a staging subfolder, switched in only at the end.
// Here the training file is encoded into shards and then the --valid file fails on a bad line late
// in it: the error names file:line:column, and the folder's files and bytes are unchanged and load.
// The same for `prepare --config` (its valid file fails after the training shards are written).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPrepared } from "../../src/cli/files.js";
import { SyntheticCtr } from "../../src/data/synthetic.js";
import { cliSession, type CliSession } from "../helpers/cli-session.js";

let cli: CliSession;
const alpt = (...args: string[]) => cli.alpt(...args);

/** Every file of the folder (hidden ones too) with its bytes. */
const snapshot = (dir: string) => Object.fromEntries(readdirSync(join(cli.dir, dir)).sort().map((f) => [f, readFileSync(join(cli.dir, dir, f)).toString("base64")]));

beforeAll(() => {
  cli = cliSession("alpt-prepare-rollback-");
  const gen = new SyntheticCtr({ seed: 3, vocabSize: 2000 });
  writeFileSync(join(cli.dir, "a.txt"), gen.criteoText(0, 1500));
  writeFileSync(join(cli.dir, "b.txt"), gen.criteoText(1500, 1200));
  const lines = gen.criteoText(3000, 400).split("\n");
  const cells = lines[389]!.split("\t");
  cells[3] = "12x"; // I3: not a number
  lines[389] = cells.join("\t");
  writeFileSync(join(cli.dir, "bad-valid.txt"), lines.join("\n"));
});

afterAll(() => cli?.cleanup());

describe("a failed prepare is rolled back", () => {
  it("an encoding pass failing late leaves the earlier prepared folder's files and bytes as they were", async () => {
    const first = await alpt("prepare", "a.txt", "--out", "prep", "--shard-rows", "500", "--split", "0.8,0.2");
    expect(first.code, first.stderr).toBe(0);
    const before = snapshot("prep");
    expect(Object.keys(before)).toEqual(["dataset.json", "feature_map.json", "train-00000.cache", "train-00001.cache", "train-00002.cache", "valid.cache"]);
    // the training file's shards are written (3 of 400 rows), then the --valid file fails at its line 390
    const r = await alpt("prepare", "b.txt", "--valid", "bad-valid.txt", "--strict", "--out", "prep", "--shard-rows", "400");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad-valid\.txt:390:\d+: /);
    expect(snapshot("prep")).toEqual(before);
    const prepared = await openPrepared(join(cli.dir, "prep"));
    expect((await prepared.split("train")).n).toBe(1200);
    expect((await prepared.split("valid")).n).toBe(300);
    // a failure on a bad line of the training file (its counting pass) changes nothing either
    writeFileSync(join(cli.dir, "bad-train.txt"), readFileSync(join(cli.dir, "bad-valid.txt")));
    const t = await alpt("prepare", "bad-train.txt", "--strict", "--out", "prep");
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/bad-train\.txt:390:\d+: /);
    expect(snapshot("prep")).toEqual(before);
  }, 120_000);

  it("prepare --config: a failure after the training shards leaves the folder as it was", async () => {
    const rows = (n: number, bad?: number) => ["click,user,price", ...Array.from({ length: n }, (_, i) => `${i % 3 === 0 ? 1 : 0},u${i % 17},${i === bad ? "cheap" : (i % 50) / 2}`)].join("\n") + "\n";
    writeFileSync(join(cli.dir, "log.csv"), rows(900));
    writeFileSync(join(cli.dir, "bad.csv"), rows(300, 250));
    const config = { format: "csv", label: "click", features: [{ name: "user", type: "categorical" }, { name: "price", type: "numeric", normalizer: "standard" }] };
    writeFileSync(join(cli.dir, "c.json"), JSON.stringify({ ...config, train: "log.csv", split: [0.8, 0.2] }));
    const first = await alpt("prepare", "--config", "c.json", "--out", "cprep", "--shard-rows", "300");
    expect(first.code, first.stderr).toBe(0);
    const before = snapshot("cprep");
    expect(Object.keys(before)).toContain("data_config.json");
    writeFileSync(join(cli.dir, "c2.json"), JSON.stringify({ ...config, train: "log.csv", valid: "bad.csv" }));
    const r = await alpt("prepare", "--config", "c2.json", "--out", "cprep", "--shard-rows", "200", "--strict");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.csv:252:\d+: /);
    expect(snapshot("cprep")).toEqual(before);
    expect((await (await openPrepared(join(cli.dir, "cprep"))).split("train")).n).toBe(720);
  }, 120_000);

  it("a successful prepare over the folder replaces it: new shards in, stale ones and the staging folder out", async () => {
    const r = await alpt("prepare", "b.txt", "--out", "prep", "--shard-rows", "700", "--split", "0.9,0.1");
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(cli.dir, "prep")).sort()).toEqual(["dataset.json", "feature_map.json", "train-00000.cache", "train-00001.cache", "valid.cache"]);
    const prepared = await openPrepared(join(cli.dir, "prep"));
    expect(prepared.manifest.source).toMatch(/b\.txt$/);
    expect((await prepared.split("train")).n).toBe(1080);
  }, 120_000);
});
