/**
 * The lowered integer model of a Loihi-family target: populations of fixed-point CUBA LIF neurons
 * (Lava `PyLifModelBitAcc` / `PyLifResetModelBitAcc` arithmetic, docs/LAVA-FIXED-POINT.md §1) joined by integer
 * synapses (Lava `PyDenseModelBitAcc`, `PyConvModelFixed`, docs/LAVA-FIXED-POINT.md §2). IR-level data only: no
 * file format lives here (the netx / Lava process-graph / hwconfig writers are in backends/).
 *
 * Layout: every activation is the IR's flat row-major NHWC order without batch ([H, W, C] or [F]).
 *
 * Time (Lava steps n = 1, 2, …): the input presents column n−1 at step n (columns 0..T−1, then
 * zeros). A connection delivers at step n what its source emitted at step n − 1 − delay (every
 * synaptic layer adds one step). A population at depth d (synaptic hops from the input along its
 * longest path) first sees input column 0 at step d + 1: it lags the float reference by d steps.
 *
 * A population starts (before step 1) from u = 0 and v = v0 (Lava's LIF initial `v`; 0 when absent).
 * One step of a population, with a = Σ over incoming connections of their accumulation:
 *   if (n − resetOffset) mod resetInterval = 0:  u = v = 0            (LIFReset, before the update)
 *   u = sgn(p)·(|p| >> 12), p = u·(4096 − (du + 1));  u += a << 6;  u wraps to signed 24 bit
 *   v = sgn(q)·(|q| >> 12) + u + (biasMant << biasExp), q = v·(4096 − dv);  v saturates at ±(2^23 − 1)
 *   spike = v > vth << 6;  v = 0 where it spiked
 * Dense accumulation: acc = Σ_i W[i][o]·s_i (s binary, or the integer payload of graded spikes),
 * then acc << weightExp (weightExp > 0) or acc >> −weightExp (floor); a diagonal synapse is the
 * dense one whose matrix is diagonal (acc_i = W_i·s_i; a Lava Dense of diag(W)). Conv accumulation:
 * the cross-correlation of the source with the HWIO kernel, wrapped to signed 24 bit (weightExp
 * is 0: Lava's conv model does not apply it). A connection may go from a population to itself
 * (a self-recurrent synapse: what it emitted at step n − 1 arrives at step n).
 *
 * State offsets (passes/lower-state-offset.ts) add pulse populations: one LIF neuron that fires
 * exactly at the steps ≡ phase (mod runSteps) of every sample (phase 0: the last step, runSteps),
 * built from Lava's arithmetic alone: du 4095, dv 0, bias 1 << 6 = 64, vth = runSteps − 1, so v
 * climbs by 64 a step and crosses 64·(runSteps − 1) every runSteps steps; v0 = 64·(runSteps −
 * phase) makes the first crossing fall on step `phase` (`pulsePopulation`).
 *
 * Soft reset (docs/LOIHI-SEEDS.md §1) makes "atrlif" populations: Lava's ATRLIF with states i (kept
 * in `u`), v and r, compare v − r ≥ vth << 6 (vth is ATRLIF's 12-bit theta_0), a spike adds
 * 2·(vth << 6) to r, r decays by dr; the periodic reset sets i = 0, v = v0, r = 0 (Lava `Reset`
 * processes), so v0 is one value. "multi-threshold" populations are snnc's own MultiThresholdLIF:
 * the LIF step, then per neuron the compares v > thresholds[k][i] (output the count, a graded
 * spike; [0] is the base plane, which alone resets v: to resetValue, or by subtracting
 * resetAmount); its vth is unused. A population with `gainStage` has
 * a Lava ProdNeuron in front: its "gated" connections sum into one port, its "gain" connections
 * into the other, and (gated · gain) >> exp joins the neuron's input in the same step.
 */
import { planesProblem } from "./weight-planes.ts";

export type FixedPopulationKind =
  /** A spiking CUBA LIF population. */
  | "lif"
  /** A non-spiking integrator (a readout): du = 4095, dv = 0, vth at its maximum, never fires. */
  | "integrator"
  /** One neuron that fires once per sample at a fixed step (`phase`): drives state offsets and schedules. */
  | "pulse"
  /** Lava ATRLIF with its threshold adaptation off: a soft reset (v − r ≥ vth << 6, then r += 2·(vth << 6)). */
  | "atrlif"
  /** snnc's own MultiThresholdLIF: MT planes on one membrane (graded output), or a soft reset ATRLIF cannot hold. */
  | "multi-threshold";

export interface FixedInput {
  id: string;
  /** NHWC shape without batch. */
  shape: number[];
  /** "binary": 0/1 spikes; "graded": integer payloads of `messageBits` bits (Loihi 2). */
  kind: "binary" | "graded";
  messageBits: number;
  /** Payload = round-half-away-from-zero(x · scale), clipped to [min, max] (1 for binary input). */
  scale: number;
  min: number;
  max: number;
  /** "direct": the same analog sample every step; "spikes": one column per step. */
  encoding: "direct" | "spikes";
}

export interface FixedPopulation {
  id: string;
  kind: FixedPopulationKind;
  /** NHWC shape without batch. */
  shape: number[];
  /** Current decay 0..4095 (Lava adds 1: 4095 clears the current every step). */
  du: number;
  /** Voltage decay 0..4095. */
  dv: number;
  /** Threshold mantissa: spike iff v > vth << 6. */
  vth: number;
  /** One bias mantissa per neuron (bias = biasMant << biasExp). */
  biasMant: Int32Array;
  biasExp: number;
  /** Synaptic hops from the input (longest path); the population lags the reference by `depth` steps. */
  depth: number;
  /** LIFReset: zero u and v before the update at steps n with (n − resetOffset) mod resetInterval = 0. */
  resetInterval: number;
  resetOffset: number;
  /**
   * Integer voltage units per unit of the float membrane, per neuron: v_int ≈ vScale · h.
   * Readouts decode as h = v / vScale.
   */
  vScale: Float64Array;
  /** The IR node this population implements (neuron or readout id). */
  source: string;
  /** Integrators only: how the host turns v into the readout value. */
  readout?: { mode: "mean" | "sum" };
  /** v before step 1, per neuron (Lava LIF `v`); absent: 0. */
  v0?: Int32Array;
  /** Pulses only: fires at the steps ≡ phase (mod runSteps); 0 is the last step of a sample. */
  phase?: number;
  /** ATRLIF: the decay of r (4096 − dr per 4096); equal to dv. */
  dr?: number;
  /** Multi-threshold: per neuron in voltage units, [0] the base plane's threshold, [k] plane k's (spike iff v > it). */
  thresholds?: Int32Array[];
  /** Multi-threshold, hard reset: v after a base spike, per neuron (absent: 0). */
  resetValue?: Int32Array;
  /** Multi-threshold, soft reset: what a base spike subtracts from v, per neuron. */
  resetAmount?: Int32Array;
  /** A per-step gain stage (Lava ProdNeuron) in front of the neuron: (gated · gain) >> exp. */
  gainStage?: { exp: number };
}

/**
 * An integer model's weights: int16 when every weight of the synapse fits (Loihi's have 9 bits: half
 * the memory), else int32.
 */
export type IntWeights = Int16Array | Int32Array;

/**
 * The synapse forms, generic in the array that holds their weights: `IntWeights` (the default) in
 * the integer model, `Float64Array` in the quantiser's real-valued synaptic form.
 */
export interface DenseSynapse<W extends ArrayLike<number> = IntWeights> {
  kind: "dense";
  inSize: number;
  outSize: number;
  /** Row-major [in, out] (the IR's dense kernel layout): W[i][o] at i·outSize + o. */
  weights: W;
}

/** One synapse from neuron i of the source to neuron i of the target: acc_i = weights[i]·s_i. */
export interface DiagonalSynapse<W extends ArrayLike<number> = IntWeights> {
  kind: "diagonal";
  size: number;
  weights: W;
}

export interface ConvSynapse<W extends ArrayLike<number> = IntWeights> {
  kind: "conv";
  /** Source shape [H, W, C] and target shape [H', W', C']. */
  inShape: [number, number, number];
  outShape: [number, number, number];
  /** HWIO [kh, kw, C/groups, C'] row-major, cross-correlation (as Keras / the IR). */
  kernelShape: [number, number, number, number];
  kernel: W;
  strides: [number, number];
  /** [top, bottom, left, right] zero padding. */
  pads: [number, number, number, number];
  dilation: [number, number];
  groups: number;
}

export type Synapse<W extends ArrayLike<number> = IntWeights> = DenseSynapse<W> | ConvSynapse<W> | DiagonalSynapse<W>;

export interface FixedConnection {
  id: string;
  /** Source: the input's id or a population id. */
  from: string;
  /** Target population id. */
  to: string;
  /** Steps beyond the one every synaptic layer adds. */
  delay: number;
  /** Into the target's gain stage: its first ("gated", the current) or second ("gain") port; absent: the neuron. */
  port?: "gated" | "gain";
  weightExp: number;
  synapse: Synapse;
  /** Weights beyond 8 bits, carried by two synapse processes 2^planes apart (weight-planes.ts). */
  planes?: number;
  /** The IR nodes the connection was built from (reports). */
  origin: string[];
}

export interface FixedModel {
  name: string;
  /** Target name the model was quantised for (e.g. "loihi2"). */
  target: string;
  /** Reference time steps T (input columns presented). */
  timesteps: number;
  /** Lava steps to run one sample: T + the deepest population's depth. */
  runSteps: number;
  input: FixedInput;
  /** In topological order. */
  populations: FixedPopulation[];
  connections: FixedConnection[];
  /** Population ids whose values are the model's result (integrators, or spiking layers). */
  outputs: string[];
}

/** Arithmetic constants of Lava's bit-accurate models. */
export const LAVA = {
  decayShift: 12,
  decayUnity: 4096,
  vthShift: 6,
  actShift: 6,
  stateBits: 24,
  /** u wraps when > 2^23 or <= −2^23. */
  uWrap: 2 ** 23,
  /** v saturates at ±(2^23 − 1). */
  vMax: 2 ** 23 - 1,
  vthMax: 2 ** 17 - 1,
  /** ATRLIF's theta_0 is a 12-bit mantissa. */
  atrlifThetaMax: 4095,
  decayMax: 4095,
  biasMantMax: 4095,
  biasExpMax: 7,
} as const;

export function populationSize(p: Pick<FixedPopulation, "shape">): number {
  let n = 1;
  for (const d of p.shape) n *= d;
  return n;
}

/**
 * The pulse population of `phase` (0..runSteps − 1) for runs of `runSteps` steps per sample: one
 * neuron firing at steps ≡ phase (mod runSteps). It zeroes at step phase + 1 (already 0 there:
 * the LIFReset schedule only re-aligns it).
 */
export function pulsePopulation(id: string, phase: number, runSteps: number): FixedPopulation {
  if (!Number.isInteger(phase) || phase < 0 || phase >= runSteps)
    throw new RangeError(`pulse phase ${phase} outside 0..${runSteps - 1}`);
  if (64 * runSteps > LAVA.vMax) throw new RangeError(`a pulse cannot count ${runSteps} steps in 24 bits`);
  return {
    id,
    kind: "pulse",
    shape: [1],
    du: LAVA.decayMax,
    dv: 0,
    vth: runSteps - 1,
    biasMant: Int32Array.of(1),
    biasExp: LAVA.actShift,
    depth: 0,
    resetInterval: runSteps,
    resetOffset: phase + 1,
    vScale: Float64Array.of(2 ** LAVA.actShift),
    source: id,
    v0: Int32Array.of(phase === 0 ? 0 : 2 ** LAVA.actShift * (runSteps - phase)),
    phase,
  };
}

/** Structural checks: ids, shapes, parameter ranges of Lava's models. Throws RangeError naming the part. */
export function checkFixedModel(m: FixedModel): void {
  const ids = new Set<string>([m.input.id]);
  const sizes = new Map<string, number>([[m.input.id, m.input.shape.reduce((a, b) => a * b, 1)]]);
  const intIn = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  for (const p of m.populations) {
    if (ids.has(p.id)) throw new RangeError(`fixed model: duplicate id '${p.id}'`);
    ids.add(p.id);
    const n = populationSize(p);
    sizes.set(p.id, n);
    if (!intIn(p.du, 0, LAVA.decayMax)) throw new RangeError(`population '${p.id}': du ${p.du} outside 0..4095`);
    if (!intIn(p.dv, 0, LAVA.decayMax)) throw new RangeError(`population '${p.id}': dv ${p.dv} outside 0..4095`);
    if (!intIn(p.vth, 0, LAVA.vthMax))
      throw new RangeError(`population '${p.id}': vth ${p.vth} outside 0..${LAVA.vthMax}`);
    if (!intIn(p.biasExp, 0, LAVA.biasExpMax))
      throw new RangeError(`population '${p.id}': biasExp ${p.biasExp} outside 0..7`);
    if (p.biasMant.length !== n)
      throw new RangeError(`population '${p.id}': ${p.biasMant.length} bias values for ${n} neurons`);
    if (p.vScale.length !== n) throw new RangeError(`population '${p.id}': ${p.vScale.length} scales for ${n} neurons`);
    for (const b of p.biasMant)
      if (Math.abs(b) > LAVA.biasMantMax)
        throw new RangeError(`population '${p.id}': bias mantissa ${b} outside ±4095`);
    if (!(p.resetInterval >= 1) || !Number.isInteger(p.resetOffset))
      throw new RangeError(`population '${p.id}': bad reset schedule`);
    if (p.v0) {
      if (p.v0.length !== n)
        throw new RangeError(`population '${p.id}': ${p.v0.length} initial values for ${n} neurons`);
      for (const v of p.v0)
        if (Math.abs(v) > LAVA.vMax) throw new RangeError(`population '${p.id}': initial v ${v} outside ±(2^23 − 1)`);
    }
    if (p.kind === "pulse" && (n !== 1 || p.phase === undefined))
      throw new RangeError(`population '${p.id}': a pulse is one neuron with a phase`);
    checkKindFields(p, n);
  }
  const gated = new Set(m.populations.filter((p) => p.gainStage).map((p) => p.id));
  for (const c of m.connections) {
    const from = sizes.get(c.from);
    const to = sizes.get(c.to);
    if (from === undefined) throw new RangeError(`connection '${c.id}': unknown source '${c.from}'`);
    if (to === undefined || c.to === m.input.id) throw new RangeError(`connection '${c.id}': unknown target '${c.to}'`);
    if (!Number.isInteger(c.delay) || c.delay < 0) throw new RangeError(`connection '${c.id}': delay ${c.delay}`);
    if (c.port && !gated.has(c.to))
      throw new RangeError(`connection '${c.id}': port '${c.port}' of '${c.to}', which has no gain stage`);
    const planes = planesProblem(c);
    if (planes) throw new RangeError(`connection '${c.id}': ${planes}`);
    const s = c.synapse;
    if (s.kind === "diagonal") {
      if (s.size !== from || s.size !== to || s.weights.length !== s.size) {
        throw new RangeError(
          `connection '${c.id}': diagonal of ${s.size} (${s.weights.length} weights) between sizes ${from} and ${to}`,
        );
      }
    } else if (s.kind === "dense") {
      if (s.inSize !== from || s.outSize !== to || s.weights.length !== from * to) {
        throw new RangeError(
          `connection '${c.id}': dense ${s.inSize}→${s.outSize} (${s.weights.length} weights) between sizes ${from} and ${to}`,
        );
      }
    } else {
      const [kh, kw, ki, ko] = s.kernelShape;
      if (s.inShape[0] * s.inShape[1] * s.inShape[2] !== from || s.outShape[0] * s.outShape[1] * s.outShape[2] !== to) {
        throw new RangeError(`connection '${c.id}': conv shapes do not match its populations`);
      }
      if (ko !== s.outShape[2] || ki * s.groups !== s.inShape[2] || s.kernel.length !== kh * kw * ki * ko) {
        throw new RangeError(
          `connection '${c.id}': conv kernel [${s.kernelShape.join(",")}] does not match ${s.inShape[2]} → ${s.outShape[2]} channels`,
        );
      }
      if (c.weightExp !== 0)
        throw new RangeError(`connection '${c.id}': Lava's conv model ignores weightExp; it must be 0`);
    }
  }
  for (const o of m.outputs)
    if (!sizes.has(o) || o === m.input.id) throw new RangeError(`fixed model: output '${o}' is not a population`);
}

/** The fields of the ATRLIF and multi-threshold kinds (LAVA-FIXED-POINT.md §5, LOIHI-SEEDS.md §3). */
function checkKindFields(p: FixedPopulation, n: number): void {
  if (p.kind === "atrlif") {
    if (p.vth < 1 || p.vth > LAVA.atrlifThetaMax || p.dr === undefined || p.dr < 0 || p.dr > LAVA.decayMax)
      throw new RangeError(`population '${p.id}': ATRLIF needs theta_0 (vth) in 1..4095 and a decay dr`);
    if (p.v0?.some((v) => v !== p.v0![0]))
      throw new RangeError(`population '${p.id}': an ATRLIF's v after its periodic reset is one value (Lava's Reset)`);
  } else if (p.dr !== undefined) throw new RangeError(`population '${p.id}': dr on a ${p.kind} population`);
  if (p.kind === "multi-threshold") {
    if (!p.thresholds?.length)
      throw new RangeError(`population '${p.id}': a multi-threshold population needs thresholds`);
    for (const t of [...p.thresholds, p.resetValue, p.resetAmount])
      if (t && t.length !== n)
        throw new RangeError(`population '${p.id}': ${t.length} per-neuron values for ${n} neurons`);
  } else if (p.thresholds || p.resetValue || p.resetAmount)
    throw new RangeError(`population '${p.id}': per-neuron thresholds or reset values on a ${p.kind} population`);
  if (p.gainStage && !(Number.isInteger(p.gainStage.exp) && p.gainStage.exp >= 0 && p.gainStage.exp < 32))
    throw new RangeError(`population '${p.id}': gain stage exponent ${p.gainStage.exp} outside 0..31`);
}

/** What a core holds, counted against the target's per-core limits. */
export interface CoreLoad {
  neurons: number;
  synapses: number;
  synapseMemoryBytes: number;
  inputAxons: number;
  outputAxons: number;
  profiles: number;
}

/** A core's load alone, in the order the output files list it. */
export function coreLoad(c: CoreLoad): CoreLoad {
  const { neurons, synapses, synapseMemoryBytes, inputAxons, outputAxons, profiles } = c;
  return { neurons, synapses, synapseMemoryBytes, inputAxons, outputAxons, profiles };
}

/** Where place-loihi put every population: cores, chips, per-core use and the limits checked. */
export interface CoreUse extends CoreLoad {
  /** Global core index (chip · coresPerChip + core in chip). */
  core: number;
  chip: number;
  coreInChip: number;
  /** Neuron slices [start, end) of populations on this core. */
  slices: { population: string; start: number; end: number }[];
}

export interface Placement {
  target: string;
  board: string;
  boardChips: number;
  coresPerChip: number;
  cores: CoreUse[];
  populations: { id: string; neurons: number; synapses: number; cores: number[] }[];
  totals: { neurons: number; synapses: number; synapseMemoryBytes: number; cores: number; chips: number };
  /** The limits checked (null: not modelled for this target). */
  limits: {
    neurons: number;
    synapseMemoryBytes: number;
    synapseBits: number;
    inputAxons: number | null;
    outputAxons: number | null;
    thresholdProfiles: number | null;
    chipNeurons: number | null;
    chipSynapses: number | null;
  };
  notes: string[];
}
