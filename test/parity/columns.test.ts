// wasm vs reference twin for the column-block moves of concat/slice and zeroFill.
import { beforeAll, it } from "vitest";
import { moveColumns, zeroFill } from "../../src/kernels/layers.js";
import type { Engine } from "../../src/wasm/load.js";
import { engine, expectBitEqual, onBoth, rng, snapshot } from "../helpers/engine.js";

let e: Engine;
beforeAll(async () => {
  e = await engine();
});

it.each([[1, 1, 1, 0, 0], [3, 7, 5, 2, 1], [8, 17, 16, 1, 0], [5, 65, 70, 0, 5]])(
  "moveColumns B=%i width=%i into %i columns (offsets %i, %i), copy and accumulate; zeroFill",
  (B, width, dstCols, srcOff, dstOff) => {
    const r = rng(`cols-${B}-${width}`);
    const srcCols = width + srcOff + 3;
    const src = e.heap.allocF32(B * srcCols), dst = e.heap.allocF32(B * dstCols);
    for (let i = 0; i < src.length; i++) src.array[i] = r() - 0.5;
    for (let i = 0; i < dst.length; i++) dst.array[i] = r() - 0.5;
    const d0 = snapshot(dst.array);
    const res = onBoth(() => {
      dst.array.set(d0);
      moveColumns(src, srcCols, srcOff, dst, dstCols, dstOff, B, Math.min(width, dstCols - dstOff), false);
      const copied = snapshot(dst.array);
      moveColumns(src, srcCols, srcOff, dst, dstCols, dstOff, B, Math.min(width, dstCols - dstOff), true);
      const added = snapshot(dst.array);
      zeroFill(dst, Math.min(3, dst.length));
      return [copied, added, snapshot(dst.array)];
    });
    res.wasm.forEach((v, i) => expectBitEqual(v, res.ref[i], `output ${i}`));
  },
);
