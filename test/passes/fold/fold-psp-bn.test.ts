import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SnncError } from "../../../src/ir/errors.ts";
import type { Conv2DNode, DenseNode, Graph, IRNode, NeuronNode } from "../../../src/ir/nodes.ts";
import { foldPspBn } from "../../../src/passes/fold/fold-psp-bn.ts";
import * as b from "../../support/ir-builder.ts";
import { assertSameSpikes, compareGraphs, fixedInputs, runPure } from "../../support/check.ts";
import type { Tier } from "../../support/gen.ts";
import { pspModel } from "../../support/models.ts";
import { checkRewrite } from "../../support/property.ts";

function property(tier: Tier) {
  return checkRewrite(
    tier,
    pspModel,
    (g) => {
      const folded = runPure(foldPspBn, g).graph;
      assert.ok(!folded.nodes.some((n) => n.op === "pspnorm"));
      return folded;
    },
    { exactReadouts: true },
  );
}

/** Spikes of a 2-channel conv LIF, then PSP-BN with k = γ/sqrt(E[a²]+λ) = γ (E[a²]+λ = 1), then `rest`. */
function afterSpikes(gamma: number[], rest: IRNode[], o: { shape?: number[]; outputs?: string[] } = {}): Graph {
  const shape = o.shape ?? [4, 4, 1];
  return b.model(
    [
      b.input("x", shape),
      b.conv("c0", "x", b.t([1, 1, shape[2]!, 2], [1, 0.5, -0.25, 1].slice(0, 2 * shape[2]!)), {
        bias: b.t([2], [0.25, 0.5]),
      }),
      b.neuron("n0", "c0", { theta: 0.5 }),
      b.psp("psp", "n0", b.t([2], gamma), b.t([2], 0.9), 0.1),
      ...rest,
    ],
    { outputs: o.outputs },
  );
}

const refusal = (re: RegExp) => (e: unknown) =>
  e instanceof SnncError && e.code === "E_FOLD" && e.layer === "psp" && re.test(e.message);

describe("fold-psp-bn", () => {
  it("property (exact tier): spikes and readouts equal bit for bit", () => {
    assert.ok(property("exact").spikes > 0);
  });

  it("property (float tier): spikes equal wherever the margin exceeds 1e-9", () => {
    const tally = property("float");
    assert.ok(tally.nearTieSkips < tally.cases / 10, JSON.stringify(tally));
  });

  it("scales the next conv's weights per input channel (k = γ/sqrt(E[a²]+λ))", () => {
    const g = afterSpikes(
      [2, -0.5],
      [b.conv("c1", "psp", b.t([1, 1, 2, 3], [1, 2, 3, 4, 5, 6])), b.neuron("n1", "c1")],
    );
    const r = runPure(foldPspBn, g);
    assert.deepEqual(b.ops(r.graph), ["input", "conv2d", "neuron", "conv2d", "neuron"]);
    assert.deepEqual([...b.node<Conv2DNode>(r.graph, "c1").kernel.data], [2, 4, 6, -2, -2.5, -3]);
    assert.deepEqual(b.node<Conv2DNode>(r.graph, "c1").inputs, ["n0"]);
    assert.match(r.notes.join("\n"), /PSP-BN 'psp' .*2 channels; 1 with k < 0\) folded into 'c1'/);
    assertSameSpikes(g, r.graph, fixedInputs(g, 6));
  });

  it("respects conv groups: input channel c scales only the weights that read it", () => {
    const g = afterSpikes(
      [2, 3],
      [b.conv("c1", "psp", b.t([1, 1, 1, 2], [1, 1]), { groups: 2 }), b.neuron("n1", "c1")],
    );
    const c = b.node<Conv2DNode>(runPure(foldPspBn, g).graph, "c1");
    assert.deepEqual([...c.kernel.data], [2, 3]);
    assertSameSpikes(g, runPure(foldPspBn, g).graph, fixedInputs(g, 6));
  });

  it("goes through average pooling ('same', TF semantics) and flatten into the dense rows of each channel", () => {
    const g = afterSpikes(
      [2, 0],
      [
        b.pool("ap", "avgpool", "psp", [3, 3], [2, 2], "same"),
        b.flatten("f", "ap"),
        b.dense("d", "f", b.t([8, 1], [1, 1, 1, 1, 1, 1, 1, 1])),
        b.neuron("n1", "d", { theta: 0.25 }),
      ],
    );
    const r = runPure(foldPspBn, g);
    assert.deepEqual(
      [...b.node<DenseNode>(r.graph, "d").kernel.data],
      [2, 0, 2, 0, 2, 0, 2, 0],
      "row i reads channel i % 2; k = 0 zeroes channel 1",
    );
    assert.match(r.notes.join("\n"), /1 channel with k = 0/);
    assertSameSpikes(g, r.graph, fixedInputs(g, 8));
  });

  it("goes through zero padding and sum pooling", () => {
    const g = afterSpikes(
      [0.5, -1],
      [
        b.pad("pd", "psp", [1, 0, 0, 1]),
        b.pool("sp", "sumpool", "pd"),
        b.conv("c1", "sp", b.t([1, 1, 2, 1], [1, 1])),
        b.neuron("n1", "c1", { theta: 0.25 }),
      ],
    );
    assertSameSpikes(g, runPure(foldPspBn, g).graph, fixedInputs(g, 8));
  });

  it("goes through max pooling when every k ≥ 0", () => {
    const g = afterSpikes(
      [2, 0],
      [b.pool("mp", "maxpool", "psp"), b.conv("c1", "mp", b.t([1, 1, 2, 1], [1, -1])), b.neuron("n1", "c1")],
    );
    assertSameSpikes(g, runPure(foldPspBn, g).graph, fixedInputs(g, 8));
  });

  it("into a neuron directly: its gain is multiplied by k", () => {
    const g = afterSpikes([2, -1], [b.neuron("n1", "psp", { theta: 0.5 })]);
    const r = runPure(foldPspBn, g);
    assert.deepEqual([...b.node<NeuronNode>(r.graph, "n1").gain.data], [2, -1]);
    assertSameSpikes(g, r.graph, fixedInputs(g, 8));
  });

  it("two readers: both get the scale", () => {
    const g = afterSpikes(
      [2, 0.5],
      [
        b.conv("c1", "psp", b.t([1, 1, 2, 1], [1, 1])),
        b.neuron("n1", "c1"),
        b.pool("ap", "avgpool", "psp"),
        b.conv("c2", "ap", b.t([1, 1, 2, 1], [1, -1])),
        b.neuron("n2", "c2", { theta: 0.25 }),
      ],
      { outputs: ["n1", "n2"] },
    );
    const r = runPure(foldPspBn, g);
    assert.deepEqual([...b.node<Conv2DNode>(r.graph, "c1").kernel.data], [2, 0.5]);
    assert.deepEqual([...b.node<Conv2DNode>(r.graph, "c2").kernel.data], [2, -0.5]);
    assertSameSpikes(g, r.graph, fixedInputs(g, 8));
  });

  it("binary spikes straight into a conv: the fold is exact bit for bit even with arbitrary reals", () => {
    const g = afterSpikes(
      [1.2345678, -0.3333333],
      [
        b.conv(
          "c1",
          "psp",
          b.t(
            [3, 3, 2, 1],
            [0.1, 0.7, -0.3, 0.9, 0.11, -0.2, 0.33, 0.5, 0.25, -0.6, 0.8, 0.45, 0.3, -0.1, 0.2, 0.6, 0.15, 0.05],
          ),
        ),
        b.readout("out", "c1"),
      ],
    );
    assert.equal(compareGraphs(g, runPure(foldPspBn, g).graph, fixedInputs(g, 8)).readoutMaxAbsDiff, 0);
  });

  describe("refusals", () => {
    it("refuses max pooling after a negative scale", () => {
      const g = afterSpikes(
        [2, -0.5],
        [b.pool("mp", "maxpool", "psp"), b.conv("c1", "mp", b.t([1, 1, 2, 1], [1, 1])), b.neuron("n1", "c1")],
      );
      assert.throws(
        () => foldPspBn.run(g, { target: "float" }),
        (e: unknown) =>
          e instanceof SnncError &&
          e.message ===
            "layer 'psp': PSP-BN cannot be folded: its scale is negative on channel 1 (k = -0.5) and max pooling 'mp' (maxpool) follows: max(k·a) ≠ k·max(a) for k < 0; PSP-BN folds only into the next conv/dense (per input channel) or neuron, through flatten, reshape, zero padding and average/sum pooling (max pooling only where its scale is >= 0)",
      );
    });

    it("refuses when the scaled value reaches an add", () => {
      const g = afterSpikes(
        [1, 1],
        [b.add("sum", "psp", "n0"), b.conv("c1", "sum", b.t([1, 1, 2, 1], [1, 1])), b.neuron("n1", "c1")],
      );
      assert.throws(
        () => foldPspBn.run(g, { target: "float" }),
        refusal(/PSP-BN cannot be folded: its output reaches 'sum' \(add\)/),
      );
    });

    it("refuses when the scaled value reaches a readout through flatten, naming the path", () => {
      const g = afterSpikes([1, 1], [b.flatten("f", "psp"), b.readout("out", "f")]);
      assert.throws(
        () => foldPspBn.run(g, { target: "float" }),
        refusal(/its output reaches 'f' \(flatten\) → 'out' \(readout\)/),
      );
    });

    it("refuses a PSP-BN that is a graph output", () => {
      const g = afterSpikes([1, 1], [b.conv("c1", "psp", b.t([1, 1, 2, 1], [1, 1])), b.neuron("n1", "c1")], {
        outputs: ["psp", "n1"],
      });
      assert.throws(() => foldPspBn.run(g, { target: "float" }), refusal(/it is a graph output/));
    });

    it("refuses PSP-LN: it is not an inference-time layer", () => {
      const g = b.model([
        b.input("x", [2, 2, 1]),
        b.conv("c0", "x", b.t([1, 1, 1, 2], [1, 1])),
        b.neuron("n0", "c0"),
        b.pspLn("psp", "n0"),
        b.conv("c1", "psp", b.t([1, 1, 2, 1], [1, 1])),
        b.neuron("n1", "c1"),
      ]);
      assert.throws(
        () => foldPspBn.run(g, { target: "float" }),
        (e: unknown) =>
          e instanceof SnncError &&
          e.code === "E_UNSUPPORTED" &&
          e.message ===
            'layer \'psp\': PSPNorm mode "ln" normalises over C×H×W×T of the sample itself (including future steps): it is not an inference-time layer and cannot run or be folded; retrain with mode "bn" or remove it',
      );
    });

    it("refuses E[a²] + λ <= 0, naming moving_sq_mean", () => {
      const g = { ...afterSpikes([1, 1], [b.conv("c1", "psp", b.t([1, 1, 2, 1], [1, 1])), b.neuron("n1", "c1")]) };
      g.nodes = g.nodes.map((n) =>
        n.id === "psp" ? { ...n, sqMean: b.t([2], [-0.2, 1]), shape: undefined } : { ...n, shape: undefined },
      ) as IRNode[];
      assert.throws(
        () => foldPspBn.run(g, { target: "float" }),
        (e: unknown) =>
          e instanceof SnncError && e.code === "E_VALUE" && e.layer === "psp" && e.param === "moving_sq_mean",
      );
    });

    it("refuses a NaN gamma, naming the parameter", () => {
      const g = { ...afterSpikes([1, 1], [b.conv("c1", "psp", b.t([1, 1, 2, 1], [1, 1])), b.neuron("n1", "c1")]) };
      g.nodes = g.nodes.map((n) =>
        n.id === "psp" ? { ...n, gamma: b.t([2], [NaN, 1]), shape: undefined } : { ...n, shape: undefined },
      ) as IRNode[];
      assert.throws(
        () => foldPspBn.run(g, { target: "float" }),
        (e: unknown) => e instanceof SnncError && e.code === "E_VALUE" && e.layer === "psp" && e.param === "gamma",
      );
    });
  });
});
