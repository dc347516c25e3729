import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SnncError } from "../../../src/ir/errors.ts";
import type { Conv2DNode, DenseNode, Graph, MPBN, NeuronNode } from "../../../src/ir/nodes.ts";
import { scalar, type Tensor } from "../../../src/ir/tensor.ts";
import { absorbGain } from "../../../src/passes/fold/absorb-gain.ts";
import { foldMpbn } from "../../../src/passes/fold/fold-mpbn.ts";
import { simulate } from "../../../src/sim/reference.ts";
import * as b from "../../support/ir-builder.ts";
import { assertSameSpikes, compareGraphs, fixedInputs, runPure } from "../../support/check.ts";
import { admissible, type Tier } from "../../support/gen.ts";
import { mpbnModel } from "../../support/models.ts";
import { checkProperty } from "../../support/property.ts";

function property(tier: Tier) {
  return checkProperty(tier, (s, tally) => {
    const g = mpbnModel(s);
    const inputs = s.inputs(g, 2);
    const folded = runPure(foldMpbn, g).graph;
    assert.ok(!folded.nodes.some((n) => n.op === "neuron" && n.mpbn), "mpbn survived");
    const r = compareGraphs(g, folded, inputs);
    admissible(r, tier, tally);
    assert.equal(r.spikesDiffering, 0, `fold-mpbn: spikes differ: ${JSON.stringify(r.divergences)}`);
    // The state negation must also survive being moved into the weights.
    const r2 = compareGraphs(g, runPure(absorbGain, folded).graph, inputs);
    assert.equal(r2.spikesDiffering, 0, `fold-mpbn + absorb-gain: spikes differ: ${JSON.stringify(r2.divergences)}`);
  });
}

/** MPBN parameters with k = γ / sqrt(σ² + ε) exactly (σ² + ε = 1). */
function mp(mode: MPBN["mode"], gamma: Tensor, beta: Tensor, mean: Tensor): MPBN {
  return { mode, gamma, beta, mean, variance: b.t(gamma.shape, 1 - 1 / 256), epsilon: 1 / 256 };
}

/** One dense feature x·1 into a neuron; the input is constant 1, so h climbs by 1 per step (IF). */
function single(o: b.NeuronOpts): Graph {
  return b.model([b.input("x", [1]), b.dense("d", "x", b.t([1, 1], [1])), b.neuron("n", "d", o)], { T: 4 });
}

const spikes = (g: Graph) =>
  simulate(g, Float64Array.of(1))
    .traces.get("n")!
    .out.map((o) => o[0]);

describe("fold-mpbn", () => {
  it("property (exact tier): spikes equal bit for bit, ties included (channel/element, k of every sign, MT, gt/ge, hard/soft)", () => {
    const tally = property("exact");
    assert.ok(tally.spikes > 0 && tally.exactTies > 0, JSON.stringify(tally));
  });

  it("property (float tier): spikes equal wherever the margin exceeds 1e-9", () => {
    const tally = property("float");
    assert.ok(tally.nearTieSkips < tally.cases / 10, JSON.stringify(tally));
  });

  it("channel, k > 0: threshold θ̃ = (θ − β)/k + μ per channel", () => {
    const g = b.model([
      b.input("x", [2, 2, 1]),
      b.conv("c", "x", b.t([1, 1, 1, 2], [1, 0.5])),
      b.neuron("n", "c", { theta: 1, mpbn: mp("channel", b.t([2], [2, 0.5]), b.t([2], [0.5, 0]), b.t([2], [1, -1])) }),
    ]);
    const r = runPure(foldMpbn, g);
    const n = b.node<NeuronNode>(r.graph, "n");
    assert.equal(n.mpbn, undefined);
    assert.deepEqual(n.threshold.shape, [2]);
    assert.deepEqual([...n.threshold.data], [(1 - 0.5) / 2 + 1, (1 - 0) / 0.5 - 1]);
    assert.deepEqual([...n.gain.data], [1], "no negation for k > 0");
    assert.deepEqual([...n.resetAmount.data], [1], "soft-reset amount stays the configured θ");
    assertSameSpikes(g, r.graph, fixedInputs(g, 6));
  });

  it("k < 0 negates the neuron's state: gain, bias, thresholds, v_reset and soft-reset amount; ⋈ kept", () => {
    const g = b.model([
      b.input("x", [2, 2, 1]),
      b.conv("c", "x", b.t([1, 1, 1, 2], [1, -1]), { bias: b.t([2], [0.25, 0.5]) }),
      b.neuron("n", "c", {
        theta: 0.5,
        bias: scalar(0.125),
        vReset: scalar(0.25),
        mpbn: mp("channel", b.t([2], [1, -2]), b.t([2], [0, 1]), b.t([2], [0, 0.5])),
      }),
    ]);
    const r = runPure(foldMpbn, g);
    const n = b.node<NeuronNode>(r.graph, "n");
    assert.equal(n.fire, "gt");
    assert.deepEqual([...n.gain.data], [1, -1]);
    assert.deepEqual([...n.bias.data], [0.125, -0.125]);
    assert.deepEqual([...n.vReset.data], [0.25, -0.25]);
    assert.deepEqual([...n.resetAmount.data], [0.5, -0.5]);
    // channel 1: θ̃ = (0.5 − 1)/(−2) + 0.5 = 0.75, negated
    assert.deepEqual([...n.threshold.data], [0.5, -0.75]);
    assert.match(r.notes.join("\n"), /k < 0 at 1 channel \(1\): state negated/);
    assertSameSpikes(g, r.graph, fixedInputs(g, 8));
    // absorb-gain then negates that output channel's kernel and bias (SEMANTICS §2).
    const r2 = runPure(absorbGain, r.graph);
    const c = b.node<Conv2DNode>(r2.graph, "c");
    assert.deepEqual([...c.kernel.data], [1, 1]);
    assert.deepEqual([...c.bias!.data], [0.25 + 0.125, -0.5 - 0.125]);
    assert.deepEqual([...b.node<NeuronNode>(r2.graph, "n").gain.data], [1]);
    assertSameSpikes(g, r2.graph, fixedInputs(g, 8));
  });

  for (const fire of ["gt", "ge"] as const) {
    it(`k < 0 keeps the strictness of '${fire}' at an exact tie`, () => {
      // m = −(h − 0) + 2 ⋈ 1 ⇔ h ≤ 1 (ge) / h < 1 (gt); h = 1 at step 1 is the tie.
      const g = single({ theta: 1, fire, mpbn: mp("channel", b.t([1], [-1]), b.t([1], [2]), b.t([1], [0])) });
      const folded = runPure(foldMpbn, g).graph;
      assert.deepEqual(spikes(g), fire === "ge" ? [1, 1, 1, 1] : [0, 0, 0, 0]);
      assert.deepEqual(spikes(folded), spikes(g));
    });
  }

  for (const [fire, beta, fires] of [
    ["gt", 2, true],
    ["gt", 1, false],
    ["ge", 1, true],
    ["ge", 0.5, false],
  ] as const) {
    it(`k = 0 (${fire}, β = ${beta}, θ = 1): ${fires ? "fires at every step (threshold −Infinity)" : "never fires (threshold +Infinity)"}, no division by zero`, () => {
      const g = single({ theta: 1, fire, mpbn: mp("channel", b.t([1], [0]), b.t([1], [beta]), b.t([1], [0])) });
      const r = runPure(foldMpbn, g);
      const n = b.node<NeuronNode>(r.graph, "n");
      assert.equal(n.threshold.data[0], fires ? -Infinity : Infinity);
      assert.match(
        r.notes.join("\n"),
        fires ? /fires at every step \(threshold −Infinity\)/ : /never fires \(threshold \+Infinity\)/,
      );
      assert.deepEqual(spikes(r.graph), fires ? [1, 1, 1, 1] : [0, 0, 0, 0]);
      assert.deepEqual(spikes(r.graph), spikes(g));
    });
  }

  it("element-wise MPBN with mixed signs inside one conv channel: per-neuron thresholds and a per-neuron ±1 gain, kernel shared", () => {
    const gamma = b.t([2, 2, 1], [1, -1, 0, 2]);
    const g = b.model([
      b.input("x", [2, 2, 1]),
      b.conv("c", "x", b.t([2, 2, 1, 1], [0.5, 1, -0.5, 1])),
      b.neuron("n", "c", {
        theta: 0.5,
        reset: "soft",
        mpbn: mp("element", gamma, b.t([2, 2, 1], [0, 0.25, 0, 0.5]), b.t([2, 2, 1], [0.25, 0, 0, -0.25])),
      }),
      b.pool("mp", "maxpool", "n", [2, 2], [1, 1], "same"),
      b.conv("c2", "mp", b.t([1, 1, 1, 1], [1])),
      b.neuron("n2", "c2", { theta: 0.5 }),
    ]);
    const r = runPure(foldMpbn, g);
    const n = b.node<NeuronNode>(r.graph, "n");
    assert.deepEqual(n.threshold.shape, [2, 2, 1]);
    assert.deepEqual([...n.gain.data], [1, -1, 1, 1]);
    assert.deepEqual([...n.resetAmount.data], [0.5, -0.5, 0.5, 0.5]);
    assert.equal(n.threshold.data[2], Infinity, "k = 0 element with β ≤ θ never fires");
    const r2 = runPure(absorbGain, r.graph);
    assert.deepEqual(
      [...b.node<Conv2DNode>(r2.graph, "c").kernel.data],
      [0.5, 1, -0.5, 1],
      "the shared kernel is untouched",
    );
    assert.match(r2.notes.join("\n"), /neuron 'n': keeps its input gain\/bias \(its gain differs within a channel/);
    assertSameSpikes(g, r2.graph, fixedInputs(g, 16));
  });

  it("element-wise MPBN after a Dense: one threshold per feature", () => {
    const g = b.model([
      b.input("x", [3]),
      b.dense("d", "x", b.t([3, 3], [1, 0.5, -1, 0.25, 1, 0.5, -0.5, 0.25, 1])),
      b.neuron("n", "d", {
        theta: 0.75,
        fire: "ge",
        mpbn: mp("element", b.t([3], [2, -0.5, 1]), b.t([3], [0.5, 0, -0.25]), b.t([3], [0, 0.5, 0.25])),
      }),
    ]);
    const r = runPure(foldMpbn, g);
    assert.deepEqual(b.node<NeuronNode>(r.graph, "n").threshold.shape, [3]);
    const r2 = runPure(absorbGain, r.graph);
    assert.deepEqual(
      [...b.node<DenseNode>(r2.graph, "d").kernel.data],
      [1, -0.5, -1, 0.25, -1, 0.5, -0.5, -0.25, 1],
      "feature 1 negated",
    );
    assertSameSpikes(g, r2.graph, fixedInputs(g, 16));
  });

  it("MT-LIF: one folded threshold per plane, negated with the state where k < 0", () => {
    const g = b.model([
      b.input("x", [2, 2, 1]),
      b.conv("c", "x", b.t([1, 1, 1, 2], [1, 1.5])),
      b.neuron("n", "c", {
        model: "MT-LIF",
        theta: 0.5,
        deltas: [0.5, -0.25],
        planeThresholds: [scalar(1), scalar(0.25)],
        mpbn: mp("channel", b.t([2], [2, -1]), b.t([2], [0, 0.25]), b.t([2], [0.5, 0])),
      }),
    ]);
    const r = runPure(foldMpbn, g);
    const n = b.node<NeuronNode>(r.graph, "n");
    assert.equal(n.planeThresholds!.length, 2);
    assert.deepEqual([...n.planeThresholds![0]!.data], [(1 - 0) / 2 + 0.5, -((1 - 0.25) / -1 + 0)]);
    assert.deepEqual([...n.planeThresholds![1]!.data], [(0.25 - 0) / 2 + 0.5, -((0.25 - 0.25) / -1 + 0)]);
    assert.match(r.notes.join("\n"), /3 per neuron: one per MT plane/);
    assertSameSpikes(g, r.graph, fixedInputs(g, 12));
  });

  it("v_reset ≠ 0 and soft reset are preserved through a negation", () => {
    for (const reset of ["hard", "soft"] as const) {
      const g = b.model([
        b.input("x", [2]),
        b.dense("d", "x", b.t([2, 2], [1, -0.5, 0.75, 1])),
        b.neuron("n", "d", {
          theta: 0.5,
          decay: 0.75,
          reset,
          vReset: scalar(reset === "hard" ? -0.25 : 0),
          mpbn: mp("channel", b.t([2], [-1, -2]), b.t([2], [0.25, -0.5]), b.t([2], [0.5, 0.25])),
        }),
      ]);
      assertSameSpikes(g, runPure(absorbGain, runPure(foldMpbn, g).graph).graph, fixedInputs(g, 12), {
        what: `${reset} reset`,
      });
    }
  });

  describe("refusals", () => {
    const bad = (m: Partial<MPBN>, extra: Partial<NeuronNode> = {}): Graph => ({
      name: "bad",
      meta: { timesteps: 2, encoding: "direct" },
      nodes: [
        b.input("x", [2]),
        b.dense("d", "x", b.t([2, 2], 1)),
        b.neuron("n", "d", { mpbn: { ...mp("channel", b.t([2], 1), b.t([2], 0), b.t([2], 0)), ...m }, ...extra }),
      ],
      outputs: ["n"],
    });

    it("refuses NaN in mpbn_beta, naming layer and parameter", () => {
      assert.throws(
        () => foldMpbn.run(bad({ beta: b.t([2], [0, NaN]) }), { target: "float" }),
        (e: unknown) => e instanceof SnncError && e.code === "E_VALUE" && e.layer === "n" && e.param === "mpbn_beta",
      );
    });

    it("refuses σ² + ε <= 0, naming mpbn_moving_variance", () => {
      assert.throws(
        () => foldMpbn.run(bad({ variance: b.t([2], [1, -1]), epsilon: 1e-5 }), { target: "float" }),
        (e: unknown) =>
          e instanceof SnncError && e.code === "E_VALUE" && e.layer === "n" && e.param === "mpbn_moving_variance",
      );
    });

    it("refuses a k that overflows float64", () => {
      assert.throws(
        () =>
          foldMpbn.run(bad({ gamma: b.t([2], [1e300, 1]), variance: b.t([2], [0, 1]), epsilon: 1e-320 }), {
            target: "float",
          }),
        (e: unknown) =>
          e instanceof SnncError &&
          e.code === "E_VALUE" &&
          e.param === "mpbn_gamma" &&
          e.message ===
            "layer 'n': parameter 'mpbn_gamma': k = γ/sqrt(σ²+ε) is Infinity at channel 0 (out of float64 range): cannot fold",
      );
    });

    it("refuses a neuron that already carries a per-step schedule", () => {
      const sched = {
        decay: [scalar(1), scalar(1)],
        bias: [scalar(0), scalar(0)],
        thresholdScale: [scalar(1), scalar(1)],
      };
      assert.throws(
        () => foldMpbn.run(bad({}, { schedule: sched }), { target: "float" }),
        (e: unknown) =>
          e instanceof SnncError &&
          e.code === "E_FOLD" &&
          e.layer === "n" &&
          e.param === "mpbn" &&
          /fold-mpbn must run before schedule-temporal-norm/.test(e.message),
      );
    });
  });
});
