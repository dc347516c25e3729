/**
 * How far the target's arithmetic alone can take an integer membrane from the float one: per
 * population, neuron and Lava step, a bound ε (v units) on |m_int − vScale·h| when both models
 * received the same spikes up to that step and made the same decisions before it (m_int = v, or
 * v − r for ATRLIF; h the float membrane of the lowered graph). It counts what rounding to the
 * nearest integer may do, never the integers themselves (a wrong integer is not rounding); per
 * step, in a units (×64 into v):
 *   - each synapse: half a weight step, 0.5·2^e, times the payload it carries (0 where the real
 *     weight is 0, so a nonzero integer there is not covered);
 *   - each analog input payload: half a step plus what the range clipped, |clip(s·x) − s·x|,
 *     times the real weight g·w/s;
 *   - a negative weight exponent's floor: 1;
 *   - a gain stage (c·A) >> E with A = round(a·2^E): |c|·0.5/2^E, (|A| + 0.5)/2^E times the error
 *     of its gated current c, and 1 for the floor;
 * and in v units: half a bias step, 0.5·2^biasExp; the decay, τ_int·ε + |τ_int − τ|·(|m_int| + ε)
 * carried from the step before (|τ_int − τ| ≤ 1/4096), and the truncation of Lava's >> 12 (1 per
 * decayed state: 2 for ATRLIF's v and r); what Lava's saturation at ±(2^23 − 1) cut off.
 * A LIF spike resets both membranes: ε = 0. A multi-threshold spike keeps ε (its count does not say
 * whether the base plane reset) and adds half a step for the rounded reset value or amount. ATRLIF's
 * r grows by 2·theta_0 << 6, the float reset amount exactly. The periodic reset at step depth + 1
 * starts from ε = 0 (0.5 where ATRLIF's reset value was rounded).
 */
import type { StepInput } from "../../sim/reference.ts";
import {
  LAVA,
  populationSize,
  type FixedConnection,
  type FixedModel,
  type FixedPopulation,
  type Synapse,
} from "../model/integer-model.ts";
import type { RealConnection } from "../quantize/index.ts";
import { weightExpShift, type FixedRun } from "../sim/engine-common.ts";
import { decayTrunc } from "../sim/fixed-arith.ts";
import { inputColumns } from "../sim/input-fixed.ts";

/** What the bound needs of the quantiser: the real connections by id; per population its scale g and real decay τ. */
export interface RoundingFacts {
  real: ReadonlyMap<string, RealConnection>;
  populations: ReadonlyMap<string, { g: number; tau: number }>;
}

type AnySynapse = Synapse<ArrayLike<number>>;

/** acc[o] += Σ_i x[i]·W[i → o], for any weight array (the engines' integer forms, generalised). */
export function accumulate(s: AnySynapse, x: ArrayLike<number>, acc: Float64Array): void {
  if (s.kind === "diagonal") {
    for (let i = 0; i < s.size; i++) acc[i] += x[i]! * s.weights[i]!;
    return;
  }
  if (s.kind === "dense") {
    const O = s.outSize;
    for (let i = 0; i < s.inSize; i++) {
      const xi = x[i]!;
      if (xi !== 0) for (let o = 0; o < O; o++) acc[o] += xi * s.weights[i * O + o]!;
    }
    return;
  }
  const [H, W, C] = s.inShape;
  const [OH, OW, CO] = s.outShape;
  const [KH, KW, KI] = s.kernelShape;
  const coPerG = CO / s.groups;
  for (let oy = 0; oy < OH; oy++)
    for (let ox = 0; ox < OW; ox++)
      for (let co = 0; co < CO; co++) {
        const g = Math.floor(co / coPerG);
        let sum = 0;
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * s.strides[0] + ky * s.dilation[0] - s.pads[0];
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < KW; kx++) {
            const ix = ox * s.strides[1] + kx * s.dilation[1] - s.pads[2];
            if (ix < 0 || ix >= W) continue;
            for (let k = 0; k < KI; k++)
              sum += x[(iy * W + ix) * C + g * KI + k]! * s.kernel[((ky * KW + kx) * KI + k) * CO + co]!;
          }
        }
        acc[(oy * OW + ox) * CO + co] += sum;
      }
}

/** The synapse with other weights in the same places. */
function withWeights(s: Synapse, w: Float64Array): AnySynapse {
  return s.kind === "conv" ? { ...s, kernel: w } : { ...s, weights: w };
}

const weightsOf = (s: AnySynapse): ArrayLike<number> => (s.kind === "conv" ? s.kernel : s.weights);

/** Per connection: the weight error and (analog input only) the real weight, per synapse, in a units per payload unit. */
interface ConnectionError {
  c: FixedConnection;
  err: AnySynapse;
  real?: AnySynapse;
}

function connectionError(
  c: FixedConnection,
  r: RealConnection | undefined,
  g: number,
  s: number,
  analogInput: boolean,
): ConnectionError {
  const wi = weightsOf(c.synapse);
  const k = 2 ** c.weightExp;
  const wr = r && r.synapse.kind === c.synapse.kind ? weightsOf(r.synapse) : undefined;
  const known = wr !== undefined && wr.length === wi.length;
  const err = new Float64Array(wi.length);
  const real = new Float64Array(wi.length);
  for (let j = 0; j < wi.length; j++) {
    // rounding to the nearest integer moves a weight by at most half a step; a real 0 stays 0
    err[j] = known && wr[j] === 0 ? 0 : 0.5 * k;
    real[j] = known ? Math.abs((g * wr[j]!) / s) : Math.abs(wi[j]!) * k + 0.5 * k;
  }
  return { c, err: withWeights(c.synapse, err), ...(analogInput ? { real: withWeights(c.synapse, real) } : {}) };
}

/**
 * What Lava's saturation at ±(2^23 − 1) cut off v at step n (the float membrane has no such
 * limit): |v_pre| − (2^23 − 1) where v_pre = the decayed v, plus the current, plus the bias.
 */
function saturation(
  p: FixedPopulation,
  vs: Int32Array[],
  us: Int32Array[],
  n: number,
  i: number,
  reset: boolean,
): number {
  const initial = p.v0?.[i] ?? 0;
  const before = reset ? (p.kind === "atrlif" ? initial : 0) : n === 1 ? initial : vs[n - 2]![i]!;
  const pre = decayTrunc(before, 4096 - p.dv) + us[n - 1]![i]! + p.biasMant[i]! * 2 ** p.biasExp;
  return Math.max(0, Math.abs(pre) - LAVA.vMax);
}

/** acc += the connection's integer accumulation of payloads x, shifted by its weight exponent. */
function addShifted(c: FixedConnection, x: ArrayLike<number>, acc: Float64Array): void {
  const t = new Float64Array(acc.length);
  accumulate(c.synapse, x, t);
  for (let i = 0; i < acc.length; i++) acc[i] += weightExpShift(t[i]!, c.weightExp);
}

/** ε per population id, per Lava step (index n − 1), per neuron, in v units. `run` needs its state. */
export function roundingBounds(
  m: FixedModel,
  facts: RoundingFacts,
  x: StepInput,
  run: FixedRun,
): Map<string, Float64Array[]> {
  const A = 2 ** LAVA.actShift;
  const columns = inputColumns(m.input, x, m.timesteps);
  const analog = m.input.kind === "graded";
  // |q − s·x| of a payload rounded to the nearest integer within its range: the clipping, plus half a step
  const { scale, min, max } = m.input;
  const rho = columns.map((q, t) => {
    const xs = Array.isArray(x) ? x[t]! : (x as Float64Array);
    return Float64Array.from(q, (_, j) => {
      const y = scale * xs[j]!;
      return analog ? Math.abs(Math.min(max, Math.max(min, y)) - y) + 0.5 : 0;
    });
  });
  const zeros = new Int32Array(columns[0]?.length ?? 0);
  const payload = (from: string, n: number): ArrayLike<number> | undefined => {
    if (n < 1) return undefined;
    if (from === m.input.id) return n <= m.timesteps ? columns[n - 1]! : zeros;
    return run.spikes.get(from)![n - 1];
  };
  const out = new Map<string, Float64Array[]>();
  for (const p of m.populations) {
    if (p.kind === "pulse") continue;
    const f = facts.populations.get(p.id);
    if (!f) continue;
    const incoming = m.connections
      .filter((c) => c.to === p.id && c.port !== "gain")
      .map((c) => {
        const fromInput = c.from === m.input.id;
        return connectionError(c, facts.real.get(c.id), f.g, fromInput ? m.input.scale : 1, fromInput && analog);
      });
    const gains = m.connections.filter((c) => c.to === p.id && c.port === "gain");
    out.set(p.id, populationBound(p, f, incoming, gains, payload, rho, run, A));
  }
  return out;
}

function populationBound(
  p: FixedPopulation,
  f: { g: number; tau: number },
  incoming: ConnectionError[],
  gains: FixedConnection[],
  payload: (from: string, n: number) => ArrayLike<number> | undefined,
  rho: Float64Array[],
  run: FixedRun,
  A: number,
): Float64Array[] {
  const N = populationSize(p);
  const tauQ = 1 - p.dv / 2 ** 12;
  const trunc = p.dv === 0 ? 0 : p.kind === "atrlif" ? 2 : 1;
  // half a step of the bias mantissa; the decay's rounding, at most 1/4096 (τ = 0 takes dv 4095)
  const biasErr = 0.5 * 2 ** p.biasExp;
  const dTau = Math.min(Math.abs(tauQ - f.tau), 1 / 2 ** 12);
  const vs = run.v?.get(p.id);
  const rs = run.r?.get(p.id);
  const us = run.u?.get(p.id);
  const spikes = run.spikes.get(p.id)!;
  const eps: Float64Array[] = [];
  let prev = new Float64Array(N);
  const exp = p.gainStage?.exp ?? 0;
  for (let n = 1; n <= run.steps; n++) {
    const a = new Float64Array(N); // a-unit error of the neuron's own input
    const gatedErr = new Float64Array(N);
    const gated = new Float64Array(N);
    const gain = new Float64Array(N);
    for (const ce of incoming) {
      const src = n - 1 - ce.c.delay;
      const x = payload(ce.c.from, src);
      if (!x) continue;
      const into = ce.c.port === "gated" ? gatedErr : a;
      const abs = Float64Array.from(x, Math.abs);
      accumulate(ce.err, abs, into);
      if (ce.real && src <= rho.length) accumulate(ce.real, rho[src - 1]!, into);
      if (ce.c.weightExp < 0) for (let i = 0; i < N; i++) into[i] += 1;
      if (ce.c.port === "gated") addShifted(ce.c, x, gated);
    }
    if (p.gainStage) {
      for (const c of gains) {
        const x = payload(c.from, n - 1 - c.delay);
        if (x) addShifted(c, x, gain);
      }
      const k = 2 ** exp;
      for (let i = 0; i < N; i++)
        a[i] += (Math.abs(gated[i]!) * 0.5) / k + ((Math.abs(gain[i]!) + 0.5) / k) * gatedErr[i]! + 1;
    }
    const reset = (n - p.resetOffset) % p.resetInterval === 0;
    const e = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      // the state the step decays: the reset one, the initial one, or the last step's (ATRLIF: v − r)
      const initial = p.v0?.[i] ?? 0;
      let before = prev[i]!;
      let mag: number;
      if (reset) {
        before = p.kind === "atrlif" && initial ? 0.5 : 0;
        mag = p.kind === "atrlif" ? Math.abs(initial) : 0;
      } else if (n === 1) mag = Math.abs(initial);
      else mag = Math.abs(vs ? vs[n - 2]![i]! - (rs ? rs[n - 2]![i]! : 0) : 0);
      e[i] = tauQ * before + dTau * (mag + before) + trunc + A * a[i]! + biasErr;
      if (vs && us) e[i] += saturation(p, vs, us, n, i, reset);
    }
    eps.push(e);
    const s = spikes[n - 1]!;
    prev = new Float64Array(e);
    for (let i = 0; i < N; i++) {
      if (!s[i]) continue;
      if (p.kind === "lif") prev[i] = 0;
      else if (p.kind === "multi-threshold") prev[i] += 0.5;
    }
  }
  return eps;
}
