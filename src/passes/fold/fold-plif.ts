/**
 * fold-plif: a PLIF neuron (MT-SNN Eq. 8: h = (1 − 1/τ_m)·v + (1/τ_m)·c, τ_m = 1 + exp(−a))
 * becomes a LIF with decay 1 − 1/τ_m (SEMANTICS.md §1). The IR already holds PLIF that way
 * (decay, and gain 1/τ_m on the input current; v_reset/τ_m as bias when v_reset ≠ 0), with the
 * learnt `a` kept in `plifA`. This pass checks that the decay matches `a`, moves the input gain
 * and the bias into the producing conv/dense (W' = W/τ_m, b' = b/τ_m + bias) where that is exact
 * (see absorb-gain.ts), and drops `plifA`. Where the producer is not a conv/dense read by this
 * neuron alone, the gain stays on the neuron (still exact) and the notes say so.
 */
import { SnncError } from "../../ir/errors.ts";
import type { IRNode, NeuronNode } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { absorbNeuronGain } from "./absorb-gain.ts";
import type { Pass } from "../pass.ts";
import { editGraph, fmt, withOrigin } from "../support/rewrite.ts";

/** Relative tolerance between the stored decay and 1 − 1/τ_m recomputed from `a`. */
const DECAY_TOLERANCE = 1e-9;

export const foldPlif: Pass = {
  name: "fold-plif",
  description:
    "PLIF → LIF: check decay 1 − 1/τ_m, move the input gain 1/τ_m (and bias) into the incoming weights, drop a",
  requires: "shapes valid",
  guarantees: "no neuron has plifA; PLIF gains fed by a single-consumer conv/dense are 1",
  run(g0) {
    let g = inferShapes(g0);
    const notes: string[] = [];
    for (const n0 of g0.nodes) {
      if (n0.op !== "neuron" || n0.plifA === undefined) continue;
      const n = g.nodes.find((x) => x.id === n0.id) as NeuronNode;
      const a = n.plifA!;
      const tauM = 1 + Math.exp(-a);
      const want = 1 - 1 / tauM;
      if (!(Math.abs(n.decay - want) <= DECAY_TOLERANCE * Math.max(1, Math.abs(want)))) {
        throw new SnncError(
          "E_VALUE",
          `PLIF decay ${n.decay} does not match a = ${a} (τ_m = 1 + exp(−a) = ${fmt(tauM)} gives 1 − 1/τ_m = ${want})`,
          { layer: n.id, param: "a" },
        );
      }
      const plain: NeuronNode = withOrigin({ ...n }, `plif:a=${a}`);
      delete plain.plifA;
      g = inferShapes(editGraph(g, new Map<string, IRNode | null>([[n.id, plain]])));
      const r = absorbNeuronGain(g, n.id);
      const head = `neuron '${n.id}': PLIF τ_m = ${fmt(tauM)} → LIF decay ${fmt(n.decay)}`;
      if (r.absorbed) {
        g = inferShapes(r.graph);
        notes.push(`${head}; input gain moved into '${n.inputs[0]}'${r.reason ? ` (${r.reason})` : ""}`);
      } else if (r.trivial) {
        notes.push(`${head}; no input gain to move`);
      } else {
        notes.push(`${head}; input gain kept on the neuron (${r.reason})`);
      }
    }
    return { graph: g, notes };
  },
};
