/**
 * NIR's neuron primitives → IR nodes, discretised as discretise.ts states (k = dt/τ or 1 − e^(−dt/τ)):
 *
 *   IF         neuron: h = v + r·x, fire h > v_threshold, reset to v_reset (0 when the file has none)
 *   LIF        neuron: decay 1 − k, gain k·r, bias k·v_leak; fire and reset as IF
 *   Threshold  neuron without memory (decay 0): fire x > threshold
 *   CubaLIF    li (the synaptic current: decay 1 − k_syn, gain k_syn·w_in) → neuron as LIF with τ_mem
 *   I          li: decay 1, gain r (a Readout when snnc wrote it so: metadata snnc_readout)
 *   LI         li: decay 1 − k, gain k·r, bias k·v_leak (its output is the membrane)
 *   CubaLI     li (synaptic current) → li (membrane)
 *
 * Parameters may differ per neuron; a spiking neuron's τ must be one value for the layer (the IR's
 * neuron has one decay). NIR fires on v > θ (fire "gt") and resets to v_reset (hard reset).
 */
import { SnncError } from "../../ir/errors.ts";
import type { NeuronNode } from "../../ir/nodes.ts";
import { tensor } from "../../ir/tensor.ts";
import { type ConvertCtx, origin } from "./convert-context.ts";
import { stepFraction } from "./discretise.ts";
import { compactIr, irValues, permuted, type Value } from "./layout.ts";

const mul = (a: Float64Array, b: Float64Array) => Float64Array.from(a, (x, i) => x * b[i]!);

/** Per-element values of a parameter in IR order (`dflt` when the dataset is optional and absent). */
function values(c: ConvertCtx, key: string, dflt?: number, infinite = false): Float64Array {
  const n = c.input.nir.reduce((a, b) => a * b, 1);
  if (dflt !== undefined && !c.node.params.has(key)) return new Float64Array(n).fill(dflt);
  return irValues(c.node.params.array(key, infinite), c.input, key, c.node.name);
}

/** The largest float64 below x (−∞ for −∞). */
function nextDown(x: number): number {
  if (!Number.isFinite(x)) return x === Infinity ? Number.MAX_VALUE : x;
  if (x === 0) return -Number.MIN_VALUE;
  const b = Float64Array.of(x);
  const u = new BigInt64Array(b.buffer);
  u[0] = x > 0 ? u[0]! - 1n : u[0]! + 1n;
  return b[0]!;
}

/**
 * The firing rule: NIR fires on v > θ. A file snnc wrote for a neuron firing on v ≥ θ holds θ⁻ (the
 * float64 just below θ, the same decision) and, in its metadata, snnc_fire "ge" and snnc_threshold θ.
 */
function firing(c: ConvertCtx, theta: Float64Array): { fire: "gt" | "ge"; theta: Float64Array } {
  const md = c.node.params.metadata;
  const exactTheta = md.get("snnc_threshold")?.numbers;
  if (md.get("snnc_fire")?.strings?.[0] !== "ge" || !exactTheta || exactTheta.length !== theta.length)
    return { fire: "gt", theta };
  const ge = permuted(exactTheta, c.input);
  return ge.every((t, i) => nextDown(t) === theta[i]) ? { fire: "ge", theta: ge } : { fire: "gt", theta };
}

/**
 * The exact value snnc wrote for a discrete parameter (metadata `snnc_<key>`, NIR order), when this
 * read may use it and it agrees with the value computed from the continuous parameters.
 */
function exact(c: ConvertCtx, key: string, computed: Float64Array): Float64Array {
  const m = c.exact ? c.node.params.metadata.get(`snnc_${key}`) : undefined;
  const nums = m?.numbers;
  if (!nums || (nums.length !== 1 && nums.length !== computed.length)) return computed;
  const ir = nums.length === 1 ? new Float64Array(computed.length).fill(nums[0]!) : permuted(nums, c.input);
  const close = ir.every((x, i) => {
    const y = computed[i]!;
    return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y)) + 1e-300;
  });
  return close ? ir : computed;
}

/** The continuous → discrete step of one leaky state: decay, and k (the input share). */
function leak(c: ConvertCtx, tauKey: string, decayKey: string): { decay: Float64Array; k: Float64Array } {
  const k = stepFraction(values(c, tauKey), c.d, { layer: c.node.name, param: tauKey });
  const decay = exact(
    c,
    decayKey,
    Float64Array.from(k, (x) => 1 - x),
  );
  return { decay, k };
}

/** One decay for the whole layer (the IR neuron's decay is a number). */
function layerDecay(c: ConvertCtx, decay: Float64Array, tauKey: string): number {
  if (decay.some((d) => d !== decay[0])) {
    throw new SnncError(
      "E_UNSUPPORTED",
      `'${tauKey}' differs between neurons; snnc's spiking neuron has one decay per layer (split the layer by time constant)`,
      { layer: c.node.name, param: tauKey },
    );
  }
  return decay[0]!;
}

/** A synaptic current stage (CubaLIF, CubaLI): li with decay 1 − k_syn and gain k_syn·w_in. */
function synapse(c: ConvertCtx): Value {
  const { decay, k } = leak(c, "tau_syn", "syn_decay");
  const gain = exact(c, "syn_gain", mul(k, values(c, "w_in", 1)));
  const id = c.fresh(`${c.node.name}:i_syn`);
  const v = c.input;
  c.emit({
    op: "li",
    id,
    inputs: [v.id],
    decay: compactIr(decay, v),
    gain: compactIr(gain, v),
    bias: tensor([], [0]),
    origin: origin(c, "synaptic current"),
  });
  return { ...v, id };
}

function spiking(
  c: ConvertCtx,
  src: Value,
  p: { model: "IF" | "LIF"; decay: number; gain: Float64Array; bias: Float64Array; thresholdKey: string },
): Value {
  const { fire, theta } = firing(c, values(c, p.thresholdKey, undefined, true));
  const vReset = values(c, "v_reset", 0);
  const threshold = compactIr(theta, src);
  // Hard reset never reads the soft-reset amount; snnc keeps it (and the configured θ) in the metadata.
  const md = c.node.params.metadata;
  const amount = md.get("snnc_reset_amount")?.numbers;
  const resetAmount =
    amount && amount.length === theta.length
      ? compactIr(permuted(amount, c.input), src)
      : compactIr(
          theta.map((t) => (Number.isFinite(t) ? t : 0)),
          src,
        );
  const configured = md.get("snnc_v_threshold")?.numbers?.[0];
  const id = c.fresh(c.node.name);
  const n: NeuronNode = {
    op: "neuron",
    id,
    inputs: [src.id],
    model: p.model,
    decay: p.decay,
    gain: compactIr(p.gain, src),
    bias: compactIr(p.bias, src),
    fire,
    reset: "hard",
    threshold,
    vReset: compactIr(vReset, src),
    resetAmount,
    vThreshold:
      configured !== undefined && Number.isFinite(configured) ? configured : (theta.find(Number.isFinite) ?? 0),
    origin: origin(c),
  };
  c.emit(n);
  return { ...src, id };
}

export function ifNeuron(c: ConvertCtx): Value {
  const gain = values(c, "r");
  return spiking(c, c.input, {
    model: "IF",
    decay: 1,
    gain,
    bias: new Float64Array(gain.length),
    thresholdKey: "v_threshold",
  });
}

function lifLike(c: ConvertCtx, src: Value, tauKey: string): Value {
  const { decay, k } = leak(c, tauKey, "decay");
  const gain = exact(c, "gain", mul(k, values(c, "r")));
  const bias = exact(c, "bias", mul(k, values(c, "v_leak")));
  return spiking(c, src, {
    model: "LIF",
    decay: layerDecay(c, decay, tauKey),
    gain,
    bias,
    thresholdKey: "v_threshold",
  });
}

export const lif = (c: ConvertCtx): Value => lifLike(c, c.input, "tau");
export const cubaLif = (c: ConvertCtx): Value => lifLike(c, synapse(c), "tau_mem");

export function threshold(c: ConvertCtx): Value {
  const n = values(c, "threshold", undefined, true).length;
  const ones = new Float64Array(n).fill(1);
  return spiking(c, c.input, {
    model: "LIF",
    decay: 0,
    gain: ones,
    bias: new Float64Array(n),
    thresholdKey: "threshold",
  });
}

function membrane(c: ConvertCtx, src: Value, decay: Float64Array, gain: Float64Array, bias: Float64Array): Value {
  const id = c.fresh(c.node.name);
  c.emit({
    op: "li",
    id,
    inputs: [src.id],
    decay: compactIr(decay, src),
    gain: compactIr(gain, src),
    bias: compactIr(bias, src),
    origin: origin(c),
  });
  return { ...src, id };
}

export function integrator(c: ConvertCtx): Value {
  const r = values(c, "r");
  const mode = c.node.params.metadata.get("snnc_readout")?.strings?.[0];
  if ((mode === "mean" || mode === "sum") && r.every((x) => x === 1)) {
    const id = c.fresh(c.node.name);
    c.emit({ op: "readout", id, inputs: [c.input.id], mode, origin: origin(c, `snnc Readout '${mode}'`) });
    return { ...c.input, id };
  }
  return membrane(c, c.input, new Float64Array(r.length).fill(1), r, new Float64Array(r.length));
}

function liLike(c: ConvertCtx, src: Value, tauKey: string): Value {
  const { decay, k } = leak(c, tauKey, "decay");
  const gain = exact(c, "gain", mul(k, values(c, "r")));
  const bias = exact(c, "bias", mul(k, values(c, "v_leak")));
  return membrane(c, src, decay, gain, bias);
}

export const leakyIntegrator = (c: ConvertCtx): Value => liLike(c, c.input, "tau");
export const cubaLi = (c: ConvertCtx): Value => liLike(c, synapse(c), "tau_mem");
