/**
 * approx-temporal-norm: for targets whose neurons have static parameters (one threshold, decay and
 * bias for all steps), BNTT / TEBN / TAB are replaced by a STATIC approximation. This is not
 * exact: it runs only when the user asks for it (`--temporal-norm approx`), and the compile report
 * then states the spike agreement measured against the exact model
 * (verify/approx-temporal-norm-agreement.ts).
 *
 * The choice (BNTT §3.3, Eq. 16: the norm acts as a per-step threshold θ·sqrt(σ_t²+ε)/γ_t):
 * take the exact schedule of schedule-temporal-norm (w_t = v_t/a_t: threshold scale 1/a_t,
 * bias (g·b_t + β_n)/a_t, decay τ·a_{t−1}/a_t) and make each entry static by its mean over the
 * T steps the model runs:
 *
 *   threshold (and every MT plane, v_reset, soft-reset amount) × s̄,  s̄ = (1/T) Σ_t 1/a_t
 *   bias β̄ = (1/T) Σ_t (g·b_t + β_n)/a_t
 *   decay τ (the ratio a_{t−1}/a_t is 1 on average for a slowly varying a_t, BNTT §3.3)
 *
 * For BNTT with μ = 0 this is exactly BNTT's threshold θ·sqrt(σ_t²+ε)/γ_t averaged over t; unlike
 * BNTT §3.3 the mean μ is kept (in β̄). Averaging the threshold (1/a_t), not a_t, keeps the
 * average firing threshold the one the trained model used. a_t ≤ 0 is refused as in the exact
 * lowering (the rescaling is the same).
 *
 * The pass takes either form: BNTT / TEBN / TAB nodes still in the graph, or neurons that already
 * carry the exact schedule (after the float pipeline, which ends with schedule-temporal-norm): a
 * schedule is collapsed the same way (thresholds × mean_t thresholdScale_t, bias mean_t bias_t,
 * decay the neuron's own τ), so a driver may simply append this pass to the float pipeline.
 */
import { SnncError } from "../../ir/errors.ts";
import type { Graph, IRNode, NeuronNode } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { broadcastTo, size, type Tensor } from "../../ir/tensor.ts";
import type { Pass } from "../pass.ts";
import { compactTensor, editGraph, fmt, withOrigin } from "../support/rewrite.ts";
import { lowerPerStepNorms, scheduleTemporalNorm } from "./schedule-temporal-norm.ts";
import {
  firstNonPositive,
  isPerStepNorm,
  NORM_NAME,
  siteElements,
  nonPositiveError,
  type NormSite,
  type PerStepNorm,
  type StepAffine,
} from "./temporal-norm-affine.ts";

export const approxTemporalNorm: Pass = {
  name: "approx-temporal-norm",
  description:
    "BNTT / TEBN / TAB → STATIC neuron parameters (threshold × mean_t 1/a_t, bias mean_t b_t/a_t, decay τ): an approximation, only on request",
  requires: "as schedule-temporal-norm; the user asked for --temporal-norm approx",
  guarantees: "no bntt / tebn / tab nodes and no neuron schedules; NOT spike-exact: measure the agreement",
  run: approximateTemporalNorms,
};

export function approximateTemporalNorms(g0: Graph): { graph: Graph; notes: string[] } {
  const T = g0.meta.timesteps;
  const lowered = lowerPerStepNorms(g0, ({ norm, site, aff }, _g, notes) => {
    const bad = firstNonPositive(aff, T);
    if (bad) throw nonPositiveError(norm, bad);
    const r = staticNeuron(site, aff, T);
    notes.push(
      `${NORM_NAME[norm.op]} '${norm.id}' → STATIC approximation on neuron '${site.neuron.id}' (averaged over the ${T} steps run): thresholds × mean_t(1/a_t) ${r.scaleRange}, bias mean_t((g·b_t + β)/a_t), decay τ; per-step 1/a_t deviates from its mean by up to ${fmt(100 * r.spread)}%: NOT exact, see the measured spike agreement`,
    );
    return withOrigin(r.neuron, `approx-temporal-norm: ${NORM_NAME[norm.op]} '${norm.id}'`);
  });
  let g = lowered.graph;
  const notes = lowered.notes;
  const repl = new Map<string, IRNode | null>();
  for (const n of g.nodes) {
    if (n.op !== "neuron" || !n.schedule) continue;
    const r = collapseSchedule(n, T);
    repl.set(n.id, withOrigin(r.neuron, "approx-temporal-norm: schedule made static"));
    notes.push(
      `neuron '${n.id}': per-step schedule (${n.schedule.decay.length} steps) → STATIC approximation (averaged over the ${T} steps run): thresholds × mean_t(thresholdScale_t) ${r.scaleRange}, bias mean_t(bias_t), decay τ = ${fmt(n.decay)}; the threshold scale deviates from its mean by up to ${fmt(100 * r.spread)}%: NOT exact, see the measured spike agreement`,
    );
  }
  if (repl.size) g = inferShapes(editGraph(g, repl));
  return { graph: g, notes };
}

/** A scheduled neuron with static parameters: the mean of its first T schedule entries (decay: its own τ). */
export function collapseSchedule(n: NeuronNode, T: number): { neuron: NeuronNode; scaleRange: string; spread: number } {
  const S = n.shape!;
  const N = size(S);
  const sc = n.schedule!;
  if (sc.decay.length < T)
    throw new SnncError("E_VALUE", `neuron schedule holds ${sc.decay.length} steps, the model runs ${T}`, {
      layer: n.id,
      param: "schedule",
    });
  const scales = sc.thresholdScale.slice(0, T).map((t) => broadcastTo(t, S));
  const biases = sc.bias.slice(0, T).map((t) => broadcastTo(t, S));
  const bias = broadcastTo(n.bias, S);
  const sMean = new Float64Array(N);
  const bMean = new Float64Array(N);
  let spread = 0;
  for (let i = 0; i < N; i++) {
    let s = 0;
    let b = 0;
    for (let t = 0; t < T; t++) {
      const v = scales[t]![i]!;
      if (!(v > 0)) {
        throw new SnncError(
          "E_FOLD",
          `schedule threshold scale ${v} ≤ 0 at step ${t + 1}, neuron ${i}: a static threshold cannot stand for it`,
          { layer: n.id, param: "schedule" },
        );
      }
      s += v;
      b += biases[t]![i]!;
    }
    sMean[i] = s / T;
    bMean[i] = bias[i]! + b / T;
    for (let t = 0; t < T; t++) spread = Math.max(spread, Math.abs(scales[t]![i]! - sMean[i]!) / sMean[i]!);
  }
  const neuron = withStaticScale({ ...n, bias: compactTensor(bMean, S) }, sMean);
  delete neuron.schedule;
  return { neuron, scaleRange: range(sMean), spread };
}

/** Thresholds, MT planes, v_reset and the soft-reset amount × s (per neuron). */
function withStaticScale(n: NeuronNode, s: Float64Array): NeuronNode {
  const S = n.shape!;
  const scaled = (p: Tensor): Tensor => {
    const v = broadcastTo(p, S);
    for (let i = 0; i < v.length; i++) v[i] = v[i]! * s[i]!;
    return compactTensor(v, S);
  };
  const out: NeuronNode = {
    ...n,
    threshold: scaled(n.threshold),
    vReset: scaled(n.vReset),
    resetAmount: scaled(n.resetAmount),
  };
  if (n.planeThresholds) out.planeThresholds = n.planeThresholds.map(scaled);
  return out;
}

function range(v: Float64Array): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  return lo === hi ? `= ${fmt(lo)}` : `in [${fmt(lo)}, ${fmt(hi)}]`;
}

/** The neuron with static parameters: the mean over the first T steps of the exact schedule. */
export function staticNeuron(
  site: NormSite,
  aff: StepAffine,
  T: number,
): { neuron: NeuronNode; scaleRange: string; spread: number } {
  const { n, S, N, ch, gain, bias } = siteElements(site);
  const sMean = new Float64Array(N);
  const bMean = new Float64Array(N);
  let spread = 0;
  for (let i = 0; i < N; i++) {
    const c = ch[i]!;
    let s = 0;
    let b = 0;
    for (let t = 0; t < T; t++) {
      s += 1 / aff.a[t]![c]!;
      b += (gain[i]! * aff.b[t]![c]! + bias[i]!) / aff.a[t]![c]!;
    }
    sMean[i] = s / T;
    bMean[i] = b / T;
    for (let t = 0; t < T; t++) spread = Math.max(spread, Math.abs(1 / aff.a[t]![c]! - sMean[i]!) / sMean[i]!);
  }
  const neuron = withStaticScale({ ...n, bias: compactTensor(bMean, S) }, sMean);
  return { neuron, scaleRange: range(sMean), spread };
}

/** What a target can hold for neuron parameters over time. */
export interface ScheduleFeatures {
  /** Per-step decay / bias / threshold schedules (the float target; not Loihi's static CUBA). */
  neuronSchedules?: boolean;
}

/**
 * The per-step-norm lowering for a target: the exact schedule where the target holds schedules,
 * the static approximation where the user asked for it, and otherwise a refusal of any per-step
 * norm (as a pass, so it runs at its place in the pipeline).
 */
export function temporalNormPasses(
  target: string,
  features: ScheduleFeatures | undefined,
  mode: "exact" | "approx" | undefined,
): Pass[] {
  if (features?.neuronSchedules) return [scheduleTemporalNorm];
  if (mode === "approx") return [approxTemporalNorm];
  return [refuseTemporalNorm(target)];
}

/** A pass that refuses per-step norms on a target without schedules (no --temporal-norm approx). */
export function refuseTemporalNorm(target: string): Pass {
  return {
    name: "refuse-temporal-norm",
    description: `refuse BNTT / TEBN / TAB: target '${target}' has static neuron parameters`,
    requires: "-",
    guarantees: "no bntt / tebn / tab nodes (or an error)",
    run(g) {
      const norms = g.nodes.filter(isPerStepNorm);
      if (norms.length) throw temporalNormRefusal(target, norms);
      return { graph: g, notes: [] };
    },
  };
}

export function temporalNormRefusal(target: string, norms: readonly PerStepNorm[]): SnncError {
  const list = norms.map((n) => `${NORM_NAME[n.op]} '${n.id}'`).join(", ");
  return new SnncError(
    "E_TARGET",
    `target '${target}' has static neuron parameters (one threshold, decay and bias for every step), but ${list} normalise${norms.length > 1 ? "" : "s"} each step differently: the exact lowering needs per-step neuron schedules (SEMANTICS §3). Pass --temporal-norm approx for static averages (not exact; the report then states the measured spike agreement)`,
    { layer: norms[0]!.id },
  );
}
