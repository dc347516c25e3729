import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AffineNode, Conv2DNode, DenseNode, Graph, NeuronNode } from "../../../src/ir/nodes.ts";
import { SnncError } from "../../../src/ir/errors.ts";
import { absorbAffine } from "../../../src/passes/fold/absorb-affine.ts";
import { foldBn } from "../../../src/passes/fold/fold-bn.ts";
import * as b from "../../support/ir-builder.ts";
import { assertSameSpikes, compareGraphs, fixedInputs, runPure } from "../../support/check.ts";
import type { Src, Tier } from "../../support/gen.ts";
import { bnModel } from "../../support/models.ts";
import { checkRewrite } from "../../support/property.ts";

const makeBn = (s: Src, id: string, inp: string, C: number) => b.bn(id, inp, s.norm(C));

function foldProperty(tier: Tier) {
  const tally = checkRewrite(
    tier,
    (s) => bnModel(s, makeBn),
    (g) => {
      const folded = absorbAffine.run(runPure(foldBn, g).graph, { target: "float" }).graph;
      assert.ok(!folded.nodes.some((n) => n.op === "bn"), "a bn node survived fold-bn");
      return folded;
    },
    { exactReadouts: true, floatReadoutTol: 1e-9 },
  );
  assert.ok(tally.spikes > 0, "the generated models never fired");
  return tally;
}

const conv1 = (bias = true): Conv2DNode =>
  b.conv("conv", "x", b.t([1, 1, 1, 2], [2, -3]), { bias: bias ? b.t([2], [1, 0.5]) : undefined });

describe("fold-bn", () => {
  it("property (exact tier): folded spikes and readouts equal the reference bit for bit, ties included", () => {
    const tally = foldProperty("exact");
    assert.ok(tally.exactTies > 0, "the exact tier should produce exact ties h = θ");
  });

  it("property (float tier): folded spikes equal the reference wherever the margin exceeds 1e-9", () => {
    const tally = foldProperty("float");
    assert.ok(
      tally.nearTieSkips < tally.cases / 10,
      `too many near-ties discarded: ${tally.nearTieSkips}/${tally.cases}`,
    );
  });

  it("folds into a conv: W' = k·W and b' = k(b − μ) + β per output channel", () => {
    const g = b.model([
      b.input("x", [2, 2, 1]),
      conv1(),
      b.bn("bn", "conv", {
        gamma: b.t([2], [3, -1]),
        beta: b.t([2], [0.5, 0.25]),
        mean: b.t([2], [1, -2]),
        variance: b.t([2], [4 - 0.5, 0.25 - 0.5]),
        epsilon: 0.5,
      }),
      b.neuron("n", "bn"),
    ]);
    const r = runPure(foldBn, g);
    assert.deepEqual(b.ops(r.graph), ["input", "conv2d", "neuron"]);
    const c = b.node<Conv2DNode>(r.graph, "conv");
    // k = γ/sqrt(σ²+ε) = [3/2, -1/0.5] = [1.5, -2]
    assert.deepEqual([...c.kernel.data], [2 * 1.5, -3 * -2]);
    assert.deepEqual([...c.bias!.data], [1.5 * (1 - 1) + 0.5, -2 * (0.5 + 2) + 0.25]);
    assert.deepEqual(b.node<NeuronNode>(r.graph, "n").inputs, ["conv"]);
    assert.match(r.notes.join("\n"), /BN 'bn' folded into 'conv'.*1 with k < 0/);
    assertSameSpikes(g, r.graph, fixedInputs(g, 4));
  });

  it("folds into a dense without bias, keeping μ (b' = −kμ + β)", () => {
    const g = b.model([
      b.input("x", [3]),
      b.dense("d", "x", b.t([3, 2], [1, 2, 3, 4, 5, 6])),
      b.bn("bn", "d", {
        gamma: b.t([2], [1, 1]),
        beta: b.t([2], [0, 0]),
        mean: b.t([2], [2, -4]),
        variance: b.t([2], [1, 1]),
        epsilon: 3,
      }),
      b.neuron("n", "bn"),
    ]);
    const d = b.node<DenseNode>(runPure(foldBn, g).graph, "d");
    assert.deepEqual([...d.kernel.data], [0.5, 1, 1.5, 2, 2.5, 3]);
    assert.deepEqual([...d.bias!.data], [-1, 2], "μ must not be dropped");
  });

  it("includes ε in k (MPBN Eq. 9-10 leave it out; the model's ε is used)", () => {
    const g = b.model([
      b.input("x", [1]),
      b.dense("d", "x", b.t([1, 1], [1])),
      b.bn("bn", "d", {
        gamma: b.t([1], [1]),
        beta: b.t([1], [0]),
        mean: b.t([1], [0]),
        variance: b.t([1], [0]),
        epsilon: 0.25,
      }),
      b.neuron("n", "bn"),
    ]);
    assert.equal(b.node<DenseNode>(runPure(foldBn, g).graph, "d").kernel.data[0], 2);
  });

  it("γ = 0: zero weights, bias β (a constant current); spikes unchanged", () => {
    const g = b.model([
      b.input("x", [2, 2, 1]),
      conv1(),
      b.bn("bn", "conv", {
        gamma: b.t([2], [0, 1]),
        beta: b.t([2], [1.5, 0]),
        mean: b.t([2], [7, 0]),
        variance: b.t([2], [1, 1]),
        epsilon: 0,
      }),
      b.neuron("n", "bn"),
    ]);
    const r = runPure(foldBn, g);
    const c = b.node<Conv2DNode>(r.graph, "conv");
    assert.equal(c.kernel.data[0], 0);
    assert.equal(c.bias!.data[0], 1.5);
    assert.match(r.notes.join("\n"), /1 with k = 0/);
    assertSameSpikes(g, r.graph, fixedInputs(g, 4));
  });

  it("a conv read by the BN and by another layer: the BN becomes a folded copy under its own id", () => {
    const g = b.model(
      [
        b.input("x", [2, 2, 1]),
        conv1(),
        b.bn("bn", "conv", {
          gamma: b.t([2], [2, 2]),
          beta: b.t([2], [0, 0]),
          mean: b.t([2], [0, 0]),
          variance: b.t([2], [1, 1]),
          epsilon: 0,
        }),
        b.neuron("n", "bn"),
        b.readout("out", "conv"),
      ],
      { outputs: ["n", "out"] },
    );
    const r = runPure(foldBn, g);
    assert.deepEqual(b.ops(r.graph), ["input", "conv2d", "conv2d", "neuron", "readout"]);
    assert.deepEqual([...b.node<Conv2DNode>(r.graph, "conv").kernel.data], [2, -3], "the shared conv is unchanged");
    assert.deepEqual([...b.node<Conv2DNode>(r.graph, "bn").kernel.data], [4, -6]);
    assert.deepEqual(b.node<NeuronNode>(r.graph, "n").inputs, ["bn"]);
    assert.match(r.notes.join("\n"), /copy of 'conv' \(which is also read by 'out'\)/);
    assertSameSpikes(g, r.graph, fixedInputs(g, 4));
  });

  it("BN after an add becomes an exact affine that absorb-affine moves into the neuron's gain and bias", () => {
    const g = b.model([
      b.input("x", [2, 2, 1]),
      b.conv("c1", "x", b.t([1, 1, 1, 1], [1])),
      b.conv("c2", "x", b.t([1, 1, 1, 1], [2])),
      b.add("sum", "c1", "c2"),
      b.bn("bn", "sum", {
        gamma: b.t([1], [-2]),
        beta: b.t([1], [3]),
        mean: b.t([1], [1]),
        variance: b.t([1], [1]),
        epsilon: 0,
      }),
      b.neuron("n", "bn"),
    ]);
    const r = runPure(foldBn, g);
    const a = b.node<AffineNode>(r.graph, "bn");
    assert.equal(a.op, "affine");
    assert.deepEqual([...a.scale.data], [-2]);
    assert.deepEqual([...a.shift.data], [3 + 2 * 1]);
    const r2 = runPure(absorbAffine, r.graph);
    assert.ok(!b.hasNode(r2.graph, "bn"));
    const n = b.node<NeuronNode>(r2.graph, "n");
    assert.deepEqual([...n.gain.data], [-2]);
    assert.deepEqual([...n.bias.data], [5]);
    assertSameSpikes(g, r2.graph, fixedInputs(g, 6));
  });

  it("BN after max-pooling of a current is exact through the neuron, also with k < 0", () => {
    const g = b.model([
      b.input("x", [4, 4, 1]),
      b.conv("c", "x", b.t([2, 2, 1, 1], [1, -1, 0.5, 2])),
      b.pool("mp", "maxpool", "c"),
      b.bn("bn", "mp", {
        gamma: b.t([1], [-1]),
        beta: b.t([1], [1]),
        mean: b.t([1], [0.5]),
        variance: b.t([1], [1]),
        epsilon: 0,
      }),
      b.neuron("n", "bn", { theta: 0.5 }),
    ]);
    const folded = runPure(absorbAffine, runPure(foldBn, g).graph).graph;
    assert.deepEqual(b.ops(folded), ["input", "conv2d", "maxpool", "neuron"]);
    assertSameSpikes(g, folded, fixedInputs(g, 8));
  });

  it("two BNs in a row fold into the same conv", () => {
    const p = {
      gamma: b.t([2], [2, 1]),
      beta: b.t([2], [1, 0]),
      mean: b.t([2], [0, 1]),
      variance: b.t([2], [1, 1]),
      epsilon: 0,
    };
    const g = b.model([
      b.input("x", [2, 2, 1]),
      conv1(),
      b.bn("bn1", "conv", p),
      b.bn("bn2", "bn1", p),
      b.neuron("n", "bn2"),
    ]);
    const r = runPure(foldBn, g);
    assert.deepEqual(b.ops(r.graph), ["input", "conv2d", "neuron"]);
    assert.deepEqual([...b.node<Conv2DNode>(r.graph, "conv").kernel.data], [8, -3]);
    assertSameSpikes(g, r.graph, fixedInputs(g, 4));
  });

  it("BN before a readout folds into the dense that feeds it", () => {
    const g = b.model([
      b.input("x", [2]),
      b.dense("d", "x", b.t([2, 1], [1, -1]), b.t([1], [0.5])),
      b.bn("bn", "d", {
        gamma: b.t([1], [3]),
        beta: b.t([1], [1]),
        mean: b.t([1], [0.25]),
        variance: b.t([1], [1]),
        epsilon: 0,
      }),
      b.readout("out", "bn"),
    ]);
    const r = runPure(foldBn, g);
    assert.deepEqual(b.ops(r.graph), ["input", "dense", "readout"]);
    assert.deepEqual(r.graph.outputs, ["out"]);
    assert.equal(compareGraphs(g, r.graph, fixedInputs(g, 3)).readoutMaxAbsDiff, 0);
  });

  it("a BN that is itself a graph output hands its output slot to the folded conv", () => {
    const g = b.model(
      [
        b.input("x", [2]),
        b.dense("d", "x", b.t([2, 1], [1, 1])),
        b.bn("bn", "d", {
          gamma: b.t([1], [2]),
          beta: b.t([1], [0]),
          mean: b.t([1], [0]),
          variance: b.t([1], [1]),
          epsilon: 0,
        }),
      ],
      { outputs: ["bn"] },
    );
    assert.deepEqual(runPure(foldBn, g).graph.outputs, ["d"]);
  });

  describe("refusals", () => {
    const stats = {
      gamma: b.t([2], [1, 1]),
      beta: b.t([2], [0, 0]),
      mean: b.t([2], [0, 0]),
      variance: b.t([2], [1, 1]),
    };

    it("refuses a BN after a neuron (it normalises spikes, not a current)", () => {
      const g = b.model([
        b.input("x", [2, 2, 1]),
        conv1(),
        b.neuron("n1", "conv"),
        b.bn("bn", "n1", stats),
        b.conv("c2", "bn", b.t([1, 1, 2, 1], [1, 1])),
        b.neuron("n2", "c2"),
      ]);
      assert.throws(
        () => foldBn.run(g, { target: "float" }),
        (e: unknown) =>
          e instanceof SnncError &&
          e.code === "E_FOLD" &&
          e.layer === "bn" &&
          e.message ===
            "layer 'bn': BN 'bn' normalises the spikes of 'n1', not the current of a conv/dense layer: it cannot be folded exactly (a BN folds only into the conv/dense whose output it normalises, and shifting spikes does not commute with the next layer's zero padding); place it between the conv/dense and the neuron, or use PSPNorm (scale only)",
      );
    });

    it("refuses a BN after max-pooling of spikes, naming the spiking layer", () => {
      const g = b.model([
        b.input("x", [4, 4, 1]),
        conv1(),
        b.neuron("n1", "conv"),
        b.pool("mp", "maxpool", "n1"),
        b.bn("bn", "mp", stats),
        b.flatten("f", "bn"),
        b.dense("d", "f", b.t([8, 1], 1)),
        b.neuron("n2", "d"),
      ]);
      assert.throws(
        () => foldBn.run(g, { target: "float" }),
        (e: unknown) =>
          e instanceof SnncError && e.code === "E_FOLD" && /BN 'bn' normalises the spikes of 'n1'/.test(e.message),
      );
    });

    it("refuses a BN on the network input", () => {
      const g = b.model([
        b.input("x", [2, 2, 2]),
        b.bn("bn", "x", stats),
        b.conv("c", "bn", b.t([1, 1, 2, 1], [1, 1])),
        b.neuron("n", "c"),
      ]);
      assert.throws(
        () => foldBn.run(g, { target: "float" }),
        (e: unknown) =>
          e instanceof SnncError && e.code === "E_FOLD" && /normalises the network input 'x'/.test(e.message),
      );
    });

    const bad = (p: Partial<typeof stats> & { epsilon?: number }): Graph =>
      ({
        name: "bad",
        meta: { timesteps: 2, encoding: "direct" },
        nodes: [
          b.input("x", [2, 2, 1]),
          conv1(),
          b.bn("bn", "conv", { ...stats, epsilon: 1e-3, ...p }),
          b.neuron("n", "bn"),
        ],
        outputs: ["n"],
      }) satisfies Graph;

    it("refuses NaN in gamma, naming layer and parameter", () => {
      assert.throws(
        () => foldBn.run(bad({ gamma: b.t([2], [1, NaN]) }), { target: "float" }),
        (e: unknown) =>
          e instanceof SnncError &&
          e.code === "E_VALUE" &&
          e.layer === "bn" &&
          e.param === "gamma" &&
          /NaN at index 1/.test(e.message),
      );
    });

    it("refuses Infinity in moving_mean, naming layer and parameter", () => {
      assert.throws(
        () => foldBn.run(bad({ mean: b.t([2], [Infinity, 0]) }), { target: "float" }),
        (e: unknown) => e instanceof SnncError && e.code === "E_VALUE" && e.layer === "bn" && e.param === "moving_mean",
      );
    });

    it("refuses σ² + ε <= 0, naming moving_variance", () => {
      assert.throws(
        () => foldBn.run(bad({ variance: b.t([2], [1, -1e-3]) }), { target: "float" }),
        (e: unknown) =>
          e instanceof SnncError &&
          e.code === "E_VALUE" &&
          e.param === "moving_variance" &&
          e.message === "layer 'bn': parameter 'moving_variance': variance -0.001 at index 1 gives σ²+ε = 0 <= 0",
      );
    });

    it("refuses a k that overflows float64 instead of writing Infinity into the weights", () => {
      assert.throws(
        () =>
          foldBn.run(bad({ gamma: b.t([2], [1e300, 1]), variance: b.t([2], [0, 1]), epsilon: 1e-320 }), {
            target: "float",
          }),
        (e: unknown) =>
          e instanceof SnncError &&
          e.code === "E_VALUE" &&
          e.layer === "bn" &&
          e.param === "gamma" &&
          /k = γ\/sqrt\(σ²\+ε\) is Infinity on channel 0/.test(e.message),
      );
    });

    it("refuses a fold whose weights overflow float64", () => {
      const g = bad({ gamma: b.t([2], [1e300, 1]), variance: b.t([2], [0, 1]), epsilon: 1e-4 });
      (g.nodes[1] as Conv2DNode).kernel = b.t([1, 1, 1, 2], [1e200, 1]);
      assert.throws(
        () => foldBn.run(g, { target: "float" }),
        (e: unknown) =>
          e instanceof SnncError && e.code === "E_VALUE" && e.layer === "bn" && /non-finite weight/.test(e.message),
      );
    });
  });
});
