// `alpt bench`: runs the benchmark suites of the source checkout (bench/run.ts, DESIGN.md §11):
// builds them with tsc when needed, then runs them with the output going straight through (one
// JSON line per case). The suites are not part of the npm package.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError, flag, type CommandSpec, type Output, type Parsed } from "./args.js";

const KNOWN = "kernels, memory, step, gemm, train, infer, data, peer (tfjs-wasm, optional), scale (minutes; not in all)";

/** The source checkout above the compiled CLI (the folder with bench/run.ts), else the package root. */
function findRoot(from: string): string {
  for (let d = from, k = 0; k < 6; k++, d = dirname(d)) if (existsSync(join(d, "bench/run.ts"))) return d;
  return dirname(from);
}

/** The suite names the runner accepts (read from its source, so they never drift), plus "all". */
function suitesOf(root: string): string[] | undefined {
  for (const f of ["bench/run.ts", "build/bench/bench/run.js"]) {
    try {
      const m = /const SUITES = \[([^\]]*)\]/.exec(readFileSync(join(root, f), "utf8"));
      if (m) return [...m[1]!.matchAll(/"([^"]+)"/g)].map((x) => x[1]!).concat("all");
    } catch {
      // not in this checkout
    }
  }
  return undefined;
}

export const spec: CommandSpec = {
  name: "bench",
  summary: "run the benchmark suites (source checkout only)",
  positionals: [{ name: "suite", help: `one of ${KNOWN}, all (default all)`, required: false }],
  flags: [
    { name: "quick", type: "bool", help: "smoke run: few iterations, results not saved" },
    { name: "filter", type: "string", metavar: "REGEX", help: "only the cases whose name matches" },
    { name: "no-build", type: "bool", help: "do not rebuild the suites first" },
  ],
  details: "Prints one JSON object per case on stdout: {\"case\": \"<suite>/<name>\", \"value\", \"unit\", …}, and a markdown summary (targets, ratios to the peer, one table per suite) on stderr; full runs save both in bench/results/.",
};

function exec(cmd: string, args: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

export async function run(p: Parsed, out: Output): Promise<number> {
  const suite = p.positionals[0] ?? "all";
  const root = findRoot(fileURLToPath(new URL("../", import.meta.url)));
  const suites = suitesOf(root);
  if (suites && !suites.includes(suite)) throw new UsageError(`unknown bench suite "${suite}" (expected one of ${suites.join(", ")})`);
  const filter = flag<string>(p, "filter");
  if (filter !== undefined) {
    try {
      new RegExp(filter);
    } catch (e) {
      throw new UsageError(`option --filter: ${(e as Error).message}`);
    }
  }
  const runner = join(root, "build/bench/bench/run.js");
  if (!existsSync(join(root, "bench/run.ts")) && !existsSync(runner)) {
    throw new Error(`the bench suites ship with the source repository (bench/), not with the package: not found under ${root}`);
  }
  if (!(flag<boolean>(p, "no-build") ?? false) && existsSync(join(root, "tsconfig.bench.json"))) {
    out.note("building the bench suites (tsc -p tsconfig.bench.json)…");
    const tsc = join(root, "node_modules/typescript/bin/tsc");
    if (!existsSync(tsc)) throw new Error(`cannot build the bench suites: ${tsc} is missing (run npm install)`);
    const code = await exec(process.execPath, [tsc, "-p", "tsconfig.bench.json"], root);
    if (code !== 0) throw new Error(`building the bench suites failed (tsc exit code ${code})`);
  }
  if (!existsSync(runner)) throw new Error(`${runner} is missing: build the suites (drop --no-build)`);
  const args = [runner, suite];
  if (flag<boolean>(p, "quick")) args.push("--quick");
  if (filter !== undefined) args.push("--filter", filter);
  const code = await exec(process.execPath, args, root);
  return code === 0 ? 0 : 1;
}
