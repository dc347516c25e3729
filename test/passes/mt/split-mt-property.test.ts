/**
 * Property: for random multi-threshold layers (1-4 deltas of either sign, gt/ge, hard/soft reset,
 * scalar or per-channel thresholds, any leak) feeding random linear readers, the split graph's
 * spikes equal the unsplit reference's at every layer, neuron and step, and so do the readouts.
 *
 * Two tiers. "exact": every parameter is a small dyadic rational and inputs are binary, so every
 * sum is exact in float64 whatever its order; thresholds land exactly on membrane values often
 * (ties h = θ, where gt and ge differ), and the test requires that such ties occurred.
 * "float": real-valued parameters and analog inputs; the split changes only the order of
 * float64 additions, so spikes must still be equal (fixed seed: deterministic).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Conv2DNode, Graph, IRNode, NeuronNode } from "../../../src/ir/nodes.ts";
import { inferShapes } from "../../../src/ir/shapes.ts";
import { scalar, tensor, type Tensor } from "../../../src/ir/tensor.ts";
import { splitMultiThreshold } from "../../../src/passes/mt/split-mt.ts";
import { simulate, type StepInput } from "../../../src/sim/reference.ts";
import * as b from "../../support/ir-builder.ts";
import { Rng } from "../../support/rng.ts";

const SEED = 0x5eed_0404;
const RUNS = { exact: 300, float: 250 };

type Tier = "exact" | "float";
type Reader =
  | "conv"
  | "flatten-dense"
  | "avgpool-conv"
  | "sumpool-conv"
  | "maxpool-conv"
  | "pad-conv"
  | "two-readers"
  | "pad-maxpool-flatten-dense";
const READERS: Reader[] = [
  "conv",
  "flatten-dense",
  "avgpool-conv",
  "sumpool-conv",
  "maxpool-conv",
  "pad-conv",
  "two-readers",
  "pad-maxpool-flatten-dense",
];

/** A weight: eighths in [lo, hi] (exact tier) or uniform reals. */
function w(r: Rng, tier: Tier, lo: number, hi: number): number {
  return tier === "exact" ? r.int(Math.ceil(lo * 8), Math.floor(hi * 8)) / 8 : r.uniform(lo, hi);
}

function rand(r: Rng, tier: Tier, shape: number[], lo: number, hi: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    shape,
    Array.from({ length: n }, () => w(r, tier, lo, hi)),
  );
}

function neuron(id: string, input: string, r: Rng, tier: Tier, C: number, deltas: number[]): NeuronNode {
  const theta = w(r, tier, 0.25, 1.5);
  const perChannel = r.next() < 0.3;
  const thr = perChannel ? rand(r, tier, [C], 0.25, 1.5) : scalar(theta);
  return b.neuron(id, input, {
    model: deltas.length ? "MT-LIF" : "LIF",
    decay: tier === "exact" ? r.pick([1, 0.5, 0.75]) : r.uniform(0.3, 1),
    fire: r.pick(["gt", "ge"] as const),
    reset: r.pick(["hard", "soft"] as const),
    theta: thr,
    vReset: scalar(r.next() < 0.7 ? 0 : w(r, tier, -0.5, 0.25)),
    resetAmount: thr,
    vThreshold: perChannel ? thr.data[0]! : theta,
    planes: deltas.length ? deltas : undefined,
  });
}

function conv(id: string, input: string, r: Rng, tier: Tier, cin: number, cout: number, k: number): Conv2DNode {
  return b.conv(id, input, rand(r, tier, [k, k, cin, cout], -0.75, 1), {
    bias: r.next() < 0.6 ? rand(r, tier, [cout], -0.25, 0.5) : undefined,
    padding: r.pick(["same", "valid"] as const),
  });
}

interface Case {
  g: Graph;
  inputs: StepInput[];
  reader: Reader;
}

function makeCase(seed: number, tier: Tier): Case {
  const r = new Rng(seed);
  const H = r.pick([4, 6]);
  const Cin = r.int(1, 2);
  const C = r.int(1, 3);
  const T = r.int(2, 6);
  const nDeltas = r.int(1, 4);
  const deltas: number[] = [];
  while (deltas.length < nDeltas) {
    const d = w(r, tier, -0.75, 1);
    if (d !== 0) deltas.push(d);
  }
  const reader = r.pick(READERS);
  const nodes: IRNode[] = [b.input("x", [H, H, Cin])];
  nodes.push({ ...conv("conv1", "x", r, tier, Cin, C, r.pick([1, 3])), padding: "same" });
  nodes.push(neuron("mt", "conv1", r, tier, C, deltas));
  const C2 = r.int(1, 3);
  const tailFromSpatial = (src: string, h: number, c: number) => {
    nodes.push(neuron("lif2", src, r, tier, c, []));
    nodes.push(b.flatten("flat2", "lif2"));
    nodes.push(b.dense("dense2", "flat2", rand(r, tier, [h, 2], -0.75, 1), rand(r, tier, [2], -0.25, 0.25)));
    nodes.push(b.readout("readout", "dense2", "sum"));
  };
  const outputs = ["readout"];
  const convReader = (src: string, cin: number, small = false) => {
    const c = conv("conv2", src, r, tier, cin, C2, r.pick([1, 2, 3]));
    if (small) c.padding = "same";
    nodes.push(c);
    return c;
  };
  switch (reader) {
    case "conv":
    case "two-readers": {
      convReader("mt", C);
      if (reader === "two-readers") {
        nodes.push(b.flatten("flat_b", "mt"));
        nodes.push(b.dense("dense_b", "flat_b", rand(r, tier, [H * H * C, 3], -0.75, 1)));
        nodes.push(neuron("lif_b", "dense_b", r, tier, 3, []));
        outputs.push("lif_b");
      }
      break;
    }
    case "flatten-dense": {
      nodes.push(b.flatten("flat", "mt"));
      nodes.push(b.dense("dense", "flat", rand(r, tier, [H * H * C, 4], -0.75, 1), rand(r, tier, [4], -0.25, 0.25)));
      nodes.push(neuron("lif2", "dense", r, tier, 4, []));
      nodes.push(b.dense("dense2", "lif2", rand(r, tier, [4, 2], -0.75, 1)));
      nodes.push(b.readout("readout", "dense2", "mean"));
      return finish();
    }
    case "avgpool-conv":
    case "sumpool-conv":
    case "maxpool-conv": {
      const op = reader === "avgpool-conv" ? "avgpool" : reader === "sumpool-conv" ? "sumpool" : "maxpool";
      nodes.push(b.pool("pool", op, "mt"));
      convReader("pool", C, true);
      break;
    }
    case "pad-conv": {
      nodes.push(b.pad("pad", "mt", [1, 0, 0, 1]));
      convReader("pad", C);
      break;
    }
    case "pad-maxpool-flatten-dense": {
      nodes.push(b.pad("pad", "mt", [1, 1, 1, 1]));
      nodes.push(b.pool("pool", "maxpool", "pad", [2, 2], [2, 2], "same"));
      nodes.push(b.flatten("flat", "pool"));
      const F = ((H + 2) / 2) ** 2 * C;
      nodes.push(b.dense("dense", "flat", rand(r, tier, [F, 3], -0.75, 1)));
      nodes.push(neuron("lif2", "dense", r, tier, 3, []));
      nodes.push(b.readout("readout", "lif2", "sum"));
      return finish();
    }
  }
  // conv2 output size: resolved by shape inference; the tail reads it through a flatten.
  const g0 = b.graph(nodes, { name: "mt", T, encoding: tier === "exact" ? "spikes" : "direct", outputs: [] });
  const conv2 = nodes.find((n) => n.id === "conv2")!;
  const shapeOut = outShape(g0, conv2.id);
  tailFromSpatial(
    "conv2",
    shapeOut.reduce((a, b) => a * b, 1),
    C2,
  );
  return finish();

  function finish(): Case {
    const g = b.graph(nodes, {
      name: "mt",
      T,
      encoding: tier === "exact" ? "spikes" : "direct",
      outputs: [...outputs, "mt"],
    });
    const n = H * H * Cin;
    const inputs: StepInput[] = [];
    for (let k = 0; k < 2; k++) {
      if (tier === "exact")
        inputs.push(Array.from({ length: T }, () => Float64Array.from({ length: n }, () => (r.next() < 0.5 ? 1 : 0))));
      else inputs.push(Float64Array.from({ length: n }, () => r.next()));
    }
    return { g, inputs, reader };
  }
}

function outShape(g: Graph, id: string): number[] {
  return inferShapes({ ...g, outputs: [id] }).nodes.find((n) => n.id === id)!.shape!;
}

interface Tally {
  cases: number;
  ties: number;
  mtSpikes: number;
  planeSpikesBelowTheta: number;
  readers: Set<Reader>;
}

function check(tier: Tier, tally: Tally) {
  fc.assert(
    fc.property(fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff })), (seed) => {
      const { g, inputs, reader } = makeCase(seed, tier);
      const split = splitMultiThreshold(g).graph;
      assert.ok(
        split.nodes.some((n) => n.op === "plane"),
        "no plane nodes after split-mt",
      );
      // No synapse reads the graded s_sum any more: walking up from every conv/dense through
      // structural ops ends at a plane, another neuron or the input, never at the MT layer.
      const byId = new Map(split.nodes.map((n) => [n.id, n] as const));
      for (const n of split.nodes) {
        if (n.op !== "conv2d" && n.op !== "dense") continue;
        let src = byId.get(n.inputs[0]!)!;
        while (!["plane", "neuron", "input"].includes(src.op)) src = byId.get(src.inputs[0]!)!;
        assert.notEqual(src.id, "mt", `${reader}: '${n.id}' still reads the MT layer's s_sum`);
      }
      tally.cases++;
      tally.readers.add(reader);
      for (const x of inputs) {
        const ref = simulate(g, x, { margin: true });
        const got = simulate(split, x);
        for (const [id, tr] of ref.traces) {
          const other = got.traces.get(id)!;
          for (let t = 0; t < tr.out.length; t++) {
            assert.deepEqual(other.out[t], tr.out[t], `${reader}: layer '${id}' step ${t + 1} differs (seed ${seed})`);
            for (const m of tr.margin![t]!) if (m === 0) tally.ties++;
            if (id === "mt") for (const v of tr.out[t]!) tally.mtSpikes += v;
          }
        }
        for (const [id, v] of ref.readouts) {
          const o = got.readouts.get(id)!;
          if (tier === "exact") assert.deepEqual(o, v, `${reader}: readout differs (seed ${seed})`);
          else
            for (let i = 0; i < v.length; i++)
              assert.ok(
                Math.abs(o[i]! - v[i]!) <= 1e-9 * Math.max(1, Math.abs(v[i]!)),
                `${reader}: readout ${o[i]} vs ${v[i]}`,
              );
        }
        // Planes with a negative Δ fire below θ without resetting: count them.
        const planes = simulate(split, x, { all: true });
        const mt = split.nodes.find((n) => n.id === "mt") as NeuronNode;
        mt.deltas!.forEach((d, i) => {
          if (d >= 0) return;
          const p = planes.traces.get(`mt_plane${i + 1}`)!;
          const p0 = planes.traces.get("mt_plane0")!;
          for (let t = 0; t < p.out.length; t++)
            for (let j = 0; j < p.out[t]!.length; j++)
              if (p.out[t]![j] === 1 && p0.out[t]![j] === 0) tally.planeSpikesBelowTheta++;
        });
      }
    }),
    { numRuns: RUNS[tier], seed: SEED + (tier === "exact" ? 0 : 1), includeErrorInReport: true },
  );
}

describe("split-mt property", () => {
  for (const tier of ["exact", "float"] as const) {
    it(`${tier} tier: split spikes and readouts equal the reference (${RUNS[tier]} random MT layers and readers)`, () => {
      const tally: Tally = { cases: 0, ties: 0, mtSpikes: 0, planeSpikesBelowTheta: 0, readers: new Set() };
      check(tier, tally);
      assert.equal(tally.cases, RUNS[tier]);
      assert.equal(
        tally.readers.size,
        READERS.length,
        `not every reader kind was drawn: ${[...tally.readers].join(", ")}`,
      );
      assert.ok(tally.mtSpikes > 0, "the MT layers never fired");
      assert.ok(tally.planeSpikesBelowTheta > 0, "no negative-Δ plane ever fired below θ");
      if (tier === "exact") assert.ok(tally.ties > 0, "the exact tier should hit exact ties h = θ");
    });
  }
});
