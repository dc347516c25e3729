/**
 * Threshold precision: a population shares one scale g (v_int = 64·g·h), and the neuron that
 * allows the smallest g sets it for all. When lower-thresholds has scaled neurons of very different
 * thresholds to one (MPBN per element), a few neurons with small thresholds — so large weights and
 * biases in threshold units — can leave the others only a few integer levels. This step splits
 * such a population into copies (docs/LOIHI-SEEDS.md §5): copy k holds the neurons of group k
 * (its other neurons get no input and no bias, so they never fire) and its own g; every reader
 * reads every copy with the same synapse. Exact: the copies' spikes are disjoint and sum to the
 * layer's. The cost is K× the layer's neurons (its synapses are only split).
 *
 * Per neuron, g_i is the largest scale its own weights (at its connections' exponents), bias and
 * one step's input allow (scales.ts, restricted to one neuron); groups are runs of neurons sorted by
 * log2 g_i, each taking the smallest g_i of its members, chosen to minimise the bits lost,
 * Σ_i log2(g_i / g_group), with at most 3 groups; a group is added only when it saves at least one
 * bit per neuron of the layer. A layer fed through a shared conv kernel is grouped by channel (a
 * group of neurons inside a channel would need the kernel expanded).
 */
import { size } from "../../ir/tensor.ts";
import { LAVA } from "../model/integer-model.ts";
import {
  biasMantissaMax,
  fixedExponent,
  payloadMax,
  payloadScale,
  planeShift,
  type QuantContext,
} from "./quantize-context.ts";
import { largestAbs, rowSumsOver } from "./row-sums.ts";
import { gLimit, minMax, rangeFor, rememberStepInput, weightsOf } from "./scales.ts";
import { currentFactor } from "./weights-biases.ts";
import type { RealConnection, RealPopulation, RealSynapse, SynapticForm } from "./synaptic-form.ts";

/** How a population was split (report). */
export interface ScaleSplit {
  id: string;
  /** The copies' ids and neuron counts. */
  parts: { id: string; neurons: number }[];
  by: "neuron" | "channel";
  /** Bits lost to the shared scale, averaged over the layer's neurons: one population, then the split. */
  bitsBefore: number;
  bitsAfter: number;
}

/** Per output neuron, the smallest and largest weight reaching it. */
function columnRange(s: RealSynapse, n: number): { lo: Float64Array; hi: Float64Array } {
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  if (s.kind === "diagonal") {
    for (let o = 0; o < n; o++) [lo[o], hi[o]] = [Math.min(0, s.weights[o]!), Math.max(0, s.weights[o]!)];
  } else if (s.kind === "dense") {
    for (let i = 0; i < s.inSize; i++)
      for (let o = 0; o < s.outSize; o++) {
        const w = s.weights[i * s.outSize + o]!;
        if (w < lo[o]!) lo[o] = w;
        if (w > hi[o]!) hi[o] = w;
      }
  } else {
    const CO = s.kernelShape[3];
    const l = new Float64Array(CO);
    const h = new Float64Array(CO);
    for (let b = 0; b < s.kernel.length; b += CO)
      for (let o = 0; o < CO; o++) {
        const w = s.kernel[b + o]!;
        if (w < l[o]!) l[o] = w;
        if (w > h[o]!) h[o] = w;
      }
    for (let o = 0; o < n; o++) [lo[o], hi[o]] = [l[o % CO]!, h[o % CO]!];
  }
  return { lo, hi };
}

/** g_i: the largest scale each neuron's own weights, bias and one step's input allow (∞ when nothing limits it). */
export function neuronScales(ctx: QuantContext, p: RealPopulation, all: RealConnection[]): Float64Array {
  const A = ctx.t.arithmetic;
  const n = size(p.shape);
  const g = new Float64Array(n).fill(Infinity);
  const conns = all.filter((c) => c.port !== "gain");
  for (const c of conns) {
    const [clo, chi] = minMax(weightsOf(c.synapse));
    const range = rangeFor(clo, chi, ctx.t);
    // two weight planes hold 2^P times the range at a fixed exponent
    const k = payloadScale(ctx, c.from) * 2 ** (fixedExponent(ctx, c) ? -planeShift(ctx, c) : A.weightExponentRange[1]);
    const { lo, hi } = columnRange(c.synapse, n);
    for (let i = 0; i < n; i++) g[i] = Math.min(g[i]!, gLimit(lo[i]!, hi[i]!, k, range));
  }
  const mant = biasMantissaMax(ctx.t);
  const bMax = ctx.opts.netx ? mant : mant * 2 ** (A.biasExponentRange[1] - A.activationShift);
  // a synaptic current gathers up to 1 / (1 − f) steps of input in u
  const uMax = (LAVA.uWrap / 2 ** A.activationShift - 1) * (1 - currentFactor(ctx, p));
  const a = rowSumsOver(
    conns,
    n,
    (c) => ((c.port === "gated" ? p.gainMax! : 1) * payloadMax(ctx, c.from)) / payloadScale(ctx, c.from),
  );
  rememberStepInput(ctx, p, conns, largestAbs(a));
  for (let i = 0; i < n; i++) {
    const b = Math.abs(p.bias[i]!);
    if (b > 0) g[i] = Math.min(g[i]!, bMax / b);
    const step = Math.max(a.pos[i]!, -a.neg[i]!);
    if (step > 0) g[i] = Math.min(g[i]!, uMax / step);
  }
  return g;
}

/** The common cap on g a population's threshold sets (as scales.ts). */
function thresholdCap(ctx: QuantContext, p: RealPopulation): number {
  if (p.kind === "atrlif") return LAVA.atrlifThetaMax / p.threshold;
  return Math.min(ctx.opts.vthCap ?? 2 ** 15, LAVA.vthMax) / p.threshold;
}

/**
 * Groups of units (neurons or channels) by log2 of their scales x (sorted ascending): the cut points
 * minimising Σ (x_i − x_first of its group) with up to `maxGroups` groups, each added only when it
 * saves `minGain` bits. Returns the group of each unit.
 */
export function scaleGroups(x: Float64Array, maxGroups: number, minGain: number): Int32Array {
  const order = Array.from(x.keys()).sort((a, b) => x[a]! - x[b]!);
  const xs = order.map((i) => x[i]!);
  const n = xs.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + xs[i]!;
  const cost = (a: number, b: number) => prefix[b]! - prefix[a]! - (b - a) * xs[a]!; // units a..b−1
  let cuts: number[] = [];
  let best = cost(0, n);
  for (let k = 2; k <= maxGroups; k++) {
    // the best k − 1 cuts given the previous ones: try every new cut (k ≤ 3: cheap enough)
    let trial: number[] | undefined;
    let trialCost = best;
    for (let c = 1; c < n; c++) {
      if (cuts.includes(c)) continue;
      const cs = [...cuts, c].sort((a, b) => a - b);
      const bounds = [0, ...cs, n];
      let t = 0;
      for (let j = 0; j + 1 < bounds.length; j++) t += cost(bounds[j]!, bounds[j + 1]!);
      if (t < trialCost) [trial, trialCost] = [cs, t];
    }
    if (!trial || best - trialCost < minGain) break;
    [cuts, best] = [trial, trialCost];
  }
  const group = new Int32Array(x.length);
  const bounds = [0, ...cuts, n];
  for (let j = 0; j + 1 < bounds.length; j++) for (let r = bounds[j]!; r < bounds[j + 1]!; r++) group[order[r]!] = j;
  return group;
}

/** `a` with the entries whose column (index mod `period`) `keep` leaves out set to 0. */
function maskColumns(a: Float64Array, keep: Uint8Array, period: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let b = 0; b < a.length; b += period)
    for (let o = 0; o < period && b + o < a.length; o++) if (keep[o]) out[b + o] = a[b + o]!;
  return out;
}

/**
 * A copy of a synapse into population p keeping only the neurons `keep` of p (a conv's: by output
 * channel), every other weight 0.
 */
export function maskInto(s: RealSynapse, keep: Uint8Array): RealSynapse {
  if (s.kind === "diagonal") return { ...s, weights: maskColumns(s.weights, keep, s.weights.length) };
  if (s.kind === "dense") return { ...s, weights: maskColumns(s.weights, keep, s.outSize) };
  // grouped by channel: keep[o] is the same for every neuron of channel o mod CO
  return { ...s, kernel: maskColumns(s.kernel, keep, s.kernelShape[3]) };
}

const allZero = (a: Float64Array): boolean => {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
  return true;
};

/** The synaptic form with the populations that gain from it split into copies of their own scale. */
export function splitScales(ctx: QuantContext, sf: SynapticForm): { sf: SynapticForm; splits: ScaleSplit[] } {
  if (ctx.opts.netx || ctx.opts.splitScales === false) return { sf, splits: [] };
  const splits: ScaleSplit[] = [];
  let populations = [...sf.populations];
  let connections = [...sf.connections];
  for (const p of sf.populations) {
    if (p.kind !== "lif" && p.kind !== "atrlif") continue;
    if (!(p.threshold > 0 && Number.isFinite(p.threshold))) continue;
    const into = connections.filter((c) => c.to === p.id);
    const n = size(p.shape);
    const C = p.shape[p.shape.length - 1]!;
    const byChannel = into.some((c) => c.synapse.kind === "conv") && p.shape.length === 3;
    const cap = thresholdCap(ctx, p);
    const gi = neuronScales(ctx, p, into);
    for (let i = 0; i < gi.length; i++) gi[i] = Math.log2(Math.min(gi[i]!, cap));
    const units = byChannel ? C : n;
    const x = new Float64Array(units).fill(Infinity);
    for (let i = 0; i < n; i++) x[byChannel ? i % C : i] = Math.min(x[byChannel ? i % C : i]!, gi[i]!);
    const finite = Array.from(x).filter(Number.isFinite);
    if (finite.length < 2) continue;
    const top = Math.max(...finite);
    const xc = Float64Array.from(x, (v) => (Number.isFinite(v) ? v : top));
    const per = n / units;
    const group = scaleGroups(xc, 3, units);
    const K = Math.max(...group) + 1;
    if (K < 2) continue;
    const gmin = new Float64Array(K).fill(Infinity);
    for (let u = 0; u < units; u++) gmin[group[u]!] = Math.min(gmin[group[u]!]!, xc[u]!);
    const lo = Math.min(...xc);
    let before = 0;
    let after = 0;
    for (let u = 0; u < units; u++) {
      before += per * (xc[u]! - lo);
      after += per * (xc[u]! - gmin[group[u]!]!);
    }
    const parts: ScaleSplit["parts"] = [];
    const copies: RealPopulation[] = [];
    const newConns: RealConnection[] = [];
    for (let k = 0; k < K; k++) {
      const keep = new Uint8Array(byChannel ? C : n);
      for (let u = 0; u < units; u++) keep[u] = group[u] === k ? 1 : 0;
      const at = (i: number) => keep[byChannel ? i % C : i]!;
      const id = `${p.id}_part${k + 1}`;
      const mask = (a: Float64Array) => (byChannel ? maskColumns(a, keep, C) : maskColumns(a, keep, n));
      const copy: RealPopulation = { ...p, id, source: p.source ?? p.id, bias: mask(p.bias) };
      delete copy.v0;
      delete copy.selfWeight;
      const nz = (a: Float64Array) => !allZero(a);
      if (p.v0 && nz(mask(p.v0))) copy.v0 = mask(p.v0);
      if (p.selfWeight && nz(mask(p.selfWeight))) copy.selfWeight = mask(p.selfWeight);
      copies.push(copy);
      let count = 0;
      for (let i = 0; i < n; i++) count += at(i);
      parts.push({ id, neurons: count });
      const keepN = byChannel ? keep : Uint8Array.from({ length: n }, (_, i) => at(i));
      for (const c of into) {
        const self = c.from === p.id;
        const synapse = maskInto(c.synapse, keepN);
        if (allZero(weightsOf(synapse))) continue; // a part its neurons do not need
        if (self && c.synapse.kind !== "diagonal") {
          // a recurrent synapse of the layer reads every copy (their spikes are disjoint and sum to the layer's)
          for (let j = 0; j < K; j++)
            newConns.push({ ...c, id: `${c.id}/part${k + 1}/${j + 1}`, from: `${p.id}_part${j + 1}`, to: id, synapse });
          continue;
        }
        newConns.push({
          ...c,
          id: `${c.id}/part${k + 1}`,
          from: self ? id : c.from,
          to: id,
          synapse,
        });
      }
    }
    // readers read every copy through the same synapse
    const readers = connections.filter((c) => c.from === p.id && c.to !== p.id);
    for (const c of readers) for (const q of copies) newConns.push({ ...c, id: `${c.id}/${q.id}`, from: q.id });
    connections = [...connections.filter((c) => c.to !== p.id && c.from !== p.id), ...newConns];
    populations = populations.flatMap((q) => (q.id === p.id ? copies : [q]));
    splits.push({
      id: p.id,
      parts,
      by: byChannel ? "channel" : "neuron",
      bitsBefore: before / n,
      bitsAfter: after / n,
    });
  }
  if (!splits.length) return { sf, splits };
  const outputs = sf.outputs.flatMap((o) => {
    const s = splits.find((x) => x.id === o);
    return s ? s.parts.map((q) => q.id) : [o];
  });
  return { sf: { ...sf, populations, connections, outputs }, splits };
}
