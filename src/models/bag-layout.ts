// A batch with bag fields as one bag lookup: every sample has F + Fb bags, its F single-valued
// ids as bags of one (summed: the row itself, bit for bit) and then its Fb bag fields, pooled as
// the model says. The layout lives in heap scratch of the caller's scope.
import type { BagData } from "../data/bag-fields.js";
import type { HeapBags } from "../kernels/bag.js";
import type { CtrModel } from "./base.js";
import { getEngine } from "../wasm/load.js";
import type { HeapI32 } from "../wasm/heap.js";

/** The batch's bags on the heap (undefined when the model has no bag fields). */
export function batchLayout(model: CtrModel, ids: HeapI32, size: number, bags: BagData | undefined): HeapBags | undefined {
  const F = model.fields, Fb = model.bagFields, S = F + Fb;
  if (!Fb) {
    if (bags) throw new RangeError(`batch: the data has ${bags.fields} bag fields, the model none (bagPooling)`);
    return undefined;
  }
  if (!bags) throw new RangeError(`batch: the model takes ${Fb} bag fields (bagPooling ${JSON.stringify(model.bagPooling)}), the batch has none`);
  if (bags.fields !== Fb || bags.pooling.some((p, j) => p !== model.bagPooling[j])) {
    throw new RangeError(`batch: the data's bag fields pool ${JSON.stringify(bags.pooling)}, the model's ${JSON.stringify(model.bagPooling)}`);
  }
  if (bags.offsets.length < size * Fb + 1 || bags.offsets[0] !== 0) throw new RangeError(`batch: bag offsets hold ${bags.offsets.length} entries from ${bags.offsets[0]}, expected ${size * Fb + 1} from 0`);
  const { heap } = getEngine();
  const bagIds = bags.offsets[size * Fb]!;
  if (!(bagIds <= bags.ids.length)) throw new RangeError(`batch: bag offsets end at ${bagIds}, beyond the ${bags.ids.length} bag ids`);
  const nnz = size * F + bagIds;
  const hIds = heap.scratchI32(Math.max(1, nnz), "bag ids");
  const hOffsets = heap.scratchI32(size * S + 1, "bag offsets");
  const mean = heap.scratchI32(S, "bag pooling");
  const out = hIds.array, off = hOffsets.array, single = ids.array, src = bags.offsets;
  let k = 0;
  for (let r = 0; r < size; r++) {
    for (let f = 0; f < F; f++) {
      off[r * S + f] = k;
      out[k++] = single[r * F + f]!;
    }
    for (let j = 0; j < Fb; j++) {
      const a = src[r * Fb + j]!, b = src[r * Fb + j + 1]!;
      if (!(b >= a)) throw new RangeError(`batch: bag offsets[${r * Fb + j + 1}] = ${b} is below offsets[${r * Fb + j}] = ${a}`);
      off[r * S + F + j] = k;
      out.set(bags.ids.subarray(a, b), k);
      k += b - a;
    }
  }
  off[size * S] = k;
  for (let f = 0; f < S; f++) mean.array[f] = f >= F && model.bagPooling[f - F] === "mean" ? 1 : 0;
  return { ids: hIds, offsets: hOffsets, bags: size * S, fields: S, mean };
}
