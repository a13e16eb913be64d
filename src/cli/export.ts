// `alpt export`: a checkpoint → an inference artifact (io/export.ts): codes + Δ (F32 or F16) or
// fp32 rows, dense weights, batch-norm statistics and the FeatureMap; no optimizer state.
// `--format onnx` writes the same tensors as an ONNX model (onnx/export.ts) for ONNX Runtime;
// `--format fbgemm-rowwise` the tables in FBGEMM's row-wise n-bit layout, one per field, for
// TorchRec's quantized embedding bags (io/fbgemm-rowwise.ts, docs/SCALE.md).
import { readFileBytesOf, restoreCheckpoint } from "../io/checkpoint.js";
import { saveExport } from "../io/export.js";
import { fbgemmSparseType, saveFbgemmRowwise } from "../io/fbgemm-rowwise.js";
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
    { name: "format", type: "choice", choices: ["safetensors", "onnx", "fbgemm-rowwise"], help: "safetensors (alpt's artifact), onnx (for ONNX Runtime and other ONNX engines) or fbgemm-rowwise (the tables as FBGEMM/TorchRec row-wise n-bit weights, Δ in fp16)", default: "safetensors" },
    { name: "ids-dtype", type: "choice", choices: ["int64", "int32"], help: "element type of the ids input of an ONNX file", default: "int64" },
  ],
  details: `The safetensors artifact is what \`alpt predict\`, \`alpt eval\` and loadPredictor() read. The ONNX file (opset ${ONNX_OPSET}, IR version ${ONNX_IR_VERSION}) takes ids [batch, fields] (and dense [batch, denseFeatures] when the model has dense features; bag_ids [batch, Fb, bag_len] and bag_mask float [batch, Fb, bag_len] when it has bag fields, each bag padded with id 0 and mask 0) and returns probability [batch, 1]; the FeatureMap is in its metadata_props. The fbgemm-rowwise file (safetensors) holds per field embedding/<field>.weight (U8 [rows, dim·B/8], unsigned B-bit codes, B = 2, 4 or 8) and embedding/<field>.scale_shift (U8 [rows, 4]: fp16 scale Δ, fp16 bias −2^(B−1)·Δ), the (weight, scale_shift) pairs TorchRec's quantized EmbeddingBagCollection takes; fp32 and 16-bit tables as F32 rows; dense weights as in the export (docs/SCALE.md).`,
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
    const exportInfo = { model: info.model, modelOptions: info.modelOptions, featureMap: info.featureMap, ...(info.dataFormat ? { dataFormat: info.dataFormat } : {}), ...(info.dataConfig != null ? { dataConfig: info.dataConfig } : {}) };
    const format = flag<string>(p, "format") ?? "safetensors";
    const quantized = model.embedding.packed || model.embedding.options.method === "qat-lsq";
    let storage = quantized ? `${model.embedding.options.bits}-bit codes + ${deltaDtype} Δ` : "fp32 rows";
    if (format === "onnx") await saveOnnx(target, model, exportInfo, { deltaDtype, idsDtype: (flag<string>(p, "ids-dtype") ?? "int64") as "int64" | "int32" });
    else if (format === "fbgemm-rowwise") {
      if (p.flags.has("delta-dtype")) out.note(`note: --delta-dtype is ignored with --format fbgemm-rowwise (FBGEMM's scale and bias are fp16)`);
      const sparse = fbgemmSparseType(quantized ? model.embedding.options.bits : 32, model.embedding.options.dim);
      await saveFbgemmRowwise(target, model, exportInfo);
      storage = sparse.type === "FP32" ? "FP32 rows per field" : `${sparse.type} rows + fp16 scale, bias per field`;
    } else await saveExport(target, model, exportInfo, { deltaDtype });
    const { stat } = await import("node:fs/promises");
    const size = (await stat(target)).size;
    out.record({ command: "export", checkpoint: path, out: target, format, model: info.model, method: info.method, storage, deltaDtype: format === "fbgemm-rowwise" && quantized ? "F16" : deltaDtype, bytes: size, checkpointBytes: bytes.length });
    out.text(`exported ${path} → ${target}: ${info.model}${format === "onnx" ? ` as ONNX (opset ${ONNX_OPSET})` : format === "fbgemm-rowwise" ? " in FBGEMM's row-wise layout" : ""}, ${storage}, ${size.toLocaleString("en")} bytes (checkpoint ${bytes.length.toLocaleString("en")})`);
    return 0;
  } finally {
    model.dispose();
  }
}
