// `alpt prepare --config` and `--infer-config` end to end (the built CLI): a generated click log
// with a header, 3 categorical, 2 numeric and 1 multi-valued column → a prepared folder whose
// caches hold the ids, dense inputs and bags that prepareDataset(config) computes in process;
// openPrepared reads them back with the config; errors name the config key's place. With
// --shard-rows the splits are shards, trained and evaluated streamed as in memory; the dry run's
// plan names the bag fields and their lengths.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPrepared } from "../../src/cli/files.js";
import { encodeRawRow } from "../../src/data/encode-row.js";
import { prepareFromConfig } from "../../src/data/prepare-config.js";
import { cliSession, type CliSession } from "../helpers/cli-session.js";

let cli: CliSession;
beforeAll(() => {
  cli = cliSession("alpt-config-");
}, 120_000);
afterAll(() => cli?.cleanup());

function clickLog(n: number): string {
  let s = 9;
  const r = (m: number) => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) % m;
  const rows = ["click,user,ad,site,price,age,tags"];
  for (let i = 0; i < n; i++) {
    const tags = ["sport", "news", "tech", "food"].filter(() => r(3) === 0).join("|");
    rows.push(`${r(4) === 0 ? 1 : 0},u${r(30)},ad${r(8)},"s, ${r(5)}",${(r(5000) / 10).toFixed(1)},${18 + r(50)},${tags}`);
  }
  return rows.join("\n") + "\n";
}

const CONFIG = {
  format: "csv", train: "log.csv", label: "click", split: [0.8, 0.1, 0.1],
  features: [
    { name: "user", type: "categorical" }, { name: "ad", type: "categorical" }, { name: "site", type: "categorical", min_count: 2 },
    { name: "price", type: "numeric", normalizer: "log1p" }, { name: "age", type: "numeric", normalizer: "minmax" },
    { name: "tags", type: "sequence", splitter: "|", max_len: 3, pooling: "sum" },
  ],
};

describe("alpt prepare --config", () => {
  it("writes a folder whose caches carry the dense inputs and bag fields; openPrepared reads them with the config", async () => {
    writeFileSync(join(cli.dir, "log.csv"), clickLog(500));
    writeFileSync(join(cli.dir, "data.json"), JSON.stringify(CONFIG, null, 2));
    const r = await cli.alpt("prepare", "--config", "data.json", "--out", "prep", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const done = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(done).toMatchObject({ event: "done", fields: 3, denseFeatures: 2, bagFields: 1, rows: { train: 400, valid: 50, test: 50 } });
    const folder = await openPrepared(join(cli.dir, "prep"));
    expect(folder.manifest).toMatchObject({ dataFormat: "csv", dataConfig: "data_config.json", denseFeatures: 2, bagFields: 1 });
    const want = await prepareFromConfig(CONFIG, { open: (f) => [readFileSync(join(cli.dir, f))] });
    expect(folder.featureMap.hash).toBe(want.fitted.featureMap.hash);
    for (const name of ["train", "valid", "test"] as const) {
      const got = await folder.split(name), exp = want.splits.get(name)!;
      expect([...got.ids]).toEqual([...exp.ids]);
      expect([...got.labels]).toEqual([...exp.labels]);
      expect([...got.dense!]).toEqual([...exp.dense!]);
      expect(got.denseNames).toEqual(["price", "age"]);
      expect([...got.bags!.offsets]).toEqual([...exp.bags!.offsets]);
      expect([...got.bags!.ids]).toEqual([...exp.bags!.ids]);
      expect(got.bags).toMatchObject({ fields: 1, pooling: ["sum"], names: ["tags"] });
    }
    // the stored config encodes a raw row like the cache holds it (row 3 of the test split = line 455 + 1)
    const dc = folder.dataConfig!;
    const line = readFileSync(join(cli.dir, "log.csv"), "utf8").split("\n")[1 + 453]!;
    const cells = line.match(/("[^"]*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, "").replace(/^"|"$/g, ""));
    const e = encodeRawRow(dc.config, dc.fitted, Object.fromEntries(["click", "user", "ad", "site", "price", "age", "tags"].map((h, k) => [h, cells[k]!])));
    const test = await folder.split("test");
    expect([...e.ids]).toEqual([...test.ids.subarray(3 * 3, 4 * 3)]);
    expect([...e.dense]).toEqual([...test.dense!.subarray(3 * 2, 4 * 2)]);
  });

  it("--infer-config writes a config that prepares as is", async () => {
    writeFileSync(join(cli.dir, "log2.csv"), clickLog(300));
    const r = await cli.alpt("prepare", "log2.csv", "--infer-config", "--out", "guess.json");
    expect(r.code).toBe(0);
    // age (50 distinct integers) is guessed categorical: a fair choice, left to the user to change
    expect(r.stdout).toMatch(/label: click\n {2}categorical: user, ad, site, age\n {2}numeric: price\n {2}sequence: tags/);
    const p = await cli.alpt("prepare", "--config", "guess.json", "--out", "prep2");
    expect(p.stderr).toBe("");
    expect(p.stdout).toMatch(/4 categorical fields, 1 dense input, 1 bag field/);
  });

  it("names each config key it cannot take, with file:line:column", async () => {
    const bad = { ...CONFIG, min_cnt: 2, features: [{ name: "user", type: "categorical", embedding_dim: 8 }] };
    writeFileSync(join(cli.dir, "bad.json"), JSON.stringify(bad, null, 2));
    const r = await cli.alpt("prepare", "--config", "bad.json", "--out", "prep3");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json:\d+:3: min_cnt: unknown key/);
    expect(r.stderr).toMatch(/bad\.json:\d+:7: features\[0\]\.embedding_dim: unknown key/);
    const both = await cli.alpt("prepare", "log.csv", "--config", "data.json", "--infer-config");
    expect(both.code).toBe(2);
  });
});

describe("prepare --config in shards, streamed with its bag fields and dense inputs", () => {
  const small = ["--method", "alpt", "--bits", "4", "--embedding-dim", "4", "--batch-size", "64", "--hidden-units", "16", "--cross-layers", "1", "--epochs", "2", "--threads", "1", "--no-resume-file", "--json"];
  const last = (stdout: string) => JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, unknown>;

  it("--shard-rows writes shards; train --stream on one shard = --no-stream; several shards train and eval streamed", async () => {
    writeFileSync(join(cli.dir, "sh.csv"), clickLog(900));
    writeFileSync(join(cli.dir, "sh.json"), JSON.stringify({ ...CONFIG, train: "sh.csv" }));
    const one = await cli.alpt("prepare", "--config", "sh.json", "--out", "sh1", "--json");
    expect(one.stderr).toBe("");
    const many = await cli.alpt("prepare", "--config", "sh.json", "--out", "sh5", "--shard-rows", "150", "--json");
    expect(many.stderr).toBe("");
    expect(last(many.stdout)).toMatchObject({ rows: { train: 720, valid: 90, test: 90 }, shards: { train: 5, valid: 1, test: 1 } });
    const m1 = await openPrepared(join(cli.dir, "sh1")), m5 = await openPrepared(join(cli.dir, "sh5"));
    expect(m5.manifest.splits.train!.shards.map((x) => x.file)).toEqual(["train-00000.cache", "train-00001.cache", "train-00002.cache", "train-00003.cache", "train-00004.cache"]);
    expect(m5.manifest.bagLengths).toEqual(m1.manifest.bagLengths);
    expect(m1.manifest.bagLengths!.max).toEqual([3]); // max_len
    // the same rows either way
    for (const name of ["train", "valid"]) {
      const x = await m5.split(name), y = await m1.split(name);
      expect([...x.ids, ...x.bags!.offsets, ...x.bags!.ids, ...x.dense!]).toEqual([...y.ids, ...y.bags!.offsets, ...y.bags!.ids, ...y.dense!]);
    }
    const a = await cli.alpt("train", "--data", "sh1", ...small, "--no-stream", "--out", "sa.safetensors");
    const b = await cli.alpt("train", "--data", "sh1", ...small, "--stream", "--out", "sb.safetensors");
    expect(a.stderr).toBe("");
    expect(b.stderr).toBe("");
    const ra = last(a.stdout), rb = last(b.stdout);
    expect(rb.valAuc).toBe(ra.valAuc);
    expect(rb.valLogloss).toBe(ra.valLogloss);
    const c = await cli.alpt("train", "--data", "sh5", ...small, "--out", "sc.safetensors");
    expect(c.stderr).toBe("");
    expect(last(c.stdout).valAuc).toBeGreaterThan(0.4);
    const ea = await cli.alpt("eval", "sa.safetensors", "--data", "sh5", "--split", "valid", "--no-stream", "--json");
    const eb = await cli.alpt("eval", "sa.safetensors", "--data", "sh5", "--split", "valid", "--stream", "--batch-size", "50", "--json");
    expect(eb.stderr).toBe("");
    expect(last(eb.stdout)).toMatchObject({ streamed: true, auc: last(ea.stdout).auc, logloss: last(ea.stdout).logloss });
  }, 120_000);

  it("the dry run's plan names the dense inputs and bag fields and counts the bags' ids", async () => {
    const r = await cli.alpt("train", "--data", "sh5", "--dry-run", "--batch-size", "100", "--json");
    expect(r.stderr).toBe("");
    const plan = last(r.stdout) as { inputs: Record<string, unknown>; batch: { ids: number }; data: { rowBytes: number } };
    const m = (await openPrepared(join(cli.dir, "sh5"))).manifest;
    expect(plan.inputs).toMatchObject({ fields: 3, denseFeatures: 2, bagFields: 1, bagNames: ["tags"], bagPooling: ["sum"], bagLengths: m.bagLengths, bagIdsPlanned: 3 });
    // the batch's ids: [B, F] single-valued, then the bag layout's ids [B·(F + 3)], offsets [B·4 + 1] and poolings [4]
    const al = (x: number) => Math.ceil(x / 16) * 16;
    expect(plan.batch.ids).toBe(al(4 * 100 * 3) + al(4 * 100 * 6) + al(4 * (100 * 4 + 1)) + al(16));
    // a row in memory: 3 ids, a label, 2 dense inputs, a bag offset and the mean bag's ids
    expect(plan.data.rowBytes).toBeCloseTo(4 * 3 + 4 + 8 + 4 + 4 * m.bagLengths!.mean[0]!, 6);
    const t = await cli.alpt("train", "--data", "sh5", "--dry-run");
    expect(t.stdout).toMatch(/\n {2}inputs {2}3 single-valued fields, 2 dense inputs, 1 bag field \(tags sum; ids per bag in the training rows: tags mean [\d.]+, max 3; the heap plan assumes the longest bags \(3 ids per row\), the data the mean \([\d.]+\)\)/);
    // a folder prepared before bag lengths were recorded: one id per bag, said so
    const mpath = join(cli.dir, "sh5", "dataset.json");
    const old = JSON.parse(readFileSync(mpath, "utf8"));
    delete old.bagLengths;
    writeFileSync(mpath, JSON.stringify(old, null, 2));
    const o = await cli.alpt("train", "--data", "sh5", "--dry-run");
    expect(o.stderr).toBe("");
    expect(o.stdout).toMatch(/tags: one id per bag assumed \(the folder does not record its bag lengths: prepare it again to count them\)/);
  });
});

describe("prepare --config → train → eval → export → predict from raw rows (categorical, dense and multi-valued inputs)", () => {
  it("predictions from raw rows equal those from the prepared cache, fp32 and alpt-4", async () => {
    const { loadPredictor } = await import("../../src/serve/predictor.js");
    const { engine } = await import("../helpers/engine.js");
    await engine();
    writeFileSync(join(cli.dir, "flow.csv"), clickLog(1500));
    const cfg = { ...CONFIG, train: "flow.csv" };
    writeFileSync(join(cli.dir, "flow.json"), JSON.stringify(cfg));
    const pr0 = await cli.alpt("prepare", "--config", "flow.json", "--out", "flow");
    expect(pr0.stderr).toBe("");
    const folder = await openPrepared(join(cli.dir, "flow"));
    const test = await folder.split("test");
    // the test rows as raw, unlabeled lines (header without the label)
    const lines = readFileSync(join(cli.dir, "flow.csv"), "utf8").trim().split("\n");
    const strip = (l: string) => l.slice(l.indexOf(",") + 1);
    writeFileSync(join(cli.dir, "raw.csv"), [strip(lines[0]!), ...lines.slice(1 + 1350).map(strip)].join("\n") + "\n");
    writeFileSync(join(cli.dir, "raw-labeled.csv"), [lines[0]!, ...lines.slice(1 + 1350)].join("\n") + "\n");
    for (const [method, bits] of [["fp32", "32"], ["alpt", "4"]] as const) {
      const tr = await cli.alpt("train", "--data", "flow", "--model", "DCN", "--method", method, ...(method === "alpt" ? ["--bits", bits] : []), "--embedding-dim", "4", "--hidden-units", "16", "--epochs", "1", "--batch-size", "128", "--out", `m-${method}.safetensors`);
      expect(tr.stderr).toBe("");
      expect(tr.code).toBe(0);
      const ev = await cli.alpt("eval", `m-${method}.safetensors`, "--data", "flow", "--split", "test", "--json");
      expect(ev.stderr).toBe("");
      const auc = JSON.parse(ev.stdout.trim().split("\n")[0]!).auc as number;
      expect(auc).toBeGreaterThan(0);
      // eval on the raw labeled rows (encoded with the config in the checkpoint) = eval on the cache
      const evRaw = await cli.alpt("eval", `m-${method}.safetensors`, "--input", "raw-labeled.csv", "--json");
      expect(evRaw.stderr).toBe("");
      expect(JSON.parse(evRaw.stdout.trim().split("\n")[0]!).auc).toBe(auc);
      expect((await cli.alpt("export", `m-${method}.safetensors`, "--out", `e-${method}.safetensors`)).stderr).toBe("");
      const pr = await cli.alpt("predict", `e-${method}.safetensors`, "--input", "raw.csv", "--output", `p-${method}.csv`);
      expect(pr.stderr).toBe("");
      expect(pr.code).toBe(0);
      const got = readFileSync(join(cli.dir, `p-${method}.csv`), "utf8").trim().split("\n").slice(1).map((l) => Number(l.split(",")[1]));
      const predictor = loadPredictor(readFileSync(join(cli.dir, `e-${method}.safetensors`)));
      expect(predictor.info.bagPooling).toEqual(["sum"]);
      const want = predictor.predictIds(test.ids, test.dense, test.bags);
      predictor.dispose();
      expect(got.length).toBe(test.n);
      got.forEach((x, k) => expect(x).toBe(Number(want[k]!.toPrecision(9))));
    }
  }, 240_000);
});
