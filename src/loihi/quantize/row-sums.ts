/**
 * Row sums: per target neuron, the sum of the positive and the sum of the negative weights reaching
 * it, each times a scale (the largest payload of the source, and 2^weightExp for integers): the
 * range of one step's synaptic input when every source emits its largest payload. One function for
 * the real-valued synaptic form (to choose scales) and for the integer model (to bound it).
 */
import type { Synapse } from "../model/integer-model.ts";

export interface RowSums {
  pos: Float64Array;
  neg: Float64Array;
}

/**
 * Σ max(w·scale, 0) and Σ min(w·scale, 0) per target neuron (n of them) of one synapse. A conv
 * neuron counts every tap of its output channel (an interior neuron: the worst case).
 *
 * Each sum adds the same terms in the same order as `if (w > 0) pos += w; else neg += w`, but
 * without the branch (random signs make it mispredict): (w + |w|)/2 is w or +0, (w − |w|)/2 is w
 * or ±0, exactly, as long as 2w does not overflow; a non-finite sum (an overflow, or a NaN) is
 * computed again with the branch.
 */
export function rowSums(s: Synapse<ArrayLike<number>>, scale: number, n: number): RowSums {
  const fast = split(s, scale, n, true);
  return finiteAll(fast.pos) && finiteAll(fast.neg) ? fast : split(s, scale, n, false);
}

function finiteAll(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}

function split(s: Synapse<ArrayLike<number>>, scale: number, n: number, fast: boolean): RowSums {
  const pos = new Float64Array(n);
  const neg = new Float64Array(n);
  if (s.kind === "diagonal") {
    add(s.weights, 0, n, scale, pos, neg, fast);
  } else if (s.kind === "dense") {
    for (let i = 0; i < s.inSize; i++) add(s.weights, i * s.outSize, s.outSize, scale, pos, neg, fast);
  } else {
    const CO = s.kernelShape[3];
    const pc = new Float64Array(CO);
    const nc = new Float64Array(CO);
    for (let b = 0; b < s.kernel.length; b += CO) add(s.kernel, b, CO, scale, pc, nc, fast);
    for (let o = 0; o < n; o += CO) {
      pos.set(o + CO <= n ? pc : pc.subarray(0, n - o), o);
      neg.set(o + CO <= n ? nc : nc.subarray(0, n - o), o);
    }
  }
  return { pos, neg };
}

/** pos[j] and neg[j] gather w[from + j]·scale for j < len (by sign). */
function add(
  w: ArrayLike<number>,
  from: number,
  len: number,
  scale: number,
  pos: Float64Array,
  neg: Float64Array,
  fast: boolean,
): void {
  if (fast) {
    for (let j = 0; j < len; j++) {
      const x = w[from + j]! * scale;
      const a = Math.abs(x);
      pos[j] += (x + a) * 0.5;
      neg[j] += (x - a) * 0.5;
    }
    return;
  }
  for (let j = 0; j < len; j++) {
    const x = w[from + j]! * scale;
    if (x > 0) pos[j] += x;
    else neg[j] += x;
  }
}

/**
 * The row sums of several synapses into the same n neurons, added connection by connection
 * (`each` sees every connection's own).
 */
export function rowSumsOver<C extends { synapse: Synapse<ArrayLike<number>> }>(
  conns: readonly C[],
  n: number,
  scaleOf: (c: C) => number,
  each?: (c: C, r: RowSums) => void,
): RowSums {
  const pos = new Float64Array(n);
  const neg = new Float64Array(n);
  for (const c of conns) {
    const r = rowSums(c.synapse, scaleOf(c), n);
    each?.(c, r);
    for (let i = 0; i < n; i++) {
      pos[i] += r.pos[i]!;
      neg[i] += r.neg[i]!;
    }
  }
  return { pos, neg };
}

/** The largest |sum| of either sign: the bound on one step's |input| the row sums give. */
export function largestAbs(r: RowSums): number {
  return Math.max(maxOf(r.pos), -minOf(r.neg));
}

/** The largest value, or 0 when none is positive. */
export function maxOf(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

/** The smallest value, or 0 when none is negative. */
export function minOf(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! < m) m = a[i]!;
  return m;
}
