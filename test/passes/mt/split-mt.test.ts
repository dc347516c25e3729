import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadTfjsModel } from "../../../src/frontends/tfjs/load.ts";
import { randomInputs } from "../../../src/inputs/random-inputs.ts";
import { readInputs } from "../../../src/inputs/read-inputs.ts";
import { SnncError } from "../../../src/ir/errors.ts";
import type { Graph, IRNode, NeuronNode } from "../../../src/ir/nodes.ts";
import { graphFromJson, graphToJson } from "../../../src/ir/serialize.ts";
import { inferShapes } from "../../../src/ir/shapes.ts";
import { scalar, tensor } from "../../../src/ir/tensor.ts";
import { runPasses } from "../../../src/passes/pass.ts";
import { FLOAT_PIPELINE } from "../../../src/passes/float-pipeline.ts";
import { scheduleTemporalNorm } from "../../../src/passes/temporal/schedule-temporal-norm.ts";
import { mtLowering, mtLoweringPasses, splitMt, splitMultiThreshold } from "../../../src/passes/mt/split-mt.ts";
import { simulate, type StepInput } from "../../../src/sim/reference.ts";
import { compareTraces } from "../../../src/verify/compare.ts";
import { assertSameSpikes } from "../../support/check.ts";
import { refuses } from "../../support/errors.ts";
import * as b from "../../support/ir-builder.ts";
import { analogInputs } from "../../support/rng.ts";

/** An MT-LIF layer (IF unless a decay is given); `planes` are its Δ from θ. */
const mt = (id: string, input: string, o: b.NeuronOpts): NeuronNode => b.neuron(id, input, { model: "MT-LIF", ...o });

const lif = (id: string, input: string): NeuronNode => b.neuron(id, input, { decay: 0.9 });

/** A 3×3 same conv with fixed weights in [−1/2, 3/4] and biases 1/8, 2/8, …. */
const conv = (id: string, input: string, cin: number, cout: number, bias = true): IRNode =>
  b.conv(
    id,
    input,
    tensor(
      [3, 3, cin, cout],
      Array.from({ length: 9 * cin * cout }, (_, i) => ((i * 37) % 11) / 8 - 0.5),
    ),
    {
      bias: bias
        ? tensor(
            [cout],
            Array.from({ length: cout }, (_, i) => 0.125 * (i + 1)),
          )
        : undefined,
    },
  );

const graph = (nodes: IRNode[], outputs: string[], T = 4): Graph => b.graph(nodes, { name: "t", outputs, T });

/** The split graph fires every spike of the one as written and gives the same readouts, bit for bit. */
const sameSpikes = (ref: Graph, got: Graph, inputs: StepInput[], T?: number) =>
  assertSameSpikes(ref, got, inputs, { what: "split model", T, exactReadouts: true });

describe("split-mt: planes by hand", () => {
  // input current → MT (IF, θ = 1, Δ = [1, −0.5], ge, hard reset) → dense(1) → readout sum.
  const g = graph(
    [
      b.input("x", [1]),
      mt("mt", "x", { planes: [1, -0.5], fire: "ge" }),
      b.dense("d", "mt", tensor([1, 1], [1])),
      b.readout("r", "d", "sum"),
    ],
    ["r"],
  );
  const currents = [0.6, 0.6, 1.0, 2.5].map((c) => Float64Array.of(c));

  it("plane 0 at θ resets, a positive Δ fires above it, a negative Δ fires below θ without resetting; ≥ fires at h = θ", () => {
    const split = splitMultiThreshold(g).graph;
    const r = simulate(split, currents, { all: true });
    const row = (id: string) => r.traces.get(id)!.out.map((a) => a[0]);
    // h: 0.6 (only Δ = −0.5 fires, no reset), 1.2 (θ fires, reset), 1.0 (= θ: ge fires), 2.5 (all three)
    assert.deepEqual(row("mt_plane0"), [0, 1, 1, 1]);
    assert.deepEqual(row("mt_plane1"), [0, 0, 0, 1]);
    assert.deepEqual(row("mt_plane2"), [1, 1, 1, 1]);
    assert.deepEqual(row("mt"), [1, 2, 2, 3]);
    assert.deepEqual(Array.from(r.readouts.get("r")!), [8]);
    sameSpikes(g, split, [currents]);
  });

  it("with gt, h = θ does not fire plane 0 (and so does not reset)", () => {
    const gt = { ...g, nodes: g.nodes.map((n) => (n.op === "neuron" ? { ...n, fire: "gt" as const } : n)) };
    const r = simulate(splitMultiThreshold(gt).graph, currents, { all: true });
    // h: 0.6 (Δ−), 1.2 (θ, reset), 1.0 (not > θ: only Δ−, keeps 1.0), 3.5 (all)
    assert.deepEqual(
      r.traces.get("mt_plane0")!.out.map((a) => a[0]),
      [0, 1, 0, 1],
    );
    assert.deepEqual(
      r.traces.get("mt")!.out.map((a) => a[0]),
      [1, 2, 1, 3],
    );
  });
});

describe("split-mt: structure", () => {
  const g = graph(
    [
      b.input("x", [5, 5, 2]),
      conv("conv1", "x", 2, 3),
      mt("mt", "conv1", { planes: [0.5, -0.25, 0.75], fire: "ge", reset: "soft" }),
      conv("conv2", "mt", 3, 2),
      lif("lif2", "conv2"),
      b.flatten("flat", "lif2"),
      b.dense(
        "dense",
        "flat",
        tensor(
          [50, 3],
          Array.from({ length: 150 }, (_, i) => ((i * 13) % 7) / 7 - 0.4),
        ),
      ),
      b.readout("readout", "dense", "mean"),
    ],
    ["readout"],
  );

  it("the consumer conv becomes n+1 binary convs with the same kernel, bias on plane 0, summed under its id", () => {
    const { graph: s, notes } = splitMultiThreshold(g);
    const planes = s.nodes.filter((n) => n.op === "plane");
    assert.deepEqual(
      planes.map((p) => [p.id, p.inputs[0], (p as { index: number }).index]),
      [
        ["mt_plane0", "mt", 0],
        ["mt_plane1", "mt", 1],
        ["mt_plane2", "mt", 2],
        ["mt_plane3", "mt", 3],
      ],
    );
    const copies = s.nodes.filter((n) => n.op === "conv2d" && n.id.startsWith("conv2_plane"));
    assert.equal(copies.length, 4);
    const orig = g.nodes.find((n) => n.id === "conv2")! as { kernel: { data: Float64Array } };
    copies.forEach((c, i) => {
      assert.ok(c.op === "conv2d");
      assert.deepEqual(c.inputs, [`mt_plane${i}`]);
      assert.deepEqual(c.kernel.data, orig.kernel.data);
      assert.equal(c.bias !== undefined, i === 0, `bias on copy ${i}`);
    });
    const sum = s.nodes.find((n) => n.id === "conv2")!;
    assert.equal(sum.op, "add");
    assert.deepEqual(
      sum.inputs,
      copies.map((c) => c.id),
    );
    assert.ok(
      notes.some((l) => l.includes("plane 2 (Δ=-0.25) fires below θ and never resets")),
      notes.join("\n"),
    );
    assert.ok(
      notes.some((l) => l.includes("'conv2' (conv2d) → 4 parallel binary conv2d")),
      notes.join("\n"),
    );
    sameSpikes(g, s, analogInputs(50, 6, 7));
  });

  it("a split graph survives .snnc.json and still gives the same spikes", () => {
    const s = splitMultiThreshold(g).graph;
    const back = graphFromJson(graphToJson(s), "split.snnc.json");
    assert.ok(back.nodes.some((n) => n.op === "plane"));
    sameSpikes(g, back, analogInputs(50, 3, 11));
  });

  it("is idempotent: a second run finds nothing left to split", () => {
    const once = splitMultiThreshold(g).graph;
    const twice = splitMultiThreshold(once);
    assert.equal(twice.graph.nodes.length, once.nodes.length);
    assert.ok(twice.notes[0]!.includes("nothing to split"));
  });

  it("copies flatten / pooling per plane; a copied node that is a graph output stays too", () => {
    const h = graph(
      [
        b.input("x", [4, 4, 1]),
        conv("conv1", "x", 1, 2),
        mt("mt", "conv1", { planes: [0.5, -0.5] }),
        b.pool("pool", "avgpool", "mt"),
        b.flatten("flat", "pool"),
        b.dense(
          "dense",
          "flat",
          tensor([8, 2], [1, -1, 0.5, 0.25, -0.5, 1, 0.75, 0, 1, 1, -0.25, 0.5, 0.5, -1, 0.25, 0.75]),
          tensor([2], [0.1, -0.1]),
        ),
        lif("lif2", "dense"),
      ],
      ["lif2", "flat"],
    );
    const { graph: s } = splitMultiThreshold(h);
    for (const id of ["pool", "flat"])
      assert.equal(s.nodes.filter((n) => n.id.startsWith(`${id}_plane`)).length, 3, id);
    assert.ok(
      s.nodes.some((n) => n.id === "flat" && n.op === "flatten"),
      "graph output 'flat' kept",
    );
    assert.ok(
      s.nodes.some((n) => n.id === "pool" && n.op === "avgpool"),
      "its input 'pool' kept",
    );
    assert.deepEqual(s.outputs, ["lif2", "flat"]);
    for (const x of analogInputs(16, 4, 3)) {
      const a = simulate(h, x, { all: true });
      const b = simulate(s, x, { all: true });
      assert.deepEqual(b.traces.get("flat")!.out, a.traces.get("flat")!.out);
      assert.deepEqual(b.traces.get("lif2")!.out, a.traces.get("lif2")!.out);
    }
  });
});

describe("split-mt: max-pooling", () => {
  const pooled = (mtNode: NeuronNode, via: IRNode[] = []): Graph =>
    graph(
      [
        b.input("x", [4, 4, 2]),
        conv("conv1", "x", 2, 2),
        mtNode,
        ...via,
        b.pool("pool", "maxpool", via.length ? via[via.length - 1]!.id : "mt"),
        conv("conv2", "pool", 2, 2),
        lif("lif2", "conv2"),
      ],
      ["lif2"],
    );

  it("is exact when every channel orders its thresholds the same way (here channel 1 in reverse, as after a state negation)", () => {
    const m = mt("mt", "conv1", {
      planes: [0.5, -0.5],
      planeThresholds: [tensor([2], [1.5, -1.5]), tensor([2], [0.5, -0.5])],
      threshold: tensor([2], [1, -1]),
      gain: tensor([2], [1, -1]),
    });
    const g = pooled(m);
    const s = splitMultiThreshold(g).graph;
    assert.equal(s.nodes.filter((n) => n.op === "maxpool").length, 3);
    sameSpikes(g, s, analogInputs(32, 8, 5));
  });

  it("refuses when one channel orders its thresholds differently at two positions", () => {
    const thr = tensor(
      [4, 4, 2],
      Array.from({ length: 32 }, () => 1),
    );
    const plane = tensor(
      [4, 4, 2],
      Array.from({ length: 32 }, (_, i) => (i === 6 ? 0.5 : 1.5)),
    );
    const g = pooled(
      mt("mt", "conv1", { planes: [0.5], threshold: thr, resetAmount: scalar(1), planeThresholds: [plane] }),
    );
    refuses(() => splitMultiThreshold(g), {
      code: "E_UNSUPPORTED",
      layer: "mt",
      parts: [
        "max-pool 'pool'",
        "channel 0",
        "θ is below plane 1 at neuron 0 but above it at neuron 6",
        "graded spikes",
      ],
    });
  });

  it("refuses max-pooling after average pooling (no longer rank planes)", () => {
    const g = pooled(mt("mt", "conv1", { planes: [0.5] }), [b.pool("avg", "avgpool", "mt", [1, 1], [1, 1], "valid")]);
    refuses(() => splitMultiThreshold(g), {
      code: "E_UNSUPPORTED",
      layer: "mt",
      parts: ["max-pool 'pool' through 'avg'", "max(Σ planes) ≠ Σ max(planes)"],
    });
  });
});

describe("split-mt: refusals", () => {
  const base = [
    b.input("x", [3]),
    b.dense("d0", "x", tensor([3, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1])),
    mt("mt", "d0", { planes: [0.5, -0.5] }),
  ];
  for (const [what, tail, reader, op] of [
    ["a readout", [b.readout("r", "mt", "mean")], "r", "readout"],
    [
      "an add",
      [b.dense("d1", "x", tensor([3, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1])), b.add("sum", "mt", "d1")],
      "sum",
      "add",
    ],
    ["a neuron", [lif("n2", "mt")], "n2", "neuron"],
  ] as const) {
    it(`refuses an MT layer read by ${what}, naming the reader`, () => {
      const g = graph([...base, ...(tail as unknown as IRNode[])], [reader]);
      refuses(() => splitMultiThreshold(g), {
        code: "E_UNSUPPORTED",
        layer: "mt",
        parts: [`feeds '${reader}' (${op})`, "would need the graded s_sum", "conv2d/dense"],
      });
    });
  }

  it("refuses a reader behind a structural op, naming the path", () => {
    const g = graph([...base, b.flatten("flat", "mt"), b.readout("r", "flat", "sum")], ["r"]);
    refuses(() => splitMultiThreshold(g), {
      code: "E_UNSUPPORTED",
      layer: "mt",
      parts: ["feeds 'r' (readout) through 'flat'"],
    });
  });
});

describe("plane node validation", () => {
  const base: IRNode[] = [b.input("x", [2]), mt("mt", "x", { planes: [0.5, -0.5] })];
  it("refuses an index outside 0..n, naming the node and the parameter", () => {
    refuses(() => inferShapes(graph([...base, b.plane("p", "mt", 3)], ["p"])), {
      code: "E_SHAPE",
      layer: "p",
      param: "index",
      parts: [/plane index 3 is outside 0\.\.2 \(neuron 'mt' has 3 spike planes\)/],
    });
  });

  it("refuses a plane that does not read a neuron", () => {
    assert.throws(
      () => inferShapes(graph([...base, b.plane("p", "x", 0)], ["p"])),
      (e: unknown) =>
        e instanceof SnncError &&
        e.layer === "p" &&
        /plane reads 'x' \(input\); its input must be a neuron/.test(e.message),
    );
  });
});

describe("split-mt: target decision", () => {
  it("graded spikes keep one neuron emitting s_sum; binary-only targets split", () => {
    assert.equal(mtLowering({ gradedSpikes: true }), "graded");
    assert.equal(mtLowering({ gradedSpikes: false }), "split");
    assert.equal(mtLowering({}), "split");
    assert.equal(mtLowering(undefined), "split");
    assert.deepEqual(mtLoweringPasses({ gradedSpikes: true }), []);
    assert.deepEqual(mtLoweringPasses({ gradedSpikes: false }), [splitMt]);
  });

  it("is a pass of its own, not part of the float pipeline", () => {
    assert.equal(splitMt.name, "split-mt");
    assert.ok(!FLOAT_PIPELINE.includes(splitMt));
  });
});

describe("split-mt: MT planes under a per-step schedule", () => {
  it("BNTT → MT layer → conv: schedule, then split, equals the model as written", () => {
    const T = 4;
    const C = 2;
    const g = graph(
      [
        b.input("x", [4, 4, 1]),
        conv("conv1", "x", 1, C),
        b.bntt("bntt", "conv1", {
          timesteps: T,
          epsilon: 1e-5,
          gamma: tensor([T, C], [1.2, 0.8, 0.6, 1.5, 0.9, 1.1, 2.0, 0.7]),
          mean: tensor([T, C], [0.1, -0.2, 0.3, 0.0, 0.2, 0.1, -0.1, 0.4]),
          variance: tensor([T, C], [0.5, 1.2, 0.8, 0.9, 1.5, 0.4, 0.7, 1.1]),
        }),
        mt("mt", "bntt", { planes: [0.4, -0.3], decay: 0.8, fire: "ge", reset: "soft" }),
        conv("conv2", "mt", C, 2),
        lif("lif2", "conv2"),
      ],
      ["lif2"],
      T,
    );
    const r = runPasses(g, [scheduleTemporalNorm, splitMt], { target: "test" });
    assert.ok(r.graph.nodes.some((n) => n.op === "neuron" && n.id === "mt" && n.schedule));
    sameSpikes(g, r.graph, analogInputs(16, 8, 9));
  });
});

describe("split-mt: the mt-lif fixture", () => {
  it("float folds + split-mt: 0 differing spikes on the fixture input and random inputs", async () => {
    const g = await loadTfjsModel("fixtures/mt-lif/model.json");
    const r = runPasses(g, [...FLOAT_PIPELINE, splitMt], { target: "test" });
    assert.equal(r.graph.nodes.filter((n) => n.op === "plane").length, 3 + 4);
    const inputs = [...readInputs("fixtures/mt-lif/input.json", g), ...randomInputs(g, 8, 42)];
    let compared = 0;
    let spikes = 0;
    for (const x of inputs) {
      const c = compareTraces(simulate(g, x, { margin: true }), simulate(r.graph, x));
      assert.equal(c.spikesDiffering, 0, JSON.stringify(c.divergences.slice(0, 3)));
      assert.ok((c.readoutMaxAbsDiff ?? 0) < 1e-9);
      compared += c.spikesCompared;
      spikes += c.layers.reduce((a, l) => a + l.refSpikes, 0);
    }
    assert.ok(compared > 0 && spikes > 0);
  });
});
