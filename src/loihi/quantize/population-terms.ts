/**
 * The terms of every population's current and their timing, the part of the synaptic form that
 * places each population in Lava's time.
 *
 * A population is a neuron or readout; a neuron reading a leaky integrator (the synaptic current of
 * a CubaLIF, `li`) takes that integrator as Lava's current u, and its synapses carry the
 * integrator's input. Every term of that current (chain-synapses.ts) has a source, a chain of
 * linear ops and a delay k in steps (delay nodes on the way; a recurrent edge is a delay of 1 that
 * reads a population placed at or after the reader).
 *
 * Depth (latency): depth(P) = max over its forward terms (source placed before P, or the input at
 * depth 0) of depth(source) + 1, as before delays existed; a term that reads P itself or a later
 * population (a cycle, closed by its delay) does not count. A Lava connection delivers at step n
 * what its source emitted at step n − 1 − δ, so a term of k steps gets δ = k + depth(P) −
 * depth(source) − 1: P's float step t (Lava step depth(P) + 1 + t) receives the source's float step
 * t − k. δ < 0 is refused: a cycle whose synapses take more steps than its delay (each Lava synapse
 * adds one).
 *
 * Warm-up silence: through a term of k ≥ 1 steps, P's first k aligned steps receive what the source
 * S emitted at its steps depth(S) − k + 1 .. depth(S), which are S's warm-up steps (before its
 * zeroing at depth(S) + 1): the float model has zeros there. S is therefore kept silent at those k
 * steps (state-offsets.ts: an inhibition from pulse neurons), `silence` = the largest such k. Those
 * steps must lie within S's own warm-up, so depth(S) ≥ silence(S): a population read through a
 * longer delay than its depth is placed deeper (its inputs get synaptic delays). A term of k steps
 * from the input needs depth(P) ≥ k, so that the run's extra steps (T + D) cover the k steps after
 * a sample in which the input sends zeros.
 */
import { SnncError } from "../../ir/errors.ts";
import type { Graph, IRNode, LeakyIntegratorNode, NeuronNode, ReadoutNode } from "../../ir/nodes.ts";
import type { TargetSpec } from "../../target/target.ts";
import { synapseOf, termsOf, type Term } from "./chain-synapses.ts";
import type { RealConnection } from "./synaptic-form.ts";

/** A population's node, the node whose output its synapses carry, and that current's terms. */
export interface PopulationPlan {
  node: NeuronNode | ReadoutNode;
  /** The node whose output the synapses carry: the neuron's input, or its synaptic current's input. */
  current: string;
  /** The synaptic current (an `li` the neuron reads) that Lava's u holds. */
  li?: LeakyIntegratorNode;
  terms: Term[];
}

export interface PopulationTiming {
  depth: Map<string, number>;
  /** Per source population: how many of its warm-up steps (the last ones) must be silent. */
  silence: Map<string, number>;
}

/** The population of every neuron and readout node, in graph order. */
export function populationPlans(g: Graph, byId: Map<string, IRNode>): PopulationPlan[] {
  const plans: PopulationPlan[] = [];
  for (const n of g.nodes) {
    if (n.op !== "neuron" && n.op !== "readout") continue;
    const first = byId.get(n.inputs[0]!)!;
    const li = n.op === "neuron" && first.op === "li" ? first : undefined;
    const current = li ? li.inputs[0]! : n.inputs[0]!;
    plans.push({ node: n, current, ...(li ? { li } : {}), terms: termsOf(byId, current, [], n.id) });
  }
  return plans;
}

/** Depths and warm-up silences of the populations (see the file comment). */
export function populationTiming(plans: PopulationPlan[], inputId: string): PopulationTiming {
  const order = new Map(plans.map((p, i) => [p.node.id, i] as const));
  const silence = new Map<string, number>();
  for (const p of plans) {
    for (const t of p.terms) {
      if (t.delay < 1 || t.source === inputId) continue;
      silence.set(t.source, Math.max(silence.get(t.source) ?? 0, t.delay));
    }
  }
  const depth = new Map<string, number>([[inputId, 0]]);
  plans.forEach((p, i) => {
    let d = silence.get(p.node.id) ?? 0;
    for (const t of p.terms) {
      if (t.source === inputId) d = Math.max(d, 1, t.delay);
      else if (order.get(t.source)! < i) d = Math.max(d, depth.get(t.source)! + 1);
    }
    depth.set(p.node.id, d);
  });
  return { depth, silence };
}

/** The connections of a population's terms: ids after their last linear op, delays that align the branches. */
export function termConnections(
  p: PopulationPlan,
  timing: PopulationTiming,
  byId: Map<string, IRNode>,
  target: TargetSpec,
): RealConnection[] {
  const n = p.node;
  const d = timing.depth.get(n.id)!;
  const baseId = (t: Term) =>
    [...t.chain].reverse().find((x) => x.op !== "flatten" && x.op !== "reshape")?.id ?? `${t.source}→${n.id}`;
  // the depth its forward terms alone would give (population-terms places a silent population deeper)
  let forward = 0;
  for (const t of p.terms) {
    const sd = timing.depth.get(t.source)!;
    if (t.delay === 0 || sd < d) forward = Math.max(forward, sd + 1);
  }
  const uses = new Map<string, number>();
  const sourced = new Map<string, number>();
  for (const t of p.terms) {
    uses.set(baseId(t), (uses.get(baseId(t)) ?? 0) + 1);
    const k = `${baseId(t)}/${t.source}`;
    sourced.set(k, (sourced.get(k) ?? 0) + 1);
  }
  return p.terms.map((t) => {
    const base = baseId(t);
    let id = uses.get(base)! > 1 ? `${base}/${t.source}` : base;
    // one term per step count of a delay whose steps differ between elements
    if (sourced.get(`${base}/${t.source}`)! > 1) id = `${id}/d${t.delay}`;
    const delay = t.delay + d - timing.depth.get(t.source)! - 1;
    if (delay < 0) {
      throw new SnncError(
        "E_TARGET",
        `'${n.id}' reads '${t.source}' ${t.delay} step${t.delay === 1 ? "" : "s"} late through a cycle of the network whose synaptic layers take ${t.delay - delay} steps (each Lava synapse delivers one step later): the cycle needs a delay of at least that many steps`,
        { layer: n.id },
      );
    }
    if (delay > 0 && !target.features.delays) {
      const late = timing.silence.get(n.id) ?? 0;
      throw new SnncError(
        "E_TARGET",
        t.delay
          ? `'${n.id}' reads '${t.source}' ${t.delay} step${t.delay === 1 ? "" : "s"} late, which takes a synaptic delay of ${delay} step${delay > 1 ? "s" : ""}; ${target.name} has no synaptic delays`
          : late === d && d > forward
            ? `'${n.id}' is read ${late} steps late, so it is placed at depth ${d} (its warm-up must hold the ${late} silent steps), and its input from '${t.source}' takes a synaptic delay of ${delay} step${delay > 1 ? "s" : ""}; ${target.name} has no synaptic delays`
            : `'${n.id}' reads '${t.source}' (${delay} synaptic step${delay > 1 ? "s" : ""} shallower than its other inputs): aligning the branches needs synaptic delays, which ${target.name} does not have`,
        { layer: n.id },
      );
    }
    if (delay > 0 && delay > target.arithmetic.delayRange![1])
      throw new SnncError(
        "E_TARGET",
        `'${n.id}' needs a delay of ${delay} steps on its input from '${t.source}'; ${target.name} allows up to ${target.arithmetic.delayRange![1]}`,
        { layer: n.id },
      );
    const { syn, how } = synapseOf(t, byId.get(t.source)!.shape!, n.shape!, byId);
    return {
      id,
      from: t.source,
      to: n.id,
      delay,
      synapse: syn,
      how: t.delay ? `${how}, ${t.delay} step${t.delay === 1 ? "" : "s"} late` : how,
      origin: t.chain.map((x) => x.id),
    };
  });
}
