// Seeded fuzzing of config files and resume settings (issue 13). Three families:
//
//   keys      500 configs built from a table of (key, value) pairs labelled valid or invalid by
//             hand (hostile keys such as __proto__, constructor, toString; wrong types; out-of-
//             range values; FuxiCTR aliases; very long and odd keys): accepted exactly when every
//             pair is valid, and then with exactly those settings.
//   text      300 valid config texts broken in ways JSON never allows (comments, NaN, a cut end,
//             a trailing comma, a missing brace, control characters, deep nesting): always a
//             usage error with file:line:column on one line.
//   resume    200 resume `training` objects with one random edit: accepted exactly when the
//             edited value is valid for its key.
//
// Each case must end with a clean error (a UsageError / Error naming the file, one line, no
// internal TypeError or stack overflow) or a correct acceptance, in bounded time.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/cli/args.js";
import { loadConfig } from "../../src/cli/config.js";
import { checkResumeInfo } from "../../src/cli/resume.js";
import { fuzzRng as rng } from "../helpers/mulberry32.js";
import { tempDir } from "../data/fixtures.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

const UNCLEAN = /Cannot read prop|is not a function|is not iterable|Maximum call stack|Invalid (typed )?array length|\[object Object\]|Unexpected token/;
const clean = (e: unknown, file: string) => e instanceof Error && e.message.includes(file) && !e.message.includes("\n") && !UNCLEAN.test(e.message);

/** [key, value, valid, the setting it sets (camelCase) and its value when valid]. */
type Pair = [string, unknown, boolean, string?, unknown?];
const PAIRS: Pair[] = [
  ["epochs", 2, true, "epochs", 2], ["epochs", 0, false], ["epochs", -1, false], ["epochs", "2", false], ["epochs", 2.5, false], ["epochs", 1e309 === Infinity ? 1e300 : 0, false],
  ["embedding_dim", 8, true, "embeddingDim", 8], ["embeddingDim", 0, false], ["embedding_dim", [8], false],
  ["dnn_hidden_units", [16, 8], true, "hiddenUnits", [16, 8]], ["hiddenUnits", 32, true, "hiddenUnits", [32]], ["hidden_units", [0], false], ["hiddenUnits", "16,8", false], ["hiddenUnits", [[1]], false],
  ["bits", 4, true, "bits", 4], ["bits", 16, true, "bits", 16], ["bits", 9, false], ["bits", 0, false], ["bits", "4", false],
  ["method", "alpt", true, "method", "alpt"], ["method", "FP32", true, "method", "fp32"], ["method", "int4", false], ["method", {}, false],
  ["learning_rate", 0.01, true, "lr", 0.01], ["lr", -1, false], ["lr", true, false],
  ["lrSchedule", "paper", true, "lrSchedule", "paper"], ["lrSchedule", "bogus", false],
  ["evalEvery", 100, true, "evalEvery", 100], ["eval_steps", 0, false],
  ["batch_norm", false, true, "batchNorm", false], ["batchNorm", "false", false],
  ["maxMemoryMb", 512, true, "maxMemoryMb", 512], ["maxMemoryMb", 5000, false],
  ["monitor", "AUC", true, "monitor", "auc"], ["monitor", { AUC: 1, logloss: -1 }, false],
  ["task", "binary_classification", true], ["task", "regression", false], ["loss", "mse", false],
  ["metrics", ["AUC"], true], ["verbose", 1, true],
  ["net_dropout", 0.2, true, "dropout", 0.2], ["dropout", 1, false],
  ["seed", 3, true, "seed", 3], ["seed", -3, false], ["seed", 2 ** 60, false],
  ["constructor", 1, false], ["toString", "x", false], ["__proto__", { epochs: 1 }, false], ["hasOwnProperty", null, false],
  ["valueOf", [], false], ["__defineGetter__", 1, false], ["prototype", {}, false], ["isPrototypeOf", true, false],
  ["", 1, false], ["x".repeat(5000), 1, false], ["épochs", 1, false], ["epochs\u0000", 1, false], ["EPOCHS", 1, false],
];

describe("fuzz: config keys and values", () => {
  it("500 configs: accepted exactly when every pair is valid, with exactly those settings", async () => {
    const r = rng(17);
    const counts = { cases: 0, cleanRejections: 0, correctAcceptances: 0, unclean: 0, wronglyAccepted: 0, wronglyRejected: 0, slowest: 0 };
    const problems: string[] = [];
    for (let k = 0; k < 500; k++) {
      const pairs: Pair[] = [];
      const used = new Set<string>();
      for (let i = 0, m = 1 + r.int(5); i < m; i++) {
        const p = r.pick(PAIRS);
        // one pair per key and per setting (aliases of one setting conflict by design)
        const id = p[3] ?? p[0];
        if (used.has(p[0]) || used.has(id)) continue;
        used.add(p[0]);
        used.add(id);
        pairs.push(p);
      }
      const inBase = r.next() < 0.3;
      const exp: Record<string, unknown> = Object.create(null);
      for (const [key, v] of pairs) exp[key] = v;
      const body = Object.entries(exp).map(([key, v]) => `${JSON.stringify(key)}: ${JSON.stringify(v)}`).join(",\n    ");
      const text = inBase ? `{\n  "Base": {\n    ${body}\n  },\n  "run": {}\n}\n` : `{\n  "run": {\n    ${body}\n  }\n}\n`;
      const file = join(tmp.dir, `c${k}.json`);
      writeFileSync(file, text);
      const valid = pairs.every((p) => p[2]);
      const t0 = performance.now();
      let got: Record<string, unknown> | undefined, error: unknown;
      try {
        got = (await loadConfig(file, "run")).settings;
      } catch (e) {
        error = e;
      }
      counts.slowest = Math.max(counts.slowest, performance.now() - t0);
      counts.cases++;
      const what = `${JSON.stringify(pairs.map((p) => [p[0].slice(0, 20), p[1]]))}`;
      if (got) {
        const expected = Object.fromEntries(pairs.filter((p) => p[3]).map((p) => [p[3]!, p[4]]));
        if (!valid) {
          counts.wronglyAccepted++;
          problems.push(`accepted: ${what}`);
        } else if (JSON.stringify(got) !== JSON.stringify(expected)) {
          counts.wronglyAccepted++;
          problems.push(`wrong settings: ${what}: ${JSON.stringify(got)}`);
        } else counts.correctAcceptances++;
      } else if (!(error instanceof UsageError) || !clean(error, file)) {
        counts.unclean++;
        problems.push(`unclean: ${what}: ${String(error)}`);
      } else if (valid) {
        counts.wronglyRejected++;
        problems.push(`rejected: ${what}: ${(error as Error).message}`);
      } else {
        // the error names the place of the key: file:line:column
        if (!new RegExp(`c${k}\\.json:\\d+:\\d+: `).test((error as Error).message)) problems.push(`no line:column: ${(error as Error).message}`);
        counts.cleanRejections++;
      }
    }
    console.log(`fuzz config keys: ${JSON.stringify(counts)}`);
    expect(problems).toEqual([]);
    expect(counts.slowest).toBeLessThan(2000);
  }, 30_000);
});

describe("fuzz: broken config text", () => {
  const BREAKS: ((t: string, r: ReturnType<typeof rng>) => string)[] = [
    (t, r) => insertAt(t, r, "// note\n"),
    (t, r) => insertAt(t, r, "/* c */"),
    (t) => t.replace(/: [^,\n{}[\]]+/, ": NaN"),
    (t) => t.replace(/: [^,\n{}[\]]+/, ": Infinity"),
    (t) => t.replace(/: [^,\n{}[\]]+/, ": undefined"),
    (t) => t.replace(/: [^,\n{}[\]]+/, ": 1e999"),
    (t, r) => t.slice(0, r.int(t.lastIndexOf("}"))),
    (t) => t.replace(/(\s*)}/, ",$1}"),
    (t) => t.replace(/}\s*$/, ""),
    (t) => t.replace(/"(\w+)":/, "$1:"),
    (t) => t.replace(/"(\w+)":/, "'$1':"),
    (t, r) => insertAt(t, r, "\u0001"),
    (t) => `{"run": {"hidden_units": ${"[".repeat(100 + 10000)}${"]".repeat(10100)}}}`,
    (t) => t + "\n{}",
    () => "",
  ];
  function insertAt(t: string, r: ReturnType<typeof rng>, s: string): string {
    // between tokens (after a comma, a brace or a newline), where only whitespace may go
    const spots = [...t.matchAll(/[,{\n]/g)].map((m) => m.index! + 1);
    const at = r.pick(spots);
    return t.slice(0, at) + s + t.slice(at);
  }

  it("300 broken texts: always a usage error with file:line:column, on one line", async () => {
    const r = rng(99);
    const valid = [
      '{\n  "Base": {"data": "prep", "epochs": 2},\n  "run": {"bits": 4, "dnn_hidden_units": [16, 8]}\n}\n',
      '{"run": {"method": "fp32", "lr": 0.01, "monitor": "auc"}}',
      '{\n  "run": {\n    "embedding_dim": 8,\n    "batch_norm": false\n  }\n}\n',
    ];
    const counts = { cases: 0, cleanRejections: 0, correctAcceptances: 0, unclean: 0, wronglyAccepted: 0, slowest: 0 };
    const problems: string[] = [];
    for (let k = 0; k < 300; k++) {
      const text = r.pick(BREAKS)(r.pick(valid), r);
      const file = join(tmp.dir, `t${k}.json`);
      writeFileSync(file, text);
      const t0 = performance.now();
      const e = await loadConfig(file, "run").then(() => undefined, (x: unknown) => x);
      counts.slowest = Math.max(counts.slowest, performance.now() - t0);
      counts.cases++;
      if (e === undefined) {
        counts.wronglyAccepted++;
        problems.push(`accepted: ${JSON.stringify(text.slice(0, 100))}`);
      } else if (e instanceof UsageError && clean(e, file) && new RegExp(`t${k}\\.json:\\d+:\\d+: not valid JSON: `).test(e.message)) counts.cleanRejections++;
      else {
        counts.unclean++;
        problems.push(`unclean: ${JSON.stringify(text.slice(0, 100))}: ${String((e as Error).message ?? e)}`);
      }
    }
    console.log(`fuzz config text: ${JSON.stringify(counts)}`);
    expect(problems).toEqual([]);
    expect(counts.slowest).toBeLessThan(2000);
  }, 30_000);
});

describe("fuzz: resume settings and state", () => {
  const good = {
    settings: { data: "prep", epochs: 3, bits: 4, method: "alpt", hiddenUnits: [16, 8], lr: 0.01, lrSchedule: "paper", evalEvery: 50, patience: 2, batchNorm: true },
    experiment: "x",
    state: { epoch: 2, steps: 100, baseLr: 0.01, lr: 0.01, bestEpoch: 2, bestStep: 100, bad: 0, stoppedEarly: false, best: { auc: 0.7, logloss: 0.5 } },
  };
  /** [path, value, valid]. */
  const EDITS: [string, unknown, boolean][] = [
    ["settings.epochs", -1, false], ["settings.epochs", 5, true], ["settings.evalEvery", 0, false], ["settings.evalEvery", 10, true],
    ["settings.lrSchedule", "bogus", false], ["settings.lrSchedule", "none", true], ["settings.bits", 99, false], ["settings.bits", 8, true],
    ["settings.hiddenUnits", [], true], ["settings.hiddenUnits", [0], false], ["settings.hiddenUnits", "8", false], ["settings.method", "gpt", false],
    ["settings.patience", -1, false], ["settings.lr", "x", false], ["settings.constructor", 1, false], ["settings.__proto__", {}, false],
    ["settings.batchNorm", 1, false], ["settings.data", "", false], ["settings.data", 7, false],
    ["state.steps", "x", false], ["state.steps", -1, false], ["state.steps", 1.5, false], ["state.steps", 120, true],
    ["state.epoch", 0, false], ["state.epoch", 3, true], ["state.lr", -1, false], ["state.lr", null, false], ["state.baseLr", 1e309, false],
    ["state.bestEpoch", 9, false], ["state.bestStep", 101, false], ["state.bad", -2, false], ["state.stoppedEarly", "no", false],
    ["state.best", { auc: "x" }, false], ["state.best", null, false], ["state.plateau", { best: 1, bad: 0 }, true], ["state.plateau", { best: 1 }, false],
    ["experiment", 7, false], ["experiment", null, true], ["settings", null, false], ["state", [], false],
  ];

  it("200 edited resume states: accepted exactly when the edit is valid", () => {
    const r = rng(7);
    const counts = { cases: 0, cleanRejections: 0, correctAcceptances: 0, unclean: 0, wronglyAccepted: 0, wronglyRejected: 0 };
    const problems: string[] = [];
    for (let k = 0; k < 200; k++) {
      const [path, value, valid] = r.pick(EDITS);
      const t = JSON.parse(JSON.stringify(good));
      const keys = path.split(".");
      let o = t;
      for (const key of keys.slice(0, -1)) o = o[key];
      Object.defineProperty(o, keys[keys.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
      counts.cases++;
      let e: unknown;
      try {
        checkResumeInfo(JSON.parse(JSON.stringify(t)), "r.resume.safetensors");
      } catch (x) {
        e = x;
      }
      if (e === undefined) {
        if (valid) counts.correctAcceptances++;
        else {
          counts.wronglyAccepted++;
          problems.push(`accepted ${path} = ${JSON.stringify(value)}`);
        }
      } else if (!clean(e, "r.resume.safetensors")) {
        counts.unclean++;
        problems.push(`unclean ${path}: ${String(e)}`);
      } else if (valid) {
        counts.wronglyRejected++;
        problems.push(`rejected ${path} = ${JSON.stringify(value)}: ${(e as Error).message}`);
      } else if (!(e as Error).message.includes(`training.${path.split(".")[0] === "settings" || path.split(".")[0] === "state" ? keys.slice(0, 2).join(".") : path}`) && !/not a resume file/.test((e as Error).message)) {
        problems.push(`key not named: ${path}: ${(e as Error).message}`);
      } else counts.cleanRejections++;
    }
    console.log(`fuzz resume: ${JSON.stringify(counts)}`);
    expect(problems).toEqual([]);
  });
});
