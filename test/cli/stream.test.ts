// `alpt train` and `alpt eval` streaming a prepared folder's splits from shards (--stream): the
// same validation AUC and logloss as loading them whole, the data's memory in --dry-run, and
// --stream refused where it does not apply.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyntheticCtr } from "../../src/data/synthetic.js";
import { cliSession, type CliSession } from "../helpers/cli-session.js";

let cli: CliSession;
const alpt = (...args: string[]) => cli.alpt(...args);
const last = (stdout: string) => JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, unknown>;

beforeAll(async () => {
  cli = cliSession("alpt-stream-");
  writeFileSync(join(cli.dir, "train.txt"), new SyntheticCtr({ seed: 7, vocabSize: 5000 }).criteoText(0, 3000));
  const r = await alpt("prepare", "train.txt", "--out", "prep");
  expect(r.code, r.stderr).toBe(0);
}, 180_000);

afterAll(() => cli?.cleanup());

const small = ["--data", "prep", "--method", "alpt", "--bits", "4", "--embedding-optimizer", "adagrad", "--batch-size", "256", "--hidden-units", "16", "--cross-layers", "1", "--epochs", "2", "--threads", "1", "--no-resume-file", "--json"];

describe("streaming from shards", () => {
  it("train --stream gives the in-memory run's validation AUC and logloss; eval --stream its metrics", async () => {
    const a = await alpt("train", ...small, "--no-stream", "--out", "mem.safetensors");
    expect(a.code, a.stderr).toBe(0);
    const b = await alpt("train", ...small, "--stream", "--out", "stream.safetensors");
    expect(b.code, b.stderr).toBe(0);
    const ra = last(a.stdout), rb = last(b.stdout);
    expect(rb.steps).toBe(ra.steps);
    expect(Math.abs((rb.valAuc as number) - (ra.valAuc as number))).toBeLessThan(1e-6);
    expect(rb.valLogloss).toBe(ra.valLogloss);
    const t = await alpt("train", ...small.filter((x) => x !== "--json"), "--stream", "--out", "t.safetensors");
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/streamed from 1 shard, shuffle buffer [\d,]+ rows/);
    const ea = await alpt("eval", "mem.safetensors", "--data", "prep", "--split", "valid", "--no-stream", "--json");
    const eb = await alpt("eval", "mem.safetensors", "--data", "prep", "--split", "valid", "--stream", "--batch-size", "100", "--json");
    expect(ea.code, ea.stderr).toBe(0);
    expect(eb.code, eb.stderr).toBe(0);
    const ja = last(ea.stdout), jb = last(eb.stdout);
    expect(jb).toMatchObject({ streamed: true, rows: ja.rows, positiveRate: ja.positiveRate });
    expect(ja.streamed).toBe(false);
    expect(Math.abs((jb.auc as number) - (ra.valAuc as number))).toBeLessThan(1e-6);
    expect(Math.abs((jb.auc as number) - (ja.auc as number))).toBeLessThan(1e-6);
  }, 180_000);

  it("--dry-run counts the shuffle buffer and prefetch instead of the whole split when streaming", async () => {
    const r = await alpt("train", "--data", "prep", "--dry-run", "--stream", "--shuffle-buffer", "1000", "--batch-size", "100", "--json");
    expect(r.code, r.stderr).toBe(0);
    const d = (last(r.stdout) as { data: Record<string, number | boolean> }).data;
    // one shard of 2,400 train rows is held whole: the buffer is at least one shard
    expect(d).toMatchObject({ streamed: true, rowBytes: 160, trainRows: 2400 + 99 });
    const t = await alpt("train", "--data", "prep", "--dry-run", "--stream");
    expect(t.stdout).toMatch(/\n {2}data .* outside the heap, streamed: at most [\d,]+ train rows \(shuffle buffer \+ carry \+ prefetched shard\)/);
    const e = await alpt("eval", "x.safetensors", "--input", "train.txt", "--stream");
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/--stream applies to --data, not to --input/);
  });
});
