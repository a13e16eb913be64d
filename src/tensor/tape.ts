// The tape: ops append the tensors they produce while recording; backward() runs their
// backward closures in reverse order. `scope` frames one step: heap scratch and the tape are
// released together, so the heap does not grow over steps.

import { getEngine } from "../wasm/load.js";
import type { Tensor } from "./tensor.js";
import { gradOf } from "./tensor.js";

let recording = true;
const tape: Tensor[] = [];
/** Recording order of every tensor on the tape, so a scope can drop exactly its own. */
const order = new WeakMap<Tensor, number>();
let recorded = 0;

/** Whether ops currently record for backward. */
export function isRecording(): boolean {
  return recording;
}

/** Records `out` with its backward closure when recording and any input needs a gradient. */
export function record(out: Tensor, inputs: readonly Tensor[], backward: () => void): Tensor {
  if (recording && inputs.some((t) => t.requiresGrad)) {
    out.backwardFn = backward;
    out.parents = inputs;
    order.set(out, recorded++);
    tape.push(out);
  }
  return out;
}

/** True when `out` was recorded (some input needs a gradient). */
export function needsBackward(out: Tensor): boolean {
  return out.backwardFn !== undefined;
}

/** Runs `fn` without recording (evaluation). */
export function noGrad<T>(fn: () => T): T {
  const prev = recording;
  recording = false;
  try {
    return fn();
  } finally {
    recording = prev;
  }
}

/**
 * Reverse sweep from `loss`, seeded with `seed` (default: ones). Gradients accumulate into
 * every tensor that requires one; frozen parameters are skipped by the ops. The gradients of
 * recorded op outputs are freed as soon as they are passed on (only leaves keep a gradient),
 * and the part of the graph that was swept is then released (a second backward through it
 * does nothing).
 */
export function backward(loss: Tensor, seed?: ArrayLike<number>): void {
  const g = gradOf(loss).array;
  if (seed) {
    if (seed.length !== loss.size) throw new RangeError(`backward: seed has ${seed.length} values, loss has ${loss.size}`);
    for (let i = 0; i < loss.size; i++) g[i] += seed[i];
  } else {
    for (let i = 0; i < loss.size; i++) g[i] += 1;
  }
  if (!loss.backwardFn) throw new Error("backward: the loss was not recorded (no input requires a gradient, or noGrad)");
  const reachable = new Set<Tensor>();
  const stack = [loss];
  while (stack.length) {
    const t = stack.pop()!;
    if (!t.backwardFn || reachable.has(t)) continue;
    reachable.add(t);
    for (const p of t.parents) stack.push(p);
  }
  const { heap } = getEngine();
  for (let i = tape.length - 1; i >= 0; i--) {
    const t = tape[i];
    if (!reachable.has(t) || !t.grad) continue;
    t.backwardFn!();
    // the gradient of an op's output has been passed on to its inputs: give its memory back now
    // rather than at the end of the step (leaves — parameters, embedding lookups — keep theirs,
    // and so does an input whose buffer a reshape shares)
    if (!t.parents.some((p) => p.grad === t.grad)) heap.freeScratch(t.grad.ptr);
    t.grad = undefined;
  }
  for (const t of reachable) forget(t);
  let w = 0;
  for (const t of tape) if (!reachable.has(t)) tape[w++] = t;
  tape.length = w;
}

function forget(t: Tensor): void {
  t.backwardFn = undefined;
  t.parents = [];
}

/** Forgets the recorded graph (the scratch it refers to is released separately). */
export function clearTape(): void {
  for (const t of tape) forget(t);
  tape.length = 0;
}

/** Runs one step: everything allocated as scratch and recorded inside is released after. */
export function scope<T>(fn: () => T): T {
  return scopeKeeping(fn, () => []);
}

/**
 * As scope(), but the scratch blocks that `keep(result)` names survive into the enclosing frame:
 * a step can drop its first pass's activations and gradients and keep only what the second pass
 * needs.
 */
export function scopeKeeping<T>(fn: () => T, keep: (result: T) => readonly { ptr: number }[]): T {
  const { heap } = getEngine();
  const mark = heap.mark();
  const first = recorded;
  let kept: ReadonlySet<number> = new Set();
  try {
    const result = fn();
    kept = new Set(keep(result).map((b) => b.ptr));
    return result;
  } finally {
    let w = 0;
    for (const t of tape) {
      if ((order.get(t) ?? 0) >= first) forget(t);
      else tape[w++] = t;
    }
    tape.length = w;
    heap.release(mark, kept);
  }
}
