// `alpt export`: a checkpoint → an inference artifact (io/export.ts): codes + Δ (F32 or F16) or
// fp32 rows, dense weights, batch-norm statistics and the FeatureMap; no optimizer state.
// `--format onnx` writes the same tensors as an ONNX model (onnx/export.ts) for ONNX Runtime.
import { readFileBytesOf, restoreCheckpoint } from "../io/checkpoint.js";
import { saveExport } from "../io/export.js";
import { ONNX_IR_VERSION, ONNX_OPSET, saveOnnx } from "../onnx/export.js";
import { startEngine } from "./engine.js";
import { UsageError, flag, type CommandSpec, type Output, type Parsed } from "./args.js";
import { requireFile } from "./files.js";

export const spec: CommandSpec = {
  name: "export",
  summary: "write an inference artifact (no optimizer state) from a checkpoint",
  positionals: [{ name: "checkpoint", help: "a checkpoint written by `alpt train`", required: true }],
  flags: [
    { name: "out", type: "string", metavar: "FILE", help: "the artifact to write" },
    { name: "delta-dtype", type: "choice", choices: ["f32", "f16"], help: "element type of Δ (f16: half the bytes, predictions within ~1e-3)", default: "f32" },
    { name: "format", type: "choice", choices: ["safetensors", "onnx"], help: "safetensors (alpt's artifact) or onnx (for ONNX Runtime and other ONNX engines)", default: "safetensors" },
    { name: "ids-dtype", type: "choice", choices: ["int64", "int32"], help: "element type of the ids input of an ONNX file", default: "int64" },
  ],
  details: `The safetensors artifact is what \`alpt predict\`, \`alpt eval\` and loadPredictor() read. The ONNX file (opset ${ONNX_OPSET}, IR version ${ONNX_IR_VERSION}) takes ids [batch, fields] (and dense [batch, denseFeatures] when the model has dense features) and returns probability [batch, 1]; the FeatureMap is in its metadata_props.`,
};

export async function run(p: Parsed, out: Output): Promise<number> {
  const path = p.positionals[0]!;
  const target = flag<string>(p, "out");
  if (!target) throw new UsageError("export needs --out FILE");
  await requireFile(path, "checkpoint");
  await startEngine(out, {});
  const bytes = await readFileBytesOf(path);
  const { model, info } = restoreCheckpoint(bytes, undefined, path);
  try {
    const deltaDtype = (flag<string>(p, "delta-dtype") ?? "f32").toUpperCase() as "F32" | "F16";
    const exportInfo = { model: info.model, modelOptions: info.modelOptions, featureMap: info.featureMap, ...(info.dataFormat ? { dataFormat: info.dataFormat } : {}) };
    const format = flag<string>(p, "format") ?? "safetensors";
    if (format === "onnx") await saveOnnx(target, model, exportInfo, { deltaDtype, idsDtype: (flag<string>(p, "ids-dtype") ?? "int64") as "int64" | "int32" });
    else await saveExport(target, model, exportInfo, { deltaDtype });
    const { stat } = await import("node:fs/promises");
    const size = (await stat(target)).size;
    const storage = model.embedding.packed || model.embedding.options.method === "qat-lsq" ? `${model.embedding.options.bits}-bit codes + ${deltaDtype} Δ` : "fp32 rows";
    out.record({ command: "export", checkpoint: path, out: target, format, model: info.model, method: info.method, storage, deltaDtype, bytes: size, checkpointBytes: bytes.length });
    out.text(`exported ${path} → ${target}: ${info.model}${format === "onnx" ? ` as ONNX (opset ${ONNX_OPSET})` : ""}, ${storage}, ${size.toLocaleString("en")} bytes (checkpoint ${bytes.length.toLocaleString("en")})`);
    return 0;
  } finally {
    model.dispose();
  }
}
