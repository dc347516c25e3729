/**
 * Where leaky integrators (`li`) and delays (`delay`) have a Loihi form (part of
 * lower-neuron-model's check; the forms themselves are made by the quantiser's synaptic form):
 *
 *   - an `li` read by exactly one neuron, as that neuron's input, is the neuron's synaptic current
 *     (NIR's CubaLIF): Lava's LIF is a CUBA neuron whose current u decays by du
 *     (quantize/synaptic-current.ts). The neuron must run on Lava's LIF (hard reset, one threshold
 *     plane, no per-step norm) and need no state offset: the offset's pulses and self-recurrent
 *     weight deliver into u, where the current decay would carry them on. Any other `li` (an LI
 *     readout, a chain of two, an integrator whose real value feeds synapses) has no form here;
 *   - a `delay` (NIR's Delay, or a recurrent edge: a delay of 1 that reads a neuron placed after it)
 *     on the way from a population's spikes to another's current becomes a synaptic delay
 *     (quantize/population-terms.ts), and its source is kept silent during the warm-up steps the
 *     delay would otherwise carry into the first aligned steps. Whether the delay fits the target
 *     (synaptic delays, their range; a cycle whose synapses take more steps than its delay) is
 *     decided there, where the latencies are known.
 */
import { SnncError } from "../../ir/errors.ts";
import { consumers } from "../../ir/graph.ts";
import type { Graph, LeakyIntegratorNode, NeuronNode } from "../../ir/nodes.ts";
import { broadcastTo } from "../../ir/tensor.ts";
import type { TargetSpec } from "../../target/target.ts";
import { fmt } from "../../passes/support/rewrite.ts";
import { loihiNeuronKind } from "./neuron-kind.ts";

const LI = "leaky integrator (NIR LI / I, or the synaptic current of a CubaLI / CubaLIF)";

/** The neuron whose synaptic current `li` is, or the reason it is none. */
function currentOwner(g: Graph, li: LeakyIntegratorNode, readers: string[]): NeuronNode | string {
  if (g.outputs.includes(li.id)) return "it is a model output (an LI readout)";
  if (readers.length !== 1) return `it is read by ${readers.length} layers`;
  const n = g.nodes.find((x) => x.id === readers[0])!;
  if (n.op !== "neuron") return `it feeds '${n.id}' (${n.op}), not a neuron`;
  return n;
}

/** Refuse what has no Loihi form among li and delay nodes; notes on what becomes of the rest. */
export function checkLiAndDelays(g: Graph, t: TargetSpec, needsOffset: (n: NeuronNode) => boolean): string[] {
  const notes: string[] = [];
  const cons = consumers(g);
  const before = new Set<string>();
  for (const x of g.nodes) {
    if (x.op === "delay") {
      const steps = broadcastTo(x.steps, x.shape!);
      const lo = Math.min(...steps);
      const hi = Math.max(...steps);
      const recurrent = !before.has(x.inputs[0]!);
      notes.push(
        `'${x.id}': ${recurrent ? "recurrent edge" : "delay"} of ${lo === hi ? lo : `${lo}..${hi}`} step${hi === 1 ? "" : "s"} from '${x.inputs[0]}' → a synaptic delay, its source silent over the warm-up steps it would carry`,
      );
    }
    before.add(x.id);
    if (x.op !== "li") continue;
    const owner = currentOwner(g, x, cons.get(x.id) ?? []);
    if (typeof owner === "string")
      throw new SnncError(
        "E_TARGET",
        `${LI}: ${owner}; on ${t.name} a leaky integrator is the synaptic current of the one neuron layer it feeds (Lava's current u), no other form in this version; use --target float`,
        { layer: x.id },
      );
    const why =
      owner.reset === "soft" || loihiNeuronKind(owner) !== "lif"
        ? "a soft reset or several thresholds (Lava's ATRLIF / snnc's MultiThresholdLIF)"
        : owner.schedule
          ? "per-step norms (a gain stage in front of u)"
          : needsOffset(owner)
            ? "v_reset ≠ 0 or a threshold ≤ 0 (a state offset, whose pulses and self weight would enter u and decay with it)"
            : undefined;
    if (why)
      throw new SnncError(
        "E_TARGET",
        `a synaptic current ('${x.id}') on a neuron with ${why} is not expressible on ${t.name} in this version; use --target float`,
        { layer: owner.id, param: "tau_syn" },
      );
    const d = broadcastTo(x.decay, x.shape!);
    if (!d.every((v) => v === d[0]))
      throw new SnncError(
        "E_TARGET",
        `the decay of its synaptic current '${x.id}' varies between neurons; Lava's LIF has one current decay du per population`,
        { layer: owner.id, param: "tau_syn" },
      );
    notes.push(`'${owner.id}': synaptic current '${x.id}' (decay ${fmt(d[0]!)}) → Lava's current u (du)`);
  }
  return notes;
}
