/**
 * The synapses of the event-driven engine, each compiled once per run into a scatter: given one
 * step's events of the source (indices and integer payloads), add every event's weights into the
 * target sums. A dense event adds its weight row, a diagonal one its single weight; a conv event
 * adds its kernel slice to the output windows that contain it, found from tables built from the
 * geometry (per input row: the (output row, kernel row) pairs that reach it; the same per column),
 * so no position is tested per event. No allocation happens per event or per step.
 */
import type { ConvSynapse, DenseSynapse, DiagonalSynapse, IntWeights, Synapse } from "../model/integer-model.ts";
import { axisPairs } from "./fan-out.ts";

/** acc[o] += Σ_{e in [first, count)} val[e] · W[idx[e] → o]. */
export type Scatter = (idx: Int32Array, val: Int32Array, first: number, count: number, acc: Float64Array) => void;

export interface EventSynapse {
  scatter: Scatter;
  /** max over targets o of Σ_i |W[i → o]|: with payloads of at most P, one step's sum lies within ±P·this. */
  maxAbsIn: number;
}

function denseScatter(s: DenseSynapse): EventSynapse {
  const O = s.outSize;
  const W = s.weights;
  const colAbs = new Float64Array(O);
  for (let i = 0; i < s.inSize; i++) for (let o = 0; o < O; o++) colAbs[o] += Math.abs(W[i * O + o]!);
  const scatter: Scatter = (idx, val, first, count, acc) => {
    for (let e = first; e < count; e++) {
      const row = idx[e]! * O;
      const p = val[e]!;
      if (p === 1) for (let o = 0; o < O; o++) acc[o] += W[row + o]!;
      else for (let o = 0; o < O; o++) acc[o] += p * W[row + o]!;
    }
  };
  return { scatter, maxAbsIn: colAbs.reduce((a, b) => Math.max(a, b), 0) };
}

function maxAbs(w: IntWeights): number {
  let m = 0;
  for (let i = 0; i < w.length; i++) m = Math.max(m, Math.abs(w[i]!));
  return m;
}

function diagonalScatter(s: DiagonalSynapse): EventSynapse {
  const W = s.weights;
  const scatter: Scatter = (idx, val, first, count, acc) => {
    for (let e = first; e < count; e++) {
      const i = idx[e]!;
      acc[i] += val[e]! * W[i]!;
    }
  };
  return { scatter, maxAbsIn: maxAbs(W) };
}

function convScatter(s: ConvSynapse): EventSynapse {
  const [H, W, C] = s.inShape;
  const [OH, OW, CO] = s.outShape;
  const [KH, KW, KI] = s.kernelShape;
  const coPerG = CO / s.groups;
  const K = s.kernel;
  const ys = axisPairs(H, OH, KH, s.strides[0], s.dilation[0], s.pads[0]);
  const xs = axisPairs(W, OW, KW, s.strides[1], s.dilation[1], s.pads[2]);
  // the tables pre-multiplied: y pairs as output row offsets oy·OW and kernel row offsets ky·KW
  const yStart = ys.start;
  const yRow = ys.out.map((o) => o * OW);
  const yTap = ys.tap.map((k) => k * KW);
  const xStart = xs.start;
  const xOut = xs.out;
  const xTap = xs.tap;
  // Events come in neuron order, so the channels of one input pixel are consecutive: each window
  // of the pixel is reached once, and every event of the pixel adds its kernel slice to that
  // window's outputs while they are in cache (sums of integers: exact in any order).
  const scatter: Scatter = (idx, val, first, count, acc) => {
    let e = first;
    while (e < count) {
      const pix = (idx[e]! / C) | 0;
      const lim = (pix + 1) * C;
      let end = e + 1;
      while (end < count && idx[end]! < lim) end++;
      const c0 = pix * C;
      const iy = (pix / W) | 0;
      const ix = pix - iy * W;
      const y1 = yStart[iy + 1]!;
      const x0 = xStart[ix]!;
      const x1 = xStart[ix + 1]!;
      for (let a = yStart[iy]!; a < y1; a++) {
        const rowO = yRow[a]!;
        const rowK = yTap[a]!;
        for (let b = x0; b < x1; b++) {
          const obase = (rowO + xOut[b]!) * CO;
          const tbase = (rowK + xTap[b]!) * KI;
          for (let q = e; q < end; q++) {
            const ci = idx[q]! - c0;
            const p = val[q]!;
            const g = (ci / KI) | 0;
            const co0 = g * coPerG;
            const base = obase + co0;
            const stop = base + coPerG;
            const kb = (tbase + ci - g * KI) * CO + co0;
            // one index per array, stepped together: V8 makes this loop faster than base + co
            if (p === 1) for (let o = base, k = kb; o < stop; o++, k++) acc[o] += K[k]!;
            else for (let o = base, k = kb; o < stop; o++, k++) acc[o] += p * K[k]!;
          }
        }
      }
      e = end;
    }
  };
  // Σ|w| into one output is at most the kernel's whole |column| of its channel
  const colAbs = new Float64Array(CO);
  for (let t = 0; t < KH * KW * KI; t++) for (let co = 0; co < CO; co++) colAbs[co] += Math.abs(K[t * CO + co]!);
  return { scatter, maxAbsIn: colAbs.reduce((a, b) => Math.max(a, b), 0) };
}

export function eventSynapse(s: Synapse): EventSynapse {
  if (s.kind === "dense") return denseScatter(s);
  if (s.kind === "diagonal") return diagonalScatter(s);
  return convScatter(s);
}
