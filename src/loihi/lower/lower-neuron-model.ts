/**
 * lower-neuron-model: checks that every neuron of the folded graph is one a Lava process of the
 * target can run (docs/LAVA-FIXED-POINT.md, docs/LOIHI-SEEDS.md), possibly after a state offset,
 * and refuses, with the reason, what none can:
 *
 *   - hard reset, one threshold: Lava's LIF;
 *   - soft reset (v = h − θ·s): Lava's ATRLIF after lower-soft-reset (target feature softReset);
 *     Lava's LIF resets v to 0, and a constant offset cannot turn that into a subtraction;
 *   - multi-threshold (MT) neurons: snnc's own MultiThresholdLIF, which emits s_sum as a graded
 *     spike (target feature gradedSpikes; no open Lava process holds n + 1 compares of one
 *     membrane, docs/LOIHI-SEEDS.md §3);
 *   - per-step norms in the neuron's own state (lower-temporal-norm: a per-step gain and bias):
 *     a ProdNeuron gain stage and pulse neurons (gradedSpikes); a schedule that rescales the state
 *     (per-step decay and thresholds) has no form: du, dv and vth are static.
 *
 * A leaky integrator that is a neuron's synaptic current (NIR's CubaLIF) runs as Lava's current u,
 * and delays (NIR Delay, recurrent edges) as synaptic delays (li-delay.ts); other integrators are
 * refused.
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
import { checkLiAndDelays } from "./li-delay.ts";
import { noAtrlifForm } from "./lower-soft-reset.ts";
import { hasGainSchedule } from "./neuron-kind.ts";
import type { TargetSpec } from "../../target/target.ts";
import type { Pass, PassOptions } from "../../passes/pass.ts";

export const lowerNeuronModel: Pass = {
  name: "lower-neuron-model",
  description:
    "check every neuron has a Lava process of the target (LIF; ATRLIF for soft reset; snnc's MultiThresholdLIF for MT planes; a gain stage for per-step norms), possibly after a state offset; refuse the rest with the reason",
  requires: "the float pipeline has run (no bn / tdbn / pspnorm / mpbn / plifA)",
  guarantees:
    "graph unchanged; every neuron has a Lava process of the target (LIF, ATRLIF, snnc's MultiThresholdLIF) and at most an unscaled schedule",
  run(g, opts) {
    return checkGraphForLoihi(g, targetOf(opts));
  },
};

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
  if (n.planeThresholds?.length && !t.features.gradedSpikes) {
    throw new SnncError(
      "E_TARGET",
      `${n.model} neuron with ${n.planeThresholds.length + 1} thresholds (output s_sum) is not expressible on ${t.name}: Lava's fixed-point LIF has one threshold and resets on its own spike, so the spike planes cannot share one membrane as separate LIF populations, and ${t.name} has no graded spikes to carry s_sum; compile for --target float`,
      { ...loc, param: "deltas" },
    );
  }
  if (n.schedule && !t.features.schedules && !(hasGainSchedule(n) && t.features.gradedSpikes)) {
    throw new SnncError(
      "E_TARGET",
      `per-step neuron parameters are not expressible on ${t.name}: ${PER_STEP}, while Lava's LIF has one du, dv, vth and bias for the whole run; use --temporal-norm approx for a static approximation (its spike agreement is measured), or --target float`,
      { ...loc, param: "schedule" },
    );
  }
  if (n.reset === "soft" && !t.features.softReset) {
    throw new SnncError(
      "E_TARGET",
      `soft reset (v = h − θ·s) is not expressible on ${t.name}: Lava's LIF resets v to 0 after a spike (hard reset only, docs/LAVA-FIXED-POINT.md §1) and ATRLIF, which subtracts, is a Loihi 2 process (docs/LOIHI-SEEDS.md §1); retrain with reset "hard", compile for --target loihi2 or --target float`,
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
  const atrlif: string[] = [];
  const custom: string[] = [];
  const gains: string[] = [];
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
    if (n.planeThresholds?.length || (n.reset === "soft" && noAtrlifForm(n))) custom.push(n.id);
    else if (n.reset === "soft") atrlif.push(n.id);
    if (n.schedule) gains.push(n.id);
    if (n.reset === "hard" && needsOffset(n)) offset.push(n.id);
  }
  const liDelay = checkLiAndDelays(g, t, (n) => n.reset === "hard" && needsOffset(n));
  const list = (xs: string[]) => xs.map((x) => `'${x}'`).join(", ");
  const lif = neurons - atrlif.length - custom.length;
  const notes = [
    `${neurons} neuron layer${neurons === 1 ? "" : "s"}: ${lif} Lava LIF (hard reset, one threshold)` +
      (atrlif.length ? `, ${atrlif.length} Lava ATRLIF (soft reset: ${list(atrlif)})` : "") +
      (custom.length
        ? `, ${custom.length} snnc MultiThresholdLIF (${list(custom)}: several thresholds on one membrane, or a soft reset ATRLIF cannot hold; a custom Lava process)`
        : ""),
  ];
  if (gains.length)
    notes.push(`${list(gains)}: per-step gain and bias (a ProdNeuron gain stage and pulse neurons in Lava)`);
  if (offset.length)
    notes.push(
      `${offset.map((x) => `'${x}'`).join(", ")}: v_reset ≠ 0 or a threshold ≤ 0, expressed by a state offset (lower-state-offset)`,
    );
  notes.push(...liDelay);
  if (ge)
    notes.push(
      `${ge} layer${ge === 1 ? "" : "s"} fire on ≥: mapped exactly by the quantiser (h ≥ θ ⇔ h > θ − 1 in integers)`,
    );
  return { graph: g, notes };
}
