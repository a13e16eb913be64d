// Raw inputs and config files that used to get through or end badly (issue 13): sources without a
// usable row (empty, blank lines only, an empty gzip, every row bad, CR-only line ends, an
// unlabeled file) are a NoRowsError saying why; numbers that overflow a double are bad cells with
// file:line:column; invalid UTF-8 names its line; JSON errors are one line with line:column; config
// keys are checked against the known settings only, in null-prototype objects.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/cli/args.js";
import { loadConfig, parseJsonFile } from "../../src/cli/config.js";
import { criteoOptions } from "../../src/data/criteo.js";
import { openDelimited } from "../../src/data/delimited.js";
import { JsonError, parseJson } from "../../src/data/json.js";
import { readLineBatches } from "../../src/data/lines.js";
import { NoRowsError } from "../../src/data/no-rows.js";
import { prepareDataset } from "../../src/data/prepare.js";
import { readFileBytes } from "../../src/data/source.js";
import { smallSynthetic, tempDir } from "./fixtures.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
const rows = smallSynthetic(9).criteoText(0, 120).split("\n").filter((l) => l !== "");

function file(name: string, content: string | Uint8Array): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, content);
  return p;
}

async function prepareError(path: string, fitFraction = 0.8): Promise<Error> {
  try {
    await prepareDataset({ open: () => readFileBytes(path), reader: criteoOptions({ file: path }), fitFraction });
  } catch (e) {
    return e as Error;
  }
  throw new Error(`${path} was accepted`);
}

describe("zero usable rows is an error that says why", () => {
  const cases: [string, string | Uint8Array, RegExp][] = [
    ["empty.txt", "", /empty\.txt: no usable rows: the file is empty/],
    ["blank.txt", "\n\n\r\n\n", /blank\.txt: no usable rows: the file holds only blank lines \(4\)/],
    ["empty.gz", gzipSync(new Uint8Array(0)), /empty\.gz: no usable rows: the file is empty/],
    ["bad.txt", "1\t2\t3\nx\n0\n", /bad\.txt: no usable rows: all 3 rows were skipped \(2 × expected 40 columns, got 1; 1 × expected 40 columns, got 3\); first at line 1, column 4\. Is --format right/],
    ["labels.txt", rows.slice(0, 5).map((l) => "7" + l.slice(1)).join("\n"), /all 5 rows were skipped \(5 × label label missing or not 0\/1\); first at line 1, column 1: label label = "7" is not 0 or 1/],
    ["cr.txt", rows.slice(0, 20).join("\r") + "\r", /cr\.txt: no usable rows: the only row was skipped \(1 × expected 40 columns, got \d+ \(the line holds "\\r" characters: are its line ends CR only\?/],
    ["unlabeled.txt", rows.map((l) => l.split("\t").slice(1).join("\t")).join("\n"), /all 120 rows were skipped \(120 × expected 40 columns, got 39\).*this file has no labels/],
  ];
  for (const [name, content, re] of cases) {
    for (const frac of [0.8, 1]) {
      it(`${name} (fit fraction ${frac})`, async () => {
        const e = await prepareError(file(name, content), frac);
        expect(e).toBeInstanceOf(NoRowsError);
        expect(e.message).toMatch(re);
        expect(e.message).not.toContain("\n");
      });
    }
  }

  it("an unlabeled file encoded with a fitted map (eval --input, prepare --test) says it has no labels", async () => {
    const good = file("good.txt", rows.join("\n"));
    const { featureMap } = await prepareDataset({ open: () => readFileBytes(good), reader: criteoOptions({ file: good }) });
    const p = file("unlabeled2.txt", rows.map((l) => l.split("\t").slice(1).join("\t")).join("\n"));
    await expect(prepareDataset({ open: () => readFileBytes(p), reader: criteoOptions({ file: p }), fittedMap: featureMap })).rejects.toThrow(/unlabeled2\.txt: no usable rows: .*this file has no labels/);
  });
});

describe("bad cells and bytes are reported where they are", () => {
  it("numbers that overflow a double are bad cells with file:line:column (skipped, or fatal under strict)", async () => {
    const nines = "9".repeat(400);
    const lines = rows.slice(0, 10).map((l, i) => {
      const c = l.split("\t");
      if (i === 3) c[2] = "1e309";
      if (i === 6) c[5] = nines;
      if (i === 8) c[4] = "-1e400";
      return c.join("\t");
    });
    const p = file("overflow.txt", lines.join("\n"));
    const r = await openDelimited(readFileBytes(p), criteoOptions({ file: p }));
    let n = 0;
    for await (const _ of r) n++;
    expect(n).toBe(7);
    expect(r.stats.errors.map((e) => `${e.line}:${e.column}`)).toEqual(["4:3", "7:6", "9:5"]);
    expect(r.stats.errors[0]!.reason).toBe('I2 = "1e309" is too large (beyond the range of a double)');
    const strict = await openDelimited(readFileBytes(p), criteoOptions({ file: p, strict: true }));
    await expect((async () => {
      for await (const _ of strict) void _;
    })()).rejects.toThrow(/overflow\.txt:4:3: I2 = "1e309" is too large/);
  });

  it("invalid UTF-8 on line 50 is reported at line 50, whatever the chunking", async () => {
    const text = new TextEncoder().encode(rows.slice(0, 60).join("\n") + "\n");
    let start = 0;
    for (let i = 0; i < 49; i++) start = text.indexOf(10, start) + 1;
    const bytes = text.slice();
    bytes[start + 3] = 0xff;
    for (const size of [7, 1000, 1 << 20]) {
      const chunks: Uint8Array[] = [];
      for (let o = 0; o < bytes.length; o += size) chunks.push(bytes.slice(o, o + size));
      const read = async () => {
        for await (const _ of readLineBatches(chunks, { file: "u.txt" })) void _;
      };
      await expect(read(), `chunks of ${size}`).rejects.toThrow(/^u\.txt:50: invalid UTF-8/);
    }
  });
});

describe("strict JSON: one-line errors with line:column, null-prototype objects, bounded nesting", () => {
  const cases: [string, RegExp][] = [
    ["", /f\.json:1:1: not valid JSON: the file is empty/],
    ["   \n  ", /f\.json:2:3: not valid JSON: the file is empty/],
    ['{\n  // a comment\n  "a": 1\n}', /f\.json:2:3: not valid JSON: comments are not allowed/],
    ['{"a": 1 /* c */}', /f\.json:1:9: not valid JSON: comments are not allowed/],
    ['{"a": NaN}', /f\.json:1:7: not valid JSON: NaN is not a JSON value/],
    ['{"a": Infinity}', /1:7: not valid JSON: Infinity is not a JSON value/],
    ['{"a": 1e309}', /1:7: not valid JSON: the number is too large/],
    ["{'a': 1}", /1:2: not valid JSON: strings must be in double quotes/],
    ['{"a": 1,}', /1:9: not valid JSON: trailing comma before }/],
    ["[1, 2,]", /1:7: not valid JSON: trailing comma before ]/],
    ['{a: 1}', /1:2: not valid JSON: object keys must be strings/],
    ['{"a": 1} x', /1:10: not valid JSON: unexpected "x" after the end/],
    ['{"a": 1, "a": 2}', /1:10: not valid JSON: the key "a" appears twice/],
    ['{"a": 01}', /1:7: not valid JSON: malformed number/],
    ['{"a": "x\ny"}', /1:9: not valid JSON: a control character inside a string/],
    ['{"a": ', /1:7: not valid JSON: unexpected end of the file/],
    ["[".repeat(20000) + "]".repeat(20000), /1:65: not valid JSON: nested deeper than 64 levels/],
  ];
  for (const [text, re] of cases) {
    it(JSON.stringify(text.slice(0, 30)), () => {
      let err: unknown;
      try {
        parseJson(text, "f.json");
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(JsonError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain("\n");
    });
  }

  it("a BOM is skipped; objects have no prototype; __proto__ is a plain key", () => {
    const v = parseJson('\uFEFF{"__proto__": {"x": 1}, "constructor": 2}', "f.json") as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(null);
    expect(Object.keys(v)).toEqual(["__proto__", "constructor"]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(parseJson('"\\u00e9\\n"', "f.json")).toBe("é\n");
  });

  it("a config's JSON error is a usage error, a data file's a runtime error", () => {
    expect(() => parseJsonFile("{", "c.json")).toThrow(UsageError);
    let e: unknown;
    try {
      parseJsonFile("{", "dataset.json", "data");
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(UsageError);
    // the fast path still locates errors
    expect(() => parseJsonFile('{"a": [1,\n 2,,]}', "fm.json", "data", true)).toThrow(/fm\.json:2:4: not valid JSON/);
  });
});

describe("config files: only the known keys, with file:line:column", () => {
  const hostile = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf", "__defineGetter__", "prototype", "isPrototypeOf"];
  for (const key of hostile) {
    it(`"${key}" is an unknown key`, async () => {
      const text = `{\n  "x": {\n    "data": "prep",\n    "${key}": {"a": 1}\n  }\n}\n`;
      const p = file(`hostile-${key}.json`, text);
      const e = await loadConfig(p, undefined).then(() => undefined, (x: Error) => x);
      expect(e).toBeInstanceOf(UsageError);
      expect(e!.message).toBe(`${p}:4:5: experiment "x": "${key}" is not a setting`);
    });
  }

  it("a hostile experiment name or Base is validated like any other", async () => {
    const p = file("proto-exp.json", '{"__proto__": {"data": "prep", "epochs": 2}}');
    expect((await loadConfig(p, undefined)).settings).toEqual({ data: "prep", epochs: 2 });
    const q = file("proto-base.json", '{"Base": {"toString": 1}, "x": {}}');
    await expect(loadConfig(q, "x")).rejects.toThrow(/proto-base\.json:1:11: Base: "toString" is not a setting/);
    const deep = file("deep.json", `{"x": {"hidden_units": ${"[".repeat(20000)}${"]".repeat(20000)}}}`);
    await expect(loadConfig(deep, "x")).rejects.toThrow(/deep\.json:1:\d+: not valid JSON: nested deeper than 64 levels/);
    const long = file("long.json", `{"x": {"hidden_units": [${Array(5000).fill('"a"').join(",")}]}}`);
    const e = await loadConfig(long, "x").then(() => undefined, (x: Error) => x);
    expect(e!.message.length).toBeLessThan(300);
    expect(e!.message).toMatch(/"hidden_units" = \["a","a".*…: expected a comma-separated list of integers/);
  });
});
