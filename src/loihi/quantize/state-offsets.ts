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
 *
 * The same silence serves a population read through a delay of k steps (a recurrent edge, NIR's
 * Delay; population-terms.ts): its readers' first k aligned steps receive its steps d − k + 1 .. d,
 * so it is inhibited at each of them (from the pulses of the steps before), and with a synaptic
 * current (u keeps f of itself a step) the inhibition also covers what u may still hold.
 */
import { SnncError } from "../../ir/errors.ts";
import { size } from "../../ir/tensor.ts";
import { fmt } from "../../passes/support/rewrite.ts";
import {
  LAVA,
  pulsePopulation,
  type DenseSynapse,
  type DiagonalSynapse,
  type FixedPopulation,
} from "../model/integer-model.ts";
import { isPulse, payloadMax, type QuantContext } from "./quantize-context.ts";
import type { ConnectionQuant, OffsetQuant, PopulationQuant } from "./quantize-types.ts";
import { maxOf, minOf, rowSumsOver } from "./row-sums.ts";
import { silentSteps, type RealPopulation } from "./synaptic-form.ts";

const pulseOf = (ctx: QuantContext, phase: number) => ctx.sf.pulses.find((x) => x.phase === phase)!.id;

/**
 * The inhibition that keeps p silent over its last K warm-up steps d − K + 1 .. d, each from the
 * pulse of the step before: per neuron of `mask`, the most its population sources (and a delayed
 * input) can deliver plus its bias, plus, with a synaptic current (u keeps f of itself a step),
 * f times the most u may hold from before; in k connections of one exponent e per step (its
 * connections and report lines into ctx and `cstats`). After the first silent step u + bias ≤ 0,
 * so u only decays towards 0 and the same X holds the later steps (the f·|bias| a negative bias
 * may leave included).
 */
function warmUpInhibition(
  ctx: QuantContext,
  p: RealPopulation,
  fp: FixedPopulation,
  mask: (i: number) => boolean,
  bias: Int32Array,
  cstats: ConnectionQuant[],
): OffsetQuant["inhibit"] {
  const n = size(p.shape);
  const K = silentSteps(p);
  const act = 2 ** ctx.t.arithmetic.activationShift;
  const input = ctx.sf.inputId;
  const into = ctx.connections.filter((c) => c.to === p.id && c.port !== "gain");
  // what arrives at a silent step: population sources, and the input only through a delay (else it sends zeros then)
  const garbage = into.filter((c) => (c.from === input ? c.delay > p.depth - 1 : !isPulse(ctx, c.from)));
  const r = rowSumsOver(garbage, n, (c) => (c.from === input ? payloadMax(ctx, input) : 1) * 2 ** c.weightExp);
  const f = (LAVA.decayUnity - (fp.du + 1)) / LAVA.decayUnity;
  // u's range from any earlier step (synaptic current only): all inputs, in u units
  const all = f > 0 ? rowSumsOver(into, n, (c) => payloadMax(ctx, c.from) * 2 ** c.weightExp) : undefined;
  const uHi = (i: number) => (all ? Math.max((act * all.pos[i]!) / (1 - f), Math.max(0, -bias[i]!)) : 0);
  const need = Float64Array.from(r.pos, (x, i) =>
    mask(i) ? Math.max(0, x + Math.ceil((bias[i]! + f * uHi(i)) / act)) : 0,
  );
  const maxNeed = maxOf(need);
  if (!(maxNeed > 0)) return undefined;
  const wMax = -ctx.t.arithmetic.weightRanges.inhibitory[0];
  const eMax = ctx.t.arithmetic.weightExponentRange[1];
  let e = 0;
  while (e < eMax && Math.ceil(maxNeed / 2 ** e) > wMax) e++;
  const k = Math.ceil(maxNeed / (wMax * 2 ** e));
  const w = Int32Array.from(need, (x) => -Math.ceil(x / (k * 2 ** e)));
  let reach = 0;
  for (let m = 0; m < K; m++) reach += f ** m;
  let headroom = Infinity;
  let maxX = 0;
  for (let i = 0; i < n; i++) {
    const X = -w[i]! * k * 2 ** e;
    maxX = Math.max(maxX, X);
    // u's low after the K steps (a units): what it held, decayed, and K steps of −X and the most negative input
    const low = (all && f > 0 ? (f ** K * -all.neg[i]!) / (1 - f) : 0) + (X - r.neg[i]!) * reach;
    headroom = Math.min(headroom, Math.floor(LAVA.uWrap / act - 1 - low));
  }
  const first = p.depth - K + 1;
  const pulses: string[] = [];
  let nz = 0;
  for (const x of w) if (x !== 0) nz++;
  for (let step = first; step <= p.depth; step++) {
    const pulse = pulseOf(ctx, step - 1);
    pulses.push(pulse);
    for (let j = 0; j < k; j++) {
      const id = `${p.id}/inhibit${k === 1 ? "" : j + 1}${K === 1 ? "" : `@${step}`}`;
      const synapse: DenseSynapse = { kind: "dense", inSize: 1, outSize: n, weights: w };
      ctx.connections.push({ id, from: pulse, to: p.id, delay: 0, weightExp: e, synapse, origin: [p.id] });
      cstats.push({
        id,
        from: pulse,
        how: `warm-up inhibition at step ${step} (pulse at step ${step - 1 || ctx.runSteps})`,
        kind: "dense",
        weightExp: e,
        delay: 0,
        maxAbsInt: -minOf(w),
        relErr: 0,
        clipped: 0,
        synapses: nz,
      });
    }
  }
  if (headroom < 0) {
    ctx.warnings.push(
      `layer '${p.id}': the warm-up inhibition (up to ${maxX}) together with its most negative input could wrap u at step${K === 1 ? "" : "s"} ${K === 1 ? p.depth : `${first}..${p.depth}`}; the first aligned step may then carry a warm-up spike`,
    );
  }
  return {
    pulse: pulses[0]!,
    steps: K,
    connections: k,
    weightExp: e,
    maxInt: -minOf(w),
    maxInhibition: maxX,
    headroom,
  };
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

/**
 * The integer side of p's state offset or warm-up silence (p quantised as fp, its connections in
 * ctx, their report lines in `cstats`).
 */
export function offsetIntegers(
  ctx: QuantContext,
  p: RealPopulation,
  fp: FixedPopulation,
  cstats: ConnectionQuant[],
): OffsetQuant {
  const o: OffsetQuant = { id: p.id, depth: p.depth, firstStepV0: 0 };
  if (p.silence) o.silence = p.silence;
  const init = cstats.find((c) => c.id === `${p.id}/init`);
  if (init) o.init = { pulse: pulseOf(ctx, p.depth), maxAbsInt: init.maxAbsInt, weightExp: init.weightExp };
  const self = ctx.connections.find((c) => c.to === p.id && c.from === p.id && c.synapse.kind === "diagonal");
  if (self) {
    const st = cstats.find((c) => c.id === self.id)!;
    o.self = { maxAbsInt: st.maxAbsInt, weightExp: st.weightExp };
  }
  const K = silentSteps(p);
  if (!K) return o;
  // a self weight alone: only its neurons' warm-up spikes reach anything that counts; a delayed read: all
  const sw = self ? (self.synapse as DiagonalSynapse).weights : undefined;
  const mask = (i: number) => Boolean(p.silence) || (sw !== undefined && sw[i] !== 0);
  const bias = Int32Array.from(fp.biasMant, (b) => b * 2 ** fp.biasExp);
  const inhibit = warmUpInhibition(ctx, p, fp, mask, bias, cstats);
  if (inhibit) o.inhibit = inhibit;
  // step 1 is silent (K = depth, as at depth 1): in the first sample no pulse reaches it
  if (K >= p.depth) o.firstStepV0 = firstStepV0(fp, bias, ctx.t.arithmetic.vthShift);
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
