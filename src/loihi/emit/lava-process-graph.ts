/**
 * network.lava.json: the integer model as a Lava process graph — the general form, for every
 * network (residual and branching graphs included), in Lava's own conventions so each entry maps
 * to one Lava process:
 *
 *   population → lava.proc.lif.process.LIFReset(shape, du, dv, vth, bias_mant, bias_exp,
 *                reset_interval, reset_offset[, v])        (PyLifResetModelBitAcc under fixed_pt);
 *                `v` (the initial voltage) only where it is not 0: pulse neurons and state offsets
 *   dense      → lava.proc.dense.process.Dense(weights (out, in), weight_exp, num_weight_bits,
 *                num_message_bits) (DelayDense with `delays` where delay > 0); num_weight_bits is 9
 *                for mixed-sign weights (with 8, Lava's Dense drops their lowest bit)
 *   diagonal   → a Dense whose (N, N) weight matrix is diag(values) (a self-recurrent synapse:
 *                `from` = `to`; Lava's Dense sends what it received one step later)
 *   conv       → lava.proc.conv.process.Conv(weight (out, kW, kH, in/groups), input_shape,
 *                stride (x, y), padding (x, y), dilation (x, y), groups)
 *
 * Soft-reset populations are lava.proc.atrlif.process.ATRLIF (threshold adaptation off) with three
 * lava.proc.io.reset.Reset processes writing i, v, r once a sample; multi-threshold populations are
 * snnc's own MultiThresholdLIF (snnc_lava_processes.py, written next to this file), whose graded
 * output its readers take with num_message_bits > 0; a population with a per-step gain has a
 * lava.proc.prodneuron.process.ProdNeuron (`gain_stage`) whose s_out goes straight into the
 * neuron's a_in, and its connections name the port they feed (`port`: a_in1, the current; a_in2,
 * the gain) (docs/LOIHI-SEEDS.md).
 *
 * A connection with weight planes (../model/weight-planes.ts) is two entries with the same `from`
 * and `to`, `plane` "high" and "low" (id `<id>/low`): a dense high plane has the larger weight
 * exponent; a conv high plane reads its source through the `relay` it names (Lava's Delta then
 * Sigma, or, from the input, the host's second stream of payloads times 2^spike_exp).
 *
 * Layouts are Lava's: shapes (W, H, C) ("XYZ"); a flat index of a (W, H, C) layer is
 * (x·H + y)·C + c; dense weights are (out, in) over those flat indices; conv weights are Lava's
 * true-convolution kernels (the cross-correlation kernel flipped in x and y). Only the LIF
 * reset schedule, the delays and asymmetric conv padding go beyond what the open Lava processes
 * take, and they are marked where they occur.
 */
import type { StreamedContent } from "../../driver/types.ts";
import { writeJson } from "../../util/json-stream.ts";
import {
  LAVA,
  populationSize,
  type ConvSynapse,
  type FixedConnection,
  type FixedModel,
  type FixedPopulation,
} from "../model/integer-model.ts";
import { planesOf, type WeightPlane } from "../model/weight-planes.ts";

export interface LavaGraphInfo {
  /** Whether network.net was written, and why not. */
  netx: { written: true } | { written: false; reason: string };
}

/** NHWC shape → Lava (W, H, C). */
export function lavaShape(shape: readonly number[]): number[] {
  return shape.length === 3 ? [shape[1]!, shape[0]!, shape[2]!] : [...shape];
}

/** Lava flat index of the NHWC flat index i of an activation of `shape`. */
export function lavaIndex(shape: readonly number[], i: number): number {
  if (shape.length !== 3) return i;
  const [H, W, C] = shape as [number, number, number];
  const c = i % C;
  const x = Math.floor(i / C) % W;
  const y = Math.floor(i / (C * W));
  return (x * H + y) * C + c;
}

/** Per-neuron values (NHWC order) in Lava order, as an array of the same type (the same one when flat). */
function toLavaOrder<T extends Int32Array | Int16Array | Float64Array>(shape: readonly number[], data: T): T {
  if (shape.length !== 3) return data;
  const [H, W, C] = shape as [number, number, number];
  const out = data.slice() as T;
  for (let y = 0, i = 0; y < H; y++)
    for (let x = 0; x < W; x++) for (let c = 0, o = (x * H + y) * C; c < C; c++, i++) out[o + c] = data[i]!;
  return out;
}

/** Compact bias: one value, one per channel, or one per neuron (Lava order). */
function biasJson(p: FixedPopulation): number | { perChannel: Int32Array } | { perNeuron: Int32Array } {
  const b = p.biasMant;
  if (b.every((v) => v === b[0])) return b[0] ?? 0;
  const C = p.shape[p.shape.length - 1]!;
  if (p.shape.length === 3) {
    let uniform = true;
    for (let i = C; i < b.length && uniform; i++) if (b[i] !== b[i % C]) uniform = false;
    if (uniform) return { perChannel: b.subarray(0, C) };
  }
  return { perNeuron: toLavaOrder(p.shape, b) };
}

/** Initial v: one value or one per neuron (Lava order); absent when 0 everywhere. */
function initialV(p: FixedPopulation): { v: number | Int32Array } | Record<string, never> {
  const v = p.v0;
  if (!v || v.every((x) => x === 0)) return {};
  return { v: v.every((x) => x === v[0]) ? v[0]! : toLavaOrder(p.shape, v) };
}

/** The Lava process of a population and the fields only its kind has. */
function kindJson(p: FixedPopulation) {
  if (p.kind === "atrlif") {
    const interval = p.resetInterval;
    return {
      process: "lava.proc.atrlif.process.ATRLIF",
      dr: p.dr!,
      theta_0: p.vth,
      theta_step: 0,
      delta_theta: 0,
      fires: "v − r ≥ theta_0 << 6, then r += 2·(theta_0 << 6); delta_i/v/r = du/4096, dv/4096, dr/4096",
      reset: {
        process: "lava.proc.io.reset.Reset",
        interval,
        offset: (((p.resetOffset - 2) % interval) + interval) % interval,
        values: { i: 0, v: p.v0?.[0] ?? 0, r: 0 },
        note: `written at the end of every step ${p.resetOffset - 1} (mod ${interval}): LIFReset's zeroing before step ${p.resetOffset}`,
      },
    };
  }
  if (p.kind === "multi-threshold") {
    return {
      process: "snnc_lava_processes.MultiThresholdLIF",
      custom: "snnc's own process (snnc_lava_processes.py): on Loihi it needs a neuron program of its own",
      thresholds: p.thresholds!.map((q) => toLavaOrder(p.shape, q)),
      ...(p.resetValue ? { reset_value: toLavaOrder(p.shape, p.resetValue) } : {}),
      ...(p.resetAmount ? { reset_amount: toLavaOrder(p.shape, p.resetAmount) } : {}),
      output: "graded: the number of thresholds exceeded (s_0 + Σ s_k)",
    };
  }
  return { process: "lava.proc.lif.process.LIFReset" };
}

function popJson(m: FixedModel, p: FixedPopulation) {
  const scale = p.vScale.every((v) => v === p.vScale[0]) ? p.vScale[0]! : toLavaOrder(p.shape, p.vScale);
  return {
    id: p.id,
    kind: p.kind,
    ...kindJson(p),
    shape: lavaShape(p.shape),
    neurons: populationSize(p),
    du: p.du,
    dv: p.dv,
    vth: p.vth,
    bias_mant: biasJson(p),
    bias_exp: p.biasExp,
    reset_interval: p.resetInterval,
    reset_offset: p.resetOffset,
    ...(p.kind === "atrlif" ? {} : initialV(p)),
    ...(p.gainStage
      ? {
          gain_stage: {
            process: "lava.proc.prodneuron.process.ProdNeuron",
            vth: 0,
            exp: p.gainStage.exp,
            note: "(a_in1 · a_in2) >> exp, its s_out into this population's a_in (the same step)",
          },
        }
      : {}),
    ...(p.kind === "pulse"
      ? {
          phase: p.phase,
          fires: `at the steps ≡ ${p.phase} (mod ${m.runSteps}): step ${p.phase === 0 ? m.runSteps : p.phase} of every sample`,
        }
      : {}),
    depth: p.depth,
    latency: p.depth,
    vScale: scale,
    ...(p.readout
      ? {
          readout: {
            mode: p.readout.mode,
            step: p.depth + m.timesteps,
            decode:
              p.readout.mode === "mean"
                ? `value = v / vScale / ${m.timesteps} at step ${p.depth + m.timesteps}`
                : `value = v / vScale at step ${p.depth + m.timesteps}`,
          },
        }
      : {}),
    source: p.source,
  };
}

function sourceShape(m: FixedModel, id: string): number[] {
  if (id === m.input.id) return m.input.shape;
  return m.populations.find((p) => p.id === id)!.shape;
}

/**
 * Room for one connection's weights in Lava order, reused from connection to connection: the
 * writer is done with a connection before it builds the next (fresh memory is slow to touch).
 */
type Scratch = (n: number) => Int32Array;

function scratchInts(): Scratch {
  let buf = new Int32Array(0);
  return (n) => {
    if (buf.length < n) buf = new Int32Array(n);
    return buf.subarray(0, n);
  };
}

function convJson(s: ConvSynapse, scratch: Scratch) {
  const [KH, KW, KI, CO] = s.kernelShape;
  // Lava: weight[o][kx][ky][i] = K[KH−1−ky][KW−1−kx][i][o] (true convolution)
  const w = scratch(s.kernel.length);
  for (let o = 0; o < CO; o++)
    for (let kx = 0; kx < KW; kx++)
      for (let ky = 0; ky < KH; ky++)
        for (let i = 0; i < KI; i++) {
          w[((o * KW + kx) * KH + ky) * KI + i] = s.kernel[(((KH - 1 - ky) * KW + (KW - 1 - kx)) * KI + i) * CO + o]!;
        }
  const symmetric = s.pads[0] === s.pads[1] && s.pads[2] === s.pads[3];
  return {
    weight: { shape: [CO, KW, KH, KI], data: w },
    input_shape: lavaShape(s.inShape),
    output_shape: lavaShape(s.outShape),
    stride: [s.strides[1], s.strides[0]],
    padding: symmetric ? [s.pads[2], s.pads[0]] : null,
    pads_tblr: [...s.pads],
    ...(symmetric
      ? {}
      : { note: "asymmetric padding: Lava's Conv pads symmetrically; pads_tblr holds the exact padding" }),
    dilation: [s.dilation[1], s.dilation[0]],
    groups: s.groups,
  };
}

/**
 * The Lava Dense process for some weights (DelayDense with a delay) and the sign mode it clips and
 * truncates them by: mixed signs keep every bit only with 9 weight bits.
 */
function denseProcess(weights: ArrayLike<number>, delay: number) {
  let neg = false;
  let pos = false;
  for (let i = 0; i < weights.length; i++) {
    const v = weights[i]!;
    if (v < 0) neg = true;
    else if (v > 0) pos = true;
  }
  const signMode = neg && pos ? "mixed" : neg ? "inhibitory" : "excitatory";
  return {
    process: delay ? "lava.proc.dense.process.DelayDense" : "lava.proc.dense.process.Dense",
    sign_mode: signMode,
    num_weight_bits: signMode === "mixed" ? 9 : 8,
  };
}

/** Where a plane's source payloads come from when the high plane reads them through a relay. */
function relayJson(m: FixedModel, c: FixedConnection, shift: number) {
  return c.from === m.input.id
    ? {
        host: `a second input stream: the host sends every payload times 2^${shift} (graded)`,
        spike_exp: shift,
      }
    : {
        processes: ["lava.proc.sdn.process.Delta", "lava.proc.sdn.process.Sigma"],
        delta: { vth: 1, spike_exp: shift, state_exp: 0, cum_error: false },
        spike_exp: shift,
        note: `s_out of '${c.from}' straight into Delta's a_in, Delta's s_out straight into Sigma's a_in, Sigma's s_out into this synapse: each payload times 2^${shift}, no step added`,
      };
}

/** The JSON of each synapse process of c: c itself, or its two weight planes (weight-planes.ts). */
function connJsons(m: FixedModel, c: FixedConnection, scratch: Scratch): (() => object)[] {
  // each entry splits the weights when the writer reaches it: no plane is held longer than its entry
  return Array.from({ length: c.planes ? 2 : 1 }, (_, k) => () => connJson(m, planesOf(c)[k]!, scratch));
}

function connJson(m: FixedModel, pl: WeightPlane, scratch: Scratch) {
  const c = pl.connection;
  const src = sourceShape(m, c.from);
  const dst = m.populations.find((p) => p.id === c.to)!.shape;
  const graded = m.populations.find((p) => p.id === c.from)?.kind === "multi-threshold";
  const bits = c.from === m.input.id ? m.input.messageBits : graded ? 8 : 0;
  const base = {
    id: c.id,
    from: c.from,
    to: c.to,
    ...(c.planes ? { plane: pl.plane, planes_apart: c.planes } : {}),
    ...(pl.relay ? { relay: relayJson(m, c, pl.relay.shift) } : {}),
    ...(c.port ? { port: c.port === "gated" ? "a_in1" : "a_in2" } : {}),
    delay: c.delay,
    weight_exp: c.weightExp,
    num_message_bits: pl.relay ? LAVA.stateBits : bits, // graded payloads: 24 bit in Lava's models
    origin: c.origin,
  };
  if (c.synapse.kind === "diagonal") {
    const w = c.synapse.weights;
    return {
      ...base,
      kind: "diagonal",
      ...denseProcess(w, c.delay),
      weights: { shape: [c.synapse.size, c.synapse.size], diagonal: toLavaOrder(dst, w) },
      ...(c.from === c.to ? { note: "self-recurrent: the spikes of step n arrive at step n + 1" } : {}),
    };
  }
  if (c.synapse.kind === "dense") {
    const s = c.synapse;
    const { inSize: I, outSize: O } = s;
    const w = scratch(I * O);
    const lo = Int32Array.from({ length: O }, (_, o) => lavaIndex(dst, o) * I);
    const li = Int32Array.from({ length: I }, (_, i) => lavaIndex(src, i));
    // the transpose a block of inputs at a time: its rows of weights stay in cache across outputs
    for (let i0 = 0; i0 < I; i0 += 256) {
      const i1 = Math.min(I, i0 + 256);
      for (let o = 0; o < O; o++) for (let i = i0; i < i1; i++) w[lo[o]! + li[i]!] = s.weights[i * O + o]!;
    }
    return {
      ...base,
      kind: "dense",
      ...denseProcess(s.weights, c.delay),
      weights: { shape: [s.outSize, s.inSize], data: w },
    };
  }
  const conv = c.synapse;
  return {
    ...base,
    kind: "conv",
    process: "lava.proc.conv.process.Conv",
    ...(c.delay
      ? { note: "Lava's Conv has no delays: the delay is the number of extra steps its spikes must wait" }
      : {}),
    ...convJson(conv, scratch),
  };
}

/** network.lava.json as a string (tests, small models). */
export function lavaProcessGraphJson(m: FixedModel, info: LavaGraphInfo): string {
  const parts: Buffer[] = [];
  lavaProcessGraphStream(m, info).write((b) => parts.push(Buffer.from(b)));
  return Buffer.concat(parts).toString("utf8");
}

/**
 * network.lava.json, made while it is written: each population and connection is built when the
 * writer reaches it, so neither the text nor more than one connection's weights in Lava order
 * exist at a time.
 */
export function lavaProcessGraphStream(m: FixedModel, info: LavaGraphInfo): StreamedContent {
  return { write: (sink) => writeJson(lavaDocument(m, info), sink) };
}

/** The document, its populations and connections as functions that build them when called. */
function lavaDocument(m: FixedModel, info: LavaGraphInfo) {
  const scratch = scratchInts();
  return {
    format: "snnc.lava-process-graph",
    version: 1,
    model: m.name,
    target: m.target,
    timesteps: m.timesteps,
    runSteps: m.runSteps,
    semantics:
      "Lava fixed_pt models (PyLifResetModelBitAcc, PyATRLIFModelFixed with Reset, PyProdNeuronModelFixed, PyDenseModelBitAcc, PyConvModelFixed; snnc's MultiThresholdLIF where a population says so): every synapse delivers one step later (plus its delay); input column t arrives at step t+1; a population of depth d lags the float model by d steps and zeroes u, v at step d+1; a population starts from v (0 when absent); pulse populations fire once per sample at step `phase` (runSteps for phase 0)",
    layout:
      "shapes (W, H, C); flat index (x·H + y)·C + c; dense weights (out, in); conv weights (out, kW, kH, in/groups), flipped (true convolution)",
    run: { config: "Loihi2SimCfg(select_tag='fixed_pt')", steps: m.runSteps },
    netx: info.netx.written
      ? {
          file: "network.net",
          written: true,
          network_args: { input_message_bits: m.input.messageBits, reset_interval: m.runSteps, reset_offset: 1 },
          input_order:
            m.input.shape.length === 3
              ? m.connections.find((c) => c.from === m.input.id)?.synapse.kind === "conv"
                ? "(W, H, C) flattened"
                : "(C, H, W) flattened"
              : "flat",
        }
      : { written: false, reason: info.netx.reason },
    input: {
      id: m.input.id,
      shape: lavaShape(m.input.shape),
      kind: m.input.kind,
      num_message_bits: m.input.messageBits,
      encoding: m.input.encoding,
      scale: m.input.scale,
      range: [m.input.min, m.input.max],
      quantisation:
        m.input.kind === "graded" ? "payload = round half away from zero (x · scale), clipped to range" : "0/1 spikes",
      columns: m.timesteps,
    },
    populations: m.populations.map((p) => () => popJson(m, p)),
    connections: m.connections.flatMap((c) => connJsons(m, c, scratch)),
    outputs: m.outputs,
  };
}
