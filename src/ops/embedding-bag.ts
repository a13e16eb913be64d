// embeddingBag: pooled rows of an fp32 weight tensor, y [bags, dim] = the sum (or mean) over each
// bag of weight[ids[k], :] (kernels/bag.ts); backward: the bag gradients scattered to their ids
// (÷ len for a mean bag), duplicates coalesced, then added to dweight. The op form of what
// EmbeddingTable.lookupBags / applyBagGradient do for every method; the gradient check runs on it.
import { bagRowsF32, bagSegmentSumRows, checkBags, type HeapBags } from "../kernels/bag.js";
import { coalesceIds } from "../kernels/embed.js";
import { getEngine } from "../wasm/load.js";
import { record } from "../tensor/tape.js";
import { gradOf, type Tensor } from "../tensor/tensor.js";
import { output } from "./output.js";

/** Pooled rows [bags.bags, dim] of weight [rows, dim]. */
export function embeddingBag(weight: Tensor, bags: HeapBags): Tensor {
  const [rows, dim] = weight.shape;
  if (weight.shape.length !== 2) throw new RangeError(`embeddingBag: weight has shape [${weight.shape.join(", ")}], expected [rows, dim]`);
  const y = output("embeddingBag", [bags.bags, dim], [weight]);
  bagRowsF32(weight.data, rows, dim, bags, y.data);
  return record(y, [weight], () => {
    const { heap } = getEngine();
    const dWeight = gradOf(weight); // before the mark: a gradient allocated now must outlive the scratch
    const mark = heap.mark();
    const c = coalesceIds(bags.ids!, rows, checkBags("embeddingBag", bags));
    const gU = heap.scratchF32(Math.max(1, c.count) * dim, "embeddingBag grad");
    bagSegmentSumRows(y.grad!, bags, c, dim, gU);
    const dw = dWeight.array, g = gU.array, unique = c.unique.array;
    for (let u = 0; u < c.count; u++) {
      const r = unique[u]!;
      for (let j = 0; j < dim; j++) dw[r * dim + j] += g[u * dim + j]!;
    }
    heap.release(mark);
  });
}
