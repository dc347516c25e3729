/**
 * lower-state-offset: a hard-reset neuron whose reset value v_r is not 0, or whose (folded)
 * threshold θ is not positive (MPBN with β above θ, a negated state, a configured θ ≤ 0), is
 * rewritten in a shifted state v' = v + δ that Lava's LIF can run: threshold θ + δ > 0 and a
 * reset to 0. In the neuron's own state space (h = τ·v[t−1] + c + b, fire iff h ⋈ θ, v = v_r
 * after a spike, v[0] = 0):
 *
 *   h'[t] = τ·v'[t−1] + c + b + δ(1 − τ)        the bias gains δ(1 − τ)   (h' = h + δ)
 *   fire iff h' ⋈ θ + δ                          the same rule, gt or ge
 *   after a spike v' must be R = v_r + δ         reset to 0, and the missing τ·R arrives one step
 *                                                later through a self-recurrent weight τ·R
 *   v'[0] = δ                                    initial state δ (v0)
 *
 * (after a spike at t: h'[t+1] = τ·0 + c + b + δ(1 − τ) + τR = τ·v_r + c + b + δ = h[t+1] + δ).
 * The offset is chosen per neuron (so per channel or per element, as the parameters vary):
 *   - v_r ≠ 0 and θ − v_r > 0: δ = −v_r, so R = 0: no recurrence, threshold θ − v_r;
 *   - otherwise (v_r = 0 and θ ≤ 0, or θ ≤ v_r): δ = θ_ref − θ, threshold θ_ref, recurrence τ·R = τ(v_r + θ_ref − θ) > 0,
 *     θ_ref being the largest positive finite threshold of the layer (θ − v_r for the neurons of the
 *     first rule), so that lower-thresholds leaves these neurons unscaled; else the largest |θ| or
 *     |v_r| of the layer, else 1.
 * A threshold 0 with `>` (and v_r = 0) is shifted too as soon as the layer has any positive
 * threshold (one vth per layer); a layer whose finite thresholds are all 0 with `>` is left as it
 * is (vth = 0 expresses it). ±∞ thresholds (never / always fire) need no offset. All of it is
 * exact: the leak, the reset and both firing rules are affine in the state. A soft reset
 * subtracts, which commutes with the shift (no reset value, no self weight); an unscaled per-step
 * schedule (lower-temporal-norm) keeps its gain and per-step bias (the static bias gains δ(1 − τ)
 * as always). Layers that run on snnc's own MultiThresholdLIF (MT planes, a soft reset ATRLIF
 * cannot hold: lower/neuron-kind.ts) are left as they are: that process takes every threshold and
 * reset value per neuron, of any sign.
 */
import { SnncError } from "../../ir/errors.ts";
import type { Graph, NeuronNode } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { broadcastTo, size } from "../../ir/tensor.ts";
import type { Pass } from "../../passes/pass.ts";
import { compactTensor, fmt, listIdx, orIdle, replaceEach, withOrigin } from "../../passes/support/rewrite.ts";
import { loihiNeuronKind } from "./neuron-kind.ts";

export const lowerStateOffset: Pass = {
  name: "lower-state-offset",
  description:
    "v_reset ≠ 0 and thresholds ≤ 0 → a shifted state v' = v + δ: positive threshold, reset to 0, bias + δ(1 − τ), initial state δ, self-recurrent τ(v_reset + δ) where that is not 0",
  requires: "static decay and thresholds (lower-neuron-model: an unscaled schedule at most)",
  guarantees: "every v_reset is 0 and every finite threshold > 0 (or all 0 with >); spikes unchanged",
  run: lowerStateOffsets,
};

/** What the offset did to one neuron layer (tests and reports). */
export interface StateOffset {
  layer: string;
  /** Neurons shifted with R = 0 (δ = −v_r) and with a self-recurrence (R ≠ 0). */
  resetOnly: number[];
  recurrent: number[];
  thetaRef: number;
  /** Per neuron: δ (0 where no offset). */
  delta: Float64Array;
}

/** The per-neuron offsets of one neuron layer, or undefined when none is needed. */
export function offsetsOf(n: NeuronNode): StateOffset | undefined {
  const S = n.shape!;
  const N = size(S);
  const th = broadcastTo(n.threshold, S);
  // a soft reset subtracts: its v_reset means nothing
  const vr = n.reset === "soft" ? new Float64Array(N) : broadcastTo(n.vReset, S);
  const posFinite = (v: number) => Number.isFinite(v) && v > 0;
  // a neuron needs an offset when v_r ≠ 0 or θ < 0, or θ = 0 with ≥; θ = 0 with > (vth = 0)
  // also needs one as soon as any threshold of the layer ends up positive (one vth per layer)
  const needs = new Uint8Array(N);
  let any = false;
  let positive = false;
  for (let i = 0; i < N; i++) {
    const t = th[i]!;
    if (!Number.isFinite(t)) continue;
    if (vr[i] !== 0 || t < 0 || (t === 0 && n.fire === "ge")) {
      needs[i] = 1;
      any = true;
    } else if (t > 0) positive = true;
  }
  if (!any && !positive) return undefined;
  let zeros = false;
  for (let i = 0; i < N; i++) {
    if (th[i] === 0 && !needs[i]) {
      needs[i] = 1;
      zeros = true;
    }
  }
  if (!any && !zeros) return undefined;
  const delta = new Float64Array(N);
  const resetOnly: number[] = [];
  const recurrent: number[] = [];
  let ref = 0;
  for (let i = 0; i < N; i++) {
    const t = th[i]!;
    const shifted = needs[i] && vr[i] !== 0 && t - vr[i]! > 0 ? t - vr[i]! : t;
    if (posFinite(shifted)) ref = Math.max(ref, shifted);
  }
  if (!(ref > 0)) {
    for (let i = 0; i < N; i++) if (needs[i]) ref = Math.max(ref, Math.abs(th[i]!), Math.abs(vr[i]!));
    if (!(ref > 0) || !Number.isFinite(ref)) ref = 1;
  }
  for (let i = 0; i < N; i++) {
    if (!needs[i]) continue;
    const t = th[i]!;
    if (vr[i] !== 0 && t - vr[i]! > 0) {
      delta[i] = -vr[i]!;
      resetOnly.push(i);
    } else {
      delta[i] = ref - t;
      recurrent.push(i);
    }
  }
  return { layer: n.id, resetOnly, recurrent, thetaRef: ref, delta };
}

/** The neuron in its shifted state v' = v + δ: threshold, bias, v_r → 0, v0 and selfWeight. */
export function shiftNeuron(n: NeuronNode, off: StateOffset): NeuronNode {
  const S = n.shape!;
  const N = size(S);
  const soft = n.reset === "soft";
  const th = broadcastTo(n.threshold, S);
  const vr = soft ? new Float64Array(N) : broadcastTo(n.vReset, S);
  const bias = broadcastTo(n.bias, S);
  const v0 = n.v0 ? broadcastTo(n.v0, S) : new Float64Array(N);
  const sw = n.selfWeight ? broadcastTo(n.selfWeight, S) : new Float64Array(N);
  const tau = n.decay;
  for (let i = 0; i < N; i++) {
    if (!Number.isFinite(th[i]!)) {
      vr[i] = 0; // never / always fires: its reset value never matters
      continue;
    }
    const d = off.delta[i]!;
    if (d === 0 && vr[i] === 0) continue;
    // a soft reset subtracts, which commutes with the shift: no reset value to restore
    const R = soft ? 0 : vr[i]! + d;
    th[i] = th[i]! + d;
    bias[i] = bias[i]! + d * (1 - tau);
    v0[i] = v0[i]! + d;
    if (R !== 0) sw[i] = sw[i]! + tau * R;
    vr[i] = 0;
  }
  const out: NeuronNode = {
    ...n,
    threshold: compactTensor(th, S),
    bias: compactTensor(bias, S),
    vReset: compactTensor(vr, S),
  };
  delete out.v0;
  delete out.selfWeight;
  if (v0.some((x) => x !== 0)) out.v0 = compactTensor(v0, S);
  if (sw.some((x) => x !== 0)) out.selfWeight = compactTensor(sw, S);
  return withOrigin(
    out,
    `state offset: ${off.resetOnly.length + off.recurrent.length} neuron${off.resetOnly.length + off.recurrent.length === 1 ? "" : "s"} shifted`,
  );
}

function describe(n: NeuronNode, off: StateOffset): string {
  const S = n.shape!;
  const C = S[S.length - 1]!;
  const perChannel = S.length > 1 && [n.threshold, n.vReset].every((t) => t.shape.length <= 1);
  const idx = [...off.resetOnly, ...off.recurrent].sort((a, b) => a - b);
  const units = perChannel ? [...new Set(idx.map((i) => i % C))] : idx;
  const unit = perChannel ? "channel" : "neuron";
  const where =
    idx.length === size(S)
      ? idx.length === 1
        ? "its one neuron"
        : `all ${idx.length} neurons`
      : `${unit}${units.length === 1 ? "" : "s"} ${listIdx(units)}`;
  const ds = idx.map((i) => off.delta[i]!);
  const dLo = Math.min(...ds);
  const dHi = Math.max(...ds);
  const parts = [
    `state offset of '${n.id}', ${where}: v' = v + δ with δ ${dLo === dHi ? `= ${fmt(dLo)}` : `in ${fmt(dLo)}..${fmt(dHi)}`}: threshold θ + δ > 0, bias + δ(1 − τ), initial state δ, reset to 0`,
  ];
  if (off.resetOnly.length)
    parts.push(
      `${off.resetOnly.length} neuron${off.resetOnly.length === 1 ? "" : "s"} with δ = −v_reset (nothing else to add)`,
    );
  if (off.recurrent.length) {
    parts.push(
      `${off.recurrent.length} neuron${off.recurrent.length === 1 ? "" : "s"} brought to θ_ref = ${fmt(off.thetaRef)} with reset value R = v_reset + δ ≠ 0: a self-recurrent weight τ·R adds it one step after a spike`,
    );
  }
  return parts.join("; ");
}

export function lowerStateOffsets(g0: Graph): { graph: Graph; notes: string[] } {
  const r = replaceEach(inferShapes(g0), (n) => {
    if (n.op !== "neuron" || loihiNeuronKind(n) === "multi-threshold") return undefined;
    const off = offsetsOf(n);
    if (!off) {
      // ±∞ thresholds only: a reset value there is never used; drop it
      if (!n.vReset.data.some((v) => v !== 0)) return undefined;
      return { node: { ...n, vReset: compactTensor(new Float64Array(size(n.shape!)), n.shape!) }, notes: [] };
    }
    const why =
      n.schedule && !n.schedule.gain
        ? "a schedule that rescales its state (per-step decay and thresholds)"
        : n.mpbn
          ? "an unfolded MPBN"
          : undefined;
    if (why) {
      throw new SnncError(
        "E_TARGET",
        `a state offset (for v_reset ≠ 0 or a threshold ≤ 0) is exact for a neuron with a static decay and thresholds; this one has ${why}`,
        { layer: n.id, param: "v_threshold" },
      );
    }
    return { node: shiftNeuron(n, off), notes: [describe(n, off)] };
  });
  return orIdle(r, "no neuron needs a state offset (every reset value is 0 and every finite threshold positive)");
}
