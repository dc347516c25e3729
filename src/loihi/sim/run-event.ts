/**
 * The event-driven engine of the integer model: only the spikes that occurred are processed.
 * Every source emits a list of events (index, payload) per step; a dense connection adds the
 * weight row of each event's input, a diagonal one its single weight, a conv connection scatters
 * each event to the outputs whose window contains it. Neurons then take the same lif-fixed step as in the time-stepped engine,
 * so the two must agree bit for bit on every spike, u and v.
 */
import {
  populationSize,
  type ConvSynapse,
  type DenseSynapse,
  type DiagonalSynapse,
  type FixedModel,
} from "../model/integer-model.ts";
import type { StepInput } from "../../sim/reference.ts";
import {
  clearInputs,
  finishInputs,
  finishRun,
  portBuffer,
  prepareRun,
  recordStep,
  stepPopulation,
  weightExpShift,
  type FixedRun,
  type FixedRunOptions,
} from "./engine-common.ts";
import { wrap32, wrapSigned } from "./lif-fixed.ts";

/** The events of one source at one step: indices and payloads of its nonzero outputs. */
interface Events {
  idx: Int32Array;
  val: Int32Array;
  count: number;
}

const NO_EVENTS: Events = { idx: new Int32Array(0), val: new Int32Array(0), count: 0 };

function eventsOf(x: ArrayLike<number>): Events {
  let count = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) count++;
  if (count === 0) return NO_EVENTS;
  const idx = new Int32Array(count);
  const val = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== 0) {
      idx[k] = i;
      val[k++] = x[i]!;
    }
  }
  return { idx, val, count };
}

function scatterDense(s: DenseSynapse, ev: Events, first: number, acc: Float64Array): void {
  const O = s.outSize;
  const W = s.weights;
  for (let e = first; e < ev.count; e++) {
    const row = ev.idx[e]! * O;
    const p = ev.val[e]!;
    if (p === 1) for (let o = 0; o < O; o++) acc[o] += W[row + o]!;
    else for (let o = 0; o < O; o++) acc[o] += p * W[row + o]!;
  }
}

function scatterDiagonal(s: DiagonalSynapse, ev: Events, first: number, acc: Float64Array): void {
  const W = s.weights;
  for (let e = first; e < ev.count; e++) {
    const i = ev.idx[e]!;
    acc[i] += ev.val[e]! * W[i]!;
  }
}

function scatterConv(s: ConvSynapse, ev: Events, first: number, acc: Float64Array): void {
  const [, W, C] = s.inShape;
  const [OH, OW, CO] = s.outShape;
  const [KH, KW, KI] = s.kernelShape;
  const [sh, sw] = s.strides;
  const [dh, dw] = s.dilation;
  const [pt, , pl] = s.pads;
  const coPerG = CO / s.groups;
  const K = s.kernel;
  for (let e = first; e < ev.count; e++) {
    const i = ev.idx[e]!;
    const p = ev.val[e]!;
    const ci = i % C;
    const pix = (i - ci) / C;
    const ix = pix % W;
    const iy = (pix - ix) / W;
    const g = Math.floor(ci / KI);
    const k = ci - g * KI;
    const co0 = g * coPerG;
    const co1 = co0 + coPerG;
    for (let ky = 0; ky < KH; ky++) {
      const ny = iy + pt - ky * dh;
      if (ny < 0) break;
      if (ny % sh !== 0) continue;
      const oy = ny / sh;
      if (oy >= OH) continue;
      for (let kx = 0; kx < KW; kx++) {
        const nx = ix + pl - kx * dw;
        if (nx < 0) break;
        if (nx % sw !== 0) continue;
        const ox = nx / sw;
        if (ox >= OW) continue;
        const base = (oy * OW + ox) * CO;
        const kb = ((ky * KW + kx) * KI + k) * CO;
        for (let co = co0; co < co1; co++) acc[base + co] += p * K[kb + co]!;
      }
    }
  }
}

export function runFixedEvent(model: FixedModel, input: StepInput, opts: FixedRunOptions = {}): FixedRun {
  const prep = prepareRun(model, input, opts);
  const { steps, columns, pops, maxDelay } = prep;
  const T = model.timesteps;
  const first = opts.fault === "drop-first-event" ? 1 : 0;
  // Ring of the last maxDelay + 2 steps of events per source: ring[n % R] = events of step n.
  const R = maxDelay + 2;
  const rings = new Map<string, Events[]>();
  for (const id of [model.input.id, ...pops.map((p) => p.pop.id)])
    rings.set(
      id,
      Array.from({ length: R }, () => NO_EVENTS),
    );
  const columnEvents = new Map<Int32Array, Events>();
  const acc = new Map<string, Float64Array>();
  for (const c of model.connections)
    acc.set(c.id, new Float64Array(populationSize(pops.find((p) => p.pop.id === c.to)!.pop)));
  for (let n = 1; n <= steps; n++) {
    let ev = NO_EVENTS;
    if (n - 1 < T) {
      const col = columns[n - 1]!;
      ev = columnEvents.get(col) ?? eventsOf(col);
      columnEvents.set(col, ev);
    }
    rings.get(model.input.id)![n % R] = ev;
    for (const pp of pops) {
      clearInputs(pp);
      for (const c of pp.incoming) {
        const src = n - 1 - c.delay;
        if (src < 1) continue;
        const e = rings.get(c.from)![src % R]!;
        if (e.count <= first) continue;
        const a = acc.get(c.id)!;
        const dst = portBuffer(pp, c);
        a.fill(0);
        if (c.synapse.kind === "dense" || c.synapse.kind === "diagonal") {
          if (c.synapse.kind === "dense") scatterDense(c.synapse, e, first, a);
          else scatterDiagonal(c.synapse, e, first, a);
          for (let o = 0; o < a.length; o++) if (a[o] !== 0) dst[o] += wrap32(weightExpShift(a[o]!, c.weightExp));
        } else {
          scatterConv(c.synapse, e, first, a);
          for (let o = 0; o < a.length; o++) if (a[o] !== 0) dst[o] += wrapSigned(a[o]!, 24);
        }
      }
      finishInputs(pp);
    }
    for (const pp of pops) {
      const { out, count } = stepPopulation(pp, n);
      rings.get(pp.pop.id)![n % R] = count ? eventsOf(out) : NO_EVENTS;
      recordStep(pp, n, out);
    }
  }
  return finishRun("event", prep);
}
