// expandBias: a scalar bias [1] broadcast to a column [B, 1]; backward: dbias += Σ_b dy[b].
import { output } from "./output.js";
import { record } from "../tensor/tape.js";
import { gradOf, type Tensor } from "../tensor/tensor.js";

/** The scalar `bias` [1] as a column [B, 1]. */
export function expandBias(bias: Tensor, B: number): Tensor {
  const y = output("bias", [B, 1], [bias]);
  y.values.fill(bias.values[0]);
  return record(y, [bias], () => {
    const dy = y.grad!.array;
    let s = 0;
    for (let b = 0; b < B; b++) s += dy[b];
    gradOf(bias).array[0] += s;
  });
}
