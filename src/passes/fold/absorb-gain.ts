/**
 * absorb-gain: a neuron's input gain (and constant bias) move into the conv/dense that produces
 * its current, leaving gain 1 and bias 0 (h = decay·v + g·(Wx + b) + β_n = decay·v + (gW)x + (gb + β_n)).
 *
 * Neuron gains are the exact intermediate of the folds: PLIF's 1/τ_m, an affine absorbed from a
 * BN behind an add or a pooling, and the state negation of fold-mpbn (gain −1 where k < 0) all
 * land there first. This pass moves a gain into weights only where that is exact and cheap:
 * the producer is a conv/dense read by this neuron alone, and the gain is uniform within each
 * output channel (a per-element gain on a conv would break weight sharing). A bias moves along
 * when it is per channel; otherwise it stays on the neuron. Everything else is left as it is and
 * reported: the float model stays exact, and a target without per-neuron gains says so itself.
 */
import { consumers } from "../../ir/graph.ts";
import type { Graph, IRNode, NeuronNode } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { allEqual, broadcastTo, scalar, size } from "../../ir/tensor.ts";
import { biasValues, isLinear, scaleOutputs } from "../support/linear-scale.ts";
import type { Pass } from "../pass.ts";
import { editGraph, perChannel, soleConsumer, withOrigin } from "../support/rewrite.ts";

export interface AbsorbOutcome {
  graph: Graph;
  /** True when the gain (and maybe the bias) moved into the producer. */
  absorbed: boolean;
  /** Why nothing moved (absent when absorbed or when there was nothing to move). */
  reason?: string;
  /** True when the neuron already had gain 1 and bias 0. */
  trivial: boolean;
}

/** Try to move neuron `id`'s gain and bias into its producer. `g` must carry shapes. */
export function absorbNeuronGain(g: Graph, id: string): AbsorbOutcome {
  const byId = new Map(g.nodes.map((n) => [n.id, n] as const));
  const n = byId.get(id) as NeuronNode;
  const S = n.shape!;
  const C = S[S.length - 1]!;
  if (size(S) === 0 || (allEqual(n.gain, 1) && allEqual(n.bias, 0)))
    return { graph: g, absorbed: false, trivial: true };
  const gain = broadcastTo(n.gain, S);
  const bias = broadcastTo(n.bias, S);
  const src = byId.get(n.inputs[0]!)!;
  if (!isLinear(src))
    return {
      graph: g,
      absorbed: false,
      trivial: false,
      reason: `its current comes from '${src.id}' (${src.op}), not a conv/dense`,
    };
  const cons = consumers(g);
  if (soleConsumer(g, src.id, cons) !== id) {
    const others = (cons.get(src.id) ?? []).filter((c) => c !== id);
    return {
      graph: g,
      absorbed: false,
      trivial: false,
      reason: `'${src.id}' is also ${others.length ? `read by ${others.map((o) => `'${o}'`).join(", ")}` : "a graph output"}`,
    };
  }
  const gC = perChannel(gain, C);
  if (!gC)
    return {
      graph: g,
      absorbed: false,
      trivial: false,
      reason: `its gain differs within a channel (per-neuron), which a shared kernel cannot hold`,
    };
  const bC = perChannel(bias, C);
  const b = biasValues(src);
  const nb = new Float64Array(C);
  for (let c = 0; c < C; c++) nb[c] = gC[c]! * b[c]! + (bC ? bC[c]! : 0);
  const lin = withOrigin(scaleOutputs(src, gC, nb, { layer: id, param: "gain" }), `gain:${id}`);
  const neuron: NeuronNode = { ...n, gain: scalar(1), bias: bC ? scalar(0) : n.bias };
  const graph = editGraph(
    g,
    new Map<string, IRNode | null>([
      [src.id, lin],
      [id, neuron],
    ]),
  );
  return {
    graph,
    absorbed: true,
    trivial: false,
    reason: bC ? undefined : "bias varies within a channel and stays on the neuron",
  };
}

export const absorbGain: Pass = {
  name: "absorb-gain",
  description: "move each neuron's input gain and bias into the conv/dense that feeds it alone",
  requires: "shapes valid",
  guarantees:
    "neurons fed by a single-consumer conv/dense with a per-channel gain have gain 1 (and bias 0 when it was per channel)",
  run(g0) {
    let g = inferShapes(g0);
    const notes: string[] = [];
    for (const n of g0.nodes) {
      if (n.op !== "neuron") continue;
      const r = absorbNeuronGain(g, n.id);
      if (r.trivial) continue;
      if (r.absorbed) {
        g = inferShapes(r.graph);
        notes.push(
          `neuron '${n.id}': input gain and bias moved into '${n.inputs[0]}'${r.reason ? ` (${r.reason})` : ""}`,
        );
      } else {
        notes.push(`neuron '${n.id}': keeps its input gain/bias (${r.reason})`);
      }
    }
    return { graph: g, notes };
  },
};
