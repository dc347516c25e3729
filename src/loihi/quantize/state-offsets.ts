/**
 * The integer side of state offsets (lower-state-offset: a neuron's v0 and selfWeight), once their
 * synapses are quantised: the pulse neurons that fire once per sample, the warm-up inhibition of a
 * self-recurrent population, and at depth 1 the initial v that holds step 1 of the first sample
 * (which no synapse can reach) below the threshold.
 *
 * Why the inhibition: p zeroes u and v at step d + 1 (LIFReset) but its self-recurrent synapse
 * then delivers what p emitted at step d, a warm-up step. After any update v ≤ vth·64 (else it
 * spiked and became 0), and the decay never raises a v ≤ vth·64 above it; so at step d,
 * v = decay(v) + a·64 + bias stays ≤ vth·64 whenever a·64 + bias ≤ 0. An inhibition X_i at step d
 * with X_i ≥ (the most p's population sources can deliver to neuron i) + ⌈bias_i / 64⌉ makes
 * that hold for every input and every earlier sample, and X_i − (their most negative) < 2^17
 * keeps a·64 from wrapping u. Input synapses deliver nothing at step d (the input's step 0).
 */
import { SnncError } from "../../ir/errors.ts";
import { size } from "../../ir/tensor.ts";
import { fmt } from "../../passes/support/rewrite.ts";
import {
  LAVA,
  pulsePopulation,
  type DenseSynapse,
  type DiagonalSynapse,
  type FixedConnection,
  type FixedPopulation,
} from "../model/integer-model.ts";
import { isPulse, type QuantContext } from "./quantize-context.ts";
import type { ConnectionQuant, OffsetQuant, PopulationQuant } from "./quantize-types.ts";
import { maxOf, minOf, rowSumsOver } from "./row-sums.ts";
import type { RealPopulation } from "./synaptic-form.ts";

const pulseOf = (ctx: QuantContext, phase: number) => ctx.sf.pulses.find((x) => x.phase === phase)!.id;

/**
 * The inhibition of self-recurrent p at step d from the pulse of step d − 1: per neuron with a
 * self weight, the most its population sources can deliver plus its bias, in k connections of
 * one exponent e (its connections and report lines into ctx and `cstats`).
 */
function warmUpInhibition(
  ctx: QuantContext,
  p: RealPopulation,
  self: FixedConnection,
  bias: Int32Array,
  cstats: ConnectionQuant[],
): OffsetQuant["inhibit"] {
  const n = size(p.shape);
  const act = 2 ** ctx.t.arithmetic.activationShift;
  const garbage = ctx.connections.filter((c) => c.to === p.id && c.from !== ctx.sf.inputId && !isPulse(ctx, c.from));
  const r = rowSumsOver(garbage, n, (c) => 2 ** c.weightExp);
  // only the neurons with a self weight: the warm-up spikes of the others reach nothing that counts
  const sw = (self.synapse as DiagonalSynapse).weights;
  const need = Float64Array.from(r.pos, (x, i) => (sw[i] === 0 ? 0 : Math.max(0, x + Math.ceil(bias[i]! / act))));
  const maxNeed = maxOf(need);
  if (!(maxNeed > 0)) return undefined;
  const wMax = -ctx.t.arithmetic.weightRanges.inhibitory[0];
  const eMax = ctx.t.arithmetic.weightExponentRange[1];
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
  const pulse = pulseOf(ctx, p.depth - 1);
  let nz = 0;
  for (const x of w) if (x !== 0) nz++;
  for (let j = 0; j < k; j++) {
    const id = k === 1 ? `${p.id}/inhibit` : `${p.id}/inhibit${j + 1}`;
    const synapse: DenseSynapse = { kind: "dense", inSize: 1, outSize: n, weights: w };
    ctx.connections.push({ id, from: pulse, to: p.id, delay: 0, weightExp: e, synapse, origin: [p.id] });
    cstats.push({
      id,
      from: pulse,
      how: `warm-up inhibition at step ${p.depth} (pulse at step ${p.depth - 1 || ctx.runSteps})`,
      kind: "dense",
      weightExp: e,
      delay: 0,
      maxAbsInt: -minOf(w),
      relErr: 0,
      clipped: 0,
      synapses: nz,
    });
  }
  if (headroom < 0) {
    ctx.warnings.push(
      `layer '${p.id}': the warm-up inhibition (up to ${maxX}) together with its most negative input could wrap u at step ${p.depth}; the first aligned step may then carry a warm-up spike`,
    );
  }
  return { pulse, connections: k, weightExp: e, maxInt: -minOf(w), maxInhibition: maxX, headroom };
}

/**
 * Depth 1: step 1 of the first sample receives nothing (there is no step 0), v = decay(v0) + bias;
 * an initial v below 0 holds the neurons whose bias alone would cross the threshold. Sets fp.v0;
 * returns how many neurons need one.
 */
function firstStepV0(fp: FixedPopulation, bias: Int32Array, vthShift: number): number {
  const n = bias.length;
  const f = LAVA.decayUnity - fp.dv;
  const lim = fp.vth * 2 ** vthShift;
  let v0: Int32Array | undefined;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const m = bias[i]! - lim;
    if (m <= 0) continue;
    let x = Math.ceil((m * LAVA.decayUnity) / f);
    while (Math.floor((x * f) / LAVA.decayUnity) < m) x++;
    if (x > LAVA.vMax) {
      throw new SnncError(
        "E_TARGET",
        `neuron ${i}: its bias alone (${bias[i]}) crosses the threshold (${lim}) at the first step, and with τ_int = ${fmt(f / LAVA.decayUnity)} no initial v within 24 bits holds it below; a shifted state cannot start there`,
        { layer: fp.id, param: "v0" },
      );
    }
    v0 ??= new Int32Array(n);
    v0[i] = -x;
    count++;
  }
  if (v0) fp.v0 = v0;
  return count;
}

/** The integer side of p's state offset (p quantised as fp, its connections in ctx, their report lines in `cstats`). */
export function offsetIntegers(
  ctx: QuantContext,
  p: RealPopulation,
  fp: FixedPopulation,
  cstats: ConnectionQuant[],
): OffsetQuant {
  const o: OffsetQuant = { id: p.id, depth: p.depth, firstStepV0: 0 };
  const init = cstats.find((c) => c.id === `${p.id}/init`);
  if (init) o.init = { pulse: pulseOf(ctx, p.depth), maxAbsInt: init.maxAbsInt, weightExp: init.weightExp };
  const self = ctx.connections.find((c) => c.to === p.id && c.from === p.id);
  if (!self) return o;
  const st = cstats.find((c) => c.id === self.id)!;
  o.self = { maxAbsInt: st.maxAbsInt, weightExp: st.weightExp };
  const bias = Int32Array.from(fp.biasMant, (b) => b * 2 ** fp.biasExp);
  const inhibit = warmUpInhibition(ctx, p, self, bias, cstats);
  if (inhibit) o.inhibit = inhibit;
  if (p.depth === 1) o.firstStepV0 = firstStepV0(fp, bias, ctx.t.arithmetic.vthShift);
  return o;
}

/** The pulse populations some connection reads, and their report lines. */
export function pulsePopulations(ctx: QuantContext): { populations: FixedPopulation[]; stats: PopulationQuant[] } {
  const runSteps = ctx.runSteps;
  const populations = ctx.sf.pulses
    .filter((x) => ctx.connections.some((c) => c.from === x.id))
    .map((x) => pulsePopulation(x.id, x.phase, runSteps));
  const stats = populations.map(
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
  );
  return { populations, stats };
}
