/**
 * lower-neuron-model: checks that every neuron of the folded graph is one Lava's fixed-point LIF
 * can be (LOIHI.md §1), possibly after a state offset, and refuses, with the reason, what it cannot be:
 *
 *   - soft reset (v = h − θ·s): Lava's LIF resets v to 0 after a spike; a constant offset of the
 *     state cannot turn a subtraction into a reset;
 *   - per-step schedules (BNTT / TEBN / TAB lowered exactly): du, dv, vth and bias are static;
 *   - multi-threshold (MT) neurons: one LIF has one threshold and resets on its own spike, so
 *     the planes of s_sum cannot share one membrane across LIF populations.
 *
 * What Lava's LIF does not have natively but a shifted state v' = v + δ expresses exactly is left
 * to lower-state-offset and counted here: v_reset ≠ 0, and a folded threshold ≤ 0 (MPBN with β
 * above θ, a negated state), including 0 with `≥`.
 *
 * The graph is returned unchanged: it is a checkpoint with notes, so that a refusal names the
 * layer and the construct before any rewriting happens. `≥` firing is kept and mapped exactly
 * by the quantiser (h ≥ θ ⇔ h > θ − 1 in integers).
 */
import { SnncError } from "../../ir/errors.ts";
import type { Graph, NeuronNode } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { broadcastTo } from "../../ir/tensor.ts";
import { loadTarget } from "../../target/load-target.ts";
import type { TargetSpec } from "../../target/target.ts";
import type { Pass, PassOptions } from "../../passes/pass.ts";

/** The target description a Loihi pass works for: `opts.targetSpec`, else loaded by `opts.target`. */
export function targetOf(opts: PassOptions): TargetSpec {
  const t = opts.targetSpec as TargetSpec | undefined;
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
    throw new SnncError(
      "E_FOLD",
      `${n.mpbn ? "MPBN" : "PLIF's a"} is still unfolded: run the float pipeline before the ${t.name} lowering`,
      loc,
    );
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
  const th = n.threshold.data;
  for (let i = 0; i < th.length; i++) {
    if (Number.isNaN(th[i]!))
      throw new SnncError("E_VALUE", `threshold NaN at index ${i}`, { ...loc, param: "v_threshold" });
  }
}

/** Does the neuron need a state offset (v_reset ≠ 0, or a finite threshold < 0, or 0 with ≥)? */
function needsOffset(n: NeuronNode): boolean {
  const S = n.shape!;
  if (broadcastTo(n.vReset, S).some((v) => v !== 0)) return true;
  return broadcastTo(n.threshold, S).some((v) => Number.isFinite(v) && (v < 0 || (v === 0 && n.fire === "ge")));
}

export function checkGraphForLoihi(g0: Graph, t: TargetSpec): { graph: Graph; notes: string[] } {
  const g = inferShapes(g0);
  let ge = 0;
  let neurons = 0;
  const offset: string[] = [];
  for (const n of g.nodes) {
    const what = NOT_LOWERED[n.op];
    if (what) {
      throw new SnncError("E_FOLD", `${what} node left after the float pipeline: it has no ${t.name} lowering`, {
        layer: n.id,
      });
    }
    if (n.op !== "neuron") continue;
    checkNeuronForLoihi(n, t);
    neurons++;
    if (n.fire === "ge") ge++;
    if (needsOffset(n)) offset.push(n.id);
  }
  const notes = [
    `${neurons} neuron layer${neurons === 1 ? "" : "s"}: hard reset, one threshold, static parameters (Lava LIF)`,
  ];
  if (offset.length)
    notes.push(
      `${offset.map((x) => `'${x}'`).join(", ")}: v_reset ≠ 0 or a threshold ≤ 0, expressed by a state offset (lower-state-offset)`,
    );
  if (ge)
    notes.push(
      `${ge} layer${ge === 1 ? "" : "s"} fire on ≥: mapped exactly by the quantiser (h ≥ θ ⇔ h > θ − 1 in integers)`,
    );
  return { graph: g, notes };
}

export const lowerNeuronModel: Pass = {
  name: "lower-neuron-model",
  description:
    "check every neuron is a Lava fixed-point LIF, possibly after a state offset (hard reset, static parameters, one threshold); refuse the rest with the reason",
  requires: "the float pipeline has run (no bn / tdbn / pspnorm / mpbn / plifA)",
  guarantees: "graph unchanged; no soft reset, schedule or MT planes",
  run(g, opts) {
    return checkGraphForLoihi(g, targetOf(opts));
  },
};
