// --infer-config on generated stand-ins: an Avazu-like click log (id skipped, click the label,
// every other column categorical — integer codes included), a click log with numeric and tag
// columns, a headerless TSV, JSON lines with arrays, libFM; and on the real Avazu sample when
// ALPT_DATA has it. The guessed config is accepted by resolveDatasetConfig as written.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveDatasetConfig } from "../../src/data/config.js";
import { inferConfig } from "../../src/data/infer-config.js";
import { readFileBytes } from "../../src/data/source.js";

const enc = (s: string) => new TextEncoder().encode(s);
const kinds = (cols: { name: string; kind: string }[]) => Object.fromEntries(cols.map((c) => [c.name, c.kind]));

function rng(seed: number) {
  let s = seed >>> 0;
  return (m: number) => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) % m;
}

describe("inferConfig", () => {
  it("guesses an Avazu-like log as a person would: id skipped, click the label, the rest categorical", async () => {
    const r = rng(1);
    const codes = Array.from({ length: 300 }, (_, k) => 375 + k * 71);
    const lines = ["id,click,hour,C1,banner_pos,site_id,device_ip,device_type,C14,C20"];
    for (let i = 0; i < 3000; i++) {
      lines.push([String(10_000_000_000_000 + i * 7919), r(6) === 0 ? "1" : "0", `1410210${r(3)}`, String(1001 + r(10)), String(r(6)),
        (r(400) * 2654435761 >>> 0).toString(16).slice(0, 8), (r(2500) * 40503 >>> 0).toString(16), String(r(5)), String(codes[r(300)]), r(4) === 0 ? "-1" : String(100_000 + r(170))].join(","));
    }
    const g = await inferConfig([enc(lines.join("\n") + "\n")], { file: "avazu.csv" });
    expect(kinds(g.columns)).toEqual({ id: "skip", click: "label", hour: "categorical", C1: "categorical", banner_pos: "categorical", site_id: "categorical", device_ip: "categorical", device_type: "categorical", C14: "categorical", C20: "categorical" });
    expect(g.config).toMatchObject({ format: "csv", delimiter: ",", header: true, train: "avazu.csv", label: { col: "click" } });
    const c = resolveDatasetConfig(g.config);
    expect(c.features.map((f) => f.name)).toEqual(["hour", "C1", "banner_pos", "site_id", "device_ip", "device_type", "C14", "C20"]);
    expect(c.features.find((f) => f.name === "device_ip")).toMatchObject({ minCount: 2 });
  });

  it("finds numeric and multi-valued columns, a headerless TSV's label, JSON-lines arrays and libFM fields", async () => {
    const r = rng(2);
    const csv = ["user,price,visits,tags,label"];
    for (let i = 0; i < 500; i++) csv.push(`u${r(40)},${(r(10000) / 100).toFixed(2)},${r(200)},${["a|b", "c", "b|c|d", ""][r(4)]},${r(2)}`);
    const g = await inferConfig([enc(csv.join("\n"))], { file: "log.csv" });
    expect(kinds(g.columns)).toEqual({ user: "categorical", price: "numeric", visits: "numeric", tags: "sequence", label: "label" });
    const tags = (g.config.features as Record<string, unknown>[]).find((f) => f.name === "tags")!;
    expect(tags).toMatchObject({ type: "sequence", splitter: "|", max_len: 3, pooling: "mean" });
    expect(String(tags._guess)).toMatch(/multi-valued/);

    const tsv = Array.from({ length: 200 }, (_, i) => `${i % 2}\t${r(1000) / 7}\tk${r(9)}`).join("\n");
    const t = await inferConfig([enc(tsv)], { file: "x.tsv" });
    expect(t.config).toMatchObject({ delimiter: "\t", header: false, label: { col: 0 } });
    expect(kinds(t.columns)).toEqual({ col0: "label", col1: "numeric", col2: "categorical" });
    expect(resolveDatasetConfig(t.config).features.map((f) => f.col)).toEqual([1, 2]);

    const jl = Array.from({ length: 100 }, (_, i) => JSON.stringify({ clicked: i % 2, genres: ["x", "y"].slice(0, 1 + (i % 2)), city: `c${i % 5}` })).join("\n");
    expect(kinds((await inferConfig([enc(jl)], { file: "d.jsonl" })).columns)).toEqual({ clicked: "label", genres: "sequence", city: "categorical" });

    const ml = ["rating\tuser\titem\tage\tgenres", ...Array.from({ length: 2000 }, () => `${1 + r(5)}\t${1 + r(900)}\t${1 + r(1600)}\t${7 + r(66)}\t${["Comedy", "Drama|Romance", "Action|Sci-Fi|War"][r(3)]}`)].join("\n");
    const m = await inferConfig([enc(ml)], { file: "ml.tsv" });
    expect(kinds(m.columns)).toEqual({ rating: "label", user: "categorical", item: "categorical", age: "numeric", genres: "sequence" });
    expect(m.config.label).toMatchObject({ col: "rating", threshold: 4 });

    const fm = Array.from({ length: 100 }, (_, i) => `${i % 2 ? 1 : -1} ${i % 7}:1 ${10 + (i % 3)}:1`).join("\n");
    const l = await inferConfig([enc(fm)], { file: "f.libfm" });
    expect(l.config).toMatchObject({ format: "libsvm", columns: ["label", "f1", "f2"], label: { col: 0 } });
    expect(kinds(l.columns)).toEqual({ label: "label", f1: "categorical", f2: "categorical" });
  });

  const avazu = join(process.env.ALPT_DATA ?? "/work/shared/data", "avazu", "avazu_train_first10k.csv");
  it.skipIf(!existsSync(avazu))("on the real Avazu sample: id skipped, click the label, the 22 other columns categorical (skipped without ALPT_DATA)", async () => {
    const g = await inferConfig(readFileBytes(avazu), { file: avazu });
    const k = kinds(g.columns);
    expect(k.id).toBe("skip");
    expect(k.click).toBe("label");
    expect(Object.entries(k).filter(([, v]) => v === "categorical").length).toBe(22);
  });
});
