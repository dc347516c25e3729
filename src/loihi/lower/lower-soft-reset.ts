/**
 * lower-soft-reset: a soft-reset neuron (v = h − R·s after a spike, SEMANTICS §1) in the form
 * Lava's ATRLIF runs: that neuron fires on m ≥ θ' and then subtracts 2θ' (docs/LOIHI-SEEDS.md §1),
 * so the compare threshold must be half the reset amount. In the neuron's own state space
 * (h = τ·v[t−1] + c + b, fire iff h ⋈ θ, v = h − R after a spike, v[0] = 0) take v' = v + δ with
 * δ = R/2 − θ:
 *
 *   h'[t] = τ·v'[t−1] + c + b + δ(1 − τ)      the bias gains δ(1 − τ)           (h' = h + δ)
 *   fire iff h' ⋈ θ + δ = R/2                  the same rule, > or ≥
 *   v' = h' − R after a spike                  unchanged: a subtraction commutes with the shift
 *   v'[0] = δ                                  initial state δ (v0)
 *
 * Exact: the leak, the subtraction and both firing rules are affine in the state. Per neuron (so
 * per channel or per element as θ and R vary); lower-thresholds then brings every R/2 to one
 * threshold by state scaling, which also makes R one value. ±∞ thresholds (never / always fire)
 * are left as they are. A layer with a finite threshold whose R is not > 0 (a negated state, a
 * zero amount) has no ATRLIF form and is left for snnc's own neuron process; so are MT layers
 * (several thresholds on one membrane) and neurons with a rescaled per-step schedule.
 */
import type { Graph, NeuronNode } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { broadcastTo, size } from "../../ir/tensor.ts";
import type { Pass } from "../../passes/pass.ts";
import { compactTensor, fmt, orIdle, replaceEach, withOrigin } from "../../passes/support/rewrite.ts";

export const lowerSoftReset: Pass = {
  name: "lower-soft-reset",
  description:
    "soft reset → Lava ATRLIF's form (compare at half the reset amount): a shifted state v' = v + R/2 − θ, bias + δ(1 − τ), initial state δ",
  requires: "MPBN folded; an unscaled schedule if any (lower-temporal-norm)",
  guarantees:
    "every soft-reset neuron with an ATRLIF form has finite thresholds equal to half its reset amount; spikes unchanged",
  run: lowerSoftResets,
};

/** Why a soft-reset neuron has no ATRLIF form (undefined when it has one). */
export function noAtrlifForm(n: NeuronNode): string | undefined {
  if (n.reset !== "soft") return "it resets hard";
  if (n.planeThresholds?.length) return "it has several thresholds (MT)";
  if (n.schedule && !n.schedule.gain) return "its schedule rescales the state (per-step decay)";
  const S = n.shape!;
  const th = broadcastTo(n.threshold, S);
  const R = broadcastTo(n.resetAmount, S);
  for (let i = 0; i < th.length; i++) {
    if (Number.isFinite(th[i]!) && !(R[i]! > 0 && Number.isFinite(R[i]!)))
      return `its reset amount is ${fmt(R[i]!)} at neuron ${i} (ATRLIF subtracts twice a positive threshold)`;
  }
  return undefined;
}

/** The neuron in its shifted state v' = v + δ, δ = R/2 − θ per neuron with a finite threshold. */
export function atrlifNeuron(n: NeuronNode): { neuron: NeuronNode; delta: Float64Array } {
  const S = n.shape!;
  const N = size(S);
  const th = broadcastTo(n.threshold, S);
  const R = broadcastTo(n.resetAmount, S);
  const bias = broadcastTo(n.bias, S);
  const v0 = n.v0 ? broadcastTo(n.v0, S) : new Float64Array(N);
  const delta = new Float64Array(N);
  const tau = n.decay;
  for (let i = 0; i < N; i++) {
    if (!Number.isFinite(th[i]!)) continue;
    const d = R[i]! / 2 - th[i]!;
    delta[i] = d;
    th[i] = R[i]! / 2;
    bias[i] = bias[i]! + d * (1 - tau);
    v0[i] = v0[i]! + d;
  }
  const out: NeuronNode = { ...n, threshold: compactTensor(th, S), bias: compactTensor(bias, S) };
  delete out.v0;
  if (v0.some((x) => x !== 0)) out.v0 = compactTensor(v0, S);
  return { neuron: withOrigin(out, "lower-soft-reset: compare at R/2 (ATRLIF)"), delta };
}

export function lowerSoftResets(g0: Graph): { graph: Graph; notes: string[] } {
  const r = replaceEach(inferShapes(g0), (n) => {
    if (n.op !== "neuron" || n.reset !== "soft") return undefined;
    const why = noAtrlifForm(n);
    if (why) return { notes: [`'${n.id}': soft reset kept for snnc's own neuron process: ${why}`] };
    const { neuron, delta } = atrlifNeuron(n);
    let lo = Infinity;
    let hi = -Infinity;
    for (const d of delta) [lo, hi] = [Math.min(lo, d), Math.max(hi, d)];
    return {
      node: neuron,
      notes: [
        `'${n.id}': soft reset → Lava ATRLIF (fires on v − r ≥ θ', then r += 2θ'): state v' = v + δ with δ ${lo === hi ? `= ${fmt(lo)}` : `in ${fmt(lo)}..${fmt(hi)}`} = R/2 − θ, threshold θ' = R/2, bias + δ(1 − τ), initial state δ`,
      ],
    };
  });
  return orIdle(r, "no soft-reset neuron");
}
