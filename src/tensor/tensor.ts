// Tensor-lite: a shape over heap storage, an optional gradient, and the closure that pushes
// this node's gradient to its parents. Ops record their outputs on the tape (tape.ts) in
// execution order, so backward() is one reverse sweep; gradients always accumulate (+=).
//
//   param       persistent storage and gradient (allocated once, freed by dispose())
//   activation  per-step scratch (freed by the enclosing scope's heap.release)
//
// A parameter can be frozen for a pass (ALPT's second pass): it then takes no gradient and the
// ops skip the work that would only produce one (e.g. the xᵀ·dy GEMM of a linear layer).

import { zeroFill } from "../kernels/layers.js";
import { getEngine } from "../wasm/load.js";
import type { HeapF32 } from "../wasm/heap.js";

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function checkShape(shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`Tensor: bad shape [${shape.join(", ")}]`);
  }
}

/** A dense f32 tensor, row-major, stored in the wasm heap. */
export class Tensor {
  /** Gradient of the loss with respect to this tensor (same shape), once backward reached it. */
  grad: HeapF32 | undefined;
  /** Pushes `grad` into the parents' gradients (set by the op that made this tensor). */
  backwardFn: (() => void) | undefined;
  /** The inputs of the op that made this tensor, while it is recorded. */
  parents: readonly Tensor[] = [];
  /** A parameter that takes no gradient in the current pass. */
  frozen = false;
  private readonly wantsGrad: boolean;

  constructor(
    readonly data: HeapF32,
    readonly shape: readonly number[],
    readonly kind: "param" | "activation",
    requiresGrad: boolean,
    /** A name for error messages and checkpoints. */
    readonly name = "",
  ) {
    if (data.length < sizeOf(shape)) {
      throw new RangeError(`Tensor ${name}: storage of ${data.length} floats for shape [${shape.join(", ")}]`);
    }
    this.wantsGrad = requiresGrad;
  }

  /** Whether backward computes a gradient for this tensor. */
  get requiresGrad(): boolean {
    return this.wantsGrad && !this.frozen;
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  /** The values as a typed array view (valid until the next heap allocation). */
  get values(): Float32Array {
    return this.data.array.subarray(0, this.size);
  }

  /** A fresh activation (scratch, uninitialised) of the given shape. */
  static scratch(shape: readonly number[], requiresGrad = false, name = "activation"): Tensor {
    checkShape(shape);
    return new Tensor(getEngine().heap.scratchF32(sizeOf(shape), name), shape, "activation", requiresGrad, name);
  }

  /** An activation holding a copy of `values` (a leaf input). */
  static from(values: ArrayLike<number>, shape: readonly number[], requiresGrad = false, name = "input"): Tensor {
    const t = Tensor.scratch(shape, requiresGrad, name);
    if (values.length !== t.size) {
      throw new RangeError(`Tensor.from ${name}: ${values.length} values for shape [${shape.join(", ")}]`);
    }
    t.data.array.set(values);
    return t;
  }

  /** A persistent, zero-filled parameter with a persistent gradient buffer. */
  static param(shape: readonly number[], name: string): Tensor {
    checkShape(shape);
    const { heap } = getEngine();
    const t = new Tensor(heap.allocF32(sizeOf(shape), `param ${name}`), shape, "param", true, name);
    t.grad = heap.allocF32(t.size, `grad ${name}`);
    return t;
  }

  /** Frees a parameter's storage and gradient. */
  dispose(): void {
    if (this.kind !== "param") return;
    this.data.free();
    this.grad?.free();
    this.grad = undefined;
  }
}

/** The gradient buffer of `t`, zero-filled scratch on first use (params have one already). */
export function gradOf(t: Tensor): HeapF32 {
  if (!t.grad) {
    t.grad = getEngine().heap.scratchF32(t.size, `grad ${t.name}`);
    zeroFill(t.grad);
  }
  return t.grad;
}

/**
 * The gradient buffer of `t` for an op that writes every element of it: on first use scratch
 * left as it is, with accumulate false (the op writes instead of adding to zeros: the same bits,
 * one pass over the buffer less); afterwards the buffer, with accumulate true.
 */
export function gradToWrite(t: Tensor): [grad: HeapF32, accumulate: boolean] {
  if (t.grad) return [t.grad, true];
  t.grad = getEngine().heap.scratchF32(t.size, `grad ${t.name}`);
  return [t.grad, false];
}

/** Throws unless `t` has the expected shape (undefined entries match anything). */
export function expectShape(op: string, what: string, t: Tensor, shape: readonly (number | undefined)[]): void {
  const ok = t.shape.length === shape.length && shape.every((d, i) => d === undefined || d === t.shape[i]);
  if (!ok) {
    const want = shape.map((d) => (d === undefined ? "*" : String(d))).join(", ");
    throw new RangeError(`${op}: ${what} has shape [${t.shape.join(", ")}], expected [${want}]`);
  }
}
