/**
 * A population's integers once its scale g is chosen: weights w_int = round(g·w / (s·2^e)) (s: the
 * source's payload scale; e: 0, or for a free dense synapse the smallest exponent that fits, the
 * finest weights), clipped to the sign mode's range; the bias mantissa and exponent of 64·g·b;
 * dv = round(4096(1 − τ)) and du = 4095 (the single-state LIF clears its current every step;
 * readouts are integrators with dv = 0), or for a synaptic current of decay d du = round(4096(1 − d)) − 1
 * (Lava decays u by 4096 − (du + 1)). Rounding is half away from zero, as Lava's.
 */
import { size } from "../../ir/tensor.ts";
import { fmt } from "../../passes/support/rewrite.ts";
import { roundHalfAway, roundHalfUpAbs } from "../model/rounding.ts";
import type { FixedConnection, IntWeights, Synapse } from "../model/integer-model.ts";
import {
  biasMantissaMax,
  fixedExponent,
  payloadScale,
  planeShift,
  type QuantContext,
  type QuantizedWeights,
} from "./quantize-context.ts";
import type { ConnectionQuant } from "./quantize-types.ts";
import { minMax, gLimit, rangeFor, weightsOf } from "./scales.ts";
import type { RealConnection, RealPopulation, RealSynapse } from "./synaptic-form.ts";

/**
 * The weight exponent of c at scale g: 0 when fixed, else the smallest whose range holds the
 * weights; with two planes P apart (P > 0) the range is 2^P times larger and the high plane's
 * exponent e + P must stay within the target's (e ≥ −P: it must not floor).
 */
function weightExponent(ctx: QuantContext, c: RealConnection, g: number, lo: number, hi: number, P: number): number {
  if (fixedExponent(ctx, c) || !(g > 0) || !(lo < 0 || hi > 0)) return 0;
  const [eMin, eMax] = ctx.t.arithmetic.weightExponentRange;
  const [rlo, rhi] = rangeFor(lo, hi, ctx.t);
  const range: [number, number] = [rlo * 2 ** P, rhi * 2 ** P];
  const lowest = P ? Math.max(eMin, -P) : eMin;
  for (let k = lowest; k <= eMax - P; k++) if (gLimit(lo, hi, payloadScale(ctx, c.from) * 2 ** k, range) >= g) return k;
  return eMax - P;
}

/** The real synapse with integer weights in place of its real ones. */
function withWeights(cs: RealSynapse, q: IntWeights): Synapse {
  return cs.kind === "dense"
    ? { kind: "dense", inSize: cs.inSize, outSize: cs.outSize, weights: q }
    : cs.kind === "diagonal"
      ? { kind: "diagonal", size: cs.size, weights: q }
      : { ...cs, kernel: q };
}

/**
 * w's integers at scale g (w_int = round(g·w / k), clipped to `range`, P the plane shift) and their
 * statistics; made once per quantisation for the same weights, g, k and P (QuantContext.integers).
 */
function integersOf(
  ctx: QuantContext,
  w: Float64Array,
  g: number,
  k: number,
  P: number,
  one: [number, number],
): QuantizedWeights {
  ctx.integers ??= new WeakMap();
  const known = ctx.integers.get(w)?.find((m) => m.g === g && m.k === k && m.P === P);
  if (known) return known;
  const [rlo, rhi] = [one[0] * 2 ** P, one[1] * 2 ** P];
  // in shared memory: a thread given the model (verify's time-stepped engine, compile's agreement
  // pool) then reads these weights where they are instead of receiving a copy; as int16 when the
  // clipping range fits (half the fresh memory, which costs more to touch than to fill)
  const narrow = rlo > -(2 ** 15) && rhi < 2 ** 15; // |w| too: -2^15 is left out
  const q = narrow
    ? new Int16Array(new SharedArrayBuffer(w.length * 2))
    : new Int32Array(new SharedArrayBuffer(w.length * 4));
  // dividing by a power of two is multiplying by its (exact) inverse: the same rounding, no division
  const inv = k > 0 && k === 2 ** Math.round(Math.log2(k)) ? 1 / k : 0;
  let clipped = 0;
  let vMin = 0;
  let vMax = 0;
  let errMax = 0;
  let nz = 0;
  const errs = g > 0;
  for (let i = 0; i < w.length; i++) {
    const wi = w[i]!;
    // roundHalfAway without a branch on the sign (random signs make it mispredict; so does
    // Math.sign, which the engine compiles to branches: the sign here is two comparisons as numbers)
    const x = inv ? g * wi * inv : (g * wi) / k;
    let v = (+(x > 0) - +(x < 0)) * roundHalfUpAbs(Math.abs(x));
    if (v < rlo || v > rhi) {
      v = v < rlo ? rlo : rhi;
      clipped++;
    }
    q[i] = v;
    if (v < vMin) vMin = v;
    else if (v > vMax) vMax = v;
    nz += +(v !== 0);
    if (errs) {
      const e = Math.abs((v * k) / g - wi);
      if (e > errMax) errMax = e;
    }
  }
  // the extremes give the rest: the largest |integer|, whether one plane holds them all
  const made: QuantizedWeights = {
    g,
    k,
    P,
    q,
    synapses: new Map(),
    clipped,
    maxAbsInt: Math.max(-vMin, vMax),
    errMax,
    nz,
    outsideOne: vMin < one[0] || vMax > one[1],
  };
  const list = ctx.integers.get(w);
  if (list) list.push(made);
  else ctx.integers.set(w, [made]);
  return made;
}

/** One connection into p at scale g → integers (clip warnings into ctx) and its report line. */
export function quantizeConnection(
  ctx: QuantContext,
  p: RealPopulation,
  c: RealConnection,
  g: number,
): { connection: FixedConnection; stats: ConnectionQuant } {
  const w = weightsOf(c.synapse);
  const [lo, hi] = minMax(w);
  const one = rangeFor(lo, hi, ctx.t);
  const P = planeShift(ctx, c);
  const range: [number, number] = [one[0] * 2 ** P, one[1] * 2 ** P];
  const e = weightExponent(ctx, c, g, lo, hi, P);
  const k = payloadScale(ctx, c.from) * 2 ** e;
  const made = integersOf(ctx, w, g, k, P, one);
  const { q, clipped, maxAbsInt, errMax, outsideOne, nz } = made;
  const wAbsMax = Math.max(Math.abs(lo), Math.abs(hi));
  if (clipped)
    ctx.warnings.push(
      `layer '${p.id}': ${clipped} weight${clipped > 1 ? "s" : ""} of '${c.id}' clipped to [${range.join(", ")}]`,
    );
  // one integer synapse for one real one: the engines then hold its kernel once
  let synapse = made.synapses.get(c.synapse);
  if (!synapse) {
    synapse = withWeights(c.synapse, q);
    made.synapses.set(c.synapse, synapse);
  }
  // weights that one plane holds need no second one
  const planes = P && outsideOne ? { planes: P } : {};
  return {
    connection: {
      id: c.id,
      from: c.from,
      to: c.to,
      delay: c.delay,
      weightExp: e,
      synapse,
      ...planes,
      origin: c.origin,
    },
    stats: {
      id: c.id,
      from: c.from,
      how: c.how,
      kind: c.synapse.kind,
      weightExp: e,
      ...planes,
      delay: c.delay,
      maxAbsInt,
      relErr: wAbsMax > 0 ? errMax / wAbsMax : 0,
      clipped,
      synapses: nz,
    },
  };
}

/** The bias in v units, 64·g·b = mant << exp (clip warnings into ctx), and its largest error in float units. */
export function quantizeBias(
  ctx: QuantContext,
  p: RealPopulation,
  g: number,
): { biasMant: Int32Array; biasExp: number; maxAbsErr: number } {
  const A = ctx.t.arithmetic;
  const mantMax = biasMantissaMax(ctx.t);
  const sg = 2 ** A.activationShift * g;
  const biasV = new Float64Array(p.bias.length);
  for (let i = 0; i < biasV.length; i++) biasV[i] = sg * p.bias[i]!;
  let biasExp = ctx.opts.netx ? A.activationShift : A.biasExponentRange[0];
  if (p.threshold === -Infinity) {
    biasExp = A.biasExponentRange[1];
  } else if (!ctx.opts.netx) {
    let bvMax = 0;
    for (let i = 0; i < biasV.length; i++) bvMax = Math.max(bvMax, Math.abs(biasV[i]!));
    while (biasExp < A.biasExponentRange[1] && roundHalfAway(bvMax / 2 ** biasExp) > mantMax) biasExp++;
  }
  // in shared memory, as the weights (a thread given the model reads it where it is)
  const biasMant = new Int32Array(new SharedArrayBuffer(size(p.shape) * 4));
  let clipped = 0;
  let maxAbsErr = 0;
  const e2 = 2 ** biasExp;
  for (let i = 0; i < biasMant.length; i++) {
    let m = p.threshold === -Infinity ? mantMax : roundHalfAway(biasV[i]! / e2);
    if (Math.abs(m) > mantMax) {
      m = m > 0 ? mantMax : -mantMax;
      clipped++;
    }
    biasMant[i] = m;
    if (g > 0) maxAbsErr = Math.max(maxAbsErr, Math.abs((m * e2) / sg - p.bias[i]!));
  }
  if (clipped)
    ctx.warnings.push(
      `layer '${p.id}': ${clipped} bias value${clipped > 1 ? "s" : ""} clipped to ±${mantMax} << ${biasExp}`,
    );
  return { biasMant, biasExp, maxAbsErr };
}

/** du of a population: 4095 (no synaptic current), else round(4096(1 − d)) − 1 within 0..4095. */
export function currentDecayInt(ctx: QuantContext, p: RealPopulation): number {
  const dMax = 2 ** ctx.t.arithmetic.decayBits - 1;
  if (p.currentDecay === undefined) return dMax;
  return Math.max(0, Math.min(dMax, roundHalfAway(2 ** ctx.t.arithmetic.decayBits * (1 - p.currentDecay)) - 1));
}

/** The factor Lava's u keeps per step: (4096 − (du + 1)) / 4096 (0 without a synaptic current). */
export function currentFactor(ctx: QuantContext, p: RealPopulation): number {
  const unity = 2 ** ctx.t.arithmetic.decayBits;
  return (unity - (currentDecayInt(ctx, p) + 1)) / unity;
}

/**
 * du and dv of population p (a warning into ctx when its decay needs more than the largest dv, or
 * its current decay more than du can express).
 * τ = 0 (no memory: a rank neuron, mt-max-pool.ts) takes dv 4095 without one: v then keeps
 * trunc(v/4096) of itself, which stays below 1/4095 of what it held.
 */
export function decays(ctx: QuantContext, p: RealPopulation): { du: number; dv: number } {
  const bits = ctx.t.arithmetic.decayBits;
  const dvMax = 2 ** bits - 1;
  let dv = p.kind === "integrator" ? 0 : roundHalfAway(2 ** bits * (1 - p.decay));
  if (p.decay === 0) dv = dvMax;
  if (dv > dvMax) {
    ctx.warnings.push(`layer '${p.id}': decay τ = ${fmt(p.decay)} needs dv = ${dv}, beyond ${dvMax}; using ${dvMax}`);
    dv = dvMax;
  }
  const du = currentDecayInt(ctx, p);
  if (p.currentDecay !== undefined && roundHalfAway(2 ** bits * (1 - p.currentDecay)) - 1 < 0)
    ctx.warnings.push(
      `layer '${p.id}': its synaptic current's decay ${fmt(p.currentDecay)} needs du < 0; using du = 0 (u keeps 4095/4096 a step)`,
    );
  return { du, dv };
}
