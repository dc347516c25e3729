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
 */
export function rowSums(s: Synapse<ArrayLike<number>>, scale: number, n: number): RowSums {
  const pos = new Float64Array(n);
  const neg = new Float64Array(n);
  if (s.kind === "diagonal") {
    for (let o = 0; o < n; o++) {
      const w = s.weights[o]! * scale;
      if (w > 0) pos[o] += w;
      else neg[o] += w;
    }
  } else if (s.kind === "dense") {
    for (let i = 0; i < s.inSize; i++) {
      for (let o = 0; o < s.outSize; o++) {
        const w = s.weights[i * s.outSize + o]! * scale;
        if (w > 0) pos[o] += w;
        else neg[o] += w;
      }
    }
  } else {
    const CO = s.kernelShape[3];
    const pc = new Float64Array(CO);
    const nc = new Float64Array(CO);
    for (let i = 0; i < s.kernel.length; i++) {
      const w = s.kernel[i]! * scale;
      if (w > 0) pc[i % CO] += w;
      else nc[i % CO] += w;
    }
    for (let o = 0; o < n; o++) {
      pos[o] = pc[o % CO]!;
      neg[o] = nc[o % CO]!;
    }
  }
  return { pos, neg };
}

/** The row sums of several synapses into the same n neurons, added connection by connection. */
export function rowSumsOver<C extends { synapse: Synapse<ArrayLike<number>> }>(
  conns: readonly C[],
  n: number,
  scaleOf: (c: C) => number,
): RowSums {
  const pos = new Float64Array(n);
  const neg = new Float64Array(n);
  for (const c of conns) {
    const r = rowSums(c.synapse, scaleOf(c), n);
    for (let i = 0; i < n; i++) {
      pos[i] += r.pos[i]!;
      neg[i] += r.neg[i]!;
    }
  }
  return { pos, neg };
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
