/**
 * lower-temporal-norm: BNTT, TEBN and TAB become a per-step gain and bias of the neuron they feed,
 * in the neuron's own (unscaled) state. Each norm is the per-step affine y_t = a_t ⊙ c + b_t
 * (passes/temporal/temporal-norm-affine.ts); for a neuron h = τ·v + g·y + β:
 *
 *   h_t = τ·v_{t−1} + a_t·(g·c_t) + (g·b_t) + β
 *
 * so the neuron keeps its decay, thresholds, reset and static bias β, and gets
 * schedule.gain[t] = a_t (per element, through the chain's channel map), schedule.bias[t] = g·b_t,
 * schedule.decay[t] = τ and schedule.thresholdScale[t] = 1 (NeuronSchedule, ir/nodes.ts). Exact in
 * real arithmetic, for a_t of any sign: nothing is divided by a_t. A Loihi target runs the gain as
 * a product stage between the synapses and the neuron and the bias from pulse neurons
 * (docs/LOIHI-SEEDS.md §2).
 *
 * Where the norm may sit is what normSite allows (the neuron directly, or through single-reader
 * flatten / reshape / average or max pooling); a max pooling commutes with the affine only where
 * a_t > 0, so a chain through one needs a_t > 0 at the steps the model runs.
 */
import { SnncError } from "../../ir/errors.ts";
import type { Graph, NeuronNode } from "../../ir/nodes.ts";
import { scalar } from "../../ir/tensor.ts";
import type { Pass } from "../../passes/pass.ts";
import { lowerPerStepNorms } from "../../passes/temporal/schedule-temporal-norm.ts";
import {
  NORM_NAME,
  siteElements,
  nonPositiveError,
  type NormSite,
  type StepAffine,
} from "../../passes/temporal/temporal-norm-affine.ts";
import { compactTensor, fmt, orIdle, withOrigin } from "../../passes/support/rewrite.ts";

export const lowerTemporalNorm: Pass = {
  name: "lower-temporal-norm",
  description:
    "BNTT / TEBN / TAB → per-step input gain a_t and bias g·b_t of the neuron they feed (its own state: decay, thresholds and reset unchanged)",
  requires:
    "BN folds and fold-mpbn done; each per-step norm feeds one neuron, directly or through single-reader flatten / reshape / pooling",
  guarantees:
    "no bntt / tebn / tab nodes; the neurons they fed carry unscaled schedules (gain, bias); spikes unchanged",
  run: lowerTemporalNorms,
};

/** The neuron with the norm's affine as an unscaled per-step gain and bias (`steps` entries). */
export function gainScheduledNeuron(site: NormSite, aff: StepAffine, steps: number): NeuronNode {
  const { n, S, N, ch, gain: g } = siteElements(site);
  const gain = [];
  const bias = [];
  for (let t = 0; t < steps; t++) {
    const at = aff.a[t]!;
    const bt = aff.b[t]!;
    const a = new Float64Array(N);
    const b = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      a[i] = at[ch[i]!]!;
      b[i] = g[i]! * bt[ch[i]!]!;
    }
    gain.push(compactTensor(a, S));
    bias.push(compactTensor(b, S));
  }
  return {
    ...n,
    schedule: {
      decay: Array.from({ length: steps }, () => scalar(n.decay)),
      bias,
      thresholdScale: Array.from({ length: steps }, () => scalar(1)),
      gain,
    },
  };
}

/** The first (step, channel) among the first `upTo` steps whose a_t is not finite, or (with `positive`) not > 0. */
function firstBad(aff: StepAffine, upTo: number, positive: boolean) {
  for (let t = 0; t < Math.min(upTo, aff.steps); t++) {
    for (let c = 0; c < aff.channels; c++) {
      const v = aff.a[t]![c]!;
      if (!Number.isFinite(v) || (positive && !(v > 0))) return { step: t, channel: c, value: v };
    }
  }
  return undefined;
}

function describe(site: NormSite, aff: StepAffine, steps: number): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (let t = 0; t < steps; t++) for (const v of aff.a[t]!) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const via = site.chain.length ? ` through ${site.chain.map((c) => `'${c.id}' (${c.op})`).join(", ")}` : "";
  const range = lo === hi ? fmt(lo) : `[${fmt(lo)}, ${fmt(hi)}]`;
  return `${NORM_NAME[site.norm.op]} '${site.norm.id}' → per-step input gain a_t ${range} and bias g·b_t of neuron '${site.neuron.id}'${via} (${steps} steps); decay, thresholds and reset unchanged`;
}

export function lowerTemporalNorms(g0: Graph): { graph: Graph; notes: string[] } {
  const r = lowerPerStepNorms(g0, ({ norm, site, aff }, g, notes) => {
    const viaMax = site.chain.some((c) => c.op === "maxpool");
    const bad = firstBad(aff, g.meta.timesteps, viaMax);
    if (bad) {
      if (viaMax) throw nonPositiveError(norm, bad);
      throw new SnncError(
        "E_VALUE",
        `${NORM_NAME[norm.op]} scale a_t is ${bad.value} at step ${bad.step + 1}, channel ${bad.channel}: not a finite number`,
        { layer: norm.id },
      );
    }
    const steps = Math.min(aff.steps, firstBad(aff, aff.steps, viaMax)?.step ?? aff.steps);
    notes.push(describe(site, aff, steps));
    return withOrigin(gainScheduledNeuron(site, aff, steps), `lower-temporal-norm: ${norm.op} '${norm.id}'`);
  });
  return orIdle(r, "no per-step norm (BNTT / TEBN / TAB)");
}
