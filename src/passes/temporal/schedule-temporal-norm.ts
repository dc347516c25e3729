/**
 * schedule-temporal-norm: BNTT, TEBN and TAB become the per-step schedule of the neuron they feed
 * (SEMANTICS §3). Each is the per-step affine y_t = a_t ⊙ c + b_t (temporal-norm-affine.ts);
 * with a_t > 0 the neuron's state is rescaled, w_t = v_t / a_t:
 *
 *   h'_t = (τ·a_{t−1}/a_t)·w_{t−1} + g·c_t + (g·b_t + β_n)/a_t
 *   fire iff h'_t ⋈ θ/a_t (every MT plane likewise); hard reset to v_reset/a_t; soft reset
 *   subtracts R/a_t.
 *
 * so the static weights W stay, the norm node disappears, and the neuron gets
 * schedule.decay[t] = τ·a_{t−1}/a_t (τ at t = 0, where v = 0), schedule.bias[t] = (g·b_t + β_n)/a_t
 * (the neuron's static bias β_n moves into it and becomes 0) and schedule.thresholdScale[t] =
 * 1/a_t, which the simulator applies to every compare threshold, the soft-reset amount and
 * v_reset (NeuronSchedule in ir/nodes.ts). Exact in real arithmetic; the gain g stays as it is.
 *
 * The schedule holds every step the norm holds, so running fewer steps (early exit) uses its
 * first T entries and running more is refused, as for the norm. a_t ≤ 0 within the steps the model
 * runs is an error naming the layer, step and channel; at a later step the schedule stops before
 * it (and the notes say so). Runs after the BN folds and fold-mpbn: a neuron that still has
 * MPBN is refused.
 */
import { SnncError } from "../../ir/errors.ts";
import { consumers } from "../../ir/graph.ts";
import type { Graph, IRNode, NeuronNode } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { scalar } from "../../ir/tensor.ts";
import type { Pass } from "../pass.ts";
import { compactTensor, editGraph, fmt, rewriteEach, withOrigin } from "../support/rewrite.ts";
import {
  firstNonPositive,
  isPerStepNorm,
  NORM_NAME,
  siteElements,
  nonPositiveError,
  normSite,
  stepAffine,
  type NormSite,
  type PerStepNorm,
  type StepAffine,
} from "./temporal-norm-affine.ts";

export const scheduleTemporalNorm: Pass = {
  name: "schedule-temporal-norm",
  description:
    "BNTT / TEBN / TAB → per-step affine a_t·c + b_t → the following neuron's per-step decay, bias and threshold scale (state rescaled by 1/a_t)",
  requires:
    "BN folds and fold-mpbn done (no MPBN on the neurons fed); each per-step norm feeds one neuron, directly or through single-reader flatten / reshape / average or max pooling",
  guarantees: "no bntt / tebn / tab nodes; the neurons they fed carry schedules; spikes unchanged",
  run: scheduleTemporalNorms,
};

export function scheduleTemporalNorms(g0: Graph): { graph: Graph; notes: string[] } {
  return lowerPerStepNorms(g0, ({ norm, site, aff }, g, notes) => {
    const bad = firstNonPositive(aff);
    if (bad && bad.step < g.meta.timesteps) throw nonPositiveError(norm, bad);
    const steps = bad ? bad.step : aff.steps;
    notes.push(describe(site, aff, steps, g.meta.timesteps));
    if (bad) {
      notes.push(
        `${NORM_NAME[norm.op]} '${norm.id}': a_t = ${bad.value} ≤ 0 at step ${bad.step + 1} (channel ${bad.channel}), beyond the ${g.meta.timesteps} steps the model runs: the schedule of '${site.neuron.id}' stops at step ${steps}, and running more steps is refused`,
      );
    }
    return withOrigin(scheduledNeuron(site, aff, steps), `schedule-temporal-norm: ${NORM_NAME[norm.op]} '${norm.id}'`);
  });
}

/** A per-step norm as it stands in the graph being lowered (shapes inferred), its checked site and its affine. */
export interface NormAt {
  norm: PerStepNorm;
  site: NormSite;
  aff: StepAffine;
}

/**
 * Lowers every per-step norm of `g0` into the neuron it feeds, one at a time in graph order:
 * `lower` gets the norm as it stands in the graph so far, pushes its notes and returns the neuron
 * that replaces the one the norm feeds; the norm goes (removeNorm).
 */
export function lowerPerStepNorms(
  g0: Graph,
  lower: (at: NormAt, g: Graph, notes: string[]) => NeuronNode,
): { graph: Graph; notes: string[] } {
  return rewriteEach(g0, isPerStepNorm, (g, norm, notes) => {
    const site = checkedSite(g, norm);
    const neuron = lower({ norm, site, aff: stepAffine(norm, norm.shape![norm.shape!.length - 1]!) }, g, notes);
    return inferShapes(removeNorm(g, site, neuron));
  });
}

/** normSite, plus the neuron-side preconditions shared with approx-temporal-norm. */
export function checkedSite(g: Graph, norm: PerStepNorm): NormSite {
  const site = normSite(g, norm, consumers(g));
  const n = site.neuron;
  const name = NORM_NAME[norm.op];
  if (n.mpbn) {
    throw new SnncError(
      "E_FOLD",
      `${name} '${norm.id}' feeds this neuron, which still has MPBN: run fold-mpbn before lowering the per-step norm (the schedule rescales the raw membrane, MPBN normalises it)`,
      { layer: n.id, param: "mpbn" },
    );
  }
  if (n.schedule) {
    throw new SnncError(
      "E_UNSUPPORTED",
      `${name} '${norm.id}' feeds this neuron, which already carries a per-step schedule (two per-step norms before one neuron): not supported`,
      { layer: n.id, param: "schedule" },
    );
  }
  return site;
}

/** The neuron with the norm's affine lowered into a `steps`-long schedule (a_t > 0 for t < steps). */
export function scheduledNeuron(site: NormSite, aff: StepAffine, steps: number): NeuronNode {
  const { n, S, N, ch, gain, bias } = siteElements(site);
  const decay = [];
  const sBias = [];
  const scale = [];
  for (let t = 0; t < steps; t++) {
    const d = new Float64Array(N);
    const b = new Float64Array(N);
    const s = new Float64Array(N);
    const at = aff.a[t]!;
    const bt = aff.b[t]!;
    const prev = t > 0 ? aff.a[t - 1]! : undefined;
    for (let i = 0; i < N; i++) {
      const c = ch[i]!;
      d[i] = prev ? (n.decay * prev[c]!) / at[c]! : n.decay;
      b[i] = (gain[i]! * bt[c]! + bias[i]!) / at[c]!;
      s[i] = 1 / at[c]!;
    }
    decay.push(compactTensor(d, S));
    sBias.push(compactTensor(b, S));
    scale.push(compactTensor(s, S));
  }
  return { ...n, bias: scalar(0), schedule: { decay, bias: sBias, thresholdScale: scale } };
}

/** Drop the norm: its reader reads the norm's input; the neuron is replaced. */
export function removeNorm(g: Graph, site: NormSite, neuron: NeuronNode): Graph {
  const repl = new Map<string, IRNode | null>([
    [site.norm.id, null],
    [neuron.id, neuron],
  ]);
  return editGraph(g, repl, new Map([[site.norm.id, site.norm.inputs[0]!]]));
}

function range(aff: StepAffine, steps: number): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (let t = 0; t < steps; t++) {
    for (const v of aff.a[t]!) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return lo === hi ? fmt(lo) : `[${fmt(lo)}, ${fmt(hi)}]`;
}

function describe(site: NormSite, aff: StepAffine, steps: number, T: number): string {
  const norm = site.norm;
  const via = site.chain.length ? ` through ${site.chain.map((c) => `'${c.id}' (${c.op})`).join(", ")}` : "";
  const held =
    aff.steps > T
      ? `; holds ${aff.steps} steps, the model runs ${T}: a run of T ≤ ${steps} steps uses the first T entries`
      : "";
  return `${NORM_NAME[norm.op]} '${norm.id}' → per-step schedule of neuron '${site.neuron.id}'${via} (${steps} steps, a_t ${range(aff, steps)}): decay_t = τ·a_{t−1}/a_t, bias_t = (g·b_t + β)/a_t, thresholds, v_reset and soft-reset amount × 1/a_t${held}`;
}
