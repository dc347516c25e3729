/**
 * Random recurrent models for the Loihi properties, in the form NIR's reader gives them: layers
 * whose current is a dense of the layer before plus, sometimes, a dense of the layer's own spikes
 * one or more steps late (a delay node that reads the neuron placed after it: a recurrent edge),
 * summed, sometimes through a synaptic current (an `li` the neuron reads: NIR's CubaLIF); a delay
 * on a forward path sometimes; a readout. Layers without a synaptic current may have thresholds of
 * every sign and v_reset ≠ 0 (state offsets next to the recurrence).
 */
import type { Graph, IRNode } from "../../src/ir/nodes.ts";
import { scalar, tensor } from "../../src/ir/tensor.ts";
import * as b from "./ir-builder.ts";
import { ModelBuilder, type Src } from "./gen.ts";
import { offsetOpts } from "./offset-models.ts";

/** What a random recurrent model holds (so that the tests can count what they reached). */
export interface RecurrentParts {
  recurrent: number;
  currents: number;
  forwardDelays: number;
  longDelays: number;
}

/** A delay of `k` steps (one value, or per neuron from `ks`) of `src`, a node of `n` neurons. */
function delayNode(id: string, src: string, n: number, s: Src, ks: number[]): IRNode {
  const perNeuron = ks.length > 1 && s.bool(0.3);
  return {
    op: "delay",
    id,
    inputs: [src],
    steps: perNeuron
      ? tensor(
          [n],
          Array.from({ length: n }, () => s.pick(ks)),
        )
      : scalar(s.pick(ks)),
    sourceShape: [n],
  };
}

/**
 * One layer of `N` neurons after `prev`: dense, maybe a recurrent dense of its own spikes (1 or 2
 * steps late), maybe a synaptic current, the neuron. Returns the neuron's id.
 */
function layer(m: ModelBuilder, prev: string, parts: RecurrentParts, more?: (N: number) => string): string {
  const s = m.s;
  const N = s.int(2, 5);
  const fc = m.dense(prev, N);
  const nid = m.id("n");
  const terms = [fc];
  if (more) terms.push(more(N));
  if (s.bool(0.75)) {
    const rec = delayNode(m.id("rec"), nid, N, s, s.bool(0.7) ? [1] : [1, 2]);
    m.nodes.push(rec);
    const w = b.dense(m.id("w_rec"), rec.id, s.tensor([N, N], 1), s.bool(0.4) ? s.tensor([N], 0.3) : undefined);
    m.nodes.push(w);
    terms.push(w.id);
    parts.recurrent++;
  }
  let cur = terms[0]!;
  if (terms.length > 1) {
    const sum = b.add(m.id("sum"), ...terms);
    m.nodes.push(sum);
    cur = sum.id;
  }
  const current = s.bool(0.5);
  if (current) {
    const li: IRNode = {
      op: "li",
      id: m.id("i_syn"),
      inputs: [cur],
      decay: scalar(s.pick([0, s.range(0.125, 0.875)])),
      gain: s.bool(0.5) ? scalar(s.range(0.25, 2)) : s.tensor([N], 1.5),
      bias: s.bool(0.3) ? s.tensor([N], 0.2) : scalar(0),
    };
    m.nodes.push(li);
    cur = li.id;
    parts.currents++;
  }
  // with a synaptic current: Lava's LIF, no state offset (thresholds > 0, v_reset 0), per neuron sometimes
  const theta = s.range(0.375, 1.5);
  const opts: b.NeuronOpts = current
    ? {
        theta,
        threshold: s.bool(0.3)
          ? tensor(
              [N],
              Array.from({ length: N }, () => theta + s.range(0, 1)),
            )
          : scalar(theta),
        decay: s.range(0.125, 1),
        fire: s.bool() ? "ge" : "gt",
        gain: s.bool(0.5) ? scalar(1) : s.tensor([N], 1.5),
        bias: s.bool(0.3) ? scalar(s.real(0.3)) : scalar(0),
      }
    : offsetOpts(s, [N]);
  return m.add(b.neuron(nid, cur, opts));
}

/** A random recurrent model (see the file comment) and what it holds. */
export function recurrentModel(s: Src): { g: Graph; parts: RecurrentParts } {
  const parts: RecurrentParts = { recurrent: 0, currents: 0, forwardDelays: 0, longDelays: 0 };
  const m = new ModelBuilder(s);
  const x = m.flatInput();
  const n1 = layer(m, x, parts);
  let last = n1;
  if (s.bool(0.6)) {
    // maybe a forward delay of 1..3 steps from the first layer into the second, beside its dense
    const k = s.bool(0.4) ? s.int(1, 3) : 0;
    const more = (N: number) => {
      const d = m.add({ op: "delay", id: m.id("delay"), inputs: [n1], steps: scalar(k) } as IRNode);
      parts.forwardDelays++;
      if (k > 1) parts.longDelays++;
      return m.dense(d, N);
    };
    last = layer(m, n1, parts, k ? more : undefined);
  }
  const out = m.readout(m.dense(last));
  return { g: m.build([last, out]), parts };
}
