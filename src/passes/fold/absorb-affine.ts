/**
 * absorb-affine: removes `affine` nodes y = s ⊙ x + t (written by fold-bn / fold-tdbn where the
 * norm's producer is not a conv/dense) by moving them into a neighbour, exactly:
 *
 * 1. backward into the producer when it is a conv/dense read only by this affine and s, t are
 *    per channel: W' = s·W, b' = s·b + t;
 * 2. otherwise forward into the consumers when every consumer is a neuron (any producer: add,
 *    pooling, pad, a shared branch): gain' = gain ⊙ s, bias' = bias + gain ⊙ t
 *    (h = decay·v + gain·(s·c + t) + bias), per element if need be.
 *
 * An affine that fits neither rule stays in the graph (the float model runs it exactly) and the
 * notes say why; absorb-gain may later move the neuron gains further into the weights.
 */
import { consumers } from "../../ir/graph.ts";
import type { AffineNode, Graph, IRNode, NeuronNode } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { broadcastTo } from "../../ir/tensor.ts";
import { biasValues, isLinear, scaleOutputs } from "../support/linear-scale.ts";
import type { Pass } from "../pass.ts";
import { compactTensor, editGraph, perChannel, soleConsumer, withOrigin } from "../support/rewrite.ts";

export const absorbAffine: Pass = {
  name: "absorb-affine",
  description: "move affine nodes into the conv/dense before them or the neurons after them",
  requires: "shapes valid",
  guarantees: "no affine node whose producer is a single-consumer conv/dense or whose consumers are all neurons",
  run(g0) {
    let g = inferShapes(g0);
    const notes: string[] = [];
    const kept = new Set<string>();
    for (;;) {
      const a = g.nodes.find((n): n is AffineNode => n.op === "affine" && !kept.has(n.id));
      if (!a) break;
      const r = absorbOne(g, a);
      if (r.graph) {
        g = inferShapes(r.graph);
      } else kept.add(a.id);
      notes.push(r.note);
    }
    return { graph: g, notes };
  },
};

function absorbOne(g: Graph, a: AffineNode): { graph?: Graph; note: string } {
  const byId = new Map(g.nodes.map((n) => [n.id, n] as const));
  const cons = consumers(g);
  const S = a.shape!;
  const C = S[S.length - 1]!;
  const scale = broadcastTo(a.scale, S);
  const shift = broadcastTo(a.shift, S);
  const src = byId.get(a.inputs[0]!)!;
  const sC = perChannel(scale, C);
  const tC = perChannel(shift, C);
  if (isLinear(src) && soleConsumer(g, src.id, cons) === a.id && sC && tC) {
    const b = biasValues(src);
    const nb = new Float64Array(C);
    for (let c = 0; c < C; c++) nb[c] = sC[c]! * b[c]! + tC[c]!;
    const lin = withOrigin(
      scaleOutputs(src, sC, nb, { layer: a.id, param: "scale" }),
      ...(a.origin ?? [`affine:${a.id}`]),
    );
    return {
      graph: editGraph(
        g,
        new Map<string, IRNode | null>([
          [src.id, lin],
          [a.id, null],
        ]),
        new Map([[a.id, src.id]]),
      ),
      note: `affine '${a.id}' folded into '${src.id}' (W' = s·W, b' = s·b + t)`,
    };
  }
  const readers = cons.get(a.id) ?? [];
  if (readers.length > 0 && !g.outputs.includes(a.id) && readers.every((r) => byId.get(r)!.op === "neuron")) {
    const repl = new Map<string, IRNode | null>([[a.id, null]]);
    for (const r of readers) {
      const n = byId.get(r) as NeuronNode;
      const gain = broadcastTo(n.gain, S);
      const bias = broadcastTo(n.bias, S);
      const ng = new Float64Array(gain.length);
      const nb = new Float64Array(gain.length);
      for (let i = 0; i < ng.length; i++) {
        ng[i] = gain[i]! * scale[i]!;
        nb[i] = bias[i]! + gain[i]! * shift[i]!;
      }
      repl.set(
        r,
        withOrigin(
          { ...n, gain: compactTensor(ng, S), bias: compactTensor(nb, S) },
          ...(a.origin ?? [`affine:${a.id}`]),
        ),
      );
    }
    return {
      graph: editGraph(g, repl, new Map([[a.id, src.id]])),
      note: `affine '${a.id}' moved into the input gain/bias of neuron${readers.length > 1 ? "s" : ""} ${readers.map((r) => `'${r}'`).join(", ")} (gain' = gain·s, bias' = bias + gain·t)`,
    };
  }
  const why =
    readers.length === 0
      ? "nothing reads it"
      : `it is read by ${readers.map((r) => `'${r}' (${byId.get(r)!.op})`).join(", ")}${g.outputs.includes(a.id) ? " and is a graph output" : ""}`;
  return {
    note: `affine '${a.id}' kept: its producer '${src.id}' (${src.op}) is not a conv/dense read by it alone, and ${why}`,
  };
}
