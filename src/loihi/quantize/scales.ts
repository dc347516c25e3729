/**
 * The scale of a population: one factor g (integer synaptic units a per unit of float current),
 * v_int = 64·g·h. The threshold fixes it exactly: θ·g = vth for `>`, θ·g = vth + 1/64 for `≥`
 * (h ≥ θ ⇔ 64gh ≥ 64vth + 1 ⇔ v > vth·64, the integer form of h ≥ θ ⇔ h > θ − 1). vth is the
 * largest integer for which every weight fits its sign mode's range (with weight exponent 0 on conv
 * and on netx-bound synapses; other dense synapses pick their own exponent), the bias fits its
 * mantissa, one step's |a|·64 cannot wrap u, and (below a cap) leaves headroom under saturation.
 * Readouts are integrators that must never reach their (largest) threshold over a run.
 */
import { size } from "../../ir/tensor.ts";
import { LAVA } from "../model/integer-model.ts";
import type { TargetSpec } from "../../target/target.ts";
import { fmt } from "../../passes/support/rewrite.ts";
import {
  biasMantissaMax,
  fixedExponent,
  isPulse,
  payloadMax,
  payloadScale,
  planeShift,
  type QuantContext,
} from "./quantize-context.ts";
import { atrlifRealRange } from "./atrlif-range.ts";
import { largestAbs, maxOf, rowSums, rowSumsOver } from "./row-sums.ts";
import { silentSteps, type RealConnection, type RealPopulation, type RealSynapse } from "./synaptic-form.ts";
import { currentFactor } from "./weights-biases.ts";

/** The smallest and largest value (0, 0 when empty); made once per array (weights are not written once made). */
export function minMax(a: Float64Array): readonly [number, number] {
  const known = extremes.get(a);
  if (known) return known;
  const r = extremesOf(a);
  extremes.set(a, r);
  return r;
}

const extremes = new WeakMap<Float64Array, readonly [number, number]>();

function extremesOf(a: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return a.length ? [lo, hi] : [0, 0];
}

/** The integer range of a weight matrix with these signs (netx/Lava sign modes, docs/LAVA-FIXED-POINT.md). */
export function rangeFor(lo: number, hi: number, t: TargetSpec): [number, number] {
  const r = t.arithmetic.weightRanges;
  if (lo >= 0) return r.excitatory;
  if (hi <= 0) return [r.inhibitory[0], 0];
  return r.mixed;
}

/** Largest g with lo·g/k ≥ rlo and hi·g/k ≤ rhi. */
export function gLimit(lo: number, hi: number, k: number, range: [number, number]): number {
  let g = Infinity;
  if (hi > 0) g = Math.min(g, (range[1] * k) / hi);
  if (lo < 0) g = Math.min(g, (range[0] * k) / lo);
  return g;
}

/** The weight values of a synapse, whatever its form. */
export function weightsOf(s: RealSynapse): Float64Array {
  return s.kind === "conv" ? s.kernel : s.weights;
}

/** A bound on g and the constraint it comes from (report: `limitedBy`). */
export type Limit = [string, number];

export interface ScaleChoice {
  g: number;
  vth: number;
  limitedBy: string;
  warning?: string;
}

function weightLimit(ctx: QuantContext, c: RealConnection): Limit {
  const [lo, hi] = minMax(weightsOf(c.synapse));
  const range = rangeFor(lo, hi, ctx.t);
  // two planes 2^P apart hold weights of 8 + P bits at exponent 0 (a free exponent gains precision, not range)
  const P = planeShift(ctx, c);
  if (fixedExponent(ctx, c)) {
    const what = P ? `weights of '${c.id}' in two planes` : `weights of '${c.id}'`;
    return [what, gLimit(lo, hi, payloadScale(ctx, c.from), [range[0] * 2 ** P, range[1] * 2 ** P])];
  }
  // the connection picks its own exponent, up to the largest
  const eMax = ctx.t.arithmetic.weightExponentRange[1];
  return [`weights of '${c.id}' at exponent ${eMax}`, gLimit(lo, hi, payloadScale(ctx, c.from) * 2 ** eMax, range)];
}

function biasLimit(ctx: QuantContext, bmax: number): Limit {
  const A = ctx.t.arithmetic;
  const mant = biasMantissaMax(ctx.t);
  return ["bias", ctx.opts.netx ? mant / bmax : (mant * 2 ** (A.biasExponentRange[1] - A.activationShift)) / bmax];
}

/**
 * Largest one step's |a| per unit of g: all sources at their largest payloads (float bound of Σ|w|·x);
 * a gain stage's current counts at its largest gain.
 */
function stepInput(ctx: QuantContext, p: RealPopulation, conns: RealConnection[]): number {
  const known = ctx.stepInputs?.get(p);
  if (known && known.conns.length === conns.length && known.conns.every((c, i) => c === conns[i])) return known.value;
  const a = rowSumsOver(
    conns,
    size(p.shape),
    (c) => ((c.port === "gated" ? p.gainMax! : 1) * payloadMax(ctx, c.from)) / payloadScale(ctx, c.from),
  );
  return largestAbs(a);
}

/** stepInput's value for p over `conns`, measured elsewhere with the same sums (split-scales.ts). */
export function rememberStepInput(
  ctx: QuantContext,
  p: RealPopulation,
  conns: readonly RealConnection[],
  value: number,
) {
  ctx.stepInputs ??= new WeakMap();
  ctx.stepInputs.set(p, { conns, value });
}

/**
 * A population kept silent over its last K warm-up steps (a self weight, or read through a delay:
 * state-offsets.ts) is held below its threshold by an inhibition as large as anything its
 * population sources may deliver then (plus its bias, plus, with a synaptic current, what u may
 * still hold); the whole swing over those steps must not wrap u (with a tenth of slack for
 * rounding the weights up). Without a synaptic current (f = 0) this is one step's swing.
 */
function warmUpSwing(ctx: QuantContext, p: RealPopulation, conns: RealConnection[]): number {
  const n = size(p.shape);
  const swing = new Float64Array(n);
  const f = currentFactor(ctx, p);
  const K = silentSteps(p);
  let reach = 0; // Σ_{m<K} f^m: how much of the per-step swing u can gather over the K steps
  for (let m = 0; m < K; m++) reach += f ** m;
  const all = f > 0 ? rowSumsOver(conns, n, (c) => payloadMax(ctx, c.from) / payloadScale(ctx, c.from)) : undefined;
  for (const c of conns) {
    // the input sends zeros then, unless delayed (a term of k steps: delay d − 1 + k)
    if ((c.from === ctx.sf.inputId && c.delay <= p.depth - 1) || isPulse(ctx, c.from)) continue;
    const x = c.from === ctx.sf.inputId ? payloadMax(ctx, c.from) / payloadScale(ctx, c.from) : 1;
    const { pos, neg } = rowSums(c.synapse, x, n);
    for (let i = 0; i < n; i++) swing[i] += pos[i]! - neg[i]!;
  }
  for (let i = 0; i < n; i++) {
    swing[i] += Math.max(p.bias[i]!, 0);
    // the inhibition also covers the f·U+ u may hold; after K steps f^K·U− of u's low is left
    if (all) swing[i] = (swing[i]! + (f * all.pos[i]!) / (1 - f)) * reach - (f ** K * all.neg[i]!) / (1 - f);
  }
  return maxOf(swing);
}

const STEP_INPUT = "one step's input (u must not wrap)";

/** Every bound on g of population p except the one its threshold or readout range adds (gain connections carry no current). */
function scaleLimits(ctx: QuantContext, p: RealPopulation, all: RealConnection[], skipWeightsOf?: string) {
  const conns = all.filter((c) => c.port !== "gain");
  const uMax = LAVA.uWrap / 2 ** ctx.t.arithmetic.activationShift - 1;
  const limits: Limit[] = conns.filter((c) => c.id !== skipWeightsOf).map((c) => weightLimit(ctx, c));
  let bmax = 0;
  for (const b of p.bias) bmax = Math.max(bmax, Math.abs(b));
  if (bmax > 0) limits.push(biasLimit(ctx, bmax));
  const aAbs = stepInput(ctx, p, conns);
  // a synaptic current gathers up to 1 / (1 − f) steps of input in u (2% kept for the weights' rounding)
  const f = currentFactor(ctx, p);
  if (aAbs > 0 && f > 0)
    limits.push(["the synaptic current's input (u must not wrap)", (0.98 * uMax * (1 - f)) / aAbs]);
  else if (aAbs > 0) limits.push([STEP_INPUT, uMax / aAbs]);
  const swing = silentSteps(p) ? warmUpSwing(ctx, p, conns) : 0;
  if (swing > 0) limits.push(["warm-up inhibition (u must not wrap)", (0.9 * uMax) / swing]);
  return { limits, perStep: aAbs + bmax };
}

const tightest = (limits: Limit[]): Limit => limits.reduce((a, b) => (b[1] < a[1] ? b : a));

/** g as large as the limits allow (1 when nothing limits it). */
function largestG(limits: Limit[]): number {
  const g = Math.min(...limits.map((l) => l[1]));
  return Number.isFinite(g) ? g : 1;
}

/**
 * The cap on vth, which keeps v's 24 bits 2^17 / vth thresholds deep: 2^15 (4 thresholds, below
 * which 8-bit weights lose precision), or with weight planes 2^13 (16 thresholds: the weights keep
 * 15 bits, and an IF neuron without leak can fall tens of thresholds below 0 over a run; more g
 * would only make its v saturate, which the float model does not do).
 */
function defaultVthCap(ctx: QuantContext): number {
  return Math.min(ctx.opts.vthCap ?? (ctx.opts.weightPlanes ? 2 ** 13 : 2 ** 15), LAVA.vthMax);
}

/** θ·g = vth (`>`) or vth + 1/64 (`≥`) with the largest integer vth the limits and the cap allow. */
function thresholdScale(ctx: QuantContext, p: RealPopulation, limits: Limit[]): Omit<ScaleChoice, "limitedBy"> {
  const vthCap = defaultVthCap(ctx);
  limits.push(["threshold mantissa cap", vthCap / p.threshold]);
  const gmax = Math.min(...limits.map((l) => l[1]));
  const ge = p.fire === "ge" ? 1 / 2 ** ctx.t.arithmetic.vthShift : 0;
  let vth = Math.floor(gmax * p.threshold - ge);
  let warning: string | undefined;
  if (vth < 1) {
    vth = 1;
    warning = `layer '${p.id}': the weights are large against the threshold (θ = ${fmt(p.threshold)}): even vth = 1 needs g = ${fmt((1 + ge) / p.threshold)} > ${fmt(gmax)} allowed by ${tightest(limits)[0]}; weights beyond the range are clipped`;
  }
  return { g: (vth + ge) / p.threshold, vth, warning };
}

/**
 * ATRLIF (docs/LOIHI-SEEDS.md §1): θ (= R/2) · g = theta_0, an integer of 12 bits, for `>` and `≥`
 * alike (it compares v − r ≥ theta_0 << 6). v never resets and r gathers 2·theta_0 << 6 a spike:
 * the walk of atrlif-range.ts bounds i, v and r over a run per unit of g, step by step (each pulse
 * at its own step, the gain stage at that step's gain), and they must stay within 24 bits. It
 * replaces the bound of one step's input with all sources at once; the integers are checked again
 * after rounding (quantize-synaptic-form.ts).
 */
function atrlifScale(
  ctx: QuantContext,
  p: RealPopulation,
  limits: Limit[],
  conns: RealConnection[],
  cap?: Limit,
): Omit<ScaleChoice, "limitedBy"> {
  const act = 2 ** ctx.t.arithmetic.activationShift;
  const r = atrlifRealRange(ctx, p, conns);
  const within = (x: number) => (x > 0 ? (LAVA.vMax - 1) / (act * x) : Infinity);
  const kept = limits.filter((l) => l[0] !== STEP_INPUT);
  limits.length = 0;
  limits.push(...kept);
  limits.push(["ATRLIF theta_0 (12 bits)", LAVA.atrlifThetaMax / p.threshold]);
  limits.push(["ATRLIF i at one step", within(r.iAbs)]);
  limits.push(["ATRLIF v over the run", within(Math.max(r.vHi, -r.vLo))]);
  limits.push(["ATRLIF r over the run", within(r.rHi)]);
  if (cap) limits.push(cap);
  const gmax = Math.min(...limits.map((l) => l[1]));
  let vth = Math.floor(gmax * p.threshold);
  let warning: string | undefined;
  if (vth < 1) {
    vth = 1;
    warning = `layer '${p.id}': even theta_0 = 1 needs g = ${fmt(1 / p.threshold)} > ${fmt(gmax)} allowed by ${tightest(limits)[0]}`;
  }
  return { g: vth / p.threshold, vth, warning };
}

/**
 * The scale g of population p: the largest the limits allow that makes the threshold an integer.
 * `conns`: every connection into p (its gain stage's too). `skipWeightsOf`: leave that connection's
 * weights out of the limits (analog input balancing). `cap`: one more bound (an ATRLIF whose
 * rounded integers broke a range at a larger g).
 */
export function chooseScale(
  ctx: QuantContext,
  p: RealPopulation,
  conns: RealConnection[],
  skipWeightsOf?: string,
  cap?: Limit,
): ScaleChoice {
  const A = ctx.t.arithmetic;
  const { limits, perStep } = scaleLimits(ctx, p, conns, skipWeightsOf);
  let choice: Omit<ScaleChoice, "limitedBy">;
  if (p.kind === "integrator") {
    // v = Σ (a·64 + bias) over the run must stay below vth_max·64: never fires, never saturates
    if (perStep > 0)
      limits.push([
        "readout range over the run",
        (LAVA.vthMax * 2 ** A.vthShift - 1) / (2 ** A.activationShift * ctx.runSteps * perStep),
      ]);
    choice = { g: largestG(limits), vth: LAVA.vthMax };
  } else if (p.threshold === Infinity || p.threshold === -Infinity) {
    choice = { g: 0, vth: p.threshold === Infinity ? LAVA.vthMax : 0 };
  } else if (p.threshold === 0) {
    choice = { g: largestG(limits), vth: 0 };
  } else if (p.kind === "atrlif") {
    choice = atrlifScale(ctx, p, limits, conns, cap);
  } else if (p.kind === "multi-threshold") {
    // every threshold is a per-neuron integer in voltage units: the largest one keeps the LIF's headroom
    const vthCap = defaultVthCap(ctx);
    limits.push(["threshold mantissa cap (largest |threshold|)", vthCap / p.threshold]);
    choice = { g: largestG(limits), vth: 0 };
  } else {
    choice = thresholdScale(ctx, p, limits);
  }
  return { ...choice, limitedBy: limits.length ? tightest(limits)[0] : "nothing" };
}
