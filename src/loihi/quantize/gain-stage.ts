/**
 * The integers of a population's per-step gain stage (docs/LOIHI-SEEDS.md §2), once its synapses
 * are quantised at its scale g: the gated connections deliver c_int ≈ g·c, the stage sends
 * (c_int · A_t) >> E into the neuron, so A_t = round(a_t · 2^E). E is the largest shift for which
 * numpy's int32 product cannot wrap (|c_int|·|A_t| < 2^31) and A_t fits two 8-bit Dense weights:
 * A = 128·w_hi + w_lo, w_hi at weight exponent 7, w_lo (|w_lo| < 128) at exponent 0, both from
 * the pulse of that step (a pulse is one binary spike: the exponent shifts one weight, exactly).
 *
 * The stage's shift is also the exponent Lava's conv lacks (LAVA-FIXED-POINT.md §2: it ignores its
 * weight exponent): the gated synapses may be quantised at g·2^s, and the stage then shifts by
 * E + s, (c_int·2^s · A_t) >> (E + s) ≈ g·c·a_t as before. `gatedShift` picks s so that a gated
 * conv's weights fill their 8-bit range (instead of the few levels g alone leaves them), as long
 * as the largest gated current times 2^12 stays within int32 (A_t keeps 12 bits or more).
 */
import type { DenseSynapse, FixedConnection } from "../model/integer-model.ts";
import { roundHalfAway } from "../model/rounding.ts";
import { fixedExponent, payloadMax, payloadScale, type QuantContext } from "./quantize-context.ts";
import type { ConnectionQuant } from "./quantize-types.ts";
import { largestAbs, maxOf, minOf, rowSumsOver } from "./row-sums.ts";
import { gLimit, minMax, rangeFor, weightsOf } from "./scales.ts";
import type { RealConnection, RealPopulation } from "./synaptic-form.ts";

/** How a gain stage became integers (report). */
export interface GainStageQuant {
  id: string;
  exp: number;
  /** Largest |c_int| (the gated current) and |A_t|. */
  cMax: number;
  aMax: number;
  steps: number;
  /** Largest |A_t/2^E − a_t| relative to the largest |a_t|. */
  relErr: number;
  /** s: the gated synapses' scale is g·2^s (the stage shifts by `exp` = E + s). */
  shift: number;
}

/** The least bits the largest gain A_t keeps when the gated current grows by 2^s. */
const GAIN_BITS = 12;

/**
 * s ≥ 0 for population p at scale g: the largest with every gated synapse of fixed exponent (a conv)
 * within its weight range at g·2^s and the largest gated current (payloads at their largest)
 * within 2^(31 − 12). 0 when no gated synapse has a fixed exponent (a dense one picks its own).
 */
export function gatedShift(ctx: QuantContext, p: RealPopulation, gated: RealConnection[], g: number): number {
  const fixed = gated.filter((c) => fixedExponent(ctx, c));
  if (!fixed.length || !(g > 0)) return 0;
  let gw = Infinity;
  for (const c of fixed) {
    const [lo, hi] = minMax(weightsOf(c.synapse));
    gw = Math.min(gw, gLimit(lo, hi, payloadScale(ctx, c.from), rangeFor(lo, hi, ctx.t)));
  }
  const n = p.bias.length;
  const r = rowSumsOver(gated, n, (c) => payloadMax(ctx, c.from) / payloadScale(ctx, c.from));
  const cReal = largestAbs(r);
  // a little room for the weights' rounding (E is then chosen from the integer current itself)
  const cLim = 2 ** (31 - GAIN_BITS) * 0.99;
  let s = 0;
  while (s < 16 && g * 2 ** (s + 1) <= gw && g * 2 ** (s + 1) * cReal < cLim) s++;
  return s;
}

const HI_EXP = 7;
const LO_MAX = 127;

/** E, the A_t and their Dense connections (into ctx and `cstats`). */
export function gainStageIntegers(
  ctx: QuantContext,
  p: RealPopulation,
  gains: RealConnection[],
  cstats: ConnectionQuant[],
  shift = 0,
): GainStageQuant {
  const n = gains[0] ? (gains[0].synapse as DenseSynapse<Float64Array>).outSize : 0;
  const gated = ctx.connections.filter((c) => c.to === p.id && c.port === "gated");
  const r = rowSumsOver(gated, n, (c) => payloadMax(ctx, c.from) * 2 ** c.weightExp);
  const cMax = Math.max(1, maxOf(r.pos), -minOf(r.neg));
  const aMax = p.gainMax ?? 0;
  // A_t within what two Dense weights (8 bits, mixed signs down to −256) hold, and c·A within int32
  const wHi = -ctx.t.arithmetic.weightRanges.mixed[0] - 2;
  const aCap = Math.min(wHi * 2 ** HI_EXP + LO_MAX, (2 ** 31 - 1) / cMax);
  let exp = aMax > 0 ? Math.floor(Math.log2(aCap / aMax)) : 0;
  exp = Math.max(0, Math.min(31 - shift, exp));
  while (exp > 0 && roundHalfAway(aMax * 2 ** exp) > aCap) exp--;
  if (roundHalfAway(aMax * 2 ** exp) * cMax >= 2 ** 31)
    ctx.warnings.push(
      `layer '${p.id}': the gain stage's product could wrap int32 (|current| up to ${cMax}, gain up to ${aMax})`,
    );
  let relErr = 0;
  for (const gc of gains) {
    const a = (gc.synapse as DenseSynapse<Float64Array>).weights;
    const A = Int32Array.from(a, (x) => roundHalfAway(x * 2 ** exp));
    for (let i = 0; i < a.length; i++)
      if (aMax > 0) relErr = Math.max(relErr, Math.abs(A[i]! / 2 ** exp - a[i]!) / aMax);
    const hi = Int32Array.from(A, (x) => Math.trunc(x / 2 ** HI_EXP));
    const lo = Int32Array.from(A, (x, i) => x - hi[i]! * 2 ** HI_EXP);
    for (const [w, e, suffix] of [
      [hi, HI_EXP, "hi"],
      [lo, 0, "lo"],
    ] as const) {
      if (w.every((x) => x === 0)) continue;
      const id = `${gc.id}${suffix}`;
      const synapse: DenseSynapse = { kind: "dense", inSize: 1, outSize: n, weights: w };
      const conn: FixedConnection = { id, from: gc.from, to: p.id, delay: 0, weightExp: e, synapse, origin: gc.origin };
      conn.port = "gain";
      ctx.connections.push(conn);
      let nz = 0;
      let m = 0;
      for (const x of w) {
        if (x !== 0) nz++;
        m = Math.max(m, Math.abs(x));
      }
      cstats.push({
        id,
        from: gc.from,
        how: `${gc.how}: ${suffix === "hi" ? "A >> 7, at exponent 7" : "A mod 128"}`,
        kind: "dense",
        weightExp: e,
        delay: 0,
        maxAbsInt: m,
        relErr: 0,
        clipped: 0,
        synapses: nz,
      });
    }
  }
  return { id: p.id, exp: exp + shift, cMax, aMax: roundHalfAway(aMax * 2 ** exp), steps: gains.length, relErr, shift };
}
