/**
 * fold-mpbn: membrane-potential BN (MPBN Eq. 7-10, element form Eq. 13) disappears into the
 * neuron's compare thresholds. With k = γ/sqrt(σ² + ε) per channel (or per element):
 *
 *   fire iff k(h − μ) + β ⋈ θ        (the reset still uses the raw h)
 *
 * - k > 0: h ⋈ θ̃ with θ̃ = (θ − β)/k + μ; with MT-LIF every plane i gets (θ_i − β)/k + μ.
 * - k < 0: the comparison flips (h < θ̃). The exact lowering negates that neuron's state
 *   v' = −v: its input gain and bias, every compare threshold (now −θ̃), v_reset and the
 *   soft-reset amount are negated, and `fire` (gt/ge) is kept: −h ⋈ −θ̃. Leak and both resets are
 *   linear in the state, so the spikes are unchanged. The negation is written into the neuron's
 *   per-channel / per-element `gain` (−1); absorb-gain later moves a per-channel negation into
 *   the producing conv/dense (negating that output channel's kernel and bias, SEMANTICS §2).
 *   Element-wise MPBN with mixed signs inside one conv channel keeps a per-element gain of ±1 on
 *   the neuron: exact, the kernel stays shared, and no consumer needs to change (the
 *   alternative +/− channel split of SEMANTICS §2 is left to targets without per-neuron gains).
 * - k = 0: the normalised membrane is the constant β, so the neuron fires at every step
 *   (β ⋈ θ: threshold −∞) or never (threshold +∞); no division happens, and the notes say which.
 *
 * The soft-reset amount stays the configured v_threshold (only negated where k < 0): SEMANTICS §1.
 * A neuron that already carries a per-step schedule is refused (fold MPBN before scheduling).
 */
import { SnncError } from "../../ir/errors.ts";
import type { NeuronNode } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { broadcastTo, size } from "../../ir/tensor.ts";
import type { Pass } from "../pass.ts";
import { compactTensor, listIdx, replaceEach, withOrigin } from "../support/rewrite.ts";

export const foldMpbn: Pass = {
  name: "fold-mpbn",
  description: "fold membrane-potential BN into per-channel / per-neuron thresholds (state negated where k < 0)",
  requires: "shapes valid; no neuron with MPBN carries a per-step schedule",
  guarantees: "no neuron has mpbn; spikes unchanged (thresholds may be ±Infinity where k = 0)",
  run(g0) {
    return replaceEach(inferShapes(g0), (n) => (n.op === "neuron" && n.mpbn ? foldNeuron(n) : undefined));
  },
};

/** The folded neuron (no mpbn) and the report lines for it. `n.shape` must be set. */
export function foldNeuron(n: NeuronNode): { node: NeuronNode; notes: string[] } {
  const m = n.mpbn!;
  if (n.schedule) {
    throw new SnncError(
      "E_FOLD",
      `MPBN cannot be folded into a neuron that already has a per-step schedule (fold-mpbn must run before schedule-temporal-norm)`,
      { layer: n.id, param: "mpbn" },
    );
  }
  const S = n.shape!;
  const N = size(S);
  const C = S[S.length - 1]!;
  const perElement = m.mode === "element";
  const K = new Float64Array(m.gamma.data.length);
  for (let j = 0; j < K.length; j++) {
    K[j] = m.gamma.data[j]! / Math.sqrt(m.variance.data[j]! + m.epsilon);
    if (!Number.isFinite(K[j]!)) {
      throw new SnncError(
        "E_VALUE",
        `k = γ/sqrt(σ²+ε) is ${K[j]} at ${perElement ? "element" : "channel"} ${j} (out of float64 range): cannot fold`,
        { layer: n.id, param: "mpbn_gamma" },
      );
    }
  }
  const mu = m.mean.data;
  const beta = m.beta.data;
  const thr = broadcastTo(n.threshold, S);
  const planes = (n.planeThresholds ?? []).map((p) => broadcastTo(p, S));
  const gain = broadcastTo(n.gain, S);
  const bias = broadcastTo(n.bias, S);
  const vReset = broadcastTo(n.vReset, S);
  const reset = broadcastTo(n.resetAmount, S);
  const ge = n.fire === "ge";
  const neg: number[] = [];
  const always: number[] = [];
  const never: number[] = [];
  const seenJ = new Set<number>();
  const foldThr = (theta: number, k: number, b: number, mean: number): number => {
    if (k === 0) return (ge ? b >= theta : b > theta) ? -Infinity : Infinity;
    const t = (theta - b) / k + mean;
    return k < 0 ? -t : t;
  };
  for (let i = 0; i < N; i++) {
    const j = perElement ? i : i % C;
    const k = K[j]!;
    const b = beta[j]!;
    const mean = mu[j]!;
    if (!seenJ.has(j)) {
      seenJ.add(j);
      if (k < 0) neg.push(j);
      else if (k === 0) ((ge ? b >= thr[i]! : b > thr[i]!) ? always : never).push(j);
    }
    thr[i] = foldThr(thr[i]!, k, b, mean);
    for (const p of planes) p[i] = foldThr(p[i]!, k, b, mean);
    if (k < 0) {
      gain[i] = -gain[i]!;
      bias[i] = -bias[i]!;
      vReset[i] = -vReset[i]!;
      reset[i] = -reset[i]!;
    }
  }
  const { mpbn: _folded, ...rest } = n;
  const node: NeuronNode = withOrigin(
    {
      ...rest,
      threshold: compactTensor(thr, S),
      gain: compactTensor(gain, S),
      bias: compactTensor(bias, S),
      vReset: compactTensor(vReset, S),
      resetAmount: compactTensor(reset, S),
    },
    `mpbn:${m.mode}`,
  );
  if (n.planeThresholds) node.planeThresholds = planes.map((p) => compactTensor(p, S));
  const unit = perElement ? "element" : "channel";
  const where = `${perElement ? "per-neuron" : "per-channel"} threshold${planes.length ? `s (${planes.length + 1} per neuron: one per MT plane)` : "s"}`;
  const notes = [`neuron '${n.id}': MPBN (${m.mode}) folded into ${where} θ̃ = (θ − β)/k + μ`];
  if (neg.length)
    notes.push(
      `neuron '${n.id}': k < 0 at ${neg.length} ${unit}${neg.length > 1 ? "s" : ""} (${listIdx(neg)}): state negated there (gain, bias, thresholds, v_reset, soft-reset amount), firing rule '${n.fire}' kept`,
    );
  if (always.length)
    notes.push(
      `neuron '${n.id}': k = 0 at ${unit}${always.length > 1 ? "s" : ""} ${listIdx(always)}: β ${ge ? ">=" : ">"} θ, so ${always.length > 1 ? "they fire" : "it fires"} at every step (threshold −Infinity)`,
    );
  if (never.length)
    notes.push(
      `neuron '${n.id}': k = 0 at ${unit}${never.length > 1 ? "s" : ""} ${listIdx(never)}: β ${ge ? "<" : "<="} θ, so ${never.length > 1 ? "they never fire" : "it never fires"} (threshold +Infinity)`,
    );
  return { node, notes };
}
