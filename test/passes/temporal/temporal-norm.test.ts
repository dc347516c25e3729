import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadTfjsModel } from "../../../src/frontends/tfjs/load.ts";
import { randomInputs } from "../../../src/inputs/random-inputs.ts";
import { readInputs } from "../../../src/inputs/read-inputs.ts";
import type { BNTTNode, Graph, IRNode, NeuronNode } from "../../../src/ir/nodes.ts";
import { scalar, tensor } from "../../../src/ir/tensor.ts";
import {
  approximateTemporalNorms,
  approxTemporalNorm,
  temporalNormPasses,
} from "../../../src/passes/temporal/approx-temporal-norm.ts";
import { runPasses } from "../../../src/passes/pass.ts";
import { FLOAT_PIPELINE } from "../../../src/passes/float-pipeline.ts";
import { scheduleTemporalNorm, scheduleTemporalNorms } from "../../../src/passes/temporal/schedule-temporal-norm.ts";
import { simulate, type StepInput } from "../../../src/sim/reference.ts";
import { compareTraces } from "../../../src/verify/compare.ts";
import { formatSpikeAgreement, measureSpikeAgreement } from "../../../src/verify/approx-temporal-norm-agreement.ts";
import { assertSameSpikes } from "../../support/check.ts";
import { refuses } from "../../support/errors.ts";
import * as b from "../../support/ir-builder.ts";
import { spikeInputs } from "../../support/rng.ts";

const EPS = 2 ** -10;

/** LIF with τ = 0.5 unless given. */
const lif = (id: string, input: string, o: b.NeuronOpts = {}): NeuronNode => b.neuron(id, input, { decay: 0.5, ...o });

/** BNTT over C channels with a_t = γ_t (σ² + ε = 1) and the given means. */
function bntt(id: string, input: string, a: number[][], mean: number[][]): BNTTNode {
  const T = a.length;
  const C = a[0]!.length;
  return b.bntt(id, input, {
    timesteps: T,
    epsilon: EPS,
    gamma: tensor([T, C], a.flat()),
    mean: tensor([T, C], mean.flat()),
    variance: tensor([T, C], Array(T * C).fill(1 - EPS)),
  });
}

/** A dense layer with fixed weights in [−3/4, 5/4] and biases 0, 1/4, 1/2, …. */
function dense(id: string, input: string, fin: number, fout: number): IRNode {
  return b.dense(
    id,
    input,
    tensor(
      [fin, fout],
      Array.from({ length: fin * fout }, (_, i) => (((i * 7) % 9) - 3) / 4),
    ),
    tensor(
      [fout],
      Array.from({ length: fout }, (_, i) => 0.25 * i),
    ),
  );
}

const graph = (nodes: IRNode[], outputs: string[], T: number): Graph =>
  b.graph(nodes, { name: "t", outputs, T, encoding: "spikes" });

/** The rewritten graph fires every spike of the one as written, on every input (over T steps). */
const sameSpikes = (ref: Graph, got: Graph, inputs: StepInput[], T?: number) =>
  assertSameSpikes(ref, got, inputs, { what: "rewritten model", T });

// x[2] → dense → BNTT (a_t = 2, 1, 4; μ_t = 0.5, 0, −0.25 → b_t = −1, 0, 1) → LIF(τ 0.5, bias 0.25) → readout
const handGraph = (o: Partial<NeuronNode> = {}) =>
  graph(
    [
      b.input("x", [2]),
      b.dense("d", "x", tensor([2, 1], [1, 0.5])),
      bntt("bntt", "d", [[2], [1], [4]], [[0.5], [0], [-0.25]]),
      lif("n", "bntt", { bias: scalar(0.25), ...o }),
      b.readout("r", "n", "sum"),
    ],
    ["r"],
    3,
  );

describe("schedule-temporal-norm: the schedule by hand", () => {
  it("decay_t = τ·a_{t−1}/a_t, bias_t = (g·b_t + β)/a_t, thresholdScale_t = 1/a_t; the neuron's bias moves into the schedule", () => {
    const { graph: s, notes } = scheduleTemporalNorms(handGraph());
    assert.ok(!s.nodes.some((n) => n.op === "bntt"));
    const n = s.nodes.find((x) => x.id === "n") as NeuronNode;
    assert.deepEqual(n.inputs, ["d"]);
    const vals = (ts: { data: Float64Array }[]) => ts.map((t) => Array.from(t.data));
    assert.deepEqual(vals(n.schedule!.decay), [[0.5], [1], [0.125]]);
    assert.deepEqual(vals(n.schedule!.bias), [[-0.375], [0.25], [0.3125]]);
    assert.deepEqual(vals(n.schedule!.thresholdScale), [[0.5], [1], [0.25]]);
    assert.deepEqual(Array.from(n.bias.data), [0]);
    assert.equal(n.decay, 0.5, "the static decay is kept (unused while the schedule runs)");
    assert.match(notes[0]!, /BNTT 'bntt' → per-step schedule of neuron 'n' \(3 steps, a_t \[1, 4\]\)/);
    sameSpikes(handGraph(), s, spikeInputs(2, 3, 16, 1));
  });

  it("a negative gain (state negated by fold-mpbn) enters the bias: (g·b_t + β)/a_t", () => {
    const s = scheduleTemporalNorms(handGraph({ gain: scalar(-1) })).graph;
    const n = s.nodes.find((x) => x.id === "n") as NeuronNode;
    assert.deepEqual(
      n.schedule!.bias.map((t) => t.data[0]),
      [(1 + 0.25) / 2, 0.25, (-1 + 0.25) / 4],
    );
    sameSpikes(handGraph({ gain: scalar(-1) }), s, spikeInputs(2, 3, 16, 2));
  });

  it("MT planes, v_reset and the soft-reset amount are scaled with the threshold", () => {
    const o = {
      model: "MT-LIF" as const,
      planeThresholds: [scalar(1.5), scalar(0.5)],
      deltas: [0.5, -0.5],
      vReset: scalar(-0.25),
      fire: "ge" as const,
    };
    for (const reset of ["hard", "soft"] as const) {
      const g = handGraph({ ...o, reset });
      sameSpikes(g, scheduleTemporalNorms(g).graph, spikeInputs(2, 3, 32, 3));
    }
  });
});

describe("schedule-temporal-norm: steps", () => {
  const g6 = graph(
    [
      b.input("x", [3]),
      dense("d", "x", 3, 2),
      bntt(
        "bntt",
        "d",
        [
          [1, 2],
          [0.5, 1],
          [2, 0.25],
          [1, 1],
          [4, 2],
          [0.5, 0.5],
        ],
        Array.from({ length: 6 }, (_, t) => [0.1 * t, -0.1 * t]),
      ),
      lif("n", "bntt", { decay: 0.75, reset: "soft" }),
    ],
    ["n"],
    4,
  );

  it("the schedule holds every step the norm holds: fewer steps use the first entries, up to the norm's length runs the same", () => {
    const s = scheduleTemporalNorms(g6).graph;
    assert.equal((s.nodes.find((x) => x.id === "n") as NeuronNode).schedule!.decay.length, 6);
    for (const T of [1, 2, 4, 6]) sameSpikes(g6, s, spikeInputs(3, 6, 8, T), T);
  });

  it("running more steps than the norm holds is an error, before and after the rewrite", () => {
    const s = scheduleTemporalNorms(g6).graph;
    const x = spikeInputs(3, 7, 1, 1)[0]!;
    refuses(() => simulate(g6, x, { timesteps: 7 }), {
      code: "E_VALUE",
      layer: "bntt",
      parts: ["holds 6 steps, cannot run 7"],
    });
    refuses(() => simulate(s, x, { timesteps: 7 }), {
      code: "E_VALUE",
      layer: "n",
      parts: ["schedule holds 6 steps, cannot run 7"],
    });
  });
});

describe("schedule-temporal-norm: a_t ≤ 0", () => {
  it("names the layer, the step and the channel (BNTT γ_t < 0)", () => {
    const g = handGraph();
    const norm = g.nodes[2] as BNTTNode;
    const bad = { ...norm, gamma: tensor([3, 1], [2, -0.5, 4]) };
    const e = refuses(() => scheduleTemporalNorms({ ...g, nodes: g.nodes.map((n) => (n.id === "bntt" ? bad : n)) }), {
      code: "E_FOLD",
      layer: "bntt",
      parts: ["is -0.5 at step 2, channel 0", "needs a_t > 0", "flips the comparison"],
    });
    assert.equal(e.param, "gamma");
  });

  it("TEBN p_t = 0 at step 3, channel 1 (p per step and channel)", () => {
    const g = graph(
      [
        b.input("x", [3]),
        dense("d", "x", 3, 2),
        b.tebn("tebn", "d", {
          timesteps: 3,
          epsilon: 1e-5,
          gamma: tensor([2], [1, 1.5]),
          beta: tensor([2], [0, 0.1]),
          mean: tensor([2], [0, 0]),
          variance: tensor([2], [1, 1]),
          p: tensor([3, 2], [1, 1, 0.5, 1.2, 0.9, 0]),
        }),
        lif("n", "tebn"),
      ],
      ["n"],
      3,
    );
    const e = refuses(() => scheduleTemporalNorms(g), {
      code: "E_FOLD",
      layer: "tebn",
      parts: [
        "TEBN scale a_t = p_t·γ/sqrt(σ²+ε) is 0 at step 3, channel 1",
        "a_t = 0 makes that step's current a constant",
      ],
    });
    assert.equal(e.param, "p");
  });

  it("TAB γ̂_t < 0 only beyond the steps the model runs: the schedule stops before it, and the notes say so", () => {
    const g = graph(
      [
        b.input("x", [3]),
        dense("d", "x", 3, 1),
        b.tab("tab", "d", {
          timesteps: 4,
          epsilon: EPS,
          gammaHat: tensor([4, 1], [1, 2, -1, 1]),
          betaHat: tensor([4, 1], [0, 0.1, 0, 0]),
          meanAcc: tensor([4, 1], [0, 0.2, 0, 0]),
          varAcc: tensor([4, 1], [1, 1, 1, 1]),
        }),
        lif("n", "tab"),
      ],
      ["n"],
      2,
    );
    const { graph: s, notes } = scheduleTemporalNorms(g);
    assert.equal((s.nodes.find((x) => x.id === "n") as NeuronNode).schedule!.decay.length, 2);
    assert.ok(
      notes.some(
        (l) => l.includes("at step 3 (channel 0), beyond the 2 steps the model runs") && l.includes("stops at step 2"),
      ),
      notes.join("\n"),
    );
    sameSpikes(g, s, spikeInputs(3, 2, 8, 4));
    refuses(() => runPasses({ ...g, meta: { ...g.meta, timesteps: 3 } }, [scheduleTemporalNorm], { target: "t" }), {
      code: "E_FOLD",
      layer: "tab",
      parts: ["at step 3, channel 0"],
    });
  });
});

describe("schedule-temporal-norm: where the norm may go", () => {
  const spatial = (tail: IRNode[], outputs: string[]): Graph =>
    graph(
      [
        b.input("x", [4, 4, 1]),
        b.conv("c", "x", tensor([1, 1, 1, 2], [1, -0.5]), { padding: "valid" }),
        bntt(
          "bntt",
          "c",
          [
            [1, 2],
            [2, 1],
          ],
          [
            [0, 0.1],
            [0.2, 0],
          ],
        ),
        ...tail,
      ],
      outputs,
      2,
    );

  it("accepts flatten, average and max pooling between the norm and the neuron", () => {
    for (const chain of [
      [b.flatten("f", "bntt")],
      [b.pool("p", "avgpool", "bntt")],
      [b.pool("p", "maxpool", "bntt"), b.flatten("f", "p")],
    ] as IRNode[][]) {
      const g = spatial([...chain, lif("n", chain[chain.length - 1]!.id)], ["n"]);
      const { graph: s, notes } = scheduleTemporalNorms(g);
      assert.ok(notes[0]!.includes(`through ${chain.map((c) => `'${c.id}' (${c.op})`).join(", ")}`), notes[0]);
      sameSpikes(
        g,
        s,
        Array.from({ length: 6 }, (_, k) =>
          Float64Array.from({ length: 16 }, (_, i) => ((i * 7 + k * 3) % 10) / 5),
        ).map((x) => [x, x]),
      );
    }
  });

  it("refuses a norm that feeds a readout", () => {
    refuses(() => scheduleTemporalNorms(spatial([b.readout("r", "bntt", "sum")], ["r"])), {
      code: "E_UNSUPPORTED",
      layer: "bntt",
      parts: ["feeds 'r' (readout), not a neuron"],
    });
  });

  it("refuses a norm that feeds an add (through a flatten), naming the path", () => {
    const g = spatial([b.flatten("f", "bntt"), b.flatten("f2", "c"), b.add("a", "f", "f2"), lif("n", "a")], ["n"]);
    refuses(() => scheduleTemporalNorms(g), {
      code: "E_UNSUPPORTED",
      layer: "bntt",
      parts: ["feeds 'a' (add) (through 'f'), not a neuron"],
    });
  });

  it("refuses a norm read twice, or a graph output", () => {
    refuses(() => scheduleTemporalNorms(spatial([lif("n", "bntt"), lif("m", "bntt")], ["n", "m"])), {
      code: "E_UNSUPPORTED",
      layer: "bntt",
      parts: ["is read by 'n', 'm'", "exactly one neuron"],
    });
    refuses(() => scheduleTemporalNorms(spatial([lif("n", "bntt")], ["n", "bntt"])), {
      code: "E_UNSUPPORTED",
      layer: "bntt",
      parts: ["is a graph output"],
    });
  });

  it("refuses pooling after a reshape (its windows may mix channels)", () => {
    const g = spatial([b.reshape("rs", "bntt", [4, 2, 4]), b.pool("p", "maxpool", "rs"), lif("n", "p")], ["n"]);
    refuses(() => scheduleTemporalNorms(g), {
      code: "E_UNSUPPORTED",
      layer: "bntt",
      parts: ["reaches maxpool 'p' (through 'rs') after a flatten/reshape"],
    });
  });

  it("refuses a neuron that still has MPBN (fold-mpbn first) or already has a schedule", () => {
    const mpbn = {
      mode: "channel" as const,
      gamma: tensor([2], [1, 1]),
      beta: tensor([2], [0, 0]),
      mean: tensor([2], [0, 0]),
      variance: tensor([2], [1, 1]),
      epsilon: 1e-5,
    };
    const e = refuses(() => scheduleTemporalNorms(spatial([lif("n", "bntt", { mpbn })], ["n"])), {
      code: "E_FOLD",
      layer: "n",
      parts: ["still has MPBN", "run fold-mpbn before"],
    });
    assert.equal(e.param, "mpbn");
    const sched = {
      decay: [scalar(1), scalar(1)],
      bias: [scalar(0), scalar(0)],
      thresholdScale: [scalar(1), scalar(1)],
    };
    refuses(() => scheduleTemporalNorms(spatial([lif("n", "bntt", { schedule: sched })], ["n"])), {
      code: "E_UNSUPPORTED",
      layer: "n",
      parts: ["already carries a per-step schedule"],
    });
  });
});

describe("per-step norm fixtures (float pipeline, which ends with schedule-temporal-norm)", () => {
  for (const name of ["bntt", "tebn", "tab"]) {
    it(`${name}: 0 differing spikes on the fixture input and random inputs`, async () => {
      const g = await loadTfjsModel(`fixtures/${name}/model.json`);
      const r = runPasses(g, FLOAT_PIPELINE, { target: "float" });
      assert.ok(!r.graph.nodes.some((n) => n.op === "bntt" || n.op === "tebn" || n.op === "tab"));
      assert.equal(r.graph.nodes.filter((n) => n.op === "neuron" && n.schedule).length, 2);
      const inputs = [...readInputs(`fixtures/${name}/input.json`, g), ...randomInputs(g, 8, 42)];
      let spikes = 0;
      for (const x of inputs) {
        const c = compareTraces(simulate(g, x, { margin: true }), simulate(r.graph, x));
        assert.equal(c.spikesDiffering, 0, JSON.stringify(c.divergences.slice(0, 3)));
        assert.ok((c.readoutMaxAbsDiff ?? 0) < 1e-9);
        spikes += c.layers.reduce((a, l) => a + l.refSpikes, 0);
      }
      assert.ok(spikes > 0);
      if (name === "tab") {
        // TAB holds 6 steps while the model runs 4: 6 steps still agree, 7 are refused.
        sameSpikes(g, r.graph, inputs.slice(0, 3), 6);
        assert.throws(() => simulate(r.graph, inputs[0]!, { timesteps: 7 }), /schedule holds 6 steps, cannot run 7/);
      }
    });
  }
});

describe("float pipeline", () => {
  it("schedule-temporal-norm runs after every BN fold and fold-mpbn; approx-temporal-norm is for target lowerings only", () => {
    const at = (name: string) => FLOAT_PIPELINE.findIndex((p) => p.name === name);
    for (const fold of ["fold-bn", "fold-tdbn", "fold-mpbn", "absorb-gain"])
      assert.ok(at(fold) >= 0 && at(fold) < at("schedule-temporal-norm"), fold);
    assert.ok(at("bntt-early-exit") >= 0 && at("bntt-early-exit") < at("schedule-temporal-norm"));
    assert.equal(FLOAT_PIPELINE[at("schedule-temporal-norm")], scheduleTemporalNorm);
    assert.equal(approxTemporalNorm.name, "approx-temporal-norm");
    assert.equal(at("approx-temporal-norm"), -1);
  });
});

describe("approx-temporal-norm", () => {
  it("static parameters: thresholds, v_reset and soft-reset amount × mean_t(1/a_t); bias mean_t((g·b_t + β)/a_t); decay τ", () => {
    const g = handGraph({
      vReset: scalar(-0.5),
      reset: "soft",
      model: "MT-LIF",
      planeThresholds: [scalar(2)],
      deltas: [1],
    });
    const { graph: s, notes } = approximateTemporalNorms(g);
    const n = s.nodes.find((x) => x.id === "n") as NeuronNode;
    const sbar = (0.5 + 1 + 0.25) / 3;
    assert.equal(n.schedule, undefined);
    assert.equal(n.decay, 0.5);
    assert.deepEqual(Array.from(n.threshold.data), [sbar]);
    assert.deepEqual(Array.from(n.planeThresholds![0]!.data), [2 * sbar]);
    assert.deepEqual(Array.from(n.resetAmount.data), [sbar]);
    assert.deepEqual(Array.from(n.vReset.data), [-0.5 * sbar]);
    assert.deepEqual(Array.from(n.bias.data), [(-0.375 + 0.25 + 0.3125) / 3]);
    assert.ok(notes[0]!.includes("STATIC approximation") && notes[0]!.includes("NOT exact"), notes[0]);
  });

  it("is exact when a_t and b_t do not change over time (a check of the formulas)", () => {
    const g = graph(
      [
        b.input("x", [3]),
        dense("d", "x", 3, 2),
        bntt(
          "bntt",
          "d",
          [
            [0.5, 2],
            [0.5, 2],
            [0.5, 2],
          ],
          [
            [0.25, -0.5],
            [0.25, -0.5],
            [0.25, -0.5],
          ],
        ),
        lif("n", "bntt", { decay: 0.75, bias: tensor([2], [0.125, -0.25]) }),
      ],
      ["n"],
      3,
    );
    const s = approximateTemporalNorms(g).graph;
    sameSpikes(g, s, spikeInputs(3, 3, 16, 5));
    const a = measureSpikeAgreement(g, s, spikeInputs(3, 3, 4, 6));
    assert.equal(a.agreement, 1);
    assert.equal(a.spikesCompared, 4 * 2 * 3);
  });

  it("measures the agreement on the BNTT fixture (a real, < 100 % figure) and reports it", async () => {
    const g = await loadTfjsModel("fixtures/bntt/model.json");
    // What a driver for a target without schedules does: the float pipeline, then this pass.
    const r = runPasses(g, [...FLOAT_PIPELINE, approxTemporalNorm], { target: "t" });
    assert.ok(!r.graph.nodes.some((n) => n.op === "bntt" || (n.op === "neuron" && n.schedule)));
    const inputs = randomInputs(g, 6, 7);
    const a = measureSpikeAgreement(g, r.graph, inputs);
    const neurons = g.nodes.filter((n) => n.op === "neuron").length;
    assert.equal(a.layers.length, neurons);
    assert.equal(a.samples, 6);
    assert.equal(a.spikesCompared, 6 * 5 * (8 * 8 * 4 + 12));
    assert.ok(a.spikesDiffering > 0 && a.agreement > 0.5 && a.agreement < 1, `agreement ${a.agreement}`);
    assert.equal(a.agreement, 1 - a.spikesDiffering / a.spikesCompared);
    assert.ok(a.readoutArgmaxAgreement !== null && a.readoutArgmaxAgreement >= 0 && a.readoutArgmaxAgreement <= 1);
    const lines = formatSpikeAgreement(a);
    assert.match(
      lines[0]!,
      /^--temporal-norm approx: spike agreement with the exact model \d+\.\d\d% \(\d+ of 8040 layer×neuron×step outputs differ; 6 samples, 5 steps\)$/,
    );
    assert.equal(lines.length, 1 + neurons + 1);
  });

  it("gives the same static neurons from the norm nodes and from the exact schedules (after the float pipeline)", async () => {
    for (const name of ["bntt", "tebn", "tab"]) {
      const g = await loadTfjsModel(`fixtures/${name}/model.json`);
      const folds = FLOAT_PIPELINE.filter((p) => p.name !== "schedule-temporal-norm");
      const fromNorms = runPasses(g, [...folds, approxTemporalNorm], { target: "t" });
      const fromSchedules = runPasses(g, [...FLOAT_PIPELINE, approxTemporalNorm], { target: "t" });
      const notes = fromSchedules.log.at(-1)!.notes;
      assert.equal(notes.length, 2);
      assert.match(
        notes[0]!,
        /^neuron 'lif1': per-step schedule \(\d steps\) → STATIC approximation \(averaged over the \d steps run\)/,
      );
      for (const id of ["lif1", "lif2"]) {
        const a = fromNorms.graph.nodes.find((n) => n.id === id) as NeuronNode;
        const s = fromSchedules.graph.nodes.find((n) => n.id === id) as NeuronNode;
        assert.equal(s.schedule, undefined);
        for (const k of ["threshold", "bias", "resetAmount", "vReset", "gain"] as const) {
          assert.deepEqual(s[k].shape, a[k].shape, `${name}/${id}.${k}`);
          for (const [i, v] of a[k].data.entries())
            assert.ok(
              Math.abs(v - s[k].data[i]!) <= 1e-12 * Math.max(1, Math.abs(v)),
              `${name}/${id}.${k}[${i}]: ${v} vs ${s[k].data[i]}`,
            );
        }
        assert.equal(a.decay, s.decay);
      }
    }
  });

  it("refuses to collapse a schedule whose threshold scale is not positive", () => {
    const sched = {
      decay: [scalar(0.5), scalar(0.5)],
      bias: [scalar(0), scalar(0)],
      thresholdScale: [scalar(1), scalar(-2)],
    };
    const g = graph([b.input("x", [2]), dense("d", "x", 2, 1), lif("n", "d", { schedule: sched })], ["n"], 2);
    const e = refuses(() => approximateTemporalNorms(g), {
      code: "E_FOLD",
      layer: "n",
      parts: ["schedule threshold scale -2 ≤ 0 at step 2, neuron 0"],
    });
    assert.equal(e.param, "schedule");
  });

  it("refuses a_t ≤ 0 within the steps run", () => {
    const g = handGraph();
    const bad = { ...(g.nodes[2] as BNTTNode), gamma: tensor([3, 1], [2, 1, 0]) };
    refuses(() => approximateTemporalNorms({ ...g, nodes: g.nodes.map((n) => (n.id === "bntt" ? bad : n)) }), {
      code: "E_FOLD",
      layer: "bntt",
      parts: ["is 0 at step 3, channel 0"],
    });
  });
});

describe("temporalNormPasses: what a target runs for per-step norms", () => {
  it("schedules where the target holds them, the approximation on request, otherwise a refusal", () => {
    assert.deepEqual(temporalNormPasses("float", { neuronSchedules: true }, undefined), [scheduleTemporalNorm]);
    assert.deepEqual(temporalNormPasses("loihi", { neuronSchedules: false }, "approx"), [approxTemporalNorm]);
    const [refuse] = temporalNormPasses("loihi", {}, "exact");
    assert.equal(refuse!.name, "refuse-temporal-norm");
    const e = refuses(() => refuse!.run(handGraph(), { target: "loihi" }), {
      code: "E_TARGET",
      layer: "bntt",
      parts: [
        "target 'loihi' has static neuron parameters",
        "BNTT 'bntt' normalises each step differently",
        "--temporal-norm approx",
      ],
    });
    assert.equal(e.exitCode, 4);
    const plain = graph([b.input("x", [2]), dense("d", "x", 2, 1), lif("n", "d")], ["n"], 2);
    assert.equal(refuse!.run(plain, { target: "loihi" }).graph, plain);
  });
});
