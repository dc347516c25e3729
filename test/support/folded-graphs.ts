/**
 * Hand-built folded graphs for the Loihi tests and the Lava check: what the float pipeline leaves
 * (per-channel / per-neuron thresholds, ±∞ thresholds, gains, max-pool over spikes, `≥` firing),
 * with seeded weights.
 */
import type { Graph } from "../../src/ir/nodes.ts";
import type { StepInput } from "../../src/sim/reference.ts";
import * as b from "./ir-builder.ts";
import { Rng, spikeInputs } from "./rng.ts";

/**
 * Spike input [6,6,2] → conv 3×3 same → LIF (τ 0.8, `≥`, per-channel thresholds incl. +∞ and
 * −∞, per-channel gain) → max-pool 2×2 → flatten → dense → IF (per-feature thresholds) → dense
 * → readout (sum). Everything a chain: netx-expressible after lowering.
 */
export function spikeFeatures(seed = 11): Graph {
  const r = new Rng(seed);
  return b.model(
    [
      b.input("in", [6, 6, 2]),
      b.conv("c1", "in", b.uniform(r, [3, 3, 2, 4], -0.4, 0.8), { bias: b.tensor([4], [0.05, -0.1, 0.2, 0]) }),
      b.neuron("l1", "c1", {
        decay: 0.8,
        fire: "ge",
        theta: b.tensor([4], [0.9, 1.4, Infinity, -Infinity]),
        gain: b.tensor([4], [1, 0.5, 2, 1.5]),
      }),
      b.pool("mp", "maxpool", "l1"),
      b.flatten("fl", "mp"),
      b.dense("d1", "fl", b.uniform(r, [36, 8], -0.5, 1), b.uniform(r, [8], -0.1, 0.2)),
      b.neuron("l2", "d1", { model: "IF", theta: b.uniform(r, [8], 0.8, 2) }),
      b.dense("d2", "l2", b.uniform(r, [8, 3], -1, 1), b.uniform(r, [3], -0.1, 0.1)),
      b.readout("ro", "d2", "sum"),
    ],
    { name: "spike-features", T: 5, encoding: "spikes" },
  );
}

/**
 * Spike input [5,5,1] → conv 3×3 valid → LIF with per-NEURON thresholds (forces expanded
 * synapses) and a negative bias → flatten → dense → readout (mean).
 */
export function expandedConv(seed = 12): Graph {
  const r = new Rng(seed);
  return b.model(
    [
      b.input("in", [5, 5, 1]),
      b.conv("c1", "in", b.uniform(r, [3, 3, 1, 2], -0.3, 0.9), {
        padding: "valid",
        bias: b.tensor([2], [0.1, -0.05]),
      }),
      b.neuron("l1", "c1", { decay: 0.75, theta: b.uniform(r, [3, 3, 2], 0.5, 1.5), bias: -0.02 }),
      b.flatten("fl", "l1"),
      b.dense("d1", "fl", b.uniform(r, [18, 3], -1, 1)),
      b.readout("ro", "d1"),
    ],
    { name: "expanded-conv", T: 6, encoding: "spikes" },
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
  const r = new Rng(seed);
  return b.model(
    [
      b.input("in", [6, 6, 1]),
      b.conv("c1", "in", b.uniform(r, [3, 3, 1, 2], -0.6, 1), { bias: b.tensor([2], [0.05, -0.1]) }),
      b.neuron("lif1", "c1", { theta: b.tensor([2], [0.6, theta1]), decay: decay1 }),
      b.flatten("fl", "lif1"),
      b.dense("d2", "fl", b.uniform(r, [72, 3], -0.3, 0.35), b.tensor([3], [0.02, 0, -0.05])),
      b.neuron("lif2", "d2", {
        theta: b.tensor([3], [-0.3, 0.8, 0.5]),
        vReset: b.tensor([3], [0.2, -0.1, 0.6]),
        decay: 0.9,
      }),
      b.dense("d3", "lif2", b.uniform(r, [3, 2], -1, 1)),
      b.readout("ro", "d3"),
    ],
    { name: "offset-layers", T: 4, encoding: "spikes" },
  );
}

/**
 * Keras "same" padding with stride 2 on even sizes (pads [0, 1, 0, 1], then [0, 1, 0, 1] again with
 * dilation 1): analog input [8,8,1] → conv 3×3 stride 2 → LIF → conv 2×2 stride 2 → IF → flatten →
 * dense → readout. A chain netx can load once lower-conv-padding made the padding symmetric.
 */
export function stridedSame(seed = 31): Graph {
  const r = new Rng(seed);
  return b.model(
    [
      b.input("in", [8, 8, 1]),
      b.conv("c1", "in", b.uniform(r, [3, 3, 1, 3], -0.4, 0.9), {
        strides: [2, 2],
        bias: b.tensor([3], [0.05, 0, -0.05]),
      }),
      b.neuron("l1", "c1", { decay: 0.85, theta: 0.6 }),
      b.conv("c2", "l1", b.uniform(r, [2, 2, 3, 4], -0.3, 0.7), { strides: [2, 2] }),
      b.neuron("l2", "c2", { model: "IF", theta: 0.9, fire: "ge" }),
      b.flatten("fl", "l2"),
      b.dense("d", "fl", b.uniform(r, [16, 3], -1, 1)),
      b.readout("ro", "d"),
    ],
    { name: "strided-same", T: 5, encoding: "direct" },
  );
}

/** The graphs the Lava check names `builtin:<name>`. */
/**
 * Spike input [5] → dense (bias) + its own spikes 2 steps late → synaptic current (decay 0.5) →
 * LIF 'a' (τ 0.75); a → dense, and a 3 steps late → dense, + its own spikes 1 step late → LIF
 * 'c' (τ 0.5) → dense → readout (sum). Recurrent edges of 1 and 2 steps, a forward delay of 3, a
 * constant current into a synaptic current: what the Lava check runs besides the NIR files.
 */
export function recurrentDelays(seed = 5): Graph {
  const r = new Rng(seed);
  return b.model(
    [
      b.input("in", [5]),
      b.dense("d1", "in", b.uniform(r, [5, 4], -0.3, 0.9), b.uniform(r, [4], -0.1, 0.2)),
      { op: "delay", id: "a_rec", inputs: ["a"], steps: b.tensor([], [2]), sourceShape: [4] },
      b.dense("wa", "a_rec", b.uniform(r, [4, 4], -0.6, 0.4)),
      b.add("a_sum", "d1", "wa"),
      {
        op: "li",
        id: "a_syn",
        inputs: ["a_sum"],
        decay: b.tensor([], [0.5]),
        gain: b.tensor([], [1]),
        bias: b.tensor([], [0]),
      },
      b.neuron("a", "a_syn", { decay: 0.75, theta: 1 }),
      b.dense("d2", "a", b.uniform(r, [4, 3], -0.4, 1)),
      { op: "delay", id: "a_late", inputs: ["a"], steps: b.tensor([], [3]) },
      b.dense("d3", "a_late", b.uniform(r, [4, 3], -0.4, 0.8)),
      { op: "delay", id: "c_rec", inputs: ["c"], steps: b.tensor([], [1]), sourceShape: [3] },
      b.dense("wc", "c_rec", b.uniform(r, [3, 3], -0.5, 0.5)),
      b.add("c_sum", "d2", "d3", "wc"),
      b.neuron("c", "c_sum", { decay: 0.5, theta: 0.8 }),
      b.dense("o", "c", b.uniform(r, [3, 2], -1, 1)),
      b.readout("ro", "o", "sum"),
    ],
    { T: 6, encoding: "spikes", name: "recurrent-delays" },
  );
}

export const BUILTIN: Record<string, () => Graph> = {
  "recurrent-delays": () => recurrentDelays(),
  "spike-features": () => spikeFeatures(),
  "expanded-conv": () => expandedConv(),
  "offset-layers": () => offsetLayers(0.25, -2),
  "strided-same": () => stridedSame(),
};

/** Seeded Bernoulli(rate) spike trains for a graph's input, T columns. */
export function spikeTrains(g: Graph, seed: number, rate = 0.35): StepInput {
  const inp = g.nodes.find((n) => n.op === "input")!;
  const n = inp.shape!.reduce((a, b) => a * b, 1);
  return spikeInputs(n, g.meta.timesteps, 1, seed, rate)[0]!;
}
