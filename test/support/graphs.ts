/** Small IR graphs for tests: one neuron population driven directly by the input current. */
import type { Graph, NeuronNode } from "../../src/ir/nodes.ts";
import { scalar, tensor, type Tensor } from "../../src/ir/tensor.ts";

export interface NeuronSpec {
  model?: NeuronNode["model"];
  decay?: number;
  gain?: number;
  bias?: number;
  theta?: number | Tensor;
  fire?: "gt" | "ge";
  reset?: "hard" | "soft";
  vReset?: number;
  planes?: number[];
  mpbn?: NeuronNode["mpbn"];
}

export function neuronNode(id: string, input: string, s: NeuronSpec): NeuronNode {
  const theta = s.theta ?? 1;
  const thetaT = typeof theta === "number" ? scalar(theta) : theta;
  const vth = typeof theta === "number" ? theta : theta.data[0]!;
  const n: NeuronNode = {
    id,
    op: "neuron",
    inputs: [input],
    model: s.model ?? (s.decay === undefined || s.decay === 1 ? "IF" : "LIF"),
    decay: s.decay ?? 1,
    gain: scalar(s.gain ?? 1),
    bias: scalar(s.bias ?? 0),
    fire: s.fire ?? "gt",
    reset: s.reset ?? "hard",
    threshold: thetaT,
    vReset: scalar(s.vReset ?? 0),
    resetAmount: thetaT,
    vThreshold: vth,
  };
  if (s.planes) {
    n.planeThresholds = s.planes.map((d) => scalar(vth + d));
    n.deltas = [...s.planes];
  }
  if (s.mpbn) n.mpbn = s.mpbn;
  return n;
}

/** input [n] (spike encoding: one current vector per step) → neuron. */
export function singleNeuronGraph(n: number, T: number, s: NeuronSpec): Graph {
  return {
    name: "single",
    meta: { timesteps: T, encoding: "spikes" },
    outputs: ["n"],
    nodes: [{ id: "in", op: "input", inputs: [], inputShape: [n] }, neuronNode("n", "in", s)],
  };
}

/** Currents per step for one neuron. */
export function steps(cs: number[]): Float64Array[] {
  return cs.map((c) => Float64Array.of(c));
}

export { scalar, tensor };
