/**
 * The synaptic form: the lowered float graph as real-valued populations and connections, the step
 * before integers (the first step of quantize-loihi).
 *
 * Every neuron and readout becomes a population, every term of its current one connection
 * (chain-synapses.ts); the constant part of the current and the neuron's own bias become the
 * population's bias. Time (population-terms.ts): depth(P) = max over its forward terms of
 * depth(source) + 1 (input 0); a term from a shallower source, or through a delay (NIR Delay, a
 * recurrent edge), gets the synaptic delay that aligns it; a population read through a delay keeps
 * its last warm-up steps silent. A neuron reading a synaptic current (an `li`: NIR's CubaLIF) takes
 * it as Lava's current u (synaptic-current.ts). A state offset (lower-state-offset: a neuron's v0
 * and selfWeight) adds a one-to-one synapse from the population to itself (the self weight) and a
 * synapse of τ·v0 from a pulse neuron that fires at step depth, arriving at depth + 1, the first
 * aligned step; a self-recurrent or silent population also needs the pulses of its warm-up
 * inhibition (state-offsets.ts).
 *
 * Populations have the kind of lower/neuron-kind.ts (LIF, ATRLIF, snnc's MultiThresholdLIF). An
 * ATRLIF's initial state that is one value becomes the value its Reset process writes (no pulse).
 * A neuron with a per-step gain (lower-temporal-norm) gets a gain stage: its synaptic terms feed the
 * stage's "gated" port; the pulse of step d + t − 1 delivers the step-t gain a_t to its "gain" port
 * and the step-t bias (g·b_t plus a_t times the constant part of the current) to the neuron
 * (docs/LOIHI-SEEDS.md §2).
 */
import { SnncError } from "../../ir/errors.ts";
import type { Graph, NeuronNode, ReadoutNode } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { broadcastTo, size } from "../../ir/tensor.ts";
import type { TargetSpec } from "../../target/target.ts";
import type { ConvSynapse, DenseSynapse, DiagonalSynapse, Synapse } from "../model/integer-model.ts";
import { hasGainSchedule, loihiNeuronKind } from "../lower/neuron-kind.ts";
import { zeroCurrent } from "./chain-synapses.ts";
import { populationPlans, populationTiming, termConnections } from "./population-terms.ts";
import { constantCurrent, currentDecayOf } from "./synaptic-current.ts";

export type RealConv = ConvSynapse<Float64Array>;
export type RealDense = DenseSynapse<Float64Array>;
/** One synapse from neuron i of the source to neuron i of the target (a self-recurrence). */
export type RealDiagonal = DiagonalSynapse<Float64Array>;
export type RealSynapse = Synapse<Float64Array>;

export interface RealConnection {
  id: string;
  from: string;
  to: string;
  delay: number;
  synapse: RealSynapse;
  /** How the chain became this synapse (report). */
  how: string;
  origin: string[];
  /** Into the target's gain stage: the current ("gated") or the per-step gain ("gain", weights a_t). */
  port?: "gated" | "gain";
}

export interface RealPopulation {
  id: string;
  /** The IR node it implements when that is not `id` (a population split by scale, split-scales.ts). */
  source?: string;
  kind: "lif" | "integrator" | "atrlif" | "multi-threshold";
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
  /** ATRLIF: one initial state for the whole population, written by Lava's Reset (state units). */
  resetV?: number;
  /**
   * Multi-threshold (snnc's own process): per neuron, [0] the base threshold and then the MT
   * planes', any sign or ±∞; the hard reset value or the soft-reset amount (state units).
   * `threshold` is then the largest finite |threshold| (what bounds the scale).
   */
  thresholds?: Float64Array[];
  resetValue?: Float64Array;
  resetAmount?: Float64Array;
  /** A per-step gain stage: the largest |a_t| (scales its current's bound). */
  gainMax?: number;
  /** A synaptic current (CubaLIF, synaptic-current.ts): its decay per step, Lava's du (absent: none, du 4095). */
  currentDecay?: number;
  /** Read through a delay of up to this many steps: its last warm-up steps that must be silent (population-terms.ts). */
  silence?: number;
}

/** How many of its last warm-up steps a population must be silent in: 1 for a self weight, `silence` for a delayed read. */
export function silentSteps(p: Pick<RealPopulation, "selfWeight" | "silence">): number {
  return Math.max(p.selfWeight ? 1 : 0, p.silence ?? 0);
}

/** A pulse neuron of the integer model: fires at the steps ≡ phase (mod runSteps) (integer-model.ts). */
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

/** The id of the pulse of `phase`: "pulse_<phase>", made unique against the graph's node ids. */
export function pulseName(g: Graph, phase: number): string {
  let id = `pulse_${phase}`;
  while (g.nodes.some((n) => n.id === id)) id = `_${id}`;
  return id;
}

/** A neuron's population, once its input meets what its Lava process can take (the lowerings ran). */
function lifPopulation(nn: NeuronNode, depth: number, bias: Float64Array): RealPopulation {
  const kind = loihiNeuronKind(nn);
  const S = nn.shape!;
  const th = broadcastTo(nn.threshold, S);
  if (kind === "multi-threshold") return multiThresholdPopulation(nn, depth, bias);
  if (!th.every((v) => Object.is(v, th[0]))) {
    throw new SnncError(
      "E_TARGET",
      `threshold varies within the layer: run lower-thresholds first (Lava's LIF has one vth per population)`,
      { layer: nn.id, param: "v_threshold" },
    );
  }
  if (!broadcastTo(nn.gain, S).every((v) => v === 1))
    throw new SnncError("E_TARGET", `neuron input gain ≠ 1: run lower-gain first`, { layer: nn.id, param: "gain" });
  if ((nn.reset === "hard" && nn.vReset.data.some((v) => v !== 0)) || (Number.isFinite(th[0]!) && th[0]! < 0)) {
    throw new SnncError(
      "E_TARGET",
      `v_reset ≠ 0 or a threshold < 0: run lower-state-offset first (Lava's LIF resets to 0 and compares with vth ≥ 0)`,
      { layer: nn.id, param: "v_reset" },
    );
  }
  const nb = broadcastTo(nn.bias, S);
  // with a gain stage the constant part of the current is scaled by a_t too: it joins the per-step bias
  const own = hasGainSchedule(nn) ? new Float64Array(bias.length) : bias;
  for (let i = 0; i < bias.length; i++) own[i] = own[i]! + nb[i]!;
  const pop: RealPopulation = {
    id: nn.id,
    kind,
    shape: S,
    depth,
    bias: own,
    decay: nn.decay,
    threshold: th[0]!,
    fire: nn.fire,
  };
  const nz = (t: Float64Array) => t.some((v) => v !== 0);
  if (nn.v0 && nz(broadcastTo(nn.v0, S))) pop.v0 = broadcastTo(nn.v0, S);
  if (nn.selfWeight && nz(broadcastTo(nn.selfWeight, S))) pop.selfWeight = broadcastTo(nn.selfWeight, S);
  if (kind === "atrlif" && pop.v0 && pop.v0.every((v) => v === pop.v0![0])) {
    pop.resetV = pop.v0[0]!;
    delete pop.v0;
  }
  return pop;
}

/** snnc's MultiThresholdLIF: every threshold and the reset per neuron, as the neuron has them (no state offset). */
function multiThresholdPopulation(nn: NeuronNode, depth: number, bias: Float64Array): RealPopulation {
  const S = nn.shape!;
  if (!broadcastTo(nn.gain, S).every((v) => v === 1))
    throw new SnncError("E_TARGET", `neuron input gain ≠ 1: run lower-gain first`, { layer: nn.id, param: "gain" });
  const nb = broadcastTo(nn.bias, S);
  const own = hasGainSchedule(nn) ? new Float64Array(bias.length) : bias;
  for (let i = 0; i < bias.length; i++) own[i] = own[i]! + nb[i]!;
  const thresholds = [nn.threshold, ...(nn.planeThresholds ?? [])].map((t) => broadcastTo(t, S));
  let thMax = 0;
  for (const t of thresholds) for (const x of t) if (Number.isFinite(x)) thMax = Math.max(thMax, Math.abs(x));
  const pop: RealPopulation = {
    id: nn.id,
    kind: "multi-threshold",
    shape: S,
    depth,
    bias: own,
    decay: nn.decay,
    threshold: thMax || 1,
    fire: nn.fire,
    thresholds,
  };
  if (nn.reset === "soft") pop.resetAmount = broadcastTo(nn.resetAmount, S);
  else if (nn.vReset.data.some((v) => v !== 0)) pop.resetValue = broadcastTo(nn.vReset, S);
  return pop;
}

/**
 * The per-step gain stage of a neuron with an unscaled schedule: for each of the T steps, from the
 * pulse of step depth + t − 1, the gain a_t into the stage's "gain" port and the bias
 * g·b_t + a_t·(constant current) into the neuron.
 */
function scheduleConnections(
  nn: NeuronNode,
  pop: RealPopulation,
  constant: Float64Array,
  T: number,
  pulseId: (phase: number) => string,
  phases: Set<number>,
): RealConnection[] {
  const S = nn.shape!;
  const n = size(S);
  const s = nn.schedule!;
  const out: RealConnection[] = [];
  let gainMax = 0;
  for (let t = 1; t <= T; t++) {
    const a = broadcastTo(s.gain![t - 1]!, S);
    const b = broadcastTo(s.bias[t - 1]!, S);
    for (let i = 0; i < n; i++) {
      b[i] = b[i]! + a[i]! * constant[i]!;
      gainMax = Math.max(gainMax, Math.abs(a[i]!));
    }
    const phase = pop.depth + t - 1;
    phases.add(phase);
    const dense = (w: Float64Array) => ({ kind: "dense" as const, inSize: 1, outSize: n, weights: w });
    out.push({
      id: `${pop.id}/gain${t}`,
      from: pulseId(phase),
      to: pop.id,
      delay: 0,
      synapse: dense(a),
      how: `per-step gain a_${t} into the gain stage (pulse at step ${phase})`,
      origin: [pop.id],
      port: "gain",
    });
    if (b.some((x) => x !== 0))
      out.push({
        id: `${pop.id}/bias${t}`,
        from: pulseId(phase),
        to: pop.id,
        delay: 0,
        synapse: dense(b),
        how: `per-step bias of step ${t} (pulse at step ${phase})`,
        origin: [pop.id],
      });
  }
  pop.gainMax = gainMax;
  return out;
}

function integratorPopulation(n: ReadoutNode, depth: number, bias: Float64Array): RealPopulation {
  return {
    id: n.id,
    kind: "integrator",
    shape: n.shape!,
    depth,
    bias,
    decay: 1,
    threshold: Infinity,
    fire: "gt",
    readout: { mode: n.mode },
  };
}

/**
 * A state offset's connections: the reset value through a self-recurrent synapse, the initial state
 * from a pulse; and the pulses of the warm-up inhibition (state-offsets.ts) at steps d − K .. d − 1
 * for K silent steps (1 for a self weight; `silence` for a population read through a delay).
 */
function offsetConnections(pop: RealPopulation, pulseId: (phase: number) => string, phases: Set<number>) {
  const d = pop.depth;
  const out: RealConnection[] = [];
  for (let k = 1; k <= silentSteps(pop); k++) phases.add(d - k);
  if (pop.selfWeight) {
    out.push({
      id: `${pop.id}/self`,
      from: pop.id,
      to: pop.id,
      delay: 0,
      synapse: { kind: "diagonal", size: size(pop.shape), weights: pop.selfWeight },
      how: "self-recurrent: reset value τ·R one step after a spike",
      origin: [pop.id],
    });
  }
  if (pop.v0) {
    const w = Float64Array.from(pop.v0, (v) => pop.decay * v);
    out.push({
      id: `${pop.id}/init`,
      from: pulseId(d),
      to: pop.id,
      delay: 0,
      synapse: { kind: "dense", inSize: 1, outSize: size(pop.shape), weights: w },
      how: `initial state: τ·δ at step ${d + 1} (pulse at step ${d})`,
      origin: [pop.id],
    });
    phases.add(d);
  }
  return out;
}

/** The real-valued synaptic form of a lowered graph. */
export function synapticForm(g0: Graph, target: TargetSpec): SynapticForm {
  const g = inferShapes(g0);
  const byId = new Map(g.nodes.map((n) => [n.id, n] as const));
  const input = g.nodes.find((n) => n.op === "input")!;
  const populations: RealPopulation[] = [];
  const connections: RealConnection[] = [];
  const phases = new Set<number>();
  const pulseId = (phase: number) => pulseName(g, phase);
  const plans = populationPlans(g, byId);
  const timing = populationTiming(plans, input.id);
  for (const plan of plans) {
    const n = plan.node;
    const d = timing.depth.get(n.id)!;
    let bias = zeroCurrent(byId, plan.current);
    const constant = Float64Array.from(bias);
    let currentDecay: number | undefined;
    const extra: RealConnection[] = [];
    if (plan.li) {
      currentDecay = currentDecayOf(plan.li, n.id);
      const cc = constantCurrent(plan.li, n.id, currentDecay, d, bias, pulseId(d));
      bias = cc.steady;
      if (cc.transient) {
        extra.push(cc.transient);
        phases.add(d);
      }
    }
    const pop = n.op === "neuron" ? lifPopulation(n, d, bias) : integratorPopulation(n, d, bias);
    if (currentDecay !== undefined) pop.currentDecay = currentDecay;
    if (currentDecay !== undefined && (pop.v0 || pop.selfWeight))
      throw new SnncError(
        "E_TARGET",
        `a state offset (initial state or self weight) on a neuron with a synaptic current: its pulses and self weight would enter u and decay with it`,
        { layer: n.id, param: "tau_syn" },
      );
    const silence = timing.silence.get(n.id);
    if (silence && (pop.kind !== "lif" || (n.op === "neuron" && n.schedule)))
      throw new SnncError(
        "E_TARGET",
        `read ${silence} step${silence === 1 ? "" : "s"} late (a recurrent edge or a delay), so its warm-up steps must be kept silent, which snnc does for Lava's LIF without a per-step gain only (this layer runs on ${pop.kind === "lif" ? "a gain stage" : pop.kind === "atrlif" ? "ATRLIF" : "snnc's MultiThresholdLIF"})`,
        { layer: n.id },
      );
    if (silence) pop.silence = silence;
    populations.push(pop);
    const gated = n.op === "neuron" && hasGainSchedule(n);
    const terms1 = termConnections(plan, timing, byId, target).map((c) =>
      gated ? { ...c, port: "gated" as const } : c,
    );
    connections.push(...terms1, ...extra, ...offsetConnections(pop, pulseId, phases));
    if (gated) connections.push(...scheduleConnections(n, pop, constant, g.meta.timesteps, pulseId, phases));
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
