#!/usr/bin/env node
// The `alpt` command. `alpt demo` (what `npm start` runs) shows the low-precision embedding
// core on a built-in synthetic table; more commands arrive with the trainer.
import { performance } from "node:perf_hooks";
import {
  allocPackedTable, backend, dequantizeRows, gatherDequant, init, normal, quantizeRows, rowStride, uniform,
} from "../entry/default.js";

const HELP = `alpt — adaptive low-precision training of CTR embeddings (WebAssembly SIMD)

Usage: alpt <command> [options]

Commands:
  demo        quantize a synthetic 1M × 16 embedding table at 8, 4 and 2 bits and report
              bytes per row, reconstruction error and gather throughput
  help        this text

Options:
  --rows N    table rows for demo (default 1000000)
  --json      one JSON object per line instead of a table
`;

interface DemoRow {
  bits: number;
  bytesPerRow: number;
  tableMiB: number;
  rmse: number;
  gatherMrowsPerSec: number;
}

async function demo(rows: number, json: boolean): Promise<void> {
  const e = await init();
  const dim = 16;
  const batch = 2048 * 26;
  const w = e.heap.allocF32(rows * dim, "demo fp32 table");
  for (let i = 0; i < w.length; i++) w.array[i] = 0.01 * normal(42, 0, i);
  const ids = e.heap.allocI32(batch, "demo ids");
  for (let k = 0; k < batch; k++) ids.array[k] = Math.floor(rows * uniform(42, 1, k) ** 4);
  const out = e.heap.allocF32(batch * dim, "demo out");
  const back = e.heap.allocF32(rows * dim, "demo reconstruction");
  const results: DemoRow[] = [];
  for (const bits of [8, 4, 2]) {
    // LSQ-style step: 2·E|w| / sqrt(2^(b-1))
    let mean = 0;
    for (let i = 0; i < w.length; i++) mean += Math.abs(w.array[i]);
    mean /= w.length;
    const t = allocPackedTable(rows, dim, bits, (2 * mean) / Math.sqrt(2 ** (bits - 1)));
    quantizeRows(w, t, { rounding: "sr", seed: 1 });
    dequantizeRows(t, back);
    let se = 0;
    for (let i = 0; i < w.length; i++) se += (back.array[i] - w.array[i]) ** 2;
    const reps = 20;
    gatherDequant(t, ids, out);
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) gatherDequant(t, ids, out);
    const sec = (performance.now() - t0) / 1000;
    results.push({
      bits,
      bytesPerRow: rowStride(dim, bits) + 4,
      tableMiB: (rows * (rowStride(dim, bits) + 4)) / 2 ** 20,
      rmse: Math.sqrt(se / w.length),
      gatherMrowsPerSec: (reps * batch) / sec / 1e6,
    });
    t.codes.free();
    t.delta.free();
  }
  const fp32 = { bits: 32, bytesPerRow: dim * 4, tableMiB: (rows * dim * 4) / 2 ** 20 };
  if (json) {
    for (const r of results) console.log(JSON.stringify({ ...r, rows, dim, backend: backend().name }));
    return;
  }
  console.log(`alpt demo: ${rows.toLocaleString("en")} rows × ${dim} dims, backend ${backend().name}`);
  console.log(`fp32 table: ${fp32.bytesPerRow} B/row, ${fp32.tableMiB.toFixed(1)} MiB`);
  console.log("bits  B/row  table MiB  RMSE      gather Mrows/s");
  for (const r of results) {
    console.log(
      `${String(r.bits).padStart(4)}  ${String(r.bytesPerRow).padStart(5)}  ${r.tableMiB.toFixed(1).padStart(9)}  ` +
        `${r.rmse.toExponential(2).padEnd(8)}  ${r.gatherMrowsPerSec.toFixed(0).padStart(14)}`,
    );
  }
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
  const [cmd = "help", ...args] = argv;
  if (cmd === "help" || cmd === "--help" || cmd === "-h" || args.includes("--help")) {
    console.log(HELP);
    return 0;
  }
  if (cmd === "demo") {
    const rowsArg = option(args, "--rows") ?? "1000000";
    const rows = Number(rowsArg);
    if (!Number.isInteger(rows) || rows < 1) {
      console.error(`alpt demo: --rows must be a positive integer, got "${rowsArg}"`);
      return 2;
    }
    await demo(rows, args.includes("--json"));
    return 0;
  }
  console.error(`alpt: unknown command "${cmd}" (try: alpt help)`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`alpt: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
