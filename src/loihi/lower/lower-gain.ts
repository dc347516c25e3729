/**
 * lower-gain: a neuron input gain left by the folds (h = decay·v + gain·c + bias; e.g. the state
 * negation of element-wise MPBN, or a gain that varies within a channel) moves into the synapses
 * that produce c, leaving gain 1: Lava's LIF adds its synaptic input as it comes (a << 6).
 * Per-channel gains scale conv kernels; per-neuron gains on a conv expand it into per-neuron
 * synapses (the cost is reported). The neuron's own bias is not multiplied (it is outside the gain).
 */
import type { Graph, NeuronNode } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { allEqual, broadcastTo, scalar, size } from "../../ir/tensor.ts";
import { scaleCurrent } from "./lower-current-scale.ts";
import type { Pass } from "../../passes/pass.ts";
import { editGraph, fmt } from "../../passes/support/rewrite.ts";

export function moveGains(g0: Graph): { graph: Graph; notes: string[] } {
  let g = inferShapes(g0);
  const notes: string[] = [];
  for (const n0 of g0.nodes) {
    if (n0.op !== "neuron") continue;
    const n = g.nodes.find((x) => x.id === n0.id) as NeuronNode;
    if (size(n.shape!) === 0 || allEqual(n.gain, 1)) continue;
    const gain = broadcastTo(n.gain, n.shape!);
    const r = scaleCurrent(g, n.inputs[0]!, n.id, gain, { layer: n.id, param: "gain" });
    const cur = r.graph.nodes.find((x) => x.id === n.id) as NeuronNode;
    g = inferShapes(editGraph(r.graph, new Map([[n.id, { ...cur, gain: scalar(1) }]])));
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of gain) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    notes.push(
      `gain of '${n.id}' (${n.gain.shape.length ? `per ${n.gain.shape.length === 1 ? "channel" : "neuron"}` : "scalar"}, ${fmt(lo)}..${fmt(hi)}) → its synapses`,
      ...r.notes.map((x) => `  ${x}`),
    );
  }
  return { graph: g, notes };
}

export const lowerGain: Pass = {
  name: "lower-gain",
  description:
    "neuron input gains → the synapses producing the current (conv expanded where the gain varies within a channel)",
  requires: "every neuron's current comes from conv / dense / sum-pool / add of those",
  guarantees: "every neuron has gain 1; spikes unchanged",
  run(g) {
    return moveGains(g);
  },
};
