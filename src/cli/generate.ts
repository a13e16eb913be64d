// `alpt generate`: writes a seeded file of Criteo-shaped TSV (data/criteo-generator.ts) for scale
// tests and benchmarks: `alpt generate --rows 5000000 --out big.txt`, then `alpt prepare big.txt`.
// The file is written atomically (a failed run leaves no partial file).
import { generateCriteo } from "../data/criteo-generator.js";
import { writeFileAtomic } from "../io/atomic.js";
import { flag, type CommandSpec, type Output, type Parsed } from "./args.js";

export const spec: CommandSpec = {
  name: "generate",
  summary: "write a seeded Criteo-shaped TSV file of any size (for scale tests)",
  positionals: [],
  flags: [
    { name: "rows", type: "int", min: 0, help: "number of rows", default: "1000000" },
    { name: "out", type: "string", metavar: "FILE", help: "file to write", default: "criteo-generated.txt" },
    { name: "seed", type: "int", min: 0, help: "seed (the same seed and options give the same bytes)", default: "1" },
    { name: "unlabeled", type: "bool", help: "no label column (39 columns, as Criteo's test files)" },
    { name: "cardinality-scale", type: "number", help: "multiplies the Kaggle cardinalities of C1..C26", default: "1" },
  ],
  details: `Columns label, I1..I13, C1..C26 as Kaggle's train.txt: Zipf-distributed categorical values over
Kaggle's cardinalities (up to 10.1 M), heavy-tailed integers, ~21 % / ~11 % empty integer /
categorical cells, labels that depend on a few fields (CTR ~0.27). About 244 bytes per row.`,
};

export async function run(p: Parsed, out: Output): Promise<number> {
  const rows = flag<number>(p, "rows") ?? 1_000_000;
  const file = flag<string>(p, "out") ?? "criteo-generated.txt";
  const seed = flag<number>(p, "seed") ?? 1;
  const labeled = !(flag<boolean>(p, "unlabeled") ?? false);
  const cardinalityScale = flag<number>(p, "cardinality-scale") ?? 1;
  const t0 = performance.now();
  let bytes = 0;
  const chunks = generateCriteo({ rows, seed, labeled, cardinalityScale });
  await writeFileAtomic(file, (function* () {
    for (const c of chunks) {
      bytes += c.length;
      yield c;
    }
  })());
  const seconds = (performance.now() - t0) / 1000;
  out.record({ command: "generate", out: file, rows, bytes, seed, labeled, seconds });
  out.text(`wrote ${rows.toLocaleString("en")} rows (${(bytes / 1e6).toFixed(1)} MB) to ${file} in ${seconds.toFixed(1)} s`);
  return 0;
}
