/**
 * lower-thresholds: Lava's LIF has ONE threshold per population (vth is a scalar, docs/LAVA-FIXED-POINT.md §1),
 * the folds leave one per channel (MPBN channel) or per neuron (MPBN element, per-feature after a
 * dense). This pass makes every threshold a scalar θ_ref by scaling each neuron's state by
 * f_i = θ_ref / θ̃_i > 0: its incoming weights, its bias and its threshold (v' = f·v; the leak and
 * the reset to 0 are linear in the state, so every spike is unchanged), and the initial state and
 * self-recurrent weight a state offset left (lower-state-offset), an ATRLIF-form soft-reset amount
 * and a per-step bias. Layers on snnc's MultiThresholdLIF keep their per-neuron thresholds. Edge cases:
 *   θ̃_i = +∞ (never fires): current, bias, initial state and self weight 0, so v stays 0 < θ_ref;
 *   θ̃_i = −∞ (fires every step): current 0, bias 2·θ_ref, so h = 2·θ_ref > θ_ref every step;
 *   θ̃_i = 0 next to positive thresholds: no positive factor maps 0 to θ_ref: refused.
 * θ_ref is the largest finite threshold, so no weight grows.
 *
 * Cost: per-channel factors rescale conv kernels per output channel (no extra synapse); per-neuron
 * factors on a conv expand it into per-neuron synapses (reported, with counts); on a dense they
 * rescale columns. The alternative — one population per distinct threshold — would keep the
 * weights but split the layer into that many populations (and its readers into that many
 * synapse groups); the note states both so the choice is visible.
 */
import { SnncError } from "../../ir/errors.ts";
import type { Graph, NeuronNode } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { broadcastTo, scalar } from "../../ir/tensor.ts";
import { scaleCurrent } from "./lower-current-scale.ts";
import { loihiNeuronKind } from "./neuron-kind.ts";
import type { Pass } from "../../passes/pass.ts";
import { compactTensor, editGraph, fmt, isNeuron, rewriteEach } from "../../passes/support/rewrite.ts";

export const lowerThresholds: Pass = {
  name: "lower-thresholds",
  description:
    "per-channel / per-neuron thresholds → one threshold per population, by exact state scaling (weights and bias × θ/θ̃)",
  requires: "lower-state-offset (thresholds > 0 or ±∞, or all 0); neuron gains 1 (lower-gain)",
  guarantees: "every neuron threshold is a scalar; spikes unchanged",
  run: scalarThresholds,
};

export function scalarThresholds(g0: Graph): { graph: Graph; notes: string[] } {
  return rewriteEach(g0, isNeuron, (g, n, notes) => {
    // snnc's MultiThresholdLIF takes a threshold per neuron: nothing to scale
    if (loihiNeuronKind(n) === "multi-threshold") return undefined;
    const S = n.shape!;
    const th = broadcastTo(n.threshold, S);
    if (th.every((v) => Object.is(v, th[0]))) {
      return n.threshold.shape.length
        ? editGraph(g, new Map([[n.id, { ...n, threshold: scalar(th[0]!) }]]))
        : undefined;
    }
    let ref = 0;
    for (const v of th) if (Number.isFinite(v) && v > ref) ref = v;
    // only ±∞ thresholds: any positive one serves (0 would make the +∞ neurons fire under ≥)
    if (!th.some((v) => Number.isFinite(v))) ref = 1;
    const zero = th.indexOf(0);
    if (zero >= 0 && ref > 0) {
      throw new SnncError(
        "E_TARGET",
        `neuron ${zero} has threshold 0 while others have positive thresholds: a single Loihi threshold cannot hold both (no positive state scale maps 0 to ${fmt(ref)})`,
        { layer: n.id, param: "v_threshold" },
      );
    }
    const f = new Float64Array(th.length);
    const bias = broadcastTo(n.bias, S);
    let never = 0;
    let always = 0;
    for (let i = 0; i < th.length; i++) {
      const t = th[i]!;
      if (t === Infinity) {
        f[i] = 0;
        bias[i] = 0;
        never++;
      } else if (t === -Infinity) {
        f[i] = 0;
        bias[i] = ref > 0 ? 2 * ref : 1;
        always++;
      } else {
        f[i] = t === 0 ? 1 : ref / t;
        bias[i] = bias[i]! * f[i]!;
      }
    }
    const distinct = new Set(th).size;
    const r = scaleCurrent(g, n.inputs[0]!, n.id, f, { layer: n.id, param: "threshold" });
    const cur = r.graph.nodes.find((x) => x.id === n.id) as NeuronNode;
    const scaled: NeuronNode = { ...cur, threshold: scalar(ref), bias: compactTensor(bias, S) };
    // the state offset's initial state and self-recurrent weight are state quantities: × f too
    if (n.v0)
      scaled.v0 = compactTensor(
        Float64Array.from(broadcastTo(n.v0, S), (v, i) => v * f[i]!),
        S,
      );
    if (n.selfWeight)
      scaled.selfWeight = compactTensor(
        Float64Array.from(broadcastTo(n.selfWeight, S), (v, i) => v * f[i]!),
        S,
      );
    Object.assign(scaled, scaledStateParams(n, f, ref));
    const kind = n.threshold.shape.length === 1 && S.length > 1 ? "per channel" : "per neuron";
    const nrn = (k: number) => `${k} neuron${k === 1 ? "" : "s"}`;
    const edge = [
      never ? `${nrn(never)} never fire (+∞: current and bias 0)` : "",
      always ? `${nrn(always)} fire every step (−∞: bias 2θ)` : "",
    ]
      .filter(Boolean)
      .join(", ");
    notes.push(
      `thresholds of '${n.id}' (${kind}, ${distinct} distinct${edge ? `; ${edge}` : ""}) → one threshold ${fmt(ref)}: state × θ/θ̃ per ${kind === "per channel" ? "channel" : "neuron"} ` +
        (r.expandedSynapses ? `(+${r.expandedSynapses} synapses from expanding a conv)` : "(no extra synapse)") +
        `; alternative: ${distinct} populations, one per threshold`,
      ...r.notes.map((x) => `  ${x}`),
    );
    return inferShapes(editGraph(r.graph, new Map([[n.id, scaled]])));
  });
}

/**
 * The other state quantities of neuron n under the per-neuron factors f (common threshold ref): an
 * ATRLIF-form soft reset amount (twice the threshold: 2·ref for every neuron, ±∞ ones included,
 * which fire never / always whatever it is) and an unscaled schedule's per-step bias.
 */
function scaledStateParams(n: NeuronNode, f: Float64Array, ref: number): Partial<NeuronNode> {
  const S = n.shape!;
  const out: Partial<NeuronNode> = {};
  if (n.reset === "soft") out.resetAmount = scalar(2 * ref);
  if (n.schedule)
    out.schedule = {
      ...n.schedule,
      bias: n.schedule.bias.map((b) =>
        compactTensor(
          Float64Array.from(broadcastTo(b, S), (v, i) => v * f[i]!),
          S,
        ),
      ),
    };
  return out;
}
