/**
 * lower-soft-reset: a soft-reset neuron in ATRLIF's form (compare at half the reset amount) by a
 * state offset. By hand (δ, bias, v0, threshold), what is left for snnc's own neuron process, and
 * the property: random soft-reset layers (thresholds per channel / element and ±∞, gt/ge, IF/LIF,
 * biases, two layers) keep every spike.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Graph, NeuronNode } from "../../../src/ir/nodes.ts";
import { scalar, size, tensor } from "../../../src/ir/tensor.ts";
import { lowerSoftReset, lowerSoftResets, noAtrlifForm } from "../../../src/loihi/lower/lower-soft-reset.ts";
import * as b from "../../support/ir-builder.ts";
import { assertSameSpikes, fixedInputs, runPure } from "../../support/check.ts";
import { ModelBuilder, type Src } from "../../support/gen.ts";
import { checkRewrite } from "../../support/property.ts";

function single(o: b.NeuronOpts, T = 8): Graph {
  return b.model(
    [b.input("x", [2]), b.dense("d", "x", b.t([2, 1], [0.75, 0.5])), b.neuron("n", "d", { reset: "soft", ...o })],
    { T, encoding: "spikes" },
  );
}

test("θ = R = 1, IF: δ = −0.5, threshold 0.5, initial state −0.5, no bias change; spikes unchanged", () => {
  const g = single({ theta: 1, fire: "ge" });
  const r = runPure(lowerSoftReset, g);
  const n = b.node<NeuronNode>(r.graph, "n");
  assert.deepEqual([...n.threshold.data], [0.5]);
  assert.deepEqual([...n.resetAmount.data], [1]);
  assert.deepEqual([...n.v0!.data], [-0.5]);
  assert.deepEqual([...n.bias.data], [0]);
  assert.equal(n.fire, "ge");
  assert.match(r.notes[0]!, /'n': soft reset → Lava ATRLIF .*δ = -0\.5 = R\/2 − θ/);
  assertSameSpikes(g, r.graph, fixedInputs(g, 6, 3), { what: "ATRLIF form" });
});

test("LIF τ = 0.75 with a bias: the bias gains δ(1 − τ)", () => {
  const g = single({ theta: 1.5, decay: 0.75, bias: scalar(0.25) });
  const n = b.node<NeuronNode>(lowerSoftResets(g).graph, "n");
  assert.deepEqual([...n.threshold.data], [0.75]);
  assert.deepEqual([...n.bias.data], [0.25 + -0.75 * 0.25]);
  assert.deepEqual([...n.v0!.data], [-0.75]);
  assertSameSpikes(g, lowerSoftResets(g).graph, fixedInputs(g, 6, 4));
});

test("compare threshold ≠ reset amount (MPBN folded): δ = R/2 − θ per channel; ±∞ left alone", () => {
  const g = b.model(
    [
      b.input("x", [2, 2, 1]),
      b.conv("c", "x", b.t([1, 1, 1, 3], [1, -0.5, 0.75])),
      b.neuron("n", "c", {
        reset: "soft",
        threshold: tensor([3], [0.25, Infinity, -0.5]),
        resetAmount: scalar(1),
      }),
    ],
    { T: 6, encoding: "spikes" },
  );
  const n = b.node<NeuronNode>(lowerSoftResets(g).graph, "n");
  assert.deepEqual([...n.threshold.data], [0.5, Infinity, 0.5]);
  assert.deepEqual([...n.v0!.data], [0.25, 0, 1]);
  assertSameSpikes(g, lowerSoftResets(g).graph, fixedInputs(g, 8, 5));
});

test("no ATRLIF form: a non-positive reset amount, MT planes, hard reset — left unchanged with a note", () => {
  const neg = single({ theta: 1, resetAmount: scalar(-1) });
  assert.match(noAtrlifForm(b.node<NeuronNode>(neg, "n"))!, /reset amount is -1 at neuron 0/);
  const r = lowerSoftResets(neg);
  assert.deepEqual([...b.node<NeuronNode>(r.graph, "n").threshold.data], [1]);
  assert.match(r.notes[0]!, /kept for snnc's own neuron process: its reset amount is -1/);
  const mt = single({ theta: 1, planes: [0.5] });
  assert.match(lowerSoftResets(mt).notes[0]!, /several thresholds \(MT\)/);
  assert.deepEqual(lowerSoftResets(single({ theta: 1, reset: "hard" })).notes, ["no soft-reset neuron"]);
});

/** One or two soft-reset layers: thresholds scalar / per channel / per element (±∞ sometimes), R > 0. */
function softModel(s: Src): Graph {
  const m = new ModelBuilder(s);
  const x = s.bool(0.6) ? m.input() : m.flatInput();
  let last = x;
  const outs: string[] = [];
  for (let k = 0; k < s.int(1, 2); k++) {
    const l = m.linear(last);
    const S = m.shape(l);
    const C = S[S.length - 1]!;
    const kind = s.pick(["scalar", "channel", "element"] as const);
    const shape = kind === "scalar" ? [] : kind === "channel" ? [C] : S;
    const th = () => (s.bool(0.08) ? s.pick([Infinity, -Infinity]) : s.real(1.5));
    const R = () => s.range(0.25, 2);
    const decay = s.tier === "exact" ? s.pick([0.25, 0.5, 0.75, 1]) : s.bool(0.3) ? 1 : s.range(0.05, 1);
    last = m.add(
      b.neuron(m.id("n"), l, {
        model: decay === 1 ? "IF" : "LIF",
        decay,
        reset: "soft",
        fire: s.bool() ? "ge" : "gt",
        threshold: tensor(shape, Float64Array.from({ length: size(shape) }, th)),
        resetAmount: s.bool() ? scalar(R()) : tensor(shape, Float64Array.from({ length: size(shape) }, R)),
        bias: s.bool(0.4) ? scalar(s.real(0.5)) : scalar(0),
      }),
    );
    outs.push(last);
  }
  if (s.bool(0.4)) outs.push(m.readout(m.linear(last)));
  return m.build(outs);
}

for (const tier of ["exact", "float"] as const) {
  test(`property (${tier}): random soft-reset layers keep every spike in ATRLIF's form`, () => {
    const tally = checkRewrite(tier, softModel, (g) => lowerSoftResets(g).graph, { floatReadoutTol: 1e-9 });
    assert.ok(tally.spikes > 0);
    if (tier === "exact") assert.ok(tally.exactTies > 0, "the exact tier produced no tie h = θ");
  });
}
