/** Small IR builders for pass tests: every node with the defaults a model would have. */
import type {
  AddNode,
  AffineNode,
  BatchNormNode,
  Conv2DNode,
  DenseNode,
  FlattenNode,
  Graph,
  InputNode,
  IRNode,
  NeuronNode,
  PadNode,
  Pads,
  PoolNode,
  PSPNormNode,
  ReadoutNode,
  TdBNNode,
} from "../../src/ir/nodes.ts";
import { inferShapes } from "../../src/ir/shapes.ts";
import { scalar, tensor, type Tensor } from "../../src/ir/tensor.ts";

export function t(shape: number[], data: number | ArrayLike<number>): Tensor {
  if (typeof data === "number") {
    const x = tensor(shape);
    x.data.fill(data);
    return x;
  }
  return tensor(shape, data);
}

export const input = (id: string, shape: number[]): InputNode => ({ op: "input", id, inputs: [], inputShape: shape });

export function conv(
  id: string,
  inp: string,
  kernel: Tensor,
  o: {
    bias?: Tensor;
    strides?: [number, number];
    padding?: Conv2DNode["padding"];
    dilation?: [number, number];
    groups?: number;
  } = {},
): Conv2DNode {
  return {
    op: "conv2d",
    id,
    inputs: [inp],
    kernel,
    bias: o.bias,
    strides: o.strides ?? [1, 1],
    padding: o.padding ?? "same",
    dilation: o.dilation ?? [1, 1],
    groups: o.groups ?? 1,
  };
}

export const dense = (id: string, inp: string, kernel: Tensor, bias?: Tensor): DenseNode => ({
  op: "dense",
  id,
  inputs: [inp],
  kernel,
  bias,
});

export interface NeuronOpts extends Partial<Omit<NeuronNode, "op" | "id" | "inputs">> {
  theta?: number;
}

/** A LIF (decay 1 = IF) with θ = `theta` (default 1), gt firing, hard reset to 0. */
export function neuron(id: string, inp: string, o: NeuronOpts = {}): NeuronNode {
  const theta = o.theta ?? 1;
  const { theta: _, ...rest } = o;
  return {
    op: "neuron",
    id,
    inputs: [inp],
    model: "LIF",
    decay: 1,
    gain: scalar(1),
    bias: scalar(0),
    fire: "gt",
    reset: "hard",
    threshold: scalar(theta),
    vReset: scalar(0),
    resetAmount: scalar(theta),
    vThreshold: theta,
    ...rest,
  };
}

export interface NormParams {
  gamma: Tensor;
  beta: Tensor;
  mean: Tensor;
  variance: Tensor;
  epsilon?: number;
}

export const bn = (id: string, inp: string, p: NormParams): BatchNormNode => ({
  op: "bn",
  id,
  inputs: [inp],
  gamma: p.gamma,
  beta: p.beta,
  mean: p.mean,
  variance: p.variance,
  epsilon: p.epsilon ?? 1e-3,
});

export const tdbn = (id: string, inp: string, p: NormParams & { alpha: number; vth: number }): TdBNNode => ({
  op: "tdbn",
  id,
  inputs: [inp],
  alpha: p.alpha,
  vth: p.vth,
  gamma: p.gamma,
  beta: p.beta,
  mean: p.mean,
  variance: p.variance,
  epsilon: p.epsilon ?? 1e-5,
});

export const psp = (id: string, inp: string, gamma: Tensor, sqMean: Tensor, lambda = 0.1): PSPNormNode => ({
  op: "pspnorm",
  id,
  inputs: [inp],
  mode: "bn",
  lambda,
  gamma,
  sqMean,
});

export const pspLn = (id: string, inp: string): PSPNormNode => ({
  op: "pspnorm",
  id,
  inputs: [inp],
  mode: "ln",
  lambda: 0.1,
});

export const affine = (id: string, inp: string, scale: Tensor, shift: Tensor): AffineNode => ({
  op: "affine",
  id,
  inputs: [inp],
  scale,
  shift,
});

export const pool = (
  id: string,
  op: PoolNode["op"],
  inp: string,
  size: [number, number] = [2, 2],
  strides: [number, number] = [2, 2],
  padding: "same" | "valid" = "valid",
): PoolNode => ({
  op,
  id,
  inputs: [inp],
  pool: size,
  strides,
  padding,
});

export const flatten = (id: string, inp: string): FlattenNode => ({ op: "flatten", id, inputs: [inp] });
export const pad = (id: string, inp: string, pads: Pads): PadNode => ({ op: "pad", id, inputs: [inp], pads });
export const add = (id: string, ...inps: string[]): AddNode => ({ op: "add", id, inputs: inps });
export const readout = (id: string, inp: string, mode: "mean" | "sum" = "mean"): ReadoutNode => ({
  op: "readout",
  id,
  inputs: [inp],
  mode,
});

/** A graph (shapes inferred) whose outputs default to the last node. */
export function model(
  nodes: IRNode[],
  o: { outputs?: string[]; T?: number; encoding?: "direct" | "spikes"; name?: string } = {},
): Graph {
  return inferShapes({
    name: o.name ?? "test",
    meta: { timesteps: o.T ?? 4, encoding: o.encoding ?? "direct" },
    nodes,
    outputs: o.outputs ?? [nodes[nodes.length - 1]!.id],
  });
}

export function node<T extends IRNode = IRNode>(g: Graph, id: string): T {
  const n = g.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`no node '${id}' in the graph (nodes: ${g.nodes.map((x) => x.id).join(", ")})`);
  return n as T;
}

export function hasNode(g: Graph, id: string): boolean {
  return g.nodes.some((x) => x.id === id);
}

export function ops(g: Graph): string[] {
  return g.nodes.map((n) => n.op);
}
