/**
 * lower-neuron-model: checks that every neuron of the folded graph is one Lava's fixed-point LIF
 * can be (LOIHI.md §1) and refuses, with the reason, what it cannot be:
 *
 *   - soft reset (v = h − θ·s): Lava's LIF resets v to 0 after a spike, nothing else;
 *   - v_reset ≠ 0: the reset value is 0 only (a constant bias would act every step, not only after
 *     a spike);
 *   - per-step schedules (BNTT / TEBN / TAB lowered exactly): du, dv, vth and bias are static;
 *   - multi-threshold (MT) neurons: one LIF has one threshold and resets on its own spike, so
 *     the planes of s_sum cannot share one membrane across LIF populations;
 *   - a finite threshold below 0 (e.g. after MPBN folding with β above θ): such a neuron fires at
 *     rest, and Lava's threshold is unsigned (spike iff v > vth·64 ≥ 0) with reset to 0, so no
 *     state shift or scaling makes it expressible; `≥` with threshold 0 likewise (v ≥ 0 holds at rest).
 *
 * The graph is returned unchanged: it is a checkpoint with notes, so that a refusal names the
 * layer and the construct before any rewriting happens. `≥` firing is kept and mapped exactly
 * by the quantiser (h ≥ θ ⇔ h > θ − 1 in integers).
 */
import { SnncError } from "../ir/errors.ts";
import type { Graph, NeuronNode } from "../ir/nodes.ts";
import { inferShapes } from "../ir/shapes.ts";
import { broadcastTo } from "../ir/tensor.ts";
import { loadTarget } from "../target/load-target.ts";
import type { TargetSpec } from "../target/target.ts";
import type { Pass, PassOptions } from "./pass.ts";
import { fmt, listIdx } from "./rewrite.ts";

/** The target description a Loihi pass works for: `opts.targetSpec`, else loaded by `opts.target`. */
export function targetOf(opts: PassOptions): TargetSpec {
  const t = opts["targetSpec"] as TargetSpec | undefined;
  return t ?? loadTarget(opts.target);
}

/** Ops that must not reach a Loihi lowering (the float pipeline folds or refuses them). */
const NOT_LOWERED: Record<string, string> = {
  bn: "batch norm",
  tdbn: "tdBN",
  pspnorm: "PSPNorm",
  bntt: "BNTT",
  tebn: "TEBN",
  tab: "TAB",
  plane: "MT spike plane",
};

const PER_STEP = "per-step norms (BNTT / TEBN / TAB) make decay, bias and threshold change every step";

export function checkNeuronForLoihi(n: NeuronNode, t: TargetSpec): void {
  const loc = { layer: n.id };
  if (n.mpbn || n.plifA !== undefined) {
    throw new SnncError("E_FOLD", `${n.mpbn ? "MPBN" : "PLIF's a"} is still unfolded: run the float pipeline before the ${t.name} lowering`, loc);
  }
  if (n.planeThresholds?.length) {
    throw new SnncError(
      "E_TARGET",
      `${n.model} neuron with ${n.planeThresholds.length + 1} thresholds (output s_sum) is not expressible on ${t.name}: Lava's fixed-point LIF has one threshold and resets on its own spike, so the spike planes cannot share one membrane as separate LIF populations, and no open Lava model emits s_sum as a graded spike; compile for --target float`,
      { ...loc, param: "deltas" },
    );
  }
  if (n.schedule && !t.features.schedules) {
    throw new SnncError(
      "E_TARGET",
      `per-step neuron parameters are not expressible on ${t.name}: ${PER_STEP}, while Lava's LIF has one du, dv, vth and bias for the whole run; use --temporal-norm approx for a static approximation (its spike agreement is measured), or --target float`,
      { ...loc, param: "schedule" },
    );
  }
  if (n.reset === "soft" && !t.features.softReset) {
    throw new SnncError(
      "E_TARGET",
      `soft reset (v = h − θ·s) is not expressible on ${t.name}: Lava's LIF resets v to 0 after a spike (hard reset only, LOIHI.md §1); retrain with reset "hard" or compile for --target float`,
      { ...loc, param: "reset" },
    );
  }
  const S = n.shape!;
  if (n.reset === "hard" && !t.features.nonZeroReset) {
    const vr = broadcastTo(n.vReset, S);
    const bad = vr.findIndex((v) => v !== 0);
    if (bad >= 0) {
      throw new SnncError(
        "E_TARGET",
        `v_reset = ${fmt(vr[bad]!)} is not expressible on ${t.name}: Lava's LIF resets v to 0 only, and a constant cannot stand in for it (a bias acts every step, not only after a spike); retrain with v_reset 0 or compile for --target float`,
        { ...loc, param: "v_reset" },
      );
    }
  }
  const th = broadcastTo(n.threshold, S);
  const neg: number[] = [];
  for (let i = 0; i < th.length; i++) {
    if (Number.isNaN(th[i]!)) throw new SnncError("E_VALUE", `threshold NaN at neuron ${i}`, { ...loc, param: "v_threshold" });
    if (th[i]! < 0 && th[i]! !== -Infinity) neg.push(i);
  }
  if (neg.length) {
    const C = S[S.length - 1]!;
    const chans = [...new Set(neg.map((i) => i % C))];
    const perChannel = n.threshold.shape.length === 1 && S.length > 1;
    const where = perChannel ? `channel${chans.length > 1 ? "s" : ""} ${chans.join(", ")}` : `neuron${neg.length > 1 ? "s" : ""} ${listIdx(neg)}`;
    let lowest = 0;
    for (const i of neg) lowest = Math.min(lowest, th[i]!);
    throw new SnncError(
      "E_TARGET",
      `${where}: folded threshold${(perChannel ? chans.length : neg.length) > 1 ? "s down to" : ""} ${fmt(lowest)} < 0 (MPBN's β above θ, or a negated state): such a neuron fires at rest, and ${t.name}'s LIF compares v > vth·64 with an unsigned vth and resets to 0, so no scaling or state shift expresses it; compile for --target float`,
      { ...loc, param: "v_threshold" },
    );
  }
  if (n.fire === "ge") {
    const zero = th.findIndex((v) => v === 0);
    if (zero >= 0) {
      throw new SnncError(
        "E_TARGET",
        `neuron ${zero} fires on h ≥ 0 (threshold 0 with ≥), i.e. also at rest; ${t.name}'s LIF fires on v > vth·64 with vth ≥ 0 and cannot express it`,
        { ...loc, param: "v_threshold" },
      );
    }
  }
}

export function checkGraphForLoihi(g0: Graph, t: TargetSpec): { graph: Graph; notes: string[] } {
  const g = inferShapes(g0);
  let ge = 0;
  let neurons = 0;
  for (const n of g.nodes) {
    const what = NOT_LOWERED[n.op];
    if (what) {
      throw new SnncError("E_FOLD", `${what} node left after the float pipeline: it has no ${t.name} lowering`, { layer: n.id });
    }
    if (n.op !== "neuron") continue;
    checkNeuronForLoihi(n, t);
    neurons++;
    if (n.fire === "ge") ge++;
  }
  const notes = [`${neurons} neuron layer${neurons === 1 ? "" : "s"}: hard reset to 0, static parameters, thresholds ≥ 0 (Lava LIF)`];
  if (ge) notes.push(`${ge} layer${ge === 1 ? "" : "s"} fire on ≥: mapped exactly by the quantiser (h ≥ θ ⇔ h > θ − 1 in integers)`);
  return { graph: g, notes };
}

export const lowerNeuronModel: Pass = {
  name: "lower-neuron-model",
  description: "check every neuron is a Lava fixed-point LIF (hard reset to 0, static parameters, one threshold ≥ 0); refuse the rest with the reason",
  requires: "the float pipeline has run (no bn / tdbn / pspnorm / mpbn / plifA)",
  guarantees: "graph unchanged; no soft reset, v_reset ≠ 0, schedule, MT planes or negative threshold",
  run(g, opts) {
    return checkGraphForLoihi(g, targetOf(opts));
  },
};
