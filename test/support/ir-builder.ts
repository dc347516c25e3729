/** Building IR graphs by hand in tests: one function per node, with the defaults a model would have. */
import type {
  AddNode,
  AffineNode,
  BatchNormNode,
  BNTTNode,
  Conv2DNode,
  DenseNode,
  FlattenNode,
  Graph,
  InputNode,
  IRNode,
  NeuronNode,
  PadNode,
  Pads,
  PlaneNode,
  PoolNode,
  PSPNormNode,
  ReadoutNode,
  ReshapeNode,
  TABNode,
  TdBNNode,
  TEBNNode,
} from "../../src/ir/nodes.ts";
import { inferShapes } from "../../src/ir/shapes.ts";
import { scalar, size, tensor, type Tensor } from "../../src/ir/tensor.ts";
import type { Rng } from "./rng.ts";

export { scalar, tensor, type Tensor };

/** A tensor of `shape` filled with one value, or holding `data`. */
export function t(shape: number[], data: number | ArrayLike<number>): Tensor {
  if (typeof data === "number") {
    const x = tensor(shape);
    x.data.fill(data);
    return x;
  }
  return tensor(shape, data);
}

/** A tensor of `shape` with values drawn uniformly from [lo, hi). */
export function uniform(r: Rng, shape: number[], lo: number, hi: number): Tensor {
  return tensor(
    shape,
    Array.from({ length: size(shape) }, () => r.uniform(lo, hi)),
  );
}

/** The node's own fields: what a builder takes besides id and inputs. */
type Fields<N extends IRNode> = Omit<N, "op" | "id" | "inputs">;

export const input = (id: string, shape: number[]): InputNode => ({ op: "input", id, inputs: [], inputShape: shape });

export function conv(
  id: string,
  inp: string,
  kernel: Tensor,
  o: Partial<Pick<Conv2DNode, "bias" | "strides" | "padding" | "dilation" | "groups">> = {},
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

type Num = number | Tensor;
const num = (x: Num): Tensor => (typeof x === "number" ? scalar(x) : x);

export interface NeuronOpts extends Partial<Omit<Fields<NeuronNode>, "gain" | "bias" | "vReset">> {
  /** θ: a number sets threshold, reset amount and v_threshold; a tensor (per channel or neuron, ±∞ allowed) only the threshold. */
  theta?: Num;
  gain?: Num;
  bias?: Num;
  vReset?: Num;
  /** MT planes: the offsets Δ from θ (deltas, and planeThresholds θ + Δ unless given). */
  planes?: number[];
}

/**
 * A neuron: LIF with decay 1, θ = `theta` (default 1), gain 1, bias 0, fire on h > θ, hard reset to 0.
 * With a tensor θ the reset amount and the configured v_threshold stay 1 (give resetAmount for a soft reset).
 */
export function neuron(id: string, inp: string, o: NeuronOpts = {}): NeuronNode {
  const { theta = 1, gain = 1, bias = 0, vReset = 0, planes, ...rest } = o;
  const n: NeuronNode = {
    op: "neuron",
    id,
    inputs: [inp],
    model: "LIF",
    decay: 1,
    gain: num(gain),
    bias: num(bias),
    fire: "gt",
    reset: "hard",
    threshold: num(theta),
    vReset: num(vReset),
    resetAmount: scalar(typeof theta === "number" ? theta : 1),
    vThreshold: typeof theta === "number" ? theta : 1,
    ...rest,
  };
  if (planes) {
    const base = num(theta);
    n.deltas = [...planes];
    n.planeThresholds ??= planes.map((d) =>
      tensor(
        base.shape,
        base.data.map((v) => v + d),
      ),
    );
  }
  return n;
}

/** PLIF with a learnt a: τ_m = 1 + exp(−a); the IR holds decay 1 − 1/τ_m, gain 1/τ_m and bias v_reset/τ_m. */
export function plifOpts(a: number, vReset = 0, mt = false): NeuronOpts {
  const tauM = 1 + Math.exp(-a);
  return {
    model: mt ? "MT-PLIF" : "PLIF",
    plifA: a,
    decay: 1 - 1 / tauM,
    gain: scalar(1 / tauM),
    bias: scalar(vReset / tauM),
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

export const bntt = (id: string, inp: string, p: Fields<BNTTNode>): BNTTNode => ({
  op: "bntt",
  id,
  inputs: [inp],
  ...p,
});
export const tebn = (id: string, inp: string, p: Fields<TEBNNode>): TEBNNode => ({
  op: "tebn",
  id,
  inputs: [inp],
  ...p,
});
export const tab = (id: string, inp: string, p: Fields<TABNode>): TABNode => ({ op: "tab", id, inputs: [inp], ...p });

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
export const reshape = (id: string, inp: string, target: number[]): ReshapeNode => ({
  op: "reshape",
  id,
  inputs: [inp],
  target,
});
export const pad = (id: string, inp: string, pads: Pads): PadNode => ({ op: "pad", id, inputs: [inp], pads });
export const add = (id: string, ...inps: string[]): AddNode => ({ op: "add", id, inputs: inps });
export const plane = (id: string, inp: string, index: number): PlaneNode => ({ op: "plane", id, inputs: [inp], index });
export const readout = (id: string, inp: string, mode: "mean" | "sum" = "mean"): ReadoutNode => ({
  op: "readout",
  id,
  inputs: [inp],
  mode,
});

export interface GraphOpts {
  /** Default: the last node. */
  outputs?: string[];
  /** Time steps, default 4. */
  T?: number;
  encoding?: "direct" | "spikes";
  name?: string;
}

/** A graph as written: no shapes inferred (for graphs a pass or a check must see unshaped, or refuse). */
export function graph(nodes: IRNode[], o: GraphOpts = {}): Graph {
  return {
    name: o.name ?? "test",
    meta: { timesteps: o.T ?? 4, encoding: o.encoding ?? "direct" },
    nodes,
    outputs: o.outputs ?? [nodes[nodes.length - 1]!.id],
  };
}

/** A graph with every node's shape inferred. */
export function model(nodes: IRNode[], o: GraphOpts = {}): Graph {
  return inferShapes(graph(nodes, o));
}

/** input [n] (spike encoding: one current vector per step) → neuron 'n' (IF when its decay is 1). */
export function singleNeuronGraph(n: number, T: number, o: NeuronOpts): Graph {
  const model = o.model ?? (o.decay === undefined || o.decay === 1 ? "IF" : "LIF");
  return graph([input("in", [n]), neuron("n", "in", { ...o, model })], { name: "single", T, encoding: "spikes" });
}

/** Currents per step for one neuron. */
export function steps(cs: number[]): Float64Array[] {
  return cs.map((c) => Float64Array.of(c));
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
