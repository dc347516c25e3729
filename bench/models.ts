/**
 * Synthetic benchmark models: deterministic random convolutional SNNs of a given size, with BN
 * and MPBN so that the folds have work to do, and thresholds that give a chosen activity level.
 */
import type { Graph, IRNode } from "../src/ir/nodes.ts";
import { scalar, tensor } from "../src/ir/tensor.ts";
import { mulberry32 } from "../src/util/prng.ts";

export interface BenchModelSpec {
  name: string;
  /** Input H = W. */
  size: number;
  inChannels: number;
  channels: [number, number];
  classes: number;
  timesteps: number;
  /** Neuron threshold: higher means sparser activity. */
  theta: number;
  /** Input encoding (default "direct": the analog image at every step). */
  encoding?: "direct" | "spikes";
}

export function benchModel(s: BenchModelSpec, seed = 1): Graph {
  const rnd = mulberry32(seed);
  const u = (lo: number, hi: number) => lo + (hi - lo) * rnd();
  const arr = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => u(lo, hi));
  const [c1, c2] = s.channels;
  const lif = (id: string, input: string, extra: Partial<IRNode> = {}): IRNode =>
    ({
      id,
      op: "neuron",
      inputs: [input],
      model: "LIF",
      decay: 0.75,
      gain: scalar(1),
      bias: scalar(0),
      fire: "gt",
      reset: "hard",
      threshold: scalar(s.theta),
      vReset: scalar(0),
      resetAmount: scalar(s.theta),
      vThreshold: s.theta,
      ...extra,
    }) as IRNode;
  const h2 = Math.ceil(s.size / 2);
  const nodes: IRNode[] = [
    { id: "in", op: "input", inputs: [], inputShape: [s.size, s.size, s.inChannels] },
    {
      id: "conv1",
      op: "conv2d",
      inputs: ["in"],
      kernel: tensor([3, 3, s.inChannels, c1], arr(9 * s.inChannels * c1, -0.4, 0.8)),
      strides: [1, 1],
      padding: "same",
      dilation: [1, 1],
      groups: 1,
    },
    {
      id: "bn1",
      op: "bn",
      inputs: ["conv1"],
      gamma: tensor([c1], arr(c1, 0.5, 1.5)),
      beta: tensor([c1], arr(c1, -0.1, 0.2)),
      mean: tensor([c1], arr(c1, 0, 0.3)),
      variance: tensor([c1], arr(c1, 0.5, 2)),
      epsilon: 1e-3,
    },
    lif("lif1", "bn1"),
    {
      id: "conv2",
      op: "conv2d",
      inputs: ["lif1"],
      kernel: tensor([3, 3, c1, c2], arr(9 * c1 * c2, -0.3, 0.5)),
      strides: [2, 2],
      padding: "same",
      dilation: [1, 1],
      groups: 1,
    },
    lif("lif2", "conv2", {
      mpbn: {
        mode: "channel",
        gamma: tensor([c2], arr(c2, 0.5, 1.5)),
        beta: tensor([c2], arr(c2, -0.1, 0.1)),
        mean: tensor([c2], arr(c2, 0, 0.5)),
        variance: tensor([c2], arr(c2, 0.5, 2)),
        epsilon: 1e-5,
      },
    } as Partial<IRNode>),
    { id: "flatten", op: "flatten", inputs: ["lif2"] },
    {
      id: "fc",
      op: "dense",
      inputs: ["flatten"],
      kernel: tensor([h2 * h2 * c2, s.classes], arr(h2 * h2 * c2 * s.classes, -0.2, 0.2)),
    },
    { id: "readout", op: "readout", inputs: ["fc"], mode: "mean" },
  ];
  return {
    name: s.name,
    meta: { timesteps: s.timesteps, encoding: s.encoding ?? "direct" },
    nodes,
    outputs: ["readout"],
  };
}

export const BENCH_MODELS: BenchModelSpec[] = [
  { name: "small-16x16", size: 16, inChannels: 1, channels: [8, 16], classes: 10, timesteps: 8, theta: 1 },
  { name: "medium-32x32", size: 32, inChannels: 2, channels: [16, 32], classes: 10, timesteps: 8, theta: 1 },
  { name: "large-64x64", size: 64, inChannels: 2, channels: [32, 32], classes: 10, timesteps: 8, theta: 1 },
];
