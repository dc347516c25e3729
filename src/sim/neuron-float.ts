/**
 * The float64 neuron step: the one place where SEMANTICS.md §1 (with MPBN, MT planes and
 * per-step schedules) is computed. Used by the reference executor for unfolded and folded IR.
 */
import type { NeuronNode } from "../ir/nodes.ts";
import { broadcastTo, size, type Tensor } from "../ir/tensor.ts";

/** Parameters expanded to one value per neuron, computed once per run. */
export interface NeuronParams {
  n: number;
  fireGe: boolean;
  soft: boolean;
  decay: number;
  gain: Float64Array;
  bias: Float64Array;
  threshold: Float64Array;
  planes: Float64Array[];
  vReset: Float64Array;
  resetAmount: Float64Array;
  /** MPBN as k = γ/sqrt(σ²+ε), μ, β per neuron (absent: identity). */
  mpbn?: { k: Float64Array; mean: Float64Array; beta: Float64Array };
  schedule?: { decay: Float64Array[]; bias: Float64Array[]; scale: Float64Array[]; gain?: Float64Array[] };
  /** Initial state v[0] per neuron (absent: 0). */
  v0?: Float64Array;
  /** Self-recurrent weight per neuron: h += selfWeight·s_0[t−1] (absent: none). */
  selfWeight?: Float64Array;
}

export interface NeuronState {
  v: Float64Array;
  /** s_0 of the previous step (kept only when the neuron has a self-recurrent weight). */
  s?: Uint8Array;
}

/** What one step produced; `h` and `margin` are filled only when asked for. */
export interface NeuronStepOut {
  /** s_0 (binary) or s_sum for MT layers. */
  out: Float64Array;
  /** Membrane after charge, before reset (in the neuron's own state space). */
  h?: Float64Array;
  /** min over planes of |m(h) − threshold| (the compare margin). */
  margin?: Float64Array;
  /** The binary spike planes: [0] = s_0, [i] = s_i of planeThresholds[i−1] (when asked for). */
  planes?: Float64Array[];
}

export function expandNeuron(node: NeuronNode, shape: readonly number[]): NeuronParams {
  const ex = (t: Tensor) => broadcastTo(t, shape);
  const p: NeuronParams = {
    n: size(shape),
    fireGe: node.fire === "ge",
    soft: node.reset === "soft",
    decay: node.decay,
    gain: ex(node.gain),
    bias: ex(node.bias),
    threshold: ex(node.threshold),
    planes: (node.planeThresholds ?? []).map(ex),
    vReset: ex(node.vReset),
    resetAmount: ex(node.resetAmount),
  };
  if (node.mpbn) {
    const m = node.mpbn;
    const k = new Float64Array(m.gamma.data.length);
    for (let i = 0; i < k.length; i++) k[i] = m.gamma.data[i]! / Math.sqrt(m.variance.data[i]! + m.epsilon);
    p.mpbn = { k: ex({ shape: m.gamma.shape, data: k }), mean: ex(m.mean), beta: ex(m.beta) };
  }
  if (node.schedule) {
    p.schedule = {
      decay: node.schedule.decay.map(ex),
      bias: node.schedule.bias.map(ex),
      scale: node.schedule.thresholdScale.map(ex),
    };
    if (node.schedule.gain) p.schedule.gain = node.schedule.gain.map(ex);
  }
  if (node.v0) p.v0 = ex(node.v0);
  if (node.selfWeight) p.selfWeight = ex(node.selfWeight);
  return p;
}

export function initNeuronState(p: NeuronParams): NeuronState {
  const st: NeuronState = { v: p.v0 ? new Float64Array(p.v0) : new Float64Array(p.n) };
  if (p.selfWeight) st.s = new Uint8Array(p.n);
  return st;
}

/**
 * One step at 0-based step index t with input current c. Mutates state.v (and state.s).
 * The output is written into `into` when given (every value of it), else into a new array.
 * `force` (neuron → output) overrides the output of some neurons, and their reset follows it:
 * the planes crossed are taken to be the `output` lowest thresholds (verify replays a fixed-point
 * model's decisions in the float model this way, src/verify/ties.ts).
 *   h = decay_t·v + gain_t·gain·c + bias (+ schedule bias_t) (+ selfWeight where s_0 fired at t − 1)
 *   m = k(h − μ) + β with MPBN, else h
 *   s_0 = m ⋈ θ·scale_t, planes likewise; reset driven by s_0 only.
 */
export function neuronStep(
  p: NeuronParams,
  st: NeuronState,
  c: Float64Array,
  t: number,
  want: {
    h?: boolean;
    margin?: boolean;
    planes?: boolean;
    force?: ReadonlyMap<number, number>;
    /** Called for each neuron whose imposed output differs from its own (`own`). */
    onForced?: (i: number, own: number) => void;
  } = {},
  into?: Float64Array,
): NeuronStepOut {
  if (plain(p, want)) return { out: plainStep(p, st.v, c, into ?? new Float64Array(p.n)) };
  const out = into ?? new Float64Array(p.n);
  const hOut = want.h ? new Float64Array(p.n) : undefined;
  const margin = want.margin ? new Float64Array(p.n) : undefined;
  const planesOut = want.planes ? Array.from({ length: p.planes.length + 1 }, () => new Float64Array(p.n)) : undefined;
  const sd = p.schedule ? p.schedule.decay[t]! : undefined;
  const sb = p.schedule ? p.schedule.bias[t]! : undefined;
  const ss = p.schedule ? p.schedule.scale[t]! : undefined;
  const sg = p.schedule?.gain ? p.schedule.gain[t]! : undefined;
  const v = st.v;
  const mp = p.mpbn;
  const sw = p.selfWeight;
  const prev = st.s;
  for (let i = 0; i < p.n; i++) {
    const decay = sd ? sd[i]! : p.decay;
    let h = decay * v[i]! + (sg ? sg[i]! : 1) * p.gain[i]! * c[i]! + p.bias[i]!;
    if (sb) h += sb[i]!;
    if (sw && prev![i]) h += sw[i]!;
    const m = mp ? mp.k[i]! * (h - mp.mean[i]!) + mp.beta[i]! : h;
    const scale = ss ? ss[i]! : 1;
    const thr = p.threshold[i]! * scale;
    let s0 = p.fireGe ? m >= thr : m > thr;
    let count = s0 ? 1 : 0;
    if (planesOut && s0) planesOut[0]![i] = 1;
    let mg = Math.abs(m - thr);
    for (let j = 0; j < p.planes.length; j++) {
      const pt = p.planes[j]![i]! * scale;
      if (p.fireGe ? m >= pt : m > pt) {
        count++;
        if (planesOut) planesOut[j + 1]![i] = 1;
      }
      if (margin) mg = Math.min(mg, Math.abs(m - pt));
    }
    const forced = want.force?.get(i);
    if (forced !== undefined && forced !== count) {
      want.onForced?.(i, count);
      const crossed = lowestThresholds(p, i, forced);
      s0 = crossed[0]!;
      count = forced;
      if (planesOut) for (let j = 0; j < planesOut.length; j++) planesOut[j]![i] = crossed[j] ? 1 : 0;
    }
    out[i] = count;
    if (hOut) hOut[i] = h;
    if (margin) margin[i] = mg;
    if (s0) v[i] = p.soft ? h - p.resetAmount[i]! * scale : p.vReset[i]! * scale;
    else v[i] = h;
    if (prev) prev[i] = s0 ? 1 : 0;
  }
  return { out, h: hOut, margin, planes: planesOut };
}

/** A step with one threshold, no schedule, no self-recurrence and nothing asked but the output. */
function plain(p: NeuronParams, want: { h?: boolean; margin?: boolean; planes?: boolean; force?: unknown }): boolean {
  return (
    !p.schedule && !p.selfWeight && p.planes.length === 0 && !want.h && !want.margin && !want.planes && !want.force
  );
}

/**
 * neuronStep's loop for a plain step: the same operations in the same order, without the factors
 * that are 1 there (×1 changes no float64), so the same bits. Mutates v.
 */
function plainStep(p: NeuronParams, v: Float64Array, c: Float64Array, out: Float64Array): Float64Array {
  const { n, decay, gain, bias, threshold, fireGe, soft, resetAmount, vReset, mpbn } = p;
  for (let i = 0; i < n; i++) {
    const h = decay * v[i]! + gain[i]! * c[i]! + bias[i]!;
    const m = mpbn ? mpbn.k[i]! * (h - mpbn.mean[i]!) + mpbn.beta[i]! : h;
    const thr = threshold[i]!;
    if (fireGe ? m >= thr : m > thr) {
      out[i] = 1;
      v[i] = soft ? h - resetAmount[i]! : vReset[i]!;
    } else {
      out[i] = 0;
      v[i] = h;
    }
  }
  return out;
}

/** Which of neuron i's thresholds ([0] the base, then the planes) are its `count` lowest (ties: base first). */
function lowestThresholds(p: NeuronParams, i: number, count: number): boolean[] {
  const ths = [p.threshold[i]!, ...p.planes.map((pl) => pl[i]!)];
  const order = ths.map((_, j) => j).sort((a, b) => ths[a]! - ths[b]! || a - b);
  const crossed = ths.map(() => false);
  for (let k = 0; k < Math.min(count, order.length); k++) crossed[order[k]!] = true;
  return crossed;
}
