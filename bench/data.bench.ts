// The data suite: how fast raw Criteo TSV becomes model input, in MB of text per second, on a
// generated file (src/data/criteo-generator.ts, seed 1; 120k rows ≈ 29 MB, 20k with --quick)
// written once into .cache/bench-data/ (never committed). From memory, in 256 KiB chunks as
// readFileBytes gives them, so the disk is not measured:
//   parse-criteo       the byte parser: lines, cells, integers, categorical values into slots
//   prepare-criteo     prepareDataset as `alpt prepare` runs it: parse, fit on 80 %, encode
//   parse-criteo-rows  the row reader it replaced (openDelimited rows), one timed call (not --quick)
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseSlots } from "../src/data/byte-rows.js";
import { criteoOptions } from "../src/data/criteo.js";
import { generateCriteo } from "../src/data/criteo-generator.js";
import { openDelimited } from "../src/data/delimited.js";
import { FeatureMapBuilder } from "../src/data/feature-map.js";
import { prepareDataset } from "../src/data/prepare.js";
import { forEachRow } from "../src/data/rows.js";
import { writeFileAtomic } from "../src/io/atomic.js";
import type { BenchCase } from "./harness.js";

const CHUNK = 256 * 1024;

/** The generated file of `rows` rows under `root`/.cache/bench-data (written when missing). */
export async function generatedCriteo(root: string, rows: number, seed = 1): Promise<string> {
  const dir = join(root, ".cache/bench-data");
  const path = join(dir, `criteo-gen-${rows}-s${seed}.txt`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    await writeFileAtomic(path, generateCriteo({ rows, seed }));
  }
  return path;
}

export async function dataCases(root: string, quick: boolean): Promise<BenchCase[]> {
  const rows = quick ? 20_000 : 120_000;
  const path = await generatedCriteo(root, rows);
  const bytes = new Uint8Array(readFileSync(path));
  const chunks = () => {
    const out: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += CHUNK) out.push(bytes.subarray(i, i + CHUNK));
    return out;
  };
  const mb = bytes.length / 1e6;
  const reader = criteoOptions({ file: path });
  const meta = { rows, mb: Number(mb.toFixed(1)), file: "criteo-gen (generateCriteo seed 1)" };
  const cases: BenchCase[] = [
    {
      name: "parse-criteo", unit: "MB/s", work: mb, meta, minCalls: 12,
      fn: async () => {
        await parseSlots(chunks(), reader, (fields) => new FeatureMapBuilder({ fields }).fields);
      },
    },
    {
      name: "prepare-criteo", unit: "MB/s", work: mb, meta, minCalls: 8,
      fn: async () => {
        await prepareDataset({ open: chunks, reader, fitFraction: 0.8 });
      },
    },
  ];
  if (!quick) {
    // one call (the old reader runs at a few MB/s): warm-up on a tenth, then the whole file
    const rowsOf = async (src: Uint8Array[]) => forEachRow(await openDelimited(src, reader), () => undefined);
    await rowsOf(chunks().slice(0, Math.ceil(chunks().length / 10)));
    const t0 = performance.now();
    await rowsOf(chunks());
    const seconds = (performance.now() - t0) / 1000;
    cases.push({ name: "parse-criteo-rows", unit: "MB/s", value: mb / seconds, meta: { ...meta, calls: 1 } });
  }
  return cases;
}
