import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Conv2DNode, DenseNode, NeuronNode } from "../../../src/ir/nodes.ts";
import { absorbGain } from "../../../src/passes/fold/absorb-gain.ts";
import * as b from "../../support/ir-builder.ts";
import { assertSameSpikes, fixedInputs, runPure } from "../../support/check.ts";
import type { Tier } from "../../support/gen.ts";
import { gainModel } from "../../support/models.ts";
import { checkRewrite } from "../../support/property.ts";

const property = (tier: Tier) => checkRewrite(tier, gainModel, (g) => runPure(absorbGain, g).graph);

describe("absorb-gain", () => {
  it("property (exact tier): spikes equal bit for bit", () => {
    assert.ok(property("exact").spikes > 0);
  });

  it("property (float tier): spikes equal wherever the margin exceeds 1e-9", () => {
    const tally = property("float");
    assert.ok(tally.nearTieSkips < tally.cases / 10, JSON.stringify(tally));
  });

  it("per-channel gain and bias move into the conv; the neuron is left with gain 1, bias 0", () => {
    const g = b.model([
      b.input("x", [2, 2, 1]),
      b.conv("c", "x", b.t([1, 1, 1, 2], [1, 2]), { bias: b.t([2], [0.5, 1]) }),
      b.neuron("n", "c", { gain: b.t([2], [2, -1]), bias: b.t([2], [0.25, 0]) }),
    ]);
    const r = runPure(absorbGain, g);
    const c = b.node<Conv2DNode>(r.graph, "c");
    assert.deepEqual([...c.kernel.data], [2, -2]);
    assert.deepEqual([...c.bias!.data], [1.25, -1]);
    const n = b.node<NeuronNode>(r.graph, "n");
    assert.deepEqual([n.gain.shape, [...n.gain.data], n.bias.shape, [...n.bias.data]], [[], [1], [], [0]]);
    assertSameSpikes(g, r.graph, fixedInputs(g, 6));
  });

  it("a per-element gain on a conv stays on the neuron (the kernel is shared)", () => {
    const g = b.model([
      b.input("x", [1, 2, 1]),
      b.conv("c", "x", b.t([1, 1, 1, 1], [1])),
      b.neuron("n", "c", { gain: b.t([1, 2, 1], [1, -1]) }),
    ]);
    const r = runPure(absorbGain, g);
    assert.deepEqual([...b.node<NeuronNode>(r.graph, "n").gain.data], [1, -1]);
    assert.match(r.notes[0]!, /keeps its input gain\/bias \(its gain differs within a channel/);
  });

  it("a per-element bias stays on the neuron while a per-channel gain moves", () => {
    const g = b.model([
      b.input("x", [1, 2, 1]),
      b.conv("c", "x", b.t([1, 1, 1, 1], [1])),
      b.neuron("n", "c", { gain: b.t([], 3), bias: b.t([1, 2, 1], [0, 0.5]) }),
    ]);
    const r = runPure(absorbGain, g);
    assert.deepEqual([...b.node<Conv2DNode>(r.graph, "c").kernel.data], [3]);
    assert.deepEqual([...b.node<NeuronNode>(r.graph, "n").bias.data], [0, 0.5]);
    assert.match(r.notes[0]!, /bias varies within a channel and stays on the neuron/);
    assertSameSpikes(g, r.graph, fixedInputs(g, 6));
  });

  it("after a dense every feature is its own channel, so any gain moves", () => {
    const g = b.model([
      b.input("x", [2]),
      b.dense("d", "x", b.t([2, 2], [1, 2, 3, 4])),
      b.neuron("n", "d", { gain: b.t([2], [0, -2]) }),
    ]);
    const r = runPure(absorbGain, g);
    assert.deepEqual([...b.node<DenseNode>(r.graph, "d").kernel.data], [0, -4, 0, -8]);
    assertSameSpikes(g, r.graph, fixedInputs(g, 6));
  });

  it("a shared producer keeps the gain on the neuron", () => {
    const g = b.model(
      [
        b.input("x", [2]),
        b.dense("d", "x", b.t([2, 1], 1)),
        b.neuron("n", "d", { gain: b.t([], 2) }),
        b.readout("out", "d"),
      ],
      { outputs: ["n", "out"] },
    );
    const r = runPure(absorbGain, g);
    assert.deepEqual(r.notes, ["neuron 'n': keeps its input gain/bias ('d' is also read by 'out')"]);
  });
});
