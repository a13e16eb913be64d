// A session of the built `alpt` command for end-to-end tests: the built CLI (built-cli.ts) and a
// fresh temp folder as the working directory. `alpt(...args)` runs main.js there and resolves
// its exit code and output (it never rejects: a signal or a timeout is code -1); `cleanup`
// removes the folder and a private build.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtCli } from "./built-cli.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliSession {
  /** The working directory of every run. */
  dir: string;
  /** The folder of the built CLI: dist/cli (or its private build). */
  cliDir: string;
  /** cliDir/main.js. */
  main: string;
  /** `file args` in dir; timeoutMs 0: no limit; env: the process's by default. */
  run(file: string, args: readonly string[], timeoutMs?: number, env?: NodeJS.ProcessEnv): Promise<CliRun>;
  /** `node main.js args` in dir. */
  alpt(...args: string[]): Promise<CliRun>;
  cleanup(): void;
}

/** Builds the CLI if dist/ is stale and makes a temp folder named `prefix…`. */
export function cliSession(prefix: string): CliSession {
  const cli = builtCli();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const main = join(cli.dir, "main.js");
  const run = (file: string, args: readonly string[], timeoutMs = 0, env = process.env): Promise<CliRun> => {
    const t0 = performance.now();
    return new Promise((done) => {
      execFile(file, args, { cwd: dir, env, maxBuffer: 64 << 20, timeout: timeoutMs }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        done({ code, stdout, stderr, ms: performance.now() - t0 });
      });
    });
  };
  return {
    dir, cliDir: cli.dir, main, run,
    alpt: (...args) => run(process.execPath, [main, ...args]),
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
      cli.cleanup();
    },
  };
}
