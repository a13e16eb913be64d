// Shared by the ops: the output tensor of an op, which needs a gradient when recording and
// any input needs one.
import { isRecording } from "../tensor/tape.js";
import { Tensor } from "../tensor/tensor.js";

/** A scratch activation for the result of `op` over `inputs`. */
export function output(op: string, shape: readonly number[], inputs: readonly Tensor[]): Tensor {
  return Tensor.scratch(shape, isRecording() && inputs.some((t) => t.requiresGrad), op);
}
