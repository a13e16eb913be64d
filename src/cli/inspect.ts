// `alpt inspect`: what a checkpoint or export holds, read from the file alone (the checksum is
// verified; no model is built): model and options, method and bits, bytes per embedding row by
// kind (codes, Δ, row optimizer state, Δ optimizer state, fp32 rows), Δ statistics, dense
// parameters layer by layer (the whole architecture, as the tensors' names and shapes give it,
// defaults included), FeatureMap and training progress. A file whose content contradicts itself
// (io/validate.ts: options against tensors, FeatureMap hash, Δ > 0, …) is reported, exit code 1.
import { summarizeDelta } from "../embedding/delta-stats.js";
import { readFileBytesOf } from "../io/checkpoint.js";
import { fromF16Array } from "../io/half.js";
import { FileFormatError } from "../io/errors.js";
import { decodeSafetensors, type StoredTensor } from "../io/safetensors.js";
import { checkScalars, validateModelFile } from "../io/validate.js";
import type { CommandSpec, Output, Parsed } from "./args.js";
import { requireFile } from "./files.js";

export const spec: CommandSpec = {
  name: "inspect",
  summary: "model, method, bits, bytes per row and Δ statistics of a checkpoint or export",
  positionals: [{ name: "file", help: "a checkpoint or an export (.safetensors)", required: true }],
  flags: [],
};

const parse = (s: string | undefined): unknown => {
  try {
    return s === undefined ? undefined : JSON.parse(s);
  } catch {
    return undefined;
  }
};

function floats(t: StoredTensor): Float32Array {
  if (t.dtype === "F16") {
    const h = new Uint16Array(t.data.length / 2);
    new Uint8Array(h.buffer).set(t.data);
    return fromF16Array(h) as Float32Array;
  }
  const f = new Float32Array(t.data.length / 4);
  new Uint8Array(f.buffer).set(t.data);
  return f;
}

/** The dense layers of a file, in file order: "deep.0" → { W: [624, 1024], b: [1024] }. */
export function layersOf(tensors: ReadonlyMap<string, StoredTensor>): { name: string; params: Record<string, number[]> }[] {
  const layers = new Map<string, Record<string, number[]>>();
  for (const [name, t] of tensors) {
    const m = /^(dense|buffer)\/(.+)\.([^.]+)$/.exec(name);
    if (!m) continue;
    const layer = layers.get(m[2]!) ?? {};
    layer[m[1] === "buffer" ? `(${m[3]})` : m[3]!] = [...t.shape];
    layers.set(m[2]!, layer);
  }
  return [...layers].map(([name, params]) => ({ name, params }));
}

export async function run(p: Parsed, out: Output): Promise<number> {
  const path = p.positionals[0]!;
  await requireFile(path, "file");
  const bytes = await readFileBytesOf(path);
  const { metadata: m, tensors } = decodeSafetensors(bytes, { what: path, requireChecksum: true });
  const kind = m.format === "alpt-checkpoint" ? "checkpoint" : m.format === "alpt-export" ? "export" : undefined;
  if (!kind) throw new Error(`${path}: metadata format ${JSON.stringify(m.format)} is not an alpt checkpoint or export`);
  let problem: string | null = null;
  try {
    validateModelFile(kind, m, tensors, path, { ceiling: Infinity });
    if (kind === "checkpoint") checkScalars(parse(m.scalars), path);
  } catch (e) {
    if (!(e instanceof FileFormatError)) throw e;
    problem = e.message;
  }
  const size = (name: string) => tensors.get(name)?.data.length ?? 0;
  const codes = tensors.get("embedding/codes"), weights = tensors.get("embedding/weights"), delta = tensors.get("embedding/delta");
  const rows = Number(m.rows) || codes?.shape[0] || weights?.shape[0] || delta?.shape[0] || 0;
  const dim = Number(m.dim) || weights?.shape[1] || tensors.get("embedding/m")?.shape[1] || 0;
  const perRow = (b: number) => (rows ? b / rows : 0);
  const deltaBytes = size("embedding/delta") + size("embedding/groupDelta");
  const breakdown = {
    codes: perRow(size("embedding/codes")),
    delta: perRow(deltaBytes),
    fp32Rows: perRow(size("embedding/weights")),
    rowOptimizer: perRow(size("embedding/m") + size("embedding/v") + size("embedding/acc")),
    deltaOptimizer: perRow(size("embedding/delta.m") + size("embedding/delta.v") + size("embedding/delta.acc")),
  };
  const total = Object.values(breakdown).reduce((a, b) => a + b, 0);
  let deltaStats: { min: number; median: number; max: number; mean: number; dtype: string } | null = null;
  if (delta && rows) {
    const { min, median, max, mean } = summarizeDelta(floats(delta));
    deltaStats = { min, median, max, mean, dtype: delta.dtype };
  }
  let denseParams = 0, denseBytes = 0, optimizerBytes = 0, bufferBytes = 0;
  for (const [name, t] of tensors) {
    if (name.startsWith("dense/")) {
      denseParams += t.data.length / 4;
      denseBytes += t.data.length;
    } else if (name.startsWith("optimizer/")) optimizerBytes += t.data.length;
    else if (name.startsWith("buffer/")) bufferBytes += t.data.length;
  }
  const fm = parse(m.featureMap) as { fields?: { name: string; vocab: unknown[] }[]; fitRowCount?: number } | null | undefined;
  const fields = fm?.fields?.map((f) => ({ name: f.name, vocab: f.vocab.length })) ?? null;
  const modelOptions = parse(m.modelOptions) as Record<string, unknown> | undefined;
  const { fieldSizes: _fs, embedding, ...options } = modelOptions ?? {};
  const report = {
    command: "inspect", file: path, kind, bytes: bytes.length, model: m.model, method: m.method,
    bits: Number(m.bits), storage: codes ? "codes" : weights ? "fp32" : "none", rows, dim, options, embedding: embedding ?? null,
    bytesPerRow: { ...breakdown, total }, delta: deltaStats, dense: { params: denseParams, bytes: denseBytes, optimizerBytes, bufferBytes },
    layers: layersOf(tensors),
    featureMap: fields ? { fields: fields.length, fitRows: fm?.fitRowCount ?? null, vocab: Object.fromEntries(fields.map((f) => [f.name, f.vocab])) } : null,
    dataFormat: m.dataFormat ?? null, progress: parse(m.progress) ?? null, scalars: parse(m.scalars) ?? null,
    hasOptimizer: kind === "checkpoint" ? m.hasOptimizer === "1" : false,
    valid: problem === null, problem,
  };
  out.record(report);
  const b = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));
  out.text(`${path}: alpt ${kind}, ${bytes.length.toLocaleString("en")} bytes, checksum ok`);
  out.text(`  model      ${m.model} ${JSON.stringify(options)}`);
  out.text(`  embedding  ${m.method}${codes ? `, ${m.bits}-bit codes` : ", fp32 rows"}, ${rows.toLocaleString("en")} rows × ${dim}${embedding ? ` ${JSON.stringify(embedding)}` : ""}`);
  out.text(`  bytes/row  ${b(total)} = codes ${b(breakdown.codes)} + Δ ${b(breakdown.delta)}${delta ? ` (${delta.dtype})` : ""} + fp32 rows ${b(breakdown.fp32Rows)} + row optimizer ${b(breakdown.rowOptimizer)} + Δ optimizer ${b(breakdown.deltaOptimizer)}`);
  if (deltaStats) out.text(`  Δ          min ${deltaStats.min.toPrecision(4)}  median ${deltaStats.median.toPrecision(4)}  max ${deltaStats.max.toPrecision(4)}  mean ${deltaStats.mean.toPrecision(4)}`);
  out.text(`  dense      ${denseParams.toLocaleString("en")} parameters (${denseBytes.toLocaleString("en")} B), optimizer state ${optimizerBytes.toLocaleString("en")} B, batch-norm statistics ${bufferBytes.toLocaleString("en")} B`);
  const layers = report.layers;
  const width = Math.max(0, ...layers.map((l) => l.name.length)) + 2;
  layers.forEach((l, i) => {
    const params = Object.entries(l.params).map(([k, shape]) => `${k} [${shape.join(" × ")}]`).join("  ");
    out.text(`  ${i === 0 ? "layers     " : "           "}${l.name.padEnd(width)}${params}`);
  });
  if (fields) out.text(`  features   ${fields.length} fields (${m.dataFormat ?? "format unknown"}), vocabularies ${fields.map((f) => f.vocab).join(" ")}`);
  else out.text("  features   no FeatureMap (predicts encoded ids only)");
  if (kind === "checkpoint") out.text(`  progress   ${m.progress}  state ${m.scalars}`);
  if (problem) {
    out.text(`  INVALID    ${problem}`);
    return 1;
  }
  return 0;
}
