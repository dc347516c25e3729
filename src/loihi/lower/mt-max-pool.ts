/**
 * Max pooling over a multi-threshold layer's output s_sum (integers 0..K, K thresholds), for
 * lower-pooling: by ranks,
 *
 *   max_window(s) = Σ_{k=1..K} [max_window(s) ≥ k] = Σ_k max_window([s ≥ k])
 *
 * for any integer-valued s (no condition on how the thresholds are ordered), and [s ≥ k] is a
 * binary neuron: r_k reads s_sum with no memory (decay 0) and fires iff s > k − 1/2. Zero padding
 * commutes with it ([0 ≥ k] = 0), so each rank gets its own copy of the padding and of the max
 * pool, which lower-pooling then lowers as over any binary spikes; an add under the max pool's id
 * sums the K pooled ranks, so its readers are unchanged. Exact; costs K binary neurons per MT
 * neuron and one more synaptic step on that path.
 */
import { freshId } from "../../ir/graph.ts";
import type { Graph, IRNode, NeuronNode, PadNode, PoolNode } from "../../ir/nodes.ts";
import { scalar } from "../../ir/tensor.ts";

/** The rank neuron [s ≥ k] of MT neuron `mt`. */
function rankNeuron(id: string, mt: NeuronNode, k: number): NeuronNode {
  const th = k - 0.5;
  return {
    id,
    op: "neuron",
    inputs: [mt.id],
    model: "LIF",
    decay: 0,
    gain: scalar(1),
    bias: scalar(0),
    fire: "gt",
    reset: "hard",
    threshold: scalar(th),
    vReset: scalar(0),
    resetAmount: scalar(th),
    vThreshold: th,
    origin: [`rank ${k} of MT neuron '${mt.id}' (s_sum ≥ ${k}) for a max pool`],
  };
}

/**
 * The nodes that replace max pool `m` reading MT neuron `mt` through the pads `pads` (in order
 * from the neuron): per rank k a neuron, the pads and a max pool over binary spikes; then the add.
 */
export function rankedMaxPool(
  g: Graph,
  m: PoolNode,
  mt: NeuronNode,
  pads: PadNode[],
): { nodes: IRNode[]; pools: string[]; note: string } {
  const K = 1 + (mt.planeThresholds?.length ?? 0);
  const nodes: IRNode[] = [];
  const pools: string[] = [];
  const taken = { ...g, nodes: [...g.nodes] };
  const fresh = (base: string) => {
    const id = freshId(taken, base);
    taken.nodes.push({ id, op: "flatten", inputs: [] } as IRNode);
    return id;
  };
  for (let k = 1; k <= K; k++) {
    let last = fresh(`${mt.id}_rank${k}`);
    nodes.push(rankNeuron(last, mt, k));
    for (const p of pads) {
      const id = fresh(`${p.id}_rank${k}`);
      nodes.push({ ...p, id, inputs: [last] });
      last = id;
    }
    const id = fresh(`${m.id}_rank${k}`);
    nodes.push({ ...m, id, inputs: [last], origin: [...(m.origin ?? []), `rank ${k} of '${mt.id}'`] });
    pools.push(id);
  }
  nodes.push({ id: m.id, op: "add", inputs: [...pools], origin: m.origin });
  return {
    nodes,
    pools,
    note: `max-pool '${m.id}' over MT neuron '${mt.id}' (s_sum in 0..${K}) → Σ over ${K} ranks [s_sum ≥ k] of max-pools over binary spikes: exact for integer s_sum, ${K} rank neurons per MT neuron`,
  };
}
