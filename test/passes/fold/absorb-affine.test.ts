import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Conv2DNode, NeuronNode } from "../../../src/ir/nodes.ts";
import { absorbAffine } from "../../../src/passes/fold/absorb-affine.ts";
import * as b from "../../support/ir-builder.ts";
import { assertSameSpikes, fixedInputs, runPure } from "../../support/check.ts";
import type { Tier } from "../../support/gen.ts";
import { affineModel } from "../../support/models.ts";
import { checkRewrite } from "../../support/property.ts";

const property = (tier: Tier) =>
  checkRewrite(tier, affineModel, (g) => runPure(absorbAffine, g).graph, { exactReadouts: true });

describe("absorb-affine", () => {
  it("property (exact tier): spikes and readouts equal bit for bit", () => {
    assert.ok(property("exact").spikes > 0);
  });

  it("property (float tier): spikes equal wherever the margin exceeds 1e-9", () => {
    const tally = property("float");
    assert.ok(tally.nearTieSkips < tally.cases / 10, JSON.stringify(tally));
  });

  it("moves a per-channel affine back into a conv read by it alone (W' = s·W, b' = s·b + t)", () => {
    const g = b.model([
      b.input("x", [2, 2, 1]),
      b.conv("c", "x", b.t([1, 1, 1, 2], [1, 2]), { bias: b.t([2], [1, -1]) }),
      b.affine("a", "c", b.t([2], [3, -1]), b.t([2], [0.5, 0.25])),
      b.neuron("n", "a"),
    ]);
    const r = runPure(absorbAffine, g);
    const c = b.node<Conv2DNode>(r.graph, "c");
    assert.deepEqual([...c.kernel.data], [3, -2]);
    assert.deepEqual([...c.bias!.data], [3.5, 1.25]);
    assert.deepEqual(b.node<NeuronNode>(r.graph, "n").inputs, ["c"]);
    assertSameSpikes(g, r.graph, fixedInputs(g, 6));
  });

  it("moves a per-element affine forward into the neuron's gain and bias", () => {
    const g = b.model([
      b.input("x", [1, 2, 1]),
      b.conv("c", "x", b.t([1, 1, 1, 1], [1])),
      b.affine("a", "c", b.t([1, 2, 1], [2, -1]), b.t([1, 2, 1], [0, 0.5])),
      b.neuron("n", "a", { gain: b.t([], 0.5), bias: b.t([], 0.25) }),
    ]);
    const n = b.node<NeuronNode>(runPure(absorbAffine, g).graph, "n");
    assert.deepEqual(n.gain.shape, [1, 2, 1]);
    assert.deepEqual([...n.gain.data], [1, -0.5]);
    assert.deepEqual([...n.bias.data], [0.25, 0.5]);
  });

  it("moves an affine read by two neurons into both", () => {
    const g = b.model(
      [
        b.input("x", [2]),
        b.dense("d1", "x", b.t([2, 2], 1)),
        b.dense("d2", "x", b.t([2, 2], [1, -1, 1, 0.5])),
        b.add("s", "d1", "d2"),
        b.affine("a", "s", b.t([2], [2, 3]), b.t([2], [1, 0])),
        b.neuron("n1", "a"),
        b.neuron("n2", "a", { theta: 2 }),
      ],
      { outputs: ["n1", "n2"] },
    );
    const r = runPure(absorbAffine, g);
    assert.ok(!b.hasNode(r.graph, "a"));
    assert.deepEqual([...b.node<NeuronNode>(r.graph, "n2").gain.data], [2, 3]);
    assertSameSpikes(g, r.graph, fixedInputs(g, 6));
  });

  it("keeps an affine it cannot move exactly (shared producer, readout reader) and says why", () => {
    const g = b.model(
      [
        b.input("x", [2]),
        b.dense("d", "x", b.t([2, 1], 1)),
        b.affine("a", "d", b.t([1], [2]), b.t([1], [1])),
        b.readout("out", "a"),
        b.neuron("n", "d"),
      ],
      { outputs: ["out", "n"] },
    );
    const r = runPure(absorbAffine, g);
    assert.ok(b.hasNode(r.graph, "a"));
    assert.deepEqual(r.notes, [
      "affine 'a' kept: its producer 'd' (dense) is not a conv/dense read by it alone, and it is read by 'out' (readout)",
    ]);
  });
});
