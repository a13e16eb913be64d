// Binary cross-entropy on logits, mean over the batch, stable for any |z|:
//   l = max(z, 0) − z·y + log(1 + e^−|z|)        dl/dz = σ(z) − y
import { record } from "../tensor/tape.js";
import { gradOf, type Tensor } from "../tensor/tensor.js";
import { output } from "./output.js";
import { sigmoidOf } from "./sigmoid.js";

/**
 * @param logits [B] or [B, 1]
 * @param labels B values in [0, 1]
 * @returns a scalar tensor [1]
 */
export function bceWithLogits(logits: Tensor, labels: ArrayLike<number>): Tensor {
  const n = logits.size;
  if (labels.length !== n) throw new RangeError(`bceWithLogits: ${labels.length} labels for ${n} logits`);
  if (n === 0) throw new RangeError("bceWithLogits: empty batch");
  const out = output("bce", [1], [logits]);
  const z = logits.values;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const zi = z[i];
    sum += Math.max(zi, 0) - zi * labels[i] + Math.log1p(Math.exp(-Math.abs(zi)));
  }
  out.values[0] = sum / n;
  return record(out, [logits], () => {
    const dz = gradOf(logits).array, zs = logits.values;
    const scale = out.grad!.array[0] / n;
    for (let i = 0; i < n; i++) dz[i] += (sigmoidOf(zs[i]) - labels[i]) * scale;
  });
}
