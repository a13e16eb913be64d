// The built `alpt` command against the reproductions of issue 13, on generated Criteo rows in a
// temp folder: empty and unlabeled inputs, targets that cannot be written (checked before any
// work, no hang under /proc), a closed stdout (`| head -1`: exit 0, the checkpoint still written),
// a full one (/dev/full: exit 1, one line), damaged resume files (the key named, before training),
// a run whose final checkpoint write was lost, stale temp files, and the flag messages.
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyntheticCtr } from "../../src/data/synthetic.js";
import { decodeSafetensors, encodeSafetensors } from "../../src/io/safetensors.js";
import { cliSession, type CliRun, type CliSession } from "../helpers/cli-session.js";

let cli: CliSession;
let dir: string;
type Run = CliRun;

const run = (file: string, args: string[], timeout = 60_000) => cli.run(file, args, timeout);
const alpt = (...args: string[]) => run(process.execPath, [cli.main, ...args]);
/** `alpt ARGS | head -1` (or `> target`), with alpt's own exit code. */
const shell = (script: string) => run("bash", ["-c", script.replaceAll("ALPT", `"${process.execPath}" "${cli.main}"`)]);

const SMALL = ["--batch-size", "64", "--embedding-dim", "4", "--hidden-units", "8", "--cross-layers", "1"];
const noTrace = (r: Run) => expect(r.stderr, r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)|node:internal|Error: .*\n\s+at /);

beforeAll(async () => {
  cli = cliSession("alpt-hard-");
  dir = cli.dir;
  const gen = new SyntheticCtr({ seed: 4, vocabSize: 300 });
  writeFileSync(join(dir, "train.txt"), gen.criteoText(0, 1500));
  writeFileSync(join(dir, "big.txt"), gen.criteoText(0, 20000));
  const unl = gen.criteoText(1500, 200).split("\n").filter((l) => l).map((l) => l.split("\t").slice(1).join("\t"));
  writeFileSync(join(dir, "unlabeled.txt"), unl.join("\n") + "\n");
  const r = await alpt("prepare", "train.txt", "--out", "prep");
  expect(r.code, r.stderr).toBe(0);
  const t = await alpt("train", "--data", "prep", "--epochs", "2", "--out", "m.safetensors", ...SMALL);
  expect(t.code, t.stderr).toBe(0);
}, 180_000);

afterAll(() => cli?.cleanup());

describe("empty or unlabeled data", () => {
  it("prepare of an empty file, blank lines, an empty gzip, bad rows, CR-only ends: exit 1, zero usable rows and why", async () => {
    writeFileSync(join(dir, "e.txt"), "");
    writeFileSync(join(dir, "b.txt"), "\n\n\n");
    writeFileSync(join(dir, "e.gz"), gzipSync(new Uint8Array(0)));
    writeFileSync(join(dir, "bad.txt"), "a\tb\nc\n");
    writeFileSync(join(dir, "cr.txt"), readFileSync(join(dir, "train.txt"), "utf8").replaceAll("\n", "\r"));
    const cases: [string, RegExp][] = [
      ["e.txt", /no usable rows: the file is empty/],
      ["b.txt", /no usable rows: the file holds only blank lines \(3\)/],
      ["e.gz", /no usable rows: the file is empty/],
      ["bad.txt", /no usable rows: all 2 rows were skipped \(1 × expected 40 columns, got 2; 1 × expected 40 columns, got 1\)/],
      ["cr.txt", /no usable rows: the only row was skipped .*CR only/],
    ];
    const runs = await Promise.all(cases.map(([f]) => alpt("prepare", f, "--out", `out-${f}`)));
    runs.forEach((r, k) => {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(cases[k]![1]);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(existsSync(join(dir, `out-${cases[k]![0]}`)), "no folder left behind").toBe(false);
    });
  });

  it("an unlabeled --test file is an error, and eval --input on it says it has no labels", async () => {
    const [p, e] = await Promise.all([
      alpt("prepare", "train.txt", "--test", "unlabeled.txt", "--out", "p-unl"),
      alpt("eval", "m.safetensors", "--input", "unlabeled.txt"),
    ]);
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(/unlabeled\.txt: no usable rows: .*this file has no labels/);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/unlabeled\.txt: no usable rows: .*this file has no labels/);
  });

  it("training on a folder whose split has 0 rows is an error", async () => {
    const m = JSON.parse(readFileSync(join(dir, "prep/dataset.json"), "utf8"));
    m.splits.train.rows = 0;
    const { cpSync } = await import("node:fs");
    cpSync(join(dir, "prep"), join(dir, "prep0"), { recursive: true });
    writeFileSync(join(dir, "prep0/dataset.json"), JSON.stringify(m));
    const r = await alpt("train", "--data", "prep0", "--out", "zero.safetensors");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/splits\.train\.rows = 0 must be an integer ≥ 1/);
    expect(existsSync(join(dir, "zero.safetensors"))).toBe(false);
  });
});

describe("targets are checked before the work (no hang)", () => {
  it.skipIf(!existsSync("/proc/self"))("prepare --out /proc/x fails at once", async () => {
    const r = await alpt("prepare", "train.txt", "--out", "/proc/x/y");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--out \/proc\/x\/y: cannot create the folder \/proc\/x/);
    expect(r.ms).toBeLessThan(10_000);
  });

  it("train --out in a missing folder fails before training", async () => {
    const r = await alpt("train", "--data", "prep", "--out", "/nonexistent/dir/x.safetensors", ...SMALL);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("alpt train: --out /nonexistent/dir/x.safetensors: the folder /nonexistent/dir does not exist\n");
    expect(r.stdout).toBe("");
  });
});

describe("stdout closed or full", () => {
  it("train | head -1: exit 0, quiet, the checkpoint written", async () => {
    const r = await shell(`ALPT train --data prep --epochs 2 --out piped.safetensors ${SMALL.join(" ")} --json | head -c 10; exit \${PIPESTATUS[0]}`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(statSync(join(dir, "piped.safetensors")).size).toBeGreaterThan(1000);
  });

  it("predict | head -1 and inspect | head -1: exit 0, nothing on stderr", async () => {
    const [p, i] = await Promise.all([
      shell(`ALPT predict m.safetensors --input big.txt | head -1; exit \${PIPESTATUS[0]}`),
      shell(`ALPT inspect m.safetensors | head -1; exit \${PIPESTATUS[0]}`),
    ]);
    for (const r of [p, i]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout.split("\n").filter((l) => l)).toHaveLength(1);
    }
  });

  it.skipIf(!existsSync("/dev/full"))("output to /dev/full: exit 1 and a one-line message", async () => {
    const runs = await Promise.all([
      shell("ALPT inspect m.safetensors > /dev/full"),
      shell("ALPT predict m.safetensors --input train.txt > /dev/full"),
      shell(`ALPT train --data prep --epochs 1 --out full.safetensors ${SMALL.join(" ")} > /dev/full`),
    ]);
    for (const r of runs) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^alpt (inspect|predict|train): cannot write to the standard output: ENOSPC \(no space left on the device\)\n$/);
    }
  });
});

describe("train --resume", () => {
  /** A copy of m.resume.safetensors with its training metadata edited (checksum recomputed). */
  function editResume(name: string, edit: (t: { settings: Record<string, unknown>; state: Record<string, unknown> }) => void): string {
    const { metadata, tensors } = decodeSafetensors(new Uint8Array(readFileSync(join(dir, "m.resume.safetensors"))), { what: "m" });
    const t = JSON.parse(metadata.training!);
    edit(t);
    const md = { ...metadata, training: JSON.stringify(t) };
    delete (md as Record<string, string>).checksum;
    writeFileSync(join(dir, name), encodeSafetensors(tensors, md));
    return name;
  }

  it("bad settings or state are refused with the key named, before training (exit 1)", async () => {
    const cases: [(t: { settings: Record<string, unknown>; state: Record<string, unknown> }) => void, RegExp][] = [
      [(t) => (t.settings.epochs = -1), /training\.settings\.epochs = -1: expected an integer ≥ 1/],
      [(t) => (t.settings.evalEvery = 0), /training\.settings\.evalEvery = 0: expected an integer ≥ 1/],
      [(t) => (t.settings.lrSchedule = "bogus"), /training\.settings\.lrSchedule = "bogus": expected one of none, paper/],
      [(t) => (t.state.steps = "x"), /training\.state\.steps = "x": expected an integer ≥ 0/],
      [(t) => (t.state.epoch = 0), /training\.state\.epoch = 0: expected an integer ≥ 1/],
      [(t) => (t.state.lr = -1), /training\.state\.lr = -1/],
      [(t) => (t.settings.bits = 99), /training\.settings\.bits = 99: expected one of 1, 2/],
      [(t) => void Object.assign(t.settings, { toString: 1 }), /training\.settings\.toString is not a setting/],
      [(t) => (t.state.stoppedEarly = "no"), /training\.state\.stoppedEarly = "no": expected true or false/],
    ];
    const runs = await Promise.all(cases.map(([edit], k) => alpt("train", "--resume", editResume(`bad${k}.resume.safetensors`, edit), "--epochs", "3")));
    runs.forEach((r, k) => {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(cases[k]![1]);
      expect(r.stdout).toBe("");
      expect(existsSync(join(dir, `bad${k}.safetensors`))).toBe(false);
    });
  });

  it("a run whose final checkpoint write was lost is finished by --resume (same bytes)", async () => {
    const before = readFileSync(join(dir, "m.safetensors"));
    rmSync(join(dir, "m.safetensors"));
    const r = await alpt("train", "--resume", "m.resume.safetensors");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/holds a finished run \(2 epochs\): writing its checkpoint without training/);
    expect(readFileSync(join(dir, "m.safetensors")).equals(before)).toBe(true);
  });

  it("resume files do not depend on --out", async () => {
    const [a, b] = await Promise.all(["ra", "rb"].map((o) => alpt("train", "--data", "prep", "--epochs", "1", "--out", `${o}.safetensors`, ...SMALL)));
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(readFileSync(join(dir, "ra.resume.safetensors")).equals(readFileSync(join(dir, "rb.resume.safetensors")))).toBe(true);
  });
});

describe("after a crash", () => {
  it("stale temp files of a target are removed at its next write, with a note", async () => {
    const stale = [".s.safetensors.999999.0.tmp", ".s.resume.safetensors.999998.3.tmp"];
    for (const f of stale) writeFileSync(join(dir, f), "partial");
    writeFileSync(join(dir, ".other.safetensors.999999.0.tmp"), "not ours to remove");
    const r = await alpt("train", "--data", "prep", "--epochs", "1", "--out", "s.safetensors", ...SMALL);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: removed 1 temporary file\(s\) left by an interrupted write of s\.resume\.safetensors: \.s\.resume\.safetensors\.999998\.3\.tmp/);
    expect(r.stderr).toMatch(/note: removed 1 temporary file\(s\) left by an interrupted write of s\.safetensors: \.s\.safetensors\.999999\.0\.tmp/);
    const left = readdirSync(dir).filter((f) => f.endsWith(".tmp"));
    expect(left).toEqual([".other.safetensors.999999.0.tmp"]);
  });
});

describe("messages", () => {
  it("flags: bits range, memory ceiling, fp32 ignores bits, no repeated prefix", async () => {
    const [b0, b9, mem, fp, extra, missing] = await Promise.all([
      alpt("train", "--data", "prep", "--bits", "0"),
      alpt("train", "--data", "prep", "--bits", "9"),
      alpt("train", "--data", "prep", "--max-memory-mb", "5000"),
      alpt("train", "--data", "prep", "--method", "fp32", "--bits", "4", "--epochs", "1", "--out", "fp.safetensors", ...SMALL),
      alpt("train", "extra"),
      alpt("prepare"),
    ]);
    const range = /option --bits expects one of 1, 2, 3, 4, 5, 6, 7, 8, 16, got/;
    expect(b0.stderr).toMatch(range);
    expect(b9.stderr).toMatch(range);
    expect([b0.code, b9.code, mem.code]).toEqual([2, 2, 2]);
    expect(mem.stderr).toMatch(/--max-memory-mb expects a number in \[1, 4096\], got "5000"/);
    expect(fp.code, fp.stderr).toBe(0);
    expect(fp.stderr).toMatch(/warning: bits = 4 is ignored with method fp32/);
    expect(extra.stderr).toMatch(/^alpt train: unexpected argument "extra"/);
    expect(missing.stderr).toMatch(/^alpt prepare: missing INPUT/);
    for (const r of [b0, extra, missing]) expect(r.stderr).not.toMatch(/alpt \w+: alpt/);
  });

  it("model-build errors name the experiment and the setting; damaged files exit 1", async () => {
    writeFileSync(join(dir, "lr0.json"), JSON.stringify({ x: { data: "prep", lr: 0 } }));
    const [cfg, flagRun, damaged] = await Promise.all([
      alpt("train", "--config", "lr0.json", "--out", "lr0.safetensors"),
      alpt("train", "--data", "prep", "--lr", "0", "--out", "lr0.safetensors"),
      (async () => {
        const { cpSync } = await import("node:fs");
        cpSync(join(dir, "prep"), join(dir, "prepd"), { recursive: true });
        writeFileSync(join(dir, "prepd/dataset.json"), "{ // damaged\n}");
        return alpt("train", "--data", "prepd");
      })(),
    ]);
    expect(cfg.code).toBe(2);
    expect(cfg.stderr).toMatch(/lr0\.json: experiment "x": cannot build DCN: model DCN: embedding\.lr = 0 must be > 0 \(setting "lr"\)/);
    expect(flagRun.stderr).toMatch(/cannot build DCN: .*lr = 0 must be > 0 \(setting "lr", flag --lr\)/);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toMatch(/prepd\/dataset\.json:1:3: not valid JSON: comments are not allowed/);
  });

  it("predict --output names the bad input row, not the output file", async () => {
    writeFileSync(join(dir, "bad-row.txt"), readFileSync(join(dir, "train.txt"), "utf8").split("\n").slice(0, 49).join("\n") + "\n1\t2\n");
    const r = await alpt("predict", "m.safetensors", "--input", "bad-row.txt", "--output", "p.csv");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^alpt predict: bad-row\.txt:50:\d+: expected 40 columns, got 2\n/);
    expect(r.stderr).not.toMatch(/cannot write/);
    expect(readdirSync(dir).filter((f) => f.startsWith(".p.csv"))).toEqual([]);
  });

  it("no command prints a stack trace", async () => {
    const runs = await Promise.all([
      alpt("train", "--data", "/dev/null"),
      alpt("predict", "m.safetensors", "--input", "/dev/null"),
      alpt("inspect", "/dev/zero"),
      alpt("eval", "m.safetensors", "--data", "/proc"),
      alpt("train", "--resume", "/dev/zero"),
    ]);
    expect(runs[4]!.stderr).toBe("alpt train: resume file /dev/zero: a device, expected a regular file\n");
    for (const r of runs) {
      expect(r.code, r.stderr).toBeGreaterThan(0);
      noTrace(r);
    }
  });
});
