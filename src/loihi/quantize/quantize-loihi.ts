/**
 * quantize-loihi: the lowered float graph → the integer model of ir/fixed.ts, in Lava's fixed
 * point (LOIHI.md §1-3). Pure: graph + target description in, model + report out.
 *
 * 1. Synaptic form. Every neuron and readout becomes a population; the current reaching it is
 *    split into terms (source activation, chain of linear ops) through adds; each term becomes one
 *    connection: [flatten|reshape]* dense [reshape] → dense; conv → conv; sum-pool / unpadded
 *    avg-pool → depthwise conv; no op → identity; any other chain → its explicit [in, out] matrix
 *    (computed by applying the chain to unit inputs). Biases anywhere in the current, and the
 *    neuron's own, become the population's bias (the current evaluated at zero input).
 * 2. Time. depth(P) = max over its terms of depth(source) + 1 (input 0); a term from a shallower
 *    source gets delay depth(P) − depth(source) − 1 (synaptic delays, a target feature). Each
 *    population resets its state at step depth + 1, the first step its input carries the model's
 *    step 1 (Lava LIFReset), so the bias of the warm-up steps leaves nothing behind.
 * 3. Scale. Per population one factor g (integer synaptic units a per unit of float current),
 *    v_int = 64·g·h. The threshold fixes it exactly: θ·g = vth for `>`, θ·g = vth + 1/64 for `≥`
 *    (h ≥ θ ⇔ 64gh ≥ 64vth + 1 ⇔ v > vth·64, the integer form of h ≥ θ ⇔ h > θ − 1). vth is the
 *    largest integer for which every weight fits its sign mode's range (with weight exponent 0 on
 *    conv and on netx-bound dense synapses; other dense synapses pick their own exponent), the
 *    bias fits 13 bits and one step's |a|·64 cannot wrap u. Weights w_int = round(g·w / (s·2^e))
 *    (s: the source's payload scale), bias mantissa/exponent from 64·g·b, dv = round(4096(1 − τ)),
 *    du = 4095 (the seeds' single-state LIF clears its current every step). Readouts are
 *    integrators: du 4095, dv 0, vth at its maximum (never fires), decoded as v / (64g).
 * 4. Bounds. After rounding, the exact per-neuron sums of positive and negative weights bound
 *    |a|: the report warns, with the layer and the bound, wherever u could wrap, the conv sum could
 *    wrap at 24 bit, v could saturate within the run, or a readout could reach its threshold.
 * 5. State offsets (lower-state-offset: a neuron's v0 and selfWeight). The self weight becomes a
 *    one-to-one synapse from the population to itself; the initial state a synapse of τ·v0 from a
 *    pulse neuron that fires at step d (arriving at d + 1, the first aligned step, right after the
 *    warm-up zeroing); a self-recurrent population is inhibited at step d from the pulse of step
 *    d − 1 so that no warm-up spike rides its self-recurrence into step d + 1 (`offsetIntegers`);
 *    at depth 1 an initial v covers step 1 of the first sample, which no synapse reaches.
 */
import { windowGeometry } from "../../ir/conv-geometry.ts";
import { SnncError } from "../../ir/errors.ts";
import {
  LAVA,
  pulsePopulation,
  roundHalfAway,
  type ConvSynapse,
  type DenseSynapse,
  type DiagonalSynapse,
  type FixedConnection,
  type FixedInput,
  type FixedModel,
  type FixedPopulation,
} from "../model/integer-model.ts";
import type { Conv2DNode, Graph, IRNode, NeuronNode, Pads, PoolNode, ReadoutNode } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { broadcastTo, size } from "../../ir/tensor.ts";
import { addAll, conv2d, dense, pad2d, pool } from "../../sim/float-ops.ts";
import type { StepInput } from "../../sim/reference.ts";
import type { TargetSpec } from "../../target/target.ts";
import { fmt } from "../../passes/support/rewrite.ts";

// ---------------------------------------------------------------------------------------------
// 1. Synaptic form (real-valued)

export interface RealConv {
  kind: "conv";
  inShape: [number, number, number];
  outShape: [number, number, number];
  kernelShape: [number, number, number, number];
  kernel: Float64Array;
  strides: [number, number];
  pads: Pads;
  dilation: [number, number];
  groups: number;
}

export interface RealDense {
  kind: "dense";
  inSize: number;
  outSize: number;
  /** [in, out] */
  weights: Float64Array;
}

/** One synapse from neuron i of the source to neuron i of the target (a self-recurrence). */
export interface RealDiagonal {
  kind: "diagonal";
  size: number;
  weights: Float64Array;
}

export interface RealConnection {
  id: string;
  from: string;
  to: string;
  delay: number;
  synapse: RealConv | RealDense | RealDiagonal;
  /** How the chain became this synapse (report). */
  how: string;
  origin: string[];
}

export interface RealPopulation {
  id: string;
  kind: "lif" | "integrator";
  shape: number[];
  depth: number;
  /** Total constant current + neuron bias, per neuron. */
  bias: Float64Array;
  decay: number;
  threshold: number;
  fire: "gt" | "ge";
  readout?: { mode: "mean" | "sum" };
  /** A state offset's initial state (state units) and self-recurrent weight, per neuron (lower-state-offset). */
  v0?: Float64Array;
  selfWeight?: Float64Array;
}

/** A pulse neuron of the integer model: fires at the steps ≡ phase (mod runSteps) (ir/fixed.ts). */
export interface RealPulse {
  id: string;
  phase: number;
}

export interface SynapticForm {
  inputId: string;
  inputShape: number[];
  populations: RealPopulation[];
  connections: RealConnection[];
  outputs: string[];
  maxDepth: number;
  /** Pulses that state offsets need (the initial state at phase = depth), in phase order. */
  pulses: RealPulse[];
}

interface Term {
  source: string;
  /** Linear ops in application order (source first). */
  chain: IRNode[];
}

const LINEAR_OPS = new Set(["conv2d", "dense", "avgpool", "sumpool", "pad", "flatten", "reshape", "affine"]);

function termsOf(byId: Map<string, IRNode>, id: string, chain: IRNode[], pop: string): Term[] {
  const n = byId.get(id)!;
  if (n.op === "neuron" || n.op === "input") return [{ source: n.id, chain }];
  if (n.op === "add") return n.inputs.flatMap((i) => termsOf(byId, i, chain, pop));
  if (LINEAR_OPS.has(n.op)) return termsOf(byId, n.inputs[0]!, [n, ...chain], pop);
  throw new SnncError(
    "E_TARGET",
    `the current of '${pop}' passes through '${n.id}' (${n.op}), which has no synapse form on Loihi`,
    { layer: pop },
  );
}

/** Apply a chain's linear part (no biases, no shifts) to x of shape `shape`. */
function applyChain(
  chain: IRNode[],
  x: Float64Array,
  shape: number[],
  byId: Map<string, IRNode>,
  withBias: boolean,
): Float64Array {
  let y = x;
  let s = shape;
  for (const n of chain) {
    switch (n.op) {
      case "conv2d":
        y = conv2d(y, s, withBias ? n : { ...n, bias: undefined });
        break;
      case "dense":
        y = dense(y, n.kernel, withBias ? n.bias : undefined);
        break;
      case "avgpool":
        y = pool(y, s, "avg", n.pool, n.strides, n.padding);
        break;
      case "sumpool":
        y = pool(y, s, "sum", n.pool, n.strides, n.padding);
        break;
      case "pad":
        y = pad2d(y, s, n.pads);
        break;
      case "flatten":
      case "reshape":
        break;
      case "affine": {
        const sc = broadcastTo(n.scale, n.shape!);
        const sh = broadcastTo(n.shift, n.shape!);
        y = Float64Array.from(y, (v, i) => sc[i]! * v + (withBias ? sh[i]! : 0));
        break;
      }
      default:
        throw new RangeError(`applyChain: ${n.op}`);
    }
    s = byId.get(n.id)!.shape!;
  }
  return y;
}

/** The current reaching `id` when every source emits 0: the constant (bias) part. */
function zeroCurrent(byId: Map<string, IRNode>, id: string): Float64Array {
  const n = byId.get(id)!;
  if (n.op === "neuron" || n.op === "input") return new Float64Array(size(n.shape!));
  if (n.op === "add") return addAll(n.inputs.map((i) => zeroCurrent(byId, i)));
  const x = zeroCurrent(byId, n.inputs[0]!);
  return applyChain([n], x, byId.get(n.inputs[0]!)!.shape!, byId, true);
}

function isPoolUnpadded(p: PoolNode, s: number[]): boolean {
  return windowGeometry(s[0]!, s[1]!, {
    kernel: p.pool,
    strides: p.strides,
    dilation: [1, 1],
    padding: p.padding,
  }).pads.every((x) => x === 0);
}

/** One term → one synapse. */
function synapseOf(
  t: Term,
  srcShape: number[],
  dstShape: number[],
  byId: Map<string, IRNode>,
): { syn: RealConv | RealDense; how: string } {
  const ops = t.chain.filter((n) => n.op !== "flatten" && n.op !== "reshape");
  const O = size(dstShape);
  const I = size(srcShape);
  const conv3 = (s: number[]) => s.length === 3;
  if (ops.length === 1 && ops[0]!.op === "dense") {
    return {
      syn: { kind: "dense", inSize: I, outSize: O, weights: new Float64Array(ops[0]!.kernel.data) },
      how: "dense",
    };
  }
  if (ops.length === 1 && ops[0]!.op === "conv2d" && t.chain.length === 1 && conv3(srcShape) && conv3(dstShape)) {
    const c = ops[0] as Conv2DNode;
    const [kh, kw] = c.kernel.shape as [number, number];
    const pads = windowGeometry(srcShape[0]!, srcShape[1]!, {
      kernel: [kh, kw],
      strides: c.strides,
      dilation: c.dilation,
      padding: c.padding,
    }).pads;
    return {
      syn: {
        kind: "conv",
        inShape: srcShape as [number, number, number],
        outShape: dstShape as [number, number, number],
        kernelShape: c.kernel.shape as [number, number, number, number],
        kernel: new Float64Array(c.kernel.data),
        strides: [...c.strides],
        pads,
        dilation: [...c.dilation],
        groups: c.groups,
      },
      how: "conv",
    };
  }
  if (
    ops.length === 1 &&
    t.chain.length === 1 &&
    (ops[0]!.op === "sumpool" || (ops[0]!.op === "avgpool" && isPoolUnpadded(ops[0] as PoolNode, srcShape))) &&
    conv3(srcShape)
  ) {
    const p = ops[0] as PoolNode;
    const C = srcShape[2]!;
    const w = p.op === "avgpool" ? 1 / (p.pool[0] * p.pool[1]) : 1;
    const pads = windowGeometry(srcShape[0]!, srcShape[1]!, {
      kernel: p.pool,
      strides: p.strides,
      dilation: [1, 1],
      padding: p.padding,
    }).pads;
    return {
      syn: {
        kind: "conv",
        inShape: srcShape as [number, number, number],
        outShape: dstShape as [number, number, number],
        kernelShape: [p.pool[0], p.pool[1], 1, C],
        kernel: new Float64Array(p.pool[0] * p.pool[1] * C).fill(w),
        strides: [...p.strides],
        pads,
        dilation: [1, 1],
        groups: C,
      },
      how: `${p.op === "avgpool" ? "avg" : "sum"}-pool as a depthwise conv`,
    };
  }
  if (ops.length === 0 && I === O) {
    if (conv3(srcShape) && conv3(dstShape)) {
      const C = srcShape[2]!;
      return {
        syn: {
          kind: "conv",
          inShape: srcShape as [number, number, number],
          outShape: dstShape as [number, number, number],
          kernelShape: [1, 1, 1, C],
          kernel: new Float64Array(C).fill(1),
          strides: [1, 1],
          pads: [0, 0, 0, 0],
          dilation: [1, 1],
          groups: C,
        },
        how: "identity (1×1 depthwise conv)",
      };
    }
    const w = new Float64Array(I * O);
    for (let i = 0; i < I; i++) w[i * O + i] = 1;
    return { syn: { kind: "dense", inSize: I, outSize: O, weights: w }, how: "identity" };
  }
  // General chain: its explicit matrix.
  const w = new Float64Array(I * O);
  const e = new Float64Array(I);
  for (let i = 0; i < I; i++) {
    e.fill(0);
    e[i] = 1;
    const y = applyChain(t.chain, e, srcShape, byId, false);
    for (let o = 0; o < O; o++) w[i * O + o] = y[o]!;
  }
  return {
    syn: { kind: "dense", inSize: I, outSize: O, weights: w },
    how: `explicit synapses of ${t.chain.map((n) => n.op).join(" → ")}`,
  };
}

/** The id of the pulse of `phase`: "pulse_<phase>", made unique against the graph's node ids. */
export function pulseName(g: Graph, phase: number): string {
  let id = `pulse_${phase}`;
  while (g.nodes.some((n) => n.id === id)) id = `_${id}`;
  return id;
}

export function synapticForm(g0: Graph, target: TargetSpec): SynapticForm {
  const g = inferShapes(g0);
  const byId = new Map(g.nodes.map((n) => [n.id, n] as const));
  const input = g.nodes.find((n) => n.op === "input")!;
  const depth = new Map<string, number>([[input.id, 0]]);
  const populations: RealPopulation[] = [];
  const connections: RealConnection[] = [];
  const phases = new Set<number>();
  const pulseId = (phase: number) => pulseName(g, phase);
  for (const n of g.nodes) {
    if (n.op !== "neuron" && n.op !== "readout") continue;
    const terms = termsOf(byId, n.inputs[0]!, [], n.id);
    let d = 0;
    for (const t of terms) {
      const sd = depth.get(t.source);
      if (sd === undefined)
        throw new SnncError("E_TARGET", `source '${t.source}' of '${n.id}' is not a population`, { layer: n.id });
      d = Math.max(d, sd + 1);
    }
    depth.set(n.id, d);
    const S = n.shape!;
    const bias = zeroCurrent(byId, n.inputs[0]!);
    let pop: RealPopulation;
    if (n.op === "neuron") {
      const th = broadcastTo((n as NeuronNode).threshold, S);
      if (!th.every((v) => Object.is(v, th[0]))) {
        throw new SnncError(
          "E_TARGET",
          `threshold varies within the layer: run lower-thresholds first (Lava's LIF has one vth per population)`,
          { layer: n.id, param: "v_threshold" },
        );
      }
      const gain = broadcastTo(n.gain, S);
      if (!gain.every((v) => v === 1))
        throw new SnncError("E_TARGET", `neuron input gain ≠ 1: run lower-gain first`, { layer: n.id, param: "gain" });
      const nn = n as NeuronNode;
      if (nn.vReset.data.some((v) => v !== 0) || (Number.isFinite(th[0]!) && th[0]! < 0)) {
        throw new SnncError(
          "E_TARGET",
          `v_reset ≠ 0 or a threshold < 0: run lower-state-offset first (Lava's LIF resets to 0 and compares with vth ≥ 0)`,
          { layer: n.id, param: "v_reset" },
        );
      }
      const nb = broadcastTo(n.bias, S);
      for (let i = 0; i < bias.length; i++) bias[i] = bias[i]! + nb[i]!;
      pop = { id: n.id, kind: "lif", shape: S, depth: d, bias, decay: n.decay, threshold: th[0]!, fire: n.fire };
      const nz = (t: Float64Array) => t.some((v) => v !== 0);
      if (nn.v0 && nz(broadcastTo(nn.v0, S))) pop.v0 = broadcastTo(nn.v0, S);
      if (nn.selfWeight && nz(broadcastTo(nn.selfWeight, S))) pop.selfWeight = broadcastTo(nn.selfWeight, S);
    } else {
      pop = {
        id: n.id,
        kind: "integrator",
        shape: S,
        depth: d,
        bias,
        decay: 1,
        threshold: Infinity,
        fire: "gt",
        readout: { mode: (n as ReadoutNode).mode },
      };
    }
    populations.push(pop);
    const ids = new Map<string, number>();
    for (const t of terms) {
      const lin = [...t.chain].reverse().find((x) => x.op !== "flatten" && x.op !== "reshape");
      const base = lin?.id ?? `${t.source}→${n.id}`;
      ids.set(base, (ids.get(base) ?? 0) + 1);
    }
    for (const t of terms) {
      const lin = [...t.chain].reverse().find((x) => x.op !== "flatten" && x.op !== "reshape");
      const base = lin?.id ?? `${t.source}→${n.id}`;
      const id = ids.get(base)! > 1 ? `${base}/${t.source}` : base;
      const delay = d - depth.get(t.source)! - 1;
      if (delay > 0) {
        if (!target.features.delays) {
          throw new SnncError(
            "E_TARGET",
            `'${n.id}' reads '${t.source}' (${delay} synaptic step${delay > 1 ? "s" : ""} shallower than its other inputs): aligning the branches needs synaptic delays, which ${target.name} does not have`,
            { layer: n.id },
          );
        }
        const max = target.arithmetic.delayRange![1];
        if (delay > max)
          throw new SnncError(
            "E_TARGET",
            `'${n.id}' needs a delay of ${delay} steps on its input from '${t.source}'; ${target.name} allows up to ${max}`,
            { layer: n.id },
          );
      }
      const { syn, how } = synapseOf(t, byId.get(t.source)!.shape!, S, byId);
      connections.push({ id, from: t.source, to: n.id, delay, synapse: syn, how, origin: t.chain.map((x) => x.id) });
    }
    // a state offset: the reset value through a self-recurrent synapse, the initial state from a pulse
    if (pop.selfWeight) {
      phases.add(d - 1); // the warm-up inhibition (quantize-loihi)
      connections.push({
        id: `${n.id}/self`,
        from: n.id,
        to: n.id,
        delay: 0,
        synapse: { kind: "diagonal", size: size(S), weights: pop.selfWeight },
        how: "self-recurrent: reset value τ·R one step after a spike",
        origin: [n.id],
      });
    }
    if (pop.v0) {
      const w = Float64Array.from(pop.v0, (v) => pop.decay * v);
      connections.push({
        id: `${n.id}/init`,
        from: pulseId(d),
        to: n.id,
        delay: 0,
        synapse: { kind: "dense", inSize: 1, outSize: size(S), weights: w },
        how: `initial state: τ·δ at step ${d + 1} (pulse at step ${d})`,
        origin: [n.id],
      });
      phases.add(d);
    }
  }
  const outputs = g.outputs.map((o) => {
    const n = byId.get(o)!;
    if (n.op === "neuron" || n.op === "readout") return o;
    throw new SnncError("E_TARGET", `model output '${o}' (${n.op}) is not a neuron or readout layer`, { layer: o });
  });
  const pulses = [...phases].sort((a, b) => a - b).map((phase) => ({ id: pulseId(phase), phase }));
  return {
    inputId: input.id,
    inputShape: input.shape!,
    populations,
    connections,
    outputs,
    maxDepth: Math.max(0, ...populations.map((p) => p.depth)),
    pulses,
  };
}

// ---------------------------------------------------------------------------------------------
// 2.-4. Quantisation

export interface QuantizeOptions {
  /** Constrain to what netx can carry: weight exponent 0 on dense synapses, bias exponent 6. */
  netx: boolean;
  /** Largest |x| of analog inputs (direct encoding). */
  inputRange?: number;
  /** True when analog inputs can be negative. */
  inputSigned?: boolean;
  /** Where the input range came from (report). */
  inputRangeFrom?: "calibration" | "default";
  /** Cap on vth (threshold mantissa) to keep headroom below saturation (default 2^15). */
  vthCap?: number;
}

export interface PopulationQuant {
  id: string;
  kind: "lif" | "integrator" | "pulse";
  neurons: number;
  depth: number;
  /** Integer synaptic units per unit of float current. */
  g: number;
  vth: number;
  du: number;
  dv: number;
  /** The decay the integers implement: 1 − dv/4096. */
  tauQ: number;
  tau: number;
  biasExp: number;
  /** max |b_int/(64g) − b| over neurons. */
  biasMaxAbsErr: number;
  /** Which constraint set g. */
  limitedBy: string;
  connections: {
    id: string;
    from: string;
    how: string;
    kind: "dense" | "conv" | "diagonal";
    weightExp: number;
    delay: number;
    maxAbsInt: number;
    relErr: number;
    clipped: number;
    synapses: number;
  }[];
  /** Bounds of one step's synaptic input a (integer units). */
  aMax: number;
  aMin: number;
}

/** How a state offset became integers (one per population that has one). */
export interface OffsetQuant {
  id: string;
  depth: number;
  /** The initial state: weights τ·δ from the pulse at step `depth`, arriving at step depth + 1. */
  init?: { pulse: string; maxAbsInt: number; weightExp: number };
  /** The self-recurrent synapse τ·R. */
  self?: { maxAbsInt: number; weightExp: number };
  /**
   * The warm-up inhibition: from the pulse at step depth − 1 (0: the last step of the previous
   * sample), as large as the most its population sources and its bias can add at step depth, so
   * that the self-recurrence carries no warm-up spike into the first aligned step.
   */
  inhibit?: {
    pulse: string;
    connections: number;
    weightExp: number;
    maxInt: number;
    maxInhibition: number;
    headroom: number;
  };
  /** Depth 1: neurons whose bias alone would cross the threshold at step 1 of the first sample, held below by an initial v. */
  firstStepV0: number;
}

export interface QuantizeResult {
  model: FixedModel;
  populations: PopulationQuant[];
  warnings: string[];
  notes: string[];
  offsets: OffsetQuant[];
}

function minMax(a: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of a) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return a.length ? [lo, hi] : [0, 0];
}

/** The integer range of a weight matrix with these signs (netx/Lava sign modes, LOIHI.md §3). */
function rangeFor(lo: number, hi: number, t: TargetSpec): [number, number] {
  const r = t.arithmetic.weightRanges;
  if (lo >= 0) return r.excitatory;
  if (hi <= 0) return [r.inhibitory[0], 0];
  return r.mixed;
}

/** Largest g with lo·g/k ≥ rlo and hi·g/k ≤ rhi. */
function gLimit(lo: number, hi: number, k: number, range: [number, number]): number {
  let g = Infinity;
  if (hi > 0) g = Math.min(g, (range[1] * k) / hi);
  if (lo < 0) g = Math.min(g, (range[0] * k) / lo);
  return g;
}

/** Per output neuron: Σ max(w,0)·xmax and Σ min(w,0)·xmax of a real synapse (float units). */
function rowSums(s: RealConv | RealDense | RealDiagonal, xmax: number): { pos: Float64Array; neg: Float64Array } {
  if (s.kind === "diagonal") {
    return {
      pos: Float64Array.from(s.weights, (w) => Math.max(w * xmax, 0)),
      neg: Float64Array.from(s.weights, (w) => Math.min(w * xmax, 0)),
    };
  }
  if (s.kind === "dense") {
    const pos = new Float64Array(s.outSize);
    const neg = new Float64Array(s.outSize);
    for (let i = 0; i < s.inSize; i++) {
      for (let o = 0; o < s.outSize; o++) {
        const w = s.weights[i * s.outSize + o]! * xmax;
        if (w > 0) pos[o] += w;
        else neg[o] += w;
      }
    }
    return { pos, neg };
  }
  // conv: per output channel, all taps (interior neuron: the worst case)
  const [, , KI, CO] = s.kernelShape;
  const pos = new Float64Array(CO);
  const neg = new Float64Array(CO);
  for (let i = 0; i < s.kernel.length; i++) {
    const w = s.kernel[i]! * xmax;
    if (w > 0) pos[i % CO] += w;
    else neg[i % CO] += w;
  }
  void KI;
  return { pos, neg };
}

/** The weight values of a synapse, whatever its form. */
function weightsOf(s: RealConv | RealDense | RealDiagonal): Float64Array {
  return s.kind === "conv" ? s.kernel : s.weights;
}

function maxOf(a: Float64Array): number {
  let m = 0;
  for (const v of a) if (v > m) m = v;
  return m;
}

function minOfArr(a: Float64Array): number {
  let m = 0;
  for (const v of a) if (v < m) m = v;
  return m;
}

export function quantizeSynapticForm(
  sf: SynapticForm,
  t: TargetSpec,
  meta: { name: string; timesteps: number; encoding: "direct" | "spikes" },
  opts: QuantizeOptions,
): QuantizeResult {
  const A = t.arithmetic;
  const warnings: string[] = [];
  const notes: string[] = [];
  const T = meta.timesteps;
  const runSteps = T + sf.maxDepth;
  // Input
  let input: FixedInput;
  if (meta.encoding === "spikes") {
    input = {
      id: sf.inputId,
      shape: sf.inputShape,
      kind: "binary",
      messageBits: 0,
      scale: 1,
      min: 0,
      max: 1,
      encoding: "spikes",
    };
    notes.push(`input '${sf.inputId}': binary spikes, one column per step`);
  } else {
    if (!t.features.gradedSpikes || A.inputMessageBits === 0) {
      throw new SnncError(
        "E_TARGET",
        `the model's input is analog (direct encoding) and ${t.name} takes binary spikes only (no graded spikes): encode the input as spikes (encoding "spikes") or compile for loihi2`,
        { layer: sf.inputId },
      );
    }
    const bits = A.inputMessageBits;
    const range = opts.inputRange ?? 1;
    if (!(range > 0) || !Number.isFinite(range))
      throw new SnncError("E_USAGE", `input range ${range} must be a positive number`);
    const signed = opts.inputSigned ?? false;
    const qmax = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
    input = {
      id: sf.inputId,
      shape: sf.inputShape,
      kind: "graded",
      messageBits: bits,
      scale: qmax / range,
      min: signed ? -qmax : 0,
      max: qmax,
      encoding: "direct",
    };
  }
  const payloadScale = (id: string) => (id === sf.inputId ? input.scale : 1);
  const payloadMax = (id: string) => (id === sf.inputId ? Math.max(Math.abs(input.min), input.max) : 1);
  const inc = new Map<string, RealConnection[]>(sf.populations.map((p) => [p.id, []]));
  for (const c of sf.connections) inc.get(c.to)!.push(c);

  const populations: FixedPopulation[] = [];
  const connections: FixedConnection[] = [];
  const stats: PopulationQuant[] = [];
  const vthCap = Math.min(opts.vthCap ?? 2 ** 15, LAVA.vthMax);
  const [eMin, eMax] = A.weightExponentRange;
  const biasMantMax = 2 ** (A.biasMantissaBits - 1) - 1;

  const fixedExp = (c: RealConnection) => c.synapse.kind === "conv" || opts.netx;
  const pulseIds = new Set(sf.pulses.map((x) => x.id));
  const pulseOf = (phase: number) => sf.pulses.find((x) => x.phase === phase)!.id;
  const offsets: OffsetQuant[] = [];

  /**
   * The integer side of a state offset of population p (already quantised, its connections in
   * `connections`): the warm-up inhibition for a self-recurrent population, and at depth 1 the
   * initial v that keeps step 1 of the first sample (which no synapse can reach) below threshold.
   *
   * Why the inhibition: p zeroes u and v at step d + 1 (LIFReset) but its self-recurrent synapse
   * then delivers what p emitted at step d, a warm-up step. After any update v ≤ vth·64 (else it
   * spiked and became 0), and the decay never raises a v ≤ vth·64 above it; so at step d,
   * v = decay(v) + a·64 + bias stays ≤ vth·64 whenever a·64 + bias ≤ 0. An inhibition X_i at step d
   * with X_i ≥ (the most p's population sources can deliver to neuron i) + ⌈bias_i / 64⌉ makes
   * that hold for every input and every earlier sample, and X_i − (their most negative) < 2^17
   * keeps a·64 from wrapping u. Input synapses deliver nothing at step d (the input's step 0).
   */
  const offsetIntegers = (
    p: RealPopulation,
    fp: FixedPopulation,
    cstats: PopulationQuant["connections"],
  ): OffsetQuant => {
    const n = size(p.shape);
    const o: OffsetQuant = { id: p.id, depth: p.depth, firstStepV0: 0 };
    const init = cstats.find((c) => c.id === `${p.id}/init`);
    if (init) o.init = { pulse: pulseOf(p.depth), maxAbsInt: init.maxAbsInt, weightExp: init.weightExp };
    const self = connections.find((c) => c.to === p.id && c.from === p.id);
    if (!self) return o;
    const st = cstats.find((c) => c.id === self.id)!;
    o.self = { maxAbsInt: st.maxAbsInt, weightExp: st.weightExp };
    const garbage = connections.filter((c) => c.to === p.id && c.from !== sf.inputId && !pulseIds.has(c.from));
    const r = integerRowSums(garbage, n, () => 1);
    const bias = Int32Array.from(fp.biasMant, (b) => b * 2 ** fp.biasExp);
    const act = 2 ** A.activationShift;
    // only the neurons with a self weight: the warm-up spikes of the others reach nothing that counts
    const sw = (self.synapse as DiagonalSynapse).weights;
    const need = Float64Array.from(r.pos, (x, i) => (sw[i] === 0 ? 0 : Math.max(0, x + Math.ceil(bias[i]! / act))));
    const maxNeed = maxOf(need);
    if (maxNeed > 0) {
      const wMax = -t.arithmetic.weightRanges.inhibitory[0];
      let e = 0;
      while (e < eMax && Math.ceil(maxNeed / 2 ** e) > wMax) e++;
      const k = Math.ceil(maxNeed / (wMax * 2 ** e));
      const w = Int32Array.from(need, (x) => -Math.ceil(x / (k * 2 ** e)));
      let headroom = Infinity;
      let maxX = 0;
      for (let i = 0; i < n; i++) {
        const X = -w[i]! * k * 2 ** e;
        maxX = Math.max(maxX, X);
        headroom = Math.min(headroom, LAVA.uWrap / act - 1 - (X - r.neg[i]!));
      }
      const pulse = pulseOf(p.depth - 1);
      for (let j = 0; j < k; j++) {
        const id = k === 1 ? `${p.id}/inhibit` : `${p.id}/inhibit${j + 1}`;
        connections.push({
          id,
          from: pulse,
          to: p.id,
          delay: 0,
          weightExp: e,
          synapse: { kind: "dense", inSize: 1, outSize: n, weights: w },
          origin: [p.id],
        });
        let nz = 0;
        for (const x of w) if (x !== 0) nz++;
        cstats.push({
          id,
          from: pulse,
          how: `warm-up inhibition at step ${p.depth} (pulse at step ${p.depth - 1 || runSteps})`,
          kind: "dense",
          weightExp: e,
          delay: 0,
          maxAbsInt: -minOfArr(Float64Array.from(w)),
          relErr: 0,
          clipped: 0,
          synapses: nz,
        });
      }
      o.inhibit = {
        pulse,
        connections: k,
        weightExp: e,
        maxInt: -minOfArr(Float64Array.from(w)),
        maxInhibition: maxX,
        headroom,
      };
      if (headroom < 0) {
        warnings.push(
          `layer '${p.id}': the warm-up inhibition (up to ${maxX}) together with its most negative input could wrap u at step ${p.depth}; the first aligned step may then carry a warm-up spike`,
        );
      }
    }
    if (p.depth === 1) {
      // step 1 of the first sample: nothing arrives (no step 0), v = decay(v0) + bias
      const f = LAVA.decayUnity - fp.dv;
      const lim = fp.vth * 2 ** A.vthShift;
      let v0: Int32Array | undefined;
      for (let i = 0; i < n; i++) {
        const m = bias[i]! - lim;
        if (m <= 0) continue;
        let x = Math.ceil((m * LAVA.decayUnity) / f);
        while (Math.floor((x * f) / LAVA.decayUnity) < m) x++;
        if (x > LAVA.vMax) {
          throw new SnncError(
            "E_TARGET",
            `neuron ${i}: its bias alone (${bias[i]}) crosses the threshold (${lim}) at the first step, and with τ_int = ${fmt(f / LAVA.decayUnity)} no initial v within 24 bits holds it below; a shifted state cannot start there`,
            { layer: p.id, param: "v0" },
          );
        }
        v0 ??= new Int32Array(n);
        v0[i] = -x;
        o.firstStepV0++;
      }
      if (v0) fp.v0 = v0;
    }
    return o;
  };

  /** The scale g of population p: the largest the limits allow that makes the threshold an integer. */
  const chooseG = (p: RealPopulation, conns: RealConnection[], skipWeightsOf?: string) => {
    const n = size(p.shape);
    const limits: [string, number][] = [];
    for (const c of conns) {
      if (c.id === skipWeightsOf) continue;
      const w = weightsOf(c.synapse);
      const [lo, hi] = minMax(w);
      // fixed exponent 0; otherwise the connection picks its own, up to the largest
      if (fixedExp(c)) limits.push([`weights of '${c.id}'`, gLimit(lo, hi, payloadScale(c.from), rangeFor(lo, hi, t))]);
      else
        limits.push([
          `weights of '${c.id}' at exponent ${eMax}`,
          gLimit(lo, hi, payloadScale(c.from) * 2 ** eMax, rangeFor(lo, hi, t)),
        ]);
    }
    let bmax = 0;
    for (const b of p.bias) bmax = Math.max(bmax, Math.abs(b));
    if (bmax > 0)
      limits.push([
        "bias",
        opts.netx ? biasMantMax / bmax : (biasMantMax * 2 ** (A.biasExponentRange[1] - A.activationShift)) / bmax,
      ]);
    // one step's |a|·64 must not wrap u (2^23): float bound of Σ|w|·x per neuron
    const aPos = new Float64Array(n);
    const aNeg = new Float64Array(n);
    for (const c of conns) {
      const { pos, neg } = rowSums(c.synapse, payloadMax(c.from) / payloadScale(c.from));
      for (let i = 0; i < n; i++) {
        aPos[i] += pos[pos.length === n ? i : i % pos.length]!;
        aNeg[i] += neg[neg.length === n ? i : i % neg.length]!;
      }
    }
    const aAbs = Math.max(maxOf(aPos), -minOfArr(aNeg));
    if (aAbs > 0) limits.push(["one step's input (u must not wrap)", (LAVA.uWrap / 2 ** A.activationShift - 1) / aAbs]);
    // a self-recurrent population is held below its threshold at its last warm-up step by an
    // inhibition as large as anything its population sources may deliver then (plus its bias);
    // the whole swing must not wrap u (with a tenth of slack for rounding the weights up)
    if (p.selfWeight) {
      const swing = new Float64Array(n);
      for (const c of conns) {
        if (c.from === sf.inputId || pulseIds.has(c.from)) continue;
        const { pos, neg } = rowSums(c.synapse, 1);
        for (let i = 0; i < n; i++)
          swing[i] += pos[pos.length === n ? i : i % pos.length]! - neg[neg.length === n ? i : i % neg.length]!;
      }
      for (let i = 0; i < n; i++) swing[i] += Math.max(p.bias[i]!, 0);
      const m = maxOf(swing);
      if (m > 0)
        limits.push(["warm-up inhibition (u must not wrap)", (0.9 * (LAVA.uWrap / 2 ** A.activationShift - 1)) / m]);
    }
    let g: number;
    let vth: number;
    let warning: string | undefined;
    if (p.kind === "integrator") {
      // v = Σ (a·64 + bias) over the run must stay below vth_max·64: never fires, never saturates
      const perStep = aAbs + bmax;
      if (perStep > 0)
        limits.push([
          "readout range over the run",
          (LAVA.vthMax * 2 ** A.vthShift - 1) / (2 ** A.activationShift * runSteps * perStep),
        ]);
      g = Math.min(...limits.map((l) => l[1]));
      if (!Number.isFinite(g)) g = 1;
      vth = LAVA.vthMax;
    } else if (p.threshold === Infinity || p.threshold === -Infinity) {
      g = 0;
      vth = p.threshold === Infinity ? LAVA.vthMax : 0;
    } else if (p.threshold === 0) {
      g = Math.min(...limits.map((l) => l[1]));
      if (!Number.isFinite(g)) g = 1;
      vth = 0;
    } else {
      limits.push(["threshold mantissa cap", vthCap / p.threshold]);
      const gmax = Math.min(...limits.map((l) => l[1]));
      const ge = p.fire === "ge" ? 1 / 2 ** A.vthShift : 0;
      vth = Math.floor(gmax * p.threshold - ge);
      if (vth < 1) {
        vth = 1;
        warning = `layer '${p.id}': the weights are large against the threshold (θ = ${fmt(p.threshold)}): even vth = 1 needs g = ${fmt((1 + ge) / p.threshold)} > ${fmt(gmax)} allowed by ${limits.reduce((a, b) => (b[1] < a[1] ? b : a))[0]}; weights beyond the range are clipped`;
      }
      g = (vth + ge) / p.threshold;
    }
    const limitedBy = limits.length ? limits.reduce((a, b) => (b[1] < a[1] ? b : a))[0] : "nothing";
    return { g, vth, limitedBy, warning };
  };

  // Analog input: when the one layer reading it is limited by something other than those weights
  // (typically its bias, 13 bits at exponent 6 under netx), split the precision between payload
  // levels L and weight levels K/L evenly (L ≈ √K), instead of 8-bit payloads and coarse weights.
  const inputReaders = sf.connections.filter((c) => c.from === sf.inputId);
  if (input.kind === "graded" && inputReaders.length === 1) {
    const c = inputReaders[0]!;
    const p = sf.populations.find((x) => x.id === c.to)!;
    const first = chooseG(p, inc.get(p.id)!);
    if (first.g > 0 && first.limitedBy !== `weights of '${c.id}'`) {
      const free = chooseG(p, inc.get(p.id)!, c.id);
      const w = weightsOf(c.synapse);
      const [lo, hi] = minMax(w);
      const range = rangeFor(lo, hi, t);
      const qmax = Math.max(input.max, -input.min);
      const xr = qmax / input.scale; // the analog range
      // payload levels L give weights w_int = g·w·xr/L: L ≥ Lmin keeps them in range; L = √(g·xr·max|w|) balances both
      const Lmin = Math.ceil(free.g * xr * Math.max(hi > 0 ? hi / range[1] : 0, lo < 0 ? lo / range[0] : 0));
      const L = Math.min(qmax, Math.max(Lmin, 1, Math.floor(Math.sqrt(free.g * xr * Math.max(hi, -lo)))));
      if (L < qmax) {
        input.scale = L / xr;
        input.max = L;
        if (input.min < 0) input.min = -L;
      }
    }
  }
  if (input.kind === "graded") {
    const xr = Math.max(input.max, -input.min) / input.scale;
    const from =
      opts.inputRangeFrom === "calibration"
        ? "from the calibration inputs"
        : "assumed: no calibration inputs were given";
    notes.push(
      `input '${sf.inputId}': analog x in [${input.min < 0 ? fmt(-xr) : 0}, ${fmt(xr)}] (${from}), as ${input.messageBits}-bit graded spikes q = round(x·${fmt(input.scale)}), clipped to [${input.min}, ${input.max}] (${input.max - input.min + 1} levels), the same sample at each of the ${T} steps`,
    );
  }

  for (const p of sf.populations) {
    const n = size(p.shape);
    const conns = inc.get(p.id)!;
    const { g, vth, limitedBy, warning } = chooseG(p, conns);
    if (warning) warnings.push(warning);
    // --- weights
    const cstats: PopulationQuant["connections"] = [];
    for (const c of conns) {
      const s = payloadScale(c.from);
      const w = weightsOf(c.synapse);
      const [lo, hi] = minMax(w);
      const range = rangeFor(lo, hi, t);
      let e = 0;
      if (!fixedExp(c) && g > 0 && (lo < 0 || hi > 0)) {
        // smallest exponent that fits: the finest weights
        e = eMax;
        for (let k = eMin; k <= eMax; k++) {
          if (gLimit(lo, hi, s * 2 ** k, range) >= g) {
            e = k;
            break;
          }
        }
      }
      const k = s * 2 ** e;
      const q = new Int32Array(w.length);
      let clipped = 0;
      let maxAbsInt = 0;
      let errMax = 0;
      let wAbsMax = 0;
      for (let i = 0; i < w.length; i++) {
        let v = roundHalfAway((g * w[i]!) / k);
        if (v < range[0] || v > range[1]) {
          v = v < range[0] ? range[0] : range[1];
          clipped++;
        }
        q[i] = v;
        maxAbsInt = Math.max(maxAbsInt, Math.abs(v));
        wAbsMax = Math.max(wAbsMax, Math.abs(w[i]!));
        if (g > 0) errMax = Math.max(errMax, Math.abs((v * k) / g - w[i]!));
      }
      if (clipped)
        warnings.push(
          `layer '${p.id}': ${clipped} weight${clipped > 1 ? "s" : ""} of '${c.id}' clipped to [${range.join(", ")}]`,
        );
      let nz = 0;
      for (const v of q) if (v !== 0) nz++;
      const cs = c.synapse;
      const synapse: DenseSynapse | ConvSynapse | DiagonalSynapse =
        cs.kind === "dense"
          ? { kind: "dense", inSize: cs.inSize, outSize: cs.outSize, weights: q }
          : cs.kind === "diagonal"
            ? { kind: "diagonal", size: cs.size, weights: q }
            : {
                kind: "conv",
                inShape: cs.inShape,
                outShape: cs.outShape,
                kernelShape: cs.kernelShape,
                kernel: q,
                strides: cs.strides,
                pads: cs.pads,
                dilation: cs.dilation,
                groups: cs.groups,
              };
      connections.push({ id: c.id, from: c.from, to: c.to, delay: c.delay, weightExp: e, synapse, origin: c.origin });
      cstats.push({
        id: c.id,
        from: c.from,
        how: c.how,
        kind: c.synapse.kind,
        weightExp: e,
        delay: c.delay,
        maxAbsInt,
        relErr: wAbsMax > 0 ? errMax / wAbsMax : 0,
        clipped,
        synapses: nz,
      });
    }
    // --- bias (v units: 64·g·b = mant << exp)
    const biasV = Float64Array.from(p.bias, (b) => 2 ** A.activationShift * g * b);
    let biasExp = opts.netx ? A.activationShift : A.biasExponentRange[0];
    if (p.threshold === -Infinity) {
      biasExp = A.biasExponentRange[1];
    } else if (!opts.netx) {
      let bvMax = 0;
      for (const v of biasV) bvMax = Math.max(bvMax, Math.abs(v));
      while (biasExp < A.biasExponentRange[1] && roundHalfAway(bvMax / 2 ** biasExp) > biasMantMax) biasExp++;
    }
    const biasMant = new Int32Array(n);
    let bClip = 0;
    let bErr = 0;
    for (let i = 0; i < n; i++) {
      let m = p.threshold === -Infinity ? biasMantMax : roundHalfAway(biasV[i]! / 2 ** biasExp);
      if (Math.abs(m) > biasMantMax) {
        m = m > 0 ? biasMantMax : -biasMantMax;
        bClip++;
      }
      biasMant[i] = m;
      if (g > 0) bErr = Math.max(bErr, Math.abs((m * 2 ** biasExp) / (2 ** A.activationShift * g) - p.bias[i]!));
    }
    if (bClip)
      warnings.push(
        `layer '${p.id}': ${bClip} bias value${bClip > 1 ? "s" : ""} clipped to ±${biasMantMax} << ${biasExp}`,
      );
    // --- decays
    const dvMax = 2 ** A.decayBits - 1;
    let dv = p.kind === "integrator" ? 0 : roundHalfAway(2 ** A.decayBits * (1 - p.decay));
    if (dv > dvMax) {
      warnings.push(`layer '${p.id}': decay τ = ${fmt(p.decay)} needs dv = ${dv}, beyond ${dvMax}; using ${dvMax}`);
      dv = dvMax;
    }
    const du = dvMax;
    const vScale = new Float64Array(n).fill(2 ** A.activationShift * g);
    populations.push({
      id: p.id,
      kind: p.kind,
      shape: p.shape,
      du,
      dv,
      vth,
      biasMant,
      biasExp,
      depth: p.depth,
      resetInterval: runSteps,
      resetOffset: p.depth + 1,
      vScale,
      source: p.id,
      ...(p.readout ? { readout: p.readout } : {}),
    });
    // --- bounds on the integers
    const qa = integerRowSums(
      connections.filter((c) => c.to === p.id),
      n,
      (id) => payloadMax(id),
    );
    const aMax = maxOf(qa.pos);
    const aMin = minOfArr(qa.neg);
    const act = 2 ** A.activationShift;
    if (act * Math.max(aMax, -aMin) > LAVA.uWrap) {
      warnings.push(
        `layer '${p.id}': u could wrap: one step's input reaches |a|·64 = ${act * Math.max(aMax, -aMin)} > 2^23 = ${LAVA.uWrap} when all its inputs spike`,
      );
    }
    for (const c of connections.filter((x) => x.to === p.id && x.synapse.kind === "conv")) {
      const r = integerRowSums([c], n, (id) => payloadMax(id));
      const m = Math.max(maxOf(r.pos), -minOfArr(r.neg));
      if (m >= 2 ** 23) warnings.push(`layer '${p.id}': the conv sum of '${c.id}' could wrap at 24 bit (up to ${m})`);
    }
    let bLo = 0;
    let bHi = 0;
    for (let i = 0; i < n; i++) {
      const b = biasMant[i]! * 2 ** biasExp;
      bLo = Math.min(bLo, b);
      bHi = Math.max(bHi, b);
    }
    const tauQ = 1 - dv / 2 ** A.decayBits;
    if (p.kind === "lif") {
      const stepNeg = act * aMin + bLo;
      const leakBound = tauQ < 1 ? -stepNeg / (1 - tauQ) : Infinity;
      const vNeg = Math.min(-stepNeg * T, leakBound);
      if (vNeg > LAVA.vMax)
        warnings.push(
          `layer '${p.id}': v could saturate at −(2^23 − 1) within ${T} steps: it can fall to −${Math.round(vNeg)}`,
        );
    } else {
      const vAbs = T * (act * Math.max(aMax, -aMin) + Math.max(bHi, -bLo));
      if (vAbs > vth * 2 ** A.vthShift)
        warnings.push(
          `layer '${p.id}': the readout integrator could reach ±${Math.round(vAbs)} within ${T} steps, beyond its threshold ${vth * 2 ** A.vthShift} (it would fire and reset)`,
        );
    }
    if (p.v0 || p.selfWeight) offsets.push(offsetIntegers(p, populations[populations.length - 1]!, cstats));
    stats.push({
      id: p.id,
      kind: p.kind,
      neurons: n,
      depth: p.depth,
      g,
      vth,
      du,
      dv,
      tauQ,
      tau: p.decay,
      biasExp,
      biasMaxAbsErr: bErr,
      limitedBy,
      connections: cstats,
      aMax,
      aMin,
    });
  }
  // pulses (the ones some connection reads) first: they read nothing and offset populations read them
  const pulsePops = sf.pulses
    .filter((x) => connections.some((c) => c.from === x.id))
    .map((x) => pulsePopulation(x.id, x.phase, runSteps));
  stats.unshift(
    ...pulsePops.map(
      (q): PopulationQuant => ({
        id: q.id,
        kind: "pulse",
        neurons: 1,
        depth: 0,
        g: 1,
        vth: q.vth,
        du: q.du,
        dv: q.dv,
        tauQ: 1,
        tau: 1,
        biasExp: q.biasExp,
        biasMaxAbsErr: 0,
        limitedBy: `fires at step ${q.phase === 0 ? `${runSteps} (the last)` : q.phase} of every sample`,
        connections: [],
        aMax: 0,
        aMin: 0,
      }),
    ),
  );
  populations.unshift(...pulsePops);
  const model: FixedModel = {
    name: meta.name,
    target: t.name,
    timesteps: T,
    runSteps,
    input,
    populations,
    connections,
    outputs: sf.outputs,
  };
  if (offsets.length) {
    notes.push(
      `state offsets: ${offsets.map((o) => `'${o.id}'`).join(", ")}: the initial state arrives from a pulse neuron one step after the warm-up; a self-recurrent synapse adds the reset value one step after each spike, and an inhibition from a pulse at the last warm-up step keeps warm-up spikes out of it (pulses: ${pulsePops.map((q) => `'${q.id}' at step ${q.phase === 0 ? runSteps : q.phase}`).join(", ")})`,
    );
  }
  if (sf.maxDepth > 0)
    notes.push(
      `pipeline latency: the deepest layer is ${sf.maxDepth} synaptic steps from the input: run ${runSteps} steps (T = ${T} + ${sf.maxDepth}) for one sample`,
    );
  return { model, populations: stats, warnings, notes, offsets };
}

/** Exact per-neuron Σ positive / negative of w_int·2^e·payload_max over a population's connections. */
function integerRowSums(
  conns: FixedConnection[],
  n: number,
  pmax: (id: string) => number,
): { pos: Float64Array; neg: Float64Array } {
  const pos = new Float64Array(n);
  const neg = new Float64Array(n);
  for (const c of conns) {
    const m = pmax(c.from) * 2 ** c.weightExp;
    const s = c.synapse;
    if (s.kind === "diagonal") {
      for (let o = 0; o < n; o++) {
        const w = s.weights[o]! * m;
        if (w > 0) pos[o] += w;
        else neg[o] += w;
      }
    } else if (s.kind === "dense") {
      for (let i = 0; i < s.inSize; i++) {
        for (let o = 0; o < s.outSize; o++) {
          const w = s.weights[i * s.outSize + o]! * m;
          if (w > 0) pos[o] += w;
          else neg[o] += w;
        }
      }
    } else {
      const CO = s.kernelShape[3];
      const pc = new Float64Array(CO);
      const nc = new Float64Array(CO);
      for (let i = 0; i < s.kernel.length; i++) {
        const w = s.kernel[i]! * m;
        if (w > 0) pc[i % CO] += w;
        else nc[i % CO] += w;
      }
      for (let o = 0; o < n; o++) {
        pos[o] += pc[o % CO]!;
        neg[o] += nc[o % CO]!;
      }
    }
  }
  return { pos, neg };
}

/**
 * Can netx (lava-dl's hdf5.Network) carry this network? A chain: every population has one input,
 * from the previous one (the first from the input), no delays; conv synapses between [H,W,C]
 * populations with symmetric padding; dense synapses from anything (netx flattens).
 */
export function netxStructure(sf: {
  inputId: string;
  populations: { id: string; shape: number[] }[];
  connections: { from: string; to: string; delay: number; synapse: { kind: string; pads?: Pads } }[];
}): { ok: true } | { ok: false; reason: string } {
  const known = new Set([sf.inputId, ...sf.populations.map((p) => p.id)]);
  const offset = sf.connections.find((c) => c.from === c.to || !known.has(c.from));
  if (offset)
    return {
      ok: false,
      reason: `'${offset.to}' has a state offset (a self-recurrent synapse, or an initial state from a pulse neuron)`,
    };
  let prev = sf.inputId;
  let prevFlatOnly = false;
  for (const p of sf.populations) {
    const cs = sf.connections.filter((c) => c.to === p.id);
    if (cs.length !== 1)
      return { ok: false, reason: `'${p.id}' has ${cs.length} input synapse groups (netx layers form a chain)` };
    const c = cs[0]!;
    if (c.from !== prev)
      return { ok: false, reason: `'${p.id}' reads '${c.from}', not the layer before it ('${prev}')` };
    if (c.delay) return { ok: false, reason: `'${p.id}' needs a synaptic delay` };
    if (c.synapse.kind === "conv") {
      const pd = c.synapse.pads!;
      if (pd[0] !== pd[1] || pd[2] !== pd[3])
        return {
          ok: false,
          reason: `conv into '${p.id}' has asymmetric padding [${pd.join(", ")}] (Lava's conv pads symmetrically)`,
        };
      if (prevFlatOnly)
        return { ok: false, reason: `conv into '${p.id}' reads a dense layer's output (netx dense layers are flat)` };
      prevFlatOnly = false;
    } else {
      prevFlatOnly = true;
    }
    prev = p.id;
  }
  return { ok: true };
}

/** Analog input range from calibration samples (default [0, 1]). */
export function inputRangeOf(calibration: StepInput[] | undefined): { range: number; signed: boolean } {
  let m = 0;
  let neg = false;
  for (const s of calibration ?? []) {
    for (const x of Array.isArray(s) ? s : [s]) {
      for (const v of x) {
        m = Math.max(m, Math.abs(v));
        if (v < 0) neg = true;
      }
    }
  }
  return { range: m > 0 ? m : 1, signed: neg };
}

/** Convenience: graph → integer model (netx constraints when the structure allows them). */
export function quantizeLoihi(
  g: Graph,
  t: TargetSpec,
  opts: { netx?: "auto" | boolean; calibration?: StepInput[]; vthCap?: number } = {},
): QuantizeResult & { synaptic: SynapticForm; netx: { ok: true } | { ok: false; reason: string } } {
  const sf = synapticForm(g, t);
  const structure = netxStructure(sf);
  const netx = opts.netx === undefined || opts.netx === "auto" ? structure.ok : opts.netx;
  const { range, signed } = inputRangeOf(opts.calibration);
  const r = quantizeSynapticForm(
    sf,
    t,
    { name: g.name, timesteps: g.meta.timesteps, encoding: g.meta.encoding },
    {
      netx,
      inputRange: range,
      inputSigned: signed,
      inputRangeFrom: opts.calibration?.length ? "calibration" : "default",
      vthCap: opts.vthCap,
    },
  );
  return { ...r, synaptic: sf, netx: structure };
}
