/**
 * The reachable range of an ATRLIF population's states (docs/LOIHI-SEEDS.md §1, "Ranges"): its v
 * is never reset by a spike, so it gathers the input of a whole sample, and what bounds the scale g
 * is how far v can go between two periodic resets. Per neuron and per Lava step, one step's input
 * lies in an interval: every source within its payload range (the input's clipped payloads, a
 * layer's spikes 0..K) at every step, each pulse exactly at the steps it fires (the schedule's bias
 * and the gain stage's A_t of that step only), the gain stage's output the product of the gated
 * current's interval and that step's gain. The neuron's update maps intervals to intervals: it is
 * monotone in its state and its input (a decay with truncation, an addition), and r rises only
 * where v − r ≥ θ, to at most v + θ. So stepping the interval ends from the reset state, with the
 * periodic reset, over the partial window before the first reset and two whole windows (every
 * later window repeats the second: the same pulses, the same ranges, the same reset state), bounds
 * i, v and r at every step of every run, whatever the input.
 *
 * Two forms of the same walk: in reals per unit of g (the weights as they are; the scale is then
 * chosen from it), and in integers on the quantised population, with Lava's own operations (the
 * weight exponent's floor, the 24-bit conv sum, ProdNeuron's int32 product and shift, the decays'
 * truncation): the proof that nothing wraps or saturates, checked after rounding.
 */
import { LAVA, type FixedConnection, type FixedModel, type FixedPopulation } from "../model/integer-model.ts";
import { resetsAt } from "../sim/atrlif-fixed.ts";
import { decayTrunc } from "../sim/fixed-arith.ts";
import { payloadMax, payloadScale, type QuantContext } from "./quantize-context.ts";
import { rowSums } from "./row-sums.ts";
import type { RealConnection, RealPopulation } from "./synaptic-form.ts";

/** What a source emits at a step: a pulse (1 at the steps ≡ phase mod runSteps, else 0), or any payload in [lo, hi] (lo ≤ 0 ≤ hi). */
export type SourceRange = { phase: number } | { lo: number; hi: number };

type Port = "main" | "gated" | "gain";

/** One connection's share of one step's input, per target neuron: [lo, hi], or exact (lo = hi) at a pulse's steps. */
interface Term {
  port: Port;
  delay: number;
  phase?: number;
  lo: Float64Array;
  hi: Float64Array;
}

/** The arithmetic of the walk: reals, or Lava's integers (which also record what breaks a bound). */
interface Arith {
  /** The gain stage's output range for a gated current in [cLo, cHi] and a gain in [gLo, gHi]. */
  gate(cLo: number, cHi: number, gLo: number, gHi: number): [number, number];
  /** The current after one step's input a (monotone in both). */
  current(i: number, a: number): number;
  decayV(v: number): number;
  decayR(r: number): number;
}

export interface StateRange {
  /** One step's input a (the synapses and the gain stage), over steps and neurons. */
  aLo: number;
  aHi: number;
  /** Largest |i|, the range of v, largest r. */
  iAbs: number;
  vLo: number;
  vHi: number;
  rHi: number;
}

interface Walk {
  n: number;
  runSteps: number;
  resetOffset: number;
  terms: Term[];
  bias: ArrayLike<number>;
  vReset: ArrayLike<number>;
  theta: number;
}

/** Steps of the walk: up to the first reset, then two whole windows (more when a delay reaches past one). */
function walkSteps(w: Walk): number {
  const R = w.runSteps;
  const maxDelay = Math.max(0, ...w.terms.map((t) => t.delay));
  const first = (((w.resetOffset - 2) % R) + R) % R; // the last step before the first reset
  return first + R * (2 + Math.ceil((maxDelay + 1) / R));
}

function walk(w: Walk, A: Arith): StateRange {
  const { n, runSteps: R, terms } = w;
  const lo = { main: new Float64Array(n), gated: new Float64Array(n), gain: new Float64Array(n) };
  const hi = { main: new Float64Array(n), gated: new Float64Array(n), gain: new Float64Array(n) };
  const iLo = new Float64Array(n);
  const iHi = new Float64Array(n);
  const vLo = Float64Array.from(w.vReset);
  const vHi = Float64Array.from(w.vReset);
  const rHi = new Float64Array(n);
  const out: StateRange = { aLo: 0, aHi: 0, iAbs: 0, vLo: Math.min(0, ...vLo), vHi: Math.max(0, ...vHi), rHi: 0 };
  const hasGain = terms.some((t) => t.port === "gain");
  const N = walkSteps(w);
  for (let step = 1; step <= N; step++) {
    for (const p of ["main", "gated", "gain"] as const) {
      lo[p].fill(0);
      hi[p].fill(0);
    }
    for (const t of terms) {
      const src = step - 1 - t.delay;
      if (src < 1 || (t.phase !== undefined && src % R !== t.phase % R)) continue;
      const l = lo[t.port];
      const h = hi[t.port];
      for (let k = 0; k < n; k++) {
        l[k] += t.lo[k]!;
        h[k] += t.hi[k]!;
      }
    }
    for (let k = 0; k < n; k++) {
      let aLo = lo.main[k]!;
      let aHi = hi.main[k]!;
      if (hasGain) {
        const [gl, gh] = A.gate(lo.gated[k]!, hi.gated[k]!, lo.gain[k]!, hi.gain[k]!);
        aLo += gl;
        aHi += gh;
      }
      out.aLo = Math.min(out.aLo, aLo);
      out.aHi = Math.max(out.aHi, aHi);
      iLo[k] = A.current(iLo[k]!, aLo);
      iHi[k] = A.current(iHi[k]!, aHi);
      vLo[k] = A.decayV(vLo[k]!) + iLo[k]! + w.bias[k]!;
      vHi[k] = A.decayV(vHi[k]!) + iHi[k]! + w.bias[k]!;
      // r ≥ 0; a spike (v − r ≥ θ) adds 2θ to r, which then is at most v + θ
      const rd = A.decayR(rHi[k]!);
      rHi[k] = Math.min(rd + 2 * w.theta, Math.max(rd, vHi[k]! + w.theta));
      out.iAbs = Math.max(out.iAbs, Math.abs(iLo[k]!), Math.abs(iHi[k]!));
      out.vLo = Math.min(out.vLo, vLo[k]!);
      out.vHi = Math.max(out.vHi, vHi[k]!);
      out.rHi = Math.max(out.rHi, rHi[k]!);
    }
    if (resetsAt(step + 1, w.resetOffset, R)) {
      iLo.fill(0);
      iHi.fill(0);
      vLo.set(w.vReset);
      vHi.set(w.vReset);
      rHi.fill(0);
    }
  }
  return out;
}

/** One connection's term: its accumulation's interval per neuron over payloads in the source's range, after `post`. */
function termOf(
  c: { synapse: FixedConnection["synapse"] | RealConnection["synapse"]; delay: number; port?: string },
  n: number,
  source: SourceRange,
  post: (x: number) => number,
): Term {
  const { pos, neg } = rowSums(c.synapse, 1, n);
  const [pl, ph] = "phase" in source ? [1, 1] : [source.lo, source.hi];
  // a conv neuron is counted with every tap (rowSums): exact for a pulse (one input), and an outer
  // bound at the border, where the missing taps' share is an interval containing 0
  const lo = Float64Array.from(pos, (p, k) => post(p * pl + neg[k]! * ph));
  const hi = Float64Array.from(pos, (p, k) => post(p * ph + neg[k]! * pl));
  const port: Port = c.port === "gated" ? "gated" : c.port === "gain" ? "gain" : "main";
  return { port, delay: c.delay, lo, hi, ...("phase" in source ? { phase: source.phase } : {}) };
}

const corners = (cLo: number, cHi: number, gLo: number, gHi: number) => [cLo * gLo, cLo * gHi, cHi * gLo, cHi * gHi];

/** The real walk per unit of g (float current units: the integers are 64·g times these), before rounding. */
export function atrlifRealRange(ctx: QuantContext, p: RealPopulation, conns: RealConnection[]): StateRange {
  const n = p.bias.length;
  const sourceOf = (id: string): SourceRange => {
    const pulse = ctx.sf.pulses.find((x) => x.id === id);
    if (pulse) return { phase: pulse.phase };
    const s = payloadScale(ctx, id);
    if (id === ctx.sf.inputId) return { lo: ctx.input.min / s, hi: ctx.input.max / s };
    return { lo: 0, hi: payloadMax(ctx, id) };
  };
  const terms = conns.map((c) => termOf(c, n, sourceOf(c.from), (x) => x));
  const tau = p.decay;
  const A: Arith = {
    gate: (cLo, cHi, gLo, gHi) => {
      const x = corners(cLo, cHi, gLo, gHi);
      return [Math.min(...x), Math.max(...x)];
    },
    current: (_i, a) => a, // du = 4095: an ATRLIF's current holds one step's input only
    decayV: (v) => tau * v,
    decayR: (r) => tau * r,
  };
  const v0 = p.resetV ?? 0;
  return walk(
    {
      n,
      runSteps: ctx.runSteps,
      resetOffset: p.depth + 1,
      terms,
      bias: p.bias,
      vReset: new Float64Array(n).fill(v0),
      theta: p.threshold,
    },
    A,
  );
}

/** The integer walk's result: the ranges, and every bound of Lava's arithmetic that some input could break. */
export interface IntegerRange extends StateRange {
  problems: string[];
  /** The smallest (limit / reach) over the bounds, < 1 when one is broken: how far g must shrink. */
  headroom: number;
  /** The range with that headroom. */
  tightest: string;
}

const I32 = 2 ** 31;
const S24 = LAVA.vMax; // ±(2^23 − 1): v saturates beyond it; i and r are kept within it too

/** The exact integer walk of ATRLIF population `pop` (Lava's fixed-point model) with its incoming connections. */
export function atrlifIntegerRange(
  pop: FixedPopulation,
  conns: FixedConnection[],
  runSteps: number,
  sourceOf: (id: string) => SourceRange,
): IntegerRange {
  const n = pop.biasMant.length;
  const reach = new Map<string, { value: number; limit: number }>();
  const note = (what: string, x: number, limit: number) => {
    const r = reach.get(what);
    if (!r || Math.abs(x) > r.value) reach.set(what, { value: Math.abs(x), limit });
  };
  const shift = (x: number, e: number) => (e >= 0 ? x * 2 ** e : Math.floor(x / 2 ** -e));
  const terms = conns.map((c) =>
    termOf(c, n, sourceOf(c.from), (x) => {
      if (c.synapse.kind === "conv") {
        // Lava's conv wraps its sum at 24 bits: [−2^23, 2^23) passes unchanged
        note(`the conv sum of '${c.id}'`, x < 0 ? x + 1 : x, 2 ** 23);
        return x;
      }
      const y = shift(x, c.weightExp);
      note(`the synaptic sum of '${c.id}'`, y, I32);
      return y;
    }),
  );
  const e = pop.gainStage?.exp ?? 0;
  const iF = LAVA.decayUnity - (pop.du + 1);
  const vF = LAVA.decayUnity - pop.dv;
  const rF = LAVA.decayUnity - (pop.dr ?? 0);
  const A: Arith = {
    gate: (cLo, cHi, gLo, gHi) => {
      note("the gain stage's current", Math.max(-cLo, cHi), I32);
      note("the gain stage's gain", Math.max(-gLo, gHi), I32);
      const x = corners(cLo, cHi, gLo, gHi);
      const [pLo, pHi] = [Math.min(...x), Math.max(...x)];
      note("the gain stage's int32 product", Math.max(-pLo, pHi), I32);
      return [shift(pLo, -e), shift(pHi, -e)];
    },
    current: (i, a) => {
      note("a·64 (int32)", a * 64, I32);
      const x = decayTrunc(i, iF) + a * 64;
      note("ATRLIF i at one step", x, S24 + 1);
      return x;
    },
    decayV: (v) => decayTrunc(v, vF),
    decayR: (r) => decayTrunc(r, rF),
  };
  const bias = Float64Array.from(pop.biasMant, (m) => m * 2 ** pop.biasExp);
  const vReset = pop.v0 ? Float64Array.from(pop.v0) : new Float64Array(n);
  const r = walk(
    { n, runSteps, resetOffset: pop.resetOffset, terms, bias, vReset, theta: pop.vth * 2 ** LAVA.vthShift },
    A,
  );
  note("ATRLIF v over the run", Math.max(-r.vLo, r.vHi), S24 + 1);
  note("ATRLIF r over the run", r.rHi, S24 + 1);
  const problems: string[] = [];
  let headroom = Infinity;
  let tightest = "nothing";
  for (const [what, { value, limit }] of reach) {
    if (value > 0 && (limit - 1) / value < headroom) [headroom, tightest] = [(limit - 1) / value, what];
    if (value >= limit) problems.push(`${what} can reach ±${value} (limit ${limit - 1})`);
  }
  return { ...r, problems, headroom, tightest };
}

/**
 * One step's input a of any population (its synapses and its gain stage), over every step of a
 * run: the integer walk's input bound (its neuron part is not used). Exact per pulse, where the
 * sum of all row sums counts every pulse and the largest gain at once.
 */
export function stepInputRange(
  pop: FixedPopulation,
  conns: FixedConnection[],
  runSteps: number,
  sourceOf: (id: string) => SourceRange,
): { aLo: number; aHi: number } {
  const r = atrlifIntegerRange({ ...pop, dr: pop.dr ?? 0 }, conns, runSteps, sourceOf);
  return { aLo: r.aLo, aHi: r.aHi };
}

/** What the quantiser's sources emit: the input's payload range (as the integers see it), a pulse's phase, a layer's 0..K. */
export function contextSources(ctx: QuantContext): (id: string) => SourceRange {
  return (id) => {
    const pulse = ctx.sf.pulses.find((x) => x.id === id);
    if (pulse) return { phase: pulse.phase };
    if (id === ctx.sf.inputId) return { lo: ctx.input.min, hi: ctx.input.max };
    return { lo: 0, hi: payloadMax(ctx, id) };
  };
}

/** What each source of a quantised model can emit: the input's payload range, a pulse's phase, a layer's 0..K. */
export function modelSources(m: FixedModel): (id: string) => SourceRange {
  return (id) => {
    if (id === m.input.id) return { lo: m.input.min, hi: m.input.max };
    const p = m.populations.find((q) => q.id === id)!;
    if (p.kind === "pulse") return { phase: p.phase! };
    return { lo: 0, hi: p.thresholds?.length ?? 1 };
  };
}
