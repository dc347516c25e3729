import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SnncError } from "../../../src/ir/errors.ts";
import type { Conv2DNode, NeuronNode } from "../../../src/ir/nodes.ts";
import { scalar } from "../../../src/ir/tensor.ts";
import { foldPlif } from "../../../src/passes/fold/fold-plif.ts";
import * as b from "../../support/ir-builder.ts";
import { assertSameSpikes, fixedInputs, runPure } from "../../support/check.ts";
import type { Tier } from "../../support/gen.ts";
import { plifModel } from "../../support/models.ts";
import { checkRewrite } from "../../support/property.ts";

function property(tier: Tier) {
  return checkRewrite(tier, plifModel, (g) => {
    const folded = runPure(foldPlif, g).graph;
    assert.ok(!folded.nodes.some((n) => n.op === "neuron" && n.plifA !== undefined), "plifA survived");
    return folded;
  });
}

/** PLIF with learnt a (τ_m = 1 + exp(−a)); its bias v_reset/τ_m follows the given v_reset. */
function plif(id: string, inp: string, a: number, o: b.NeuronOpts = {}): NeuronNode {
  const vReset = typeof o.vReset === "number" ? o.vReset : (o.vReset?.data[0] ?? 0);
  return b.neuron(id, inp, { ...b.plifOpts(a, vReset), ...o });
}

describe("fold-plif", () => {
  it("property (exact tier, a = 0 so τ_m = 2): spikes equal bit for bit", () => {
    assert.ok(property("exact").spikes > 0);
  });

  it("property (float tier, a in [−3, 3]): spikes equal wherever the margin exceeds 1e-9", () => {
    const tally = property("float");
    assert.ok(tally.nearTieSkips < tally.cases / 10, JSON.stringify(tally));
  });

  it("PLIF → LIF: decay 1 − 1/τ_m kept, gain 1/τ_m multiplied into the conv weights and bias, a dropped", () => {
    const g = b.model([
      b.input("x", [2, 2, 1]),
      b.conv("c", "x", b.t([1, 1, 1, 2], [1, -2]), { bias: b.t([2], [0.5, 1]) }),
      plif("p", "c", 0),
    ]);
    const r = runPure(foldPlif, g);
    const n = b.node<NeuronNode>(r.graph, "p");
    assert.equal(n.plifA, undefined);
    assert.equal(n.decay, 0.5);
    assert.deepEqual([...n.gain.data], [1]);
    const c = b.node<Conv2DNode>(r.graph, "c");
    assert.deepEqual([...c.kernel.data], [0.5, -1]);
    assert.deepEqual([...c.bias!.data], [0.25, 0.5]);
    assert.match(r.notes.join("\n"), /neuron 'p': PLIF τ_m = 2 → LIF decay 0\.5; input gain moved into 'c'/);
    assertSameSpikes(g, r.graph, fixedInputs(g, 6));
  });

  it("v_reset ≠ 0: the bias v_reset/τ_m (MT-SNN Eq. 6) moves into the conv bias", () => {
    const g = b.model([
      b.input("x", [2, 2, 1]),
      b.conv("c", "x", b.t([1, 1, 1, 1], [1])),
      plif("p", "c", 0, { vReset: scalar(-0.5), fire: "ge" }),
    ]);
    const r = runPure(foldPlif, g);
    assert.deepEqual([...b.node<Conv2DNode>(r.graph, "c").bias!.data], [-0.25]);
    assert.deepEqual([...b.node<NeuronNode>(r.graph, "p").bias.data], [0]);
    assertSameSpikes(g, r.graph, fixedInputs(g, 6));
  });

  it("a PLIF fed by an add keeps its gain on the neuron (exact) and says why", () => {
    const g = b.model([
      b.input("x", [2, 2, 1]),
      b.conv("c1", "x", b.t([1, 1, 1, 1], [1])),
      b.conv("c2", "x", b.t([1, 1, 1, 1], [-0.5])),
      b.add("sum", "c1", "c2"),
      plif("p", "sum", 1.5),
    ]);
    const r = runPure(foldPlif, g);
    const n = b.node<NeuronNode>(r.graph, "p");
    assert.equal(n.plifA, undefined);
    assert.equal(n.gain.data[0], 1 / (1 + Math.exp(-1.5)));
    assert.match(
      r.notes.join("\n"),
      /input gain kept on the neuron \(its current comes from 'sum' \(add\), not a conv\/dense\)/,
    );
    assertSameSpikes(g, r.graph, fixedInputs(g, 6));
  });

  it("refuses a decay that does not match a, naming the parameter", () => {
    const g = b.model([b.input("x", [1]), b.dense("d", "x", b.t([1, 1], [1])), { ...plif("p", "d", 0), decay: 0.3 }]);
    assert.throws(
      () => foldPlif.run(g, { target: "float" }),
      (e: unknown) =>
        e instanceof SnncError &&
        e.code === "E_VALUE" &&
        e.layer === "p" &&
        e.param === "a" &&
        e.message ===
          "layer 'p': parameter 'a': PLIF decay 0.3 does not match a = 0 (τ_m = 1 + exp(−a) = 2 gives 1 − 1/τ_m = 0.5)",
    );
  });

  it("leaves LIF neurons alone", () => {
    const g = b.model([
      b.input("x", [1]),
      b.dense("d", "x", b.t([1, 1], [1])),
      b.neuron("n", "d", { gain: scalar(2) }),
    ]);
    const r = runPure(foldPlif, g);
    assert.deepEqual(r.notes, []);
    assert.deepEqual([...b.node<NeuronNode>(r.graph, "n").gain.data], [2]);
  });
});
