// The dense network of each model of the zoo as ONNX operators, from e [B, F, W] (and the dense
// features [B, nd]) to the logit [B, 1], in the order of the models' forwardEmbedded:
//
//   first order (LR, FM, WideDeep, DeepFM)  vectors = Slice(e, 0:D), linear = ReduceSum(e[:, :, D], fields)
//   FM term   ½ Σ_d ((Σ_f v)² − Σ_f v²)      ReduceSum, Mul, Sub, ReduceSum, Mul ½
//   MLP       per layer Gemm(x, W', b') → Relu, batch norm folded into W', b' (eval mode):
//             s = γ / √(σ²_run + ε), W' = W·diag(s), b' = (b − μ_run)·s + β   (in float64, then f32)
//   cross v1  x_{l+1} = x0 · MatMul(x_l, w_l) + b_l + x_l
//   cross v2  x_{l+1} = x0 ⊙ Gemm(x_l, W_l, b_l) + x_l
//   DCN head  Gemm(Concat(x_L, deep), W, b)
// Dropout is the identity at inference and has no node.
import type { ModelOptions } from "../models/registry.js";
import { DEFAULT_HIDDEN_UNITS } from "../layers/mlp.js";
import type { GraphBuilder } from "./graph.js";

/** The batch-norm ε of the models (layers/batchnorm.ts; not an option). */
const BN_EPS = 1e-5;

/** What a model's dense network is built from. */
export interface DenseInputs {
  model: string;
  options: ModelOptions;
  fields: number;
  /** Vector width D (0 for LR). */
  embeddingDim: number;
  denseFeatures: number;
  /** A dense/ or buffer/ tensor of the export, as float32. */
  tensor(name: string): Float32Array;
}

/** Models whose table rows end with a first-order weight (models/first-order.ts). */
const FIRST_ORDER = new Set(["LR", "FM", "WideDeep", "DeepFM"]);

/** The logit [B, 1] of model `m.model` from e [B, F, W] and the dense features (if any). */
export function denseNetwork(g: GraphBuilder, e: string, dense: string | undefined, m: DenseInputs): string {
  const { fields: F, embeddingDim: D } = m;
  const gemm = (x: string, name: string, inF: number, outF: number, bias = true): string => {
    const W = g.f32(`${name}.W`, m.tensor(`dense/${name}.W`), [inF, outF]);
    return bias ? g.op("Gemm", [x, W, g.f32(`${name}.b`, m.tensor(`dense/${name}.b`), [outF])], undefined, name) : g.op("MatMul", [x, W], undefined, name);
  };
  /** The flattened vectors [B, F·D] with the dense features appended. */
  const deepInput = (vectors: string): string => {
    const flat = g.op("Reshape", [vectors, g.i64("flat.shape", [-1, F * D])], undefined, "flat");
    return dense ? g.op("Concat", [flat, dense], { axis: 1 }, "deep_input") : flat;
  };
  const mlp = (x: string, inF: number): { out: string; width: number } => {
    let h = x, width = inF;
    const units = m.options.hiddenUnits ?? DEFAULT_HIDDEN_UNITS;
    units.forEach((out, i) => {
      const name = `deep.${i}`;
      const { W, b } = foldedLinear(m, name, width, out, m.options.batchNorm ?? true);
      h = g.op("Relu", [g.op("Gemm", [h, g.f32(`${name}.W`, W, [width, out]), g.f32(`${name}.b`, b, [out])], undefined, name)], undefined, `${name}.relu`);
      width = out;
    });
    return { out: h, width };
  };

  let vectors = e;
  let wide: string | undefined;
  if (FIRST_ORDER.has(m.model)) {
    const axis2 = g.i64("axis.2", [2]);
    const weights = g.op("Slice", [e, g.i64("first_order.start", [D]), g.i64("first_order.end", [D + 1]), axis2], undefined, "first_order_weights");
    const linear = g.op("ReduceSum", [weights, g.i64("axis.1", [1])], { keepdims: 0 }, "first_order");
    const biasName = m.model === "LR" ? "lr.bias" : m.model === "FM" ? "fm.bias" : "wide.bias";
    wide = g.op("Add", [linear, g.f32(biasName, m.tensor(`dense/${biasName}`), [1])], undefined, "wide");
    if (D > 0) vectors = g.op("Slice", [e, g.i64("vectors.start", [0]), g.i64("vectors.end", [D]), axis2], undefined, "vectors");
  }
  const fmTerm = (): string => {
    const axis1 = g.i64("axis.1", [1]);
    const sum = g.op("ReduceSum", [vectors, axis1], { keepdims: 0 }, "fm.sum");
    const sumSq = g.op("ReduceSum", [g.op("Mul", [vectors, vectors], undefined, "fm.sq"), axis1], { keepdims: 0 }, "fm.sum_sq");
    const diff = g.op("Sub", [g.op("Mul", [sum, sum], undefined, "fm.sq_sum"), sumSq], undefined, "fm.diff");
    const total = g.op("ReduceSum", [diff, axis1], { keepdims: 1 }, "fm.total");
    return g.op("Mul", [total, g.f32("half", [0.5], [1])], undefined, "fm");
  };

  /** LR and FM: logit + dense · W (Linear without bias, models/lr.ts). */
  const withDense = (logit: string, name: string): string =>
    dense ? g.op("Add", [logit, gemm(dense, name, m.denseFeatures, 1, false)], undefined, "logit_dense") : logit;

  switch (m.model) {
    case "LR":
      return withDense(wide!, "lr.dense");
    case "FM":
      return withDense(g.op("Add", [wide!, fmTerm()], undefined, "logit"), "fm.dense");
    case "DNN": {
      const { out, width } = mlp(deepInput(vectors), F * D + m.denseFeatures);
      return gemm(out, "head", width, 1);
    }
    case "WideDeep":
    case "DeepFM": {
      const { out, width } = mlp(deepInput(vectors), F * D + m.denseFeatures);
      const deep = gemm(out, "head", width, 1, false);
      const base = m.model === "DeepFM" ? g.op("Add", [wide!, fmTerm()], undefined, "wide_fm") : wide!;
      return g.op("Add", [base, deep], undefined, "logit");
    }
    case "DCN":
    case "DCNv2": {
      const d = F * D + m.denseFeatures;
      const x0 = deepInput(vectors);
      let x = x0;
      for (let l = 0; l < (m.options.crossLayers ?? 3); l++) {
        const name = `cross.${l}`;
        const b = g.f32(`${name}.b`, m.tensor(`dense/${name}.b`), [d]);
        if (m.model === "DCN") {
          const s = g.op("MatMul", [x, g.f32(`${name}.w`, m.tensor(`dense/${name}.w`), [d, 1])], undefined, `${name}.s`);
          x = g.op("Add", [g.op("Add", [g.op("Mul", [x0, s], undefined, `${name}.x0s`), b], undefined, `${name}.x0s_b`), x], undefined, name);
        } else {
          const lin = g.op("Gemm", [x, g.f32(`${name}.W`, m.tensor(`dense/${name}.w`), [d, d]), b], undefined, `${name}.linear`);
          x = g.op("Add", [g.op("Mul", [x0, lin], undefined, `${name}.x0_lin`), x], undefined, name);
        }
      }
      const units = m.options.hiddenUnits ?? DEFAULT_HIDDEN_UNITS;
      if (!units.length) return gemm(x, "head", d, 1);
      const { out, width } = mlp(x0, d);
      return gemm(g.op("Concat", [x, out], { axis: 1 }, "head_input"), "head", d + width, 1);
    }
    default:
      throw new RangeError(`onnx: no graph for model "${m.model}" (known: LR, FM, DNN, WideDeep, DeepFM, DCN, DCNv2)`);
  }
}

/** W [in, out] and b [out] of Linear `name` with its batch norm (if any) folded in. */
export function foldedLinear(m: Pick<DenseInputs, "tensor">, name: string, inF: number, outF: number, batchNorm: boolean): { W: Float32Array; b: Float32Array } {
  const W = m.tensor(`dense/${name}.W`), b = m.tensor(`dense/${name}.b`);
  if (!batchNorm) return { W, b };
  const gamma = m.tensor(`dense/${name}.bn.gamma`), beta = m.tensor(`dense/${name}.bn.beta`);
  const mean = m.tensor(`buffer/${name}.bn.runningMean`), variance = m.tensor(`buffer/${name}.bn.runningVar`);
  const W2 = new Float32Array(inF * outF), b2 = new Float32Array(outF);
  for (let o = 0; o < outF; o++) {
    const s = gamma[o] / Math.sqrt(variance[o] + BN_EPS);
    b2[o] = (b[o] - mean[o]) * s + beta[o];
    for (let i = 0; i < inF; i++) W2[i * outF + o] = W[i * outF + o] * s;
  }
  return { W: W2, b: b2 };
}
