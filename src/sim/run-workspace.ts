/**
 * What the float runs of one graph share in this thread, run after run: each node's output array
 * (where it has one: node-steps.ts) and each neuron layer's parameters, expanded to one value per
 * neuron, and state. Made fresh for every run they were fresh memory, and loops over fresh memory
 * ran slowly until the collector had freed enough of the earlier runs' arrays for them to be used
 * again: a sample of a small conv network took 1.3–2× its later time for its first few dozen
 * samples. A graph's workspace is made at its first run (keyed by its node list, which copies of a
 * graph share); a run that starts while another run of the same node list is under way in this
 * thread (from its `onStep`) makes its own arrays. A graph is not changed once it runs.
 */
import type { IRNode, NeuronNode } from "../ir/nodes.ts";
import { size } from "../ir/tensor.ts";
import { expandNeuron, initNeuronState, type NeuronParams, type NeuronState } from "./neuron-float.ts";

export interface RunWorkspace {
  /** The node's output array (its earlier content left as it was). */
  buffer(n: IRNode): Float64Array;
  /** The neuron layer's parameters, and its state as a run starts (v = v[0], no spike before). */
  neuron(n: NeuronNode): { params: NeuronParams; state: NeuronState };
}

interface Space extends RunWorkspace {
  busy: boolean;
}

const byGraph = new WeakMap<readonly IRNode[], Space>();

function makeSpace(): Space {
  const buffers = new Map<IRNode, Float64Array>();
  const neurons = new Map<IRNode, { params: NeuronParams; state: NeuronState }>();
  return {
    busy: false,
    buffer(n) {
      const b = buffers.get(n) ?? new Float64Array(size(n.shape!));
      buffers.set(n, b);
      return b;
    },
    neuron(n) {
      const e = neurons.get(n);
      if (!e) {
        const params = expandNeuron(n, n.shape!);
        const made = { params, state: initNeuronState(params) };
        neurons.set(n, made);
        return made;
      }
      const { params, state } = e;
      if (params.v0) state.v.set(params.v0);
      else state.v.fill(0);
      state.s?.fill(0);
      return e;
    },
  };
}

/** The workspace of the run about to start on `nodes` (none if one is under way), and its release. */
export function openWorkspace(nodes: readonly IRNode[]): { space?: RunWorkspace; close(): void } {
  const space = byGraph.get(nodes) ?? makeSpace();
  byGraph.set(nodes, space);
  if (space.busy) return { close() {} };
  space.busy = true;
  const taken = space;
  return {
    space: taken,
    close() {
      taken.busy = false;
    },
  };
}
