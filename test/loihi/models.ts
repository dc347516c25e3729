/**
 * Hand-built folded graphs for the Loihi tests and the Lava check: what the float pipeline leaves
 * (per-channel / per-neuron thresholds, ±∞ thresholds, gains, max-pool over spikes, `≥` firing),
 * with seeded weights.
 */
import type { Conv2DNode, DenseNode, Graph, IRNode, NeuronNode, PoolNode, ReadoutNode } from "../../src/ir/nodes.ts";
import { inferShapes } from "../../src/ir/shapes.ts";
import { scalar, tensor, type Tensor } from "../../src/ir/tensor.ts";
import type { StepInput } from "../../src/sim/reference.ts";
import { mulberry32 } from "../../src/util/prng.ts";

export function rng(seed: number): (lo: number, hi: number) => number {
  const r = mulberry32(seed);
  return (lo, hi) => lo + (hi - lo) * r();
}

export function rand(shape: number[], r: (lo: number, hi: number) => number, lo: number, hi: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    shape,
    Array.from({ length: n }, () => r(lo, hi)),
  );
}

export function lif(id: string, inp: string, o: Partial<NeuronNode> & { theta?: number | Tensor } = {}): NeuronNode {
  const th = o.theta ?? 1;
  const threshold = typeof th === "number" ? scalar(th) : th;
  const { theta: _t, ...rest } = o;
  return {
    op: "neuron",
    id,
    inputs: [inp],
    model: "LIF",
    decay: 0.8,
    gain: scalar(1),
    bias: scalar(0),
    fire: "gt",
    reset: "hard",
    threshold,
    vReset: scalar(0),
    resetAmount: scalar(1),
    vThreshold: typeof th === "number" ? th : 1,
    ...rest,
  };
}

export function conv(id: string, inp: string, kernel: Tensor, o: Partial<Conv2DNode> = {}): Conv2DNode {
  return {
    op: "conv2d",
    id,
    inputs: [inp],
    kernel,
    strides: [1, 1],
    padding: "same",
    dilation: [1, 1],
    groups: 1,
    ...o,
  };
}

export function dense(id: string, inp: string, kernel: Tensor, bias?: Tensor): DenseNode {
  return { op: "dense", id, inputs: [inp], kernel, bias };
}

export function pool(
  id: string,
  op: PoolNode["op"],
  inp: string,
  k = 2,
  padding: "same" | "valid" = "valid",
): PoolNode {
  return { op, id, inputs: [inp], pool: [k, k], strides: [k, k], padding };
}

export function readout(id: string, inp: string, mode: "mean" | "sum" = "mean"): ReadoutNode {
  return { op: "readout", id, inputs: [inp], mode };
}

export function graph(name: string, nodes: IRNode[], T: number, encoding: "direct" | "spikes"): Graph {
  return inferShapes({ name, meta: { timesteps: T, encoding }, nodes, outputs: [nodes[nodes.length - 1]!.id] });
}

/**
 * Spike input [6,6,2] → conv 3×3 same → LIF (τ 0.8, `≥`, per-channel thresholds incl. +∞ and
 * −∞, per-channel gain) → max-pool 2×2 → flatten → dense → IF (per-feature thresholds) → dense
 * → readout (sum). Everything a chain: netx-expressible after lowering.
 */
export function spikeFeatures(seed = 11): Graph {
  const r = rng(seed);
  return graph(
    "spike-features",
    [
      { op: "input", id: "in", inputs: [], inputShape: [6, 6, 2] },
      conv("c1", "in", rand([3, 3, 2, 4], r, -0.4, 0.8), { bias: tensor([4], [0.05, -0.1, 0.2, 0]) }),
      lif("l1", "c1", {
        fire: "ge",
        theta: tensor([4], [0.9, 1.4, Infinity, -Infinity]),
        gain: tensor([4], [1, 0.5, 2, 1.5]),
      }),
      pool("mp", "maxpool", "l1"),
      { op: "flatten", id: "fl", inputs: ["mp"] },
      dense("d1", "fl", rand([36, 8], r, -0.5, 1), rand([8], r, -0.1, 0.2)),
      lif("l2", "d1", { model: "IF", decay: 1, theta: rand([8], r, 0.8, 2) }),
      dense("d2", "l2", rand([8, 3], r, -1, 1), rand([3], r, -0.1, 0.1)),
      readout("ro", "d2", "sum"),
    ],
    5,
    "spikes",
  );
}

/**
 * Spike input [5,5,1] → conv 3×3 valid → LIF with per-NEURON thresholds (forces expanded
 * synapses) and a negative bias → flatten → dense → readout (mean).
 */
export function expandedConv(seed = 12): Graph {
  const r = rng(seed);
  return graph(
    "expanded-conv",
    [
      { op: "input", id: "in", inputs: [], inputShape: [5, 5, 1] },
      conv("c1", "in", rand([3, 3, 1, 2], r, -0.3, 0.9), { padding: "valid", bias: tensor([2], [0.1, -0.05]) }),
      lif("l1", "c1", { decay: 0.75, theta: rand([3, 3, 2], r, 0.5, 1.5), bias: scalar(-0.02) }),
      { op: "flatten", id: "fl", inputs: ["l1"] },
      dense("d1", "fl", rand([18, 3], r, -1, 1)),
      readout("ro", "d1"),
    ],
    6,
    "spikes",
  );
}

/**
 * Two layers that need state offsets: spike input [6,6,1] → conv 3×3 → LIF (per-channel thresholds
 * [0.6, θ1]: channel 1 fires at rest when θ1 < 0) → flatten → dense → LIF (per-neuron thresholds
 * [−0.3, 0.8, 0.5] and v_reset [0.2, −0.1, 0.6]) → dense → readout. Self-recurrences at depth 1
 * and 2 (the second behind a layer that fires during its warm-up); with τ1 = 0.25 and θ1 = −2 the
 * first layer's bias alone crosses its threshold (an initial v at depth 1).
 */
export function offsetLayers(decay1 = 0.75, theta1 = -0.4, seed = 21): Graph {
  const r = rng(seed);
  return graph(
    "offset-layers",
    [
      { op: "input", id: "in", inputs: [], inputShape: [6, 6, 1] },
      conv("c1", "in", rand([3, 3, 1, 2], r, -0.6, 1), { bias: tensor([2], [0.05, -0.1]) }),
      lif("lif1", "c1", { theta: tensor([2], [0.6, theta1]), decay: decay1 }),
      { op: "flatten", id: "fl", inputs: ["lif1"] },
      dense("d2", "fl", rand([72, 3], r, -0.3, 0.35), tensor([3], [0.02, 0, -0.05])),
      lif("lif2", "d2", { theta: tensor([3], [-0.3, 0.8, 0.5]), vReset: tensor([3], [0.2, -0.1, 0.6]), decay: 0.9 }),
      dense("d3", "lif2", rand([3, 2], r, -1, 1)),
      readout("ro", "d3"),
    ],
    4,
    "spikes",
  );
}

export const BUILTIN: Record<string, () => Graph> = {
  "spike-features": () => spikeFeatures(),
  "expanded-conv": () => expandedConv(),
  "offset-layers": () => offsetLayers(0.25, -2),
};

/** Seeded Bernoulli(rate) spike trains for a graph's input, T columns. */
export function spikeTrains(g: Graph, seed: number, rate = 0.35): StepInput {
  const r = mulberry32(seed);
  const inp = g.nodes.find((n) => n.op === "input")!;
  const n = inp.shape!.reduce((a, b) => a * b, 1);
  return Array.from({ length: g.meta.timesteps }, () => Float64Array.from({ length: n }, () => (r() < rate ? 1 : 0)));
}
