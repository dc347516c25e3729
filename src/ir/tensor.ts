/**
 * Dense float64 tensors, row-major. Parameters of the IR are Tensors; shapes exclude the batch axis.
 * Broadcasting follows the trailing-axes rule: a parameter of shape [] is a scalar, [C] is per
 * channel (last axis of an NHWC activation), and the full activation shape is per element.
 */
export interface Tensor {
  shape: number[];
  data: Float64Array;
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Values from which a tensor's data lives in shared memory (128 KiB): a thread given the graph (the
 * float reference's in verify, simulate's workers) then reads the parameters where they are
 * instead of receiving a copy of each. A graph's tensors are not written once it is made (passes
 * replace them), so sharing them is safe.
 */
export const SHARED_FROM = 1 << 14;

/** n zeros for a tensor's data: in shared memory from SHARED_FROM values. */
export function floatArray(n: number): Float64Array {
  return n >= SHARED_FROM ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
}

export function tensor(shape: number[], data?: ArrayLike<number>): Tensor {
  const n = size(shape);
  const out = floatArray(n);
  if (data !== undefined) {
    if (data.length !== n) throw new RangeError(`tensor: ${data.length} values for shape [${shape.join(",")}]`);
    out.set(data);
  }
  return { shape: [...shape], data: out };
}

/** A tensor over `data` itself, not a copy: for an array just made, handed over by its maker. */
export function tensorOf(shape: readonly number[], data: Float64Array): Tensor {
  if (data.length !== size(shape)) throw new RangeError(`tensor: ${data.length} values for shape [${shape.join(",")}]`);
  return { shape: [...shape], data };
}

export function scalar(v: number): Tensor {
  return { shape: [], data: Float64Array.of(v) };
}

export function filled(shape: number[], v: number): Tensor {
  const t = tensor(shape);
  t.data.fill(v);
  return t;
}

export function cloneTensor(t: Tensor): Tensor {
  const data = floatArray(t.data.length);
  data.set(t.data);
  return { shape: [...t.shape], data };
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

/**
 * Can a parameter of shape `p` be broadcast onto an activation of shape `act`?
 * Allowed: scalar [], per channel [C] (C = last axis), or exactly `act`.
 */
export function broadcastable(p: readonly number[], act: readonly number[]): boolean {
  if (p.length === 0) return true;
  if (p.length === 1 && act.length >= 1 && p[0] === act[act.length - 1]) return true;
  return sameShape(p, act);
}

/** Expand a broadcastable parameter to one value per element of `act` (new array). */
export function broadcastTo(p: Tensor, act: readonly number[]): Float64Array {
  const n = size(act);
  const out = new Float64Array(n);
  if (p.shape.length === 0) {
    out.fill(p.data[0]!);
  } else if (sameShape(p.shape, act)) {
    out.set(p.data);
  } else if (p.shape.length === 1 && p.shape[0] === act[act.length - 1]) {
    const c = p.shape[0]!;
    for (let i = 0; i < n; i++) out[i] = p.data[i % c]!;
  } else {
    throw new RangeError(`cannot broadcast ${shapeStr(p.shape)} onto ${shapeStr(act)}`);
  }
  return out;
}

/** Is every value of a parameter, broadcast onto any non-empty activation, equal to v (without expanding it)? */
export function allEqual(p: Tensor, v: number): boolean {
  for (let i = 0; i < p.data.length; i++) if (p.data[i] !== v) return false;
  return true;
}

/** The value for flat activation index `i` (channel = i % C) without expanding. */
export function paramAt(p: Tensor, i: number): number {
  const n = p.data.length;
  if (n === 1) return p.data[0]!;
  return p.data[i % n]!; // per-channel: i % C; full: i (i < n)
}

/** Index of the first non-finite value, or -1. */
export function firstNonFinite(t: Tensor): number {
  for (let i = 0; i < t.data.length; i++) if (!Number.isFinite(t.data[i]!)) return i;
  return -1;
}
