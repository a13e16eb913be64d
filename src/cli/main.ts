#!/usr/bin/env node
// The `alpt` command. `alpt demo` (what `npm start` runs) trains DCN with fp32 and ALPT
// embeddings on built-in synthetic data and prints the comparison.
import { init } from "../entry/default.js";
import { demo } from "./demo.js";

const HELP = `alpt — adaptive low-precision training of CTR embeddings (WebAssembly SIMD)

Usage: alpt <command> [options]

Commands:
  demo        train DCN on built-in synthetic Criteo-shaped data with fp32 embeddings and
              with ALPT at 8, 4 and 2 bits; print AUC, logloss, bytes per row, samples/s
  help        this text

Options of demo:
  --train N   training rows (default 200000)
  --valid N   validation rows (default 50000)
  --epochs N  epochs (default 2)
  --seed N    seed of the data and the models (default 1)
  --json      one JSON object per line instead of a table
`;

function intOption(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const raw = args[i + 1];
  const v = Number(raw);
  if (raw === undefined || !Number.isInteger(v) || v < 0) throw new UsageError(`${name} expects a non-negative integer, got "${raw ?? ""}"`);
  return v;
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [cmd = "help", ...args] = argv;
  if (cmd === "help" || cmd === "--help" || cmd === "-h" || args.includes("--help")) {
    console.log(HELP);
    return 0;
  }
  if (cmd === "demo") {
    const known = new Set(["--train", "--valid", "--epochs", "--seed", "--json"]);
    for (const a of args) if (a.startsWith("--") && !known.has(a)) throw new UsageError(`unknown option ${a} for demo`);
    const options = {
      trainRows: intOption(args, "--train", 200_000), validRows: intOption(args, "--valid", 50_000),
      epochs: intOption(args, "--epochs", 2), seed: intOption(args, "--seed", 1), json: args.includes("--json"),
    };
    if (options.trainRows < 1 || options.validRows < 2 || options.epochs < 1) throw new UsageError("demo needs --train ≥ 1, --valid ≥ 2, --epochs ≥ 1");
    await init();
    demo(options, (line) => console.log(line));
    return 0;
  }
  throw new UsageError(`unknown command "${cmd}" (try: alpt help)`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`alpt: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
