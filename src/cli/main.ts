#!/usr/bin/env node
// The `alpt` command: dispatches to one file per command (prepare, train, eval, predict, export,
// inspect, bench, generate, demo). Every command has --help and --json; exit codes: 0 ok, 1 runtime error
// (files, data, training), 2 usage error (flags, config keys and values).
import { init } from "../entry/default.js";
import { UsageError, didYouMean, flag, helpText, output, parseArgs, type CommandSpec, type Output, type Parsed } from "./args.js";
import * as bench from "./bench.js";
import { demo } from "./demo.js";
import * as evalCmd from "./eval.js";
import * as exportCmd from "./export.js";
import * as generate from "./generate.js";
import * as inspect from "./inspect.js";
import * as predict from "./predict.js";
import * as plot from "./plot.js";
import * as prepare from "./prepare.js";
import { PROGRESS_FLAGS, progressChoice } from "./progress-flags.js";
import * as train from "./train.js";

interface Command {
  spec: CommandSpec;
  run(p: Parsed, out: Output): Promise<number>;
}

const demoCmd: Command = {
  spec: {
    name: "demo",
    summary: "train DCN on built-in synthetic data with fp32 and ALPT 8/4/2-bit embeddings and compare",
    positionals: [],
    flags: [
      { name: "train", type: "int", min: 1, help: "training rows", default: "200000" },
      { name: "valid", type: "int", min: 2, help: "validation rows", default: "50000" },
      { name: "epochs", type: "int", min: 1, help: "epochs", default: "2" },
      { name: "seed", type: "int", min: 0, help: "seed of the data and the models", default: "1" },
      ...PROGRESS_FLAGS,
    ],
    details: "Prints validation AUC, logloss, bytes per embedding row and samples/s per method.",
  },
  async run(p, out) {
    await init();
    const shown = progressChoice(p, out);
    demo({
      trainRows: flag<number>(p, "train") ?? 200_000, validRows: flag<number>(p, "valid") ?? 50_000,
      epochs: flag<number>(p, "epochs") ?? 2, seed: flag<number>(p, "seed") ?? 1, json: out.json,
      progress: {
        mode: shown.mode, ...(shown.intervalMs !== undefined ? { intervalMs: shown.intervalMs } : {}),
        ...(shown.records ? { onReport: (r, method) => out.record({ event: "progress", command: "demo", method, ...r }) } : {}),
      },
    }, (line) => console.log(line));
    return 0;
  },
};

const COMMANDS: Command[] = [prepare, train, evalCmd, predict, exportCmd, inspect, plot, bench, generate, demoCmd];

function mainHelp(): string {
  return `alpt — adaptive low-precision training of CTR embeddings (WebAssembly SIMD)

Usage: alpt <command> [options]        alpt <command> --help for its options

Commands:
${COMMANDS.map((c) => `  ${c.spec.name.padEnd(10)}${c.spec.summary}`).join("\n")}

A typical run:
  alpt prepare train.txt --format criteo --out prep          # FeatureMap + binary caches
  alpt train --data prep --model DCN --method alpt --bits 4 --out dcn.safetensors
  alpt eval dcn.safetensors --data prep
  alpt export dcn.safetensors --out dcn.serve.safetensors --delta-dtype f16
  alpt predict dcn.serve.safetensors --input new-rows.txt --output p.csv
  alpt inspect dcn.safetensors

Every command takes --json (one JSON object per line on stdout) and --help.
Exit codes: 0 ok, 1 runtime error (files, data, training), 2 usage error (flags, config).`;
}

async function main(argv: string[]): Promise<number> {
  const [name = "help", ...args] = argv;
  if (name === "help" || name === "--help" || name === "-h") {
    const sub = COMMANDS.find((c) => c.spec.name === args[0]);
    console.log(sub ? helpText(sub.spec) : mainHelp());
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.spec.name === name);
  if (!cmd) throw new UsageError(`unknown command "${name}"${didYouMean(name, COMMANDS.map((c) => c.spec.name), (c) => `"${c}"`)} (try: alpt help)`);
  const parsed = parseArgs(cmd.spec, args);
  if (parsed.help) {
    console.log(helpText(cmd.spec));
    return 0;
  }
  return cmd.run(parsed, output(parsed.json));
}

const argv = process.argv.slice(2);
const json = argv.includes("--json");
const command = argv[0] && !argv[0].startsWith("-") ? argv[0] : undefined;
/** Commands that only read: when their stdout is closed (`| head`) there is nothing left to do. */
const READ_ONLY = new Set(["eval", "predict", "inspect", "bench", "demo", "help"]);

/** Prints an error in the command's format (one line, or a JSON object with --json) and sets the exit code. */
function reportError(err: unknown): void {
  const usage = err instanceof UsageError;
  const message = err instanceof Error ? err.message : String(err);
  const code = usage ? 2 : 1;
  try {
    if (json) process.stderr.write(JSON.stringify({ error: message, kind: usage ? "usage" : "runtime", exitCode: code, command: command ?? null }) + "\n");
    else {
      process.stderr.write(`alpt${command ? " " + command : ""}: ${message}\n`);
      if (usage && command && COMMANDS.some((c) => c.spec.name === command)) process.stderr.write(`Run "alpt ${command} --help" for usage.\n`);
    }
    if (!usage && process.env.ALPT_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + "\n");
  } catch {
    // stderr is gone too: the exit code is all that is left
  }
  process.exitCode = code;
}

// A closed stdout (EPIPE: the reader, e.g. `head -1`, has what it wanted) ends a read-only command
// at once with exit 0; a command that writes files carries on without printing and finishes them.
// Any other stdout error (ENOSPC on /dev/full, EIO) is a runtime error, exit 1 with a message: at
// once for a read-only command, after its files are written for the others.
function stdoutFailed(e: NodeJS.ErrnoException): void {
  if (e.code === "EPIPE") {
    process.stdout.write = (() => true) as typeof process.stdout.write;
    if (!command || READ_ONLY.has(command)) process.exit(0);
    return;
  }
  process.stdout.write = (() => true) as typeof process.stdout.write;
  if (stdoutError) return;
  stdoutError = new Error(`cannot write to the standard output: ${e.code ?? e.message}${e.code === "ENOSPC" ? " (no space left on the device)" : ""}`);
  if (!command || READ_ONLY.has(command)) {
    reportError(stdoutError);
    process.exit(1);
  }
}
let stdoutError: Error | undefined;
process.stdout.on("error", stdoutFailed);
process.stderr.on("error", () => undefined);
process.on("uncaughtException", (err: NodeJS.ErrnoException) => {
  if (err?.syscall === "write" && (err.code === "EPIPE" || err.code === "ENOSPC" || err.code === "EIO")) return stdoutFailed(err);
  reportError(err);
  process.exit(process.exitCode ?? 1);
});

main(argv).then(
  (code) => {
    if (stdoutError) reportError(stdoutError);
    else process.exitCode = code;
  },
  (err: unknown) => {
    const e = err as NodeJS.ErrnoException;
    // a synchronous write error of stdout (a file or device such as /dev/full) surfaces here
    if (e?.syscall === "write" && (e.code === "EPIPE" || e.code === "ENOSPC" || e.code === "EIO") && !(e.message ?? "").startsWith("cannot write")) {
      stdoutFailed(e);
      if (stdoutError) reportError(stdoutError);
      return;
    }
    reportError(stdoutError ?? err);
  },
);
