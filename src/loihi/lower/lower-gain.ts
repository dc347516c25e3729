/**
 * lower-gain: a neuron input gain left by the folds (h = decay·v + gain·c + bias; e.g. the state
 * negation of element-wise MPBN, or a gain that varies within a channel) moves into the synapses
 * that produce c, leaving gain 1: Lava's LIF adds its synaptic input as it comes (a << 6).
 * Per-channel gains scale conv kernels; per-neuron gains on a conv expand it into per-neuron
 * synapses (the cost is reported). The neuron's own bias is not multiplied (it is outside the gain).
 * A neuron reading a synaptic current (an `li`, NIR's CubaLIF) has its gain moved through the
 * current (the li's bias scales with it), and the li's own gain then moves into the synapses too:
 * Lava's u adds its synaptic input as it comes as well.
 */
import type { Graph, IRNode, LeakyIntegratorNode, NeuronNode } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { allEqual, broadcastTo, scalar, size } from "../../ir/tensor.ts";
import { scaleCurrent } from "./lower-current-scale.ts";
import type { Pass } from "../../passes/pass.ts";
import { editGraph, fmt, isNeuron, rewriteEach } from "../../passes/support/rewrite.ts";

export const lowerGain: Pass = {
  name: "lower-gain",
  description:
    "neuron input gains → the synapses producing the current (conv expanded where the gain varies within a channel)",
  requires: "every neuron's current comes from conv / dense / sum-pool / add of those",
  guarantees: "every neuron and synaptic current has gain 1; spikes unchanged",
  run: moveGains,
};

const isLi = (n: IRNode): n is LeakyIntegratorNode => n.op === "li";

export function moveGains(g0: Graph): { graph: Graph; notes: string[] } {
  const neurons = rewriteEach(g0, isNeuron, (g, n, notes) => {
    if (size(n.shape!) === 0 || allEqual(n.gain, 1)) return undefined;
    const gain = broadcastTo(n.gain, n.shape!);
    const r = scaleCurrent(g, n.inputs[0]!, n.id, gain, { layer: n.id, param: "gain" });
    const cur = r.graph.nodes.find((x) => x.id === n.id) as NeuronNode;
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
    return inferShapes(editGraph(r.graph, new Map([[n.id, { ...cur, gain: scalar(1) }]])));
  });
  const currents = rewriteEach(neurons.graph, isLi, (g, li, notes) => {
    const gain = broadcastTo(li.gain, li.shape!);
    if (gain.every((v) => v === 1)) return undefined;
    const r = scaleCurrent(g, li.inputs[0]!, li.id, gain, { layer: li.id, param: "gain" });
    const cur = r.graph.nodes.find((x) => x.id === li.id) as LeakyIntegratorNode;
    notes.push(`gain of synaptic current '${li.id}' → its synapses`, ...r.notes.map((x) => `  ${x}`));
    return inferShapes(editGraph(r.graph, new Map([[li.id, { ...cur, gain: scalar(1) }]])));
  });
  return { graph: currents.graph, notes: [...neurons.notes, ...currents.notes] };
}
