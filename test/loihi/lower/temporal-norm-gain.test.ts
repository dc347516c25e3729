/**
 * lower-temporal-norm: BNTT / TEBN / TAB → an unscaled per-step gain and bias of the neuron they
 * feed. The schedule by hand, the float meaning of schedule.gain, a_t ≤ 0 (allowed, except through
 * a max pooling), and the property: random norms (kind, steps held, conv or dense, the chain to the
 * neuron, IF/LIF/MT, gt/ge, hard/soft, gains of either sign) keep every spike, in both tiers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { SnncError } from "../../../src/ir/errors.ts";
import type { Graph, IRNode, NeuronNode } from "../../../src/ir/nodes.ts";
import { scalar, tensor } from "../../../src/ir/tensor.ts";
import { lowerTemporalNorm, lowerTemporalNorms } from "../../../src/loihi/lower/lower-temporal-norm.ts";
import { simulate } from "../../../src/sim/reference.ts";
import * as b from "../../support/ir-builder.ts";
import { addPerStepNorm } from "../../support/per-step-norms.ts";
import { assertSameSpikes, fixedInputs, runPure } from "../../support/check.ts";
import { ModelBuilder, type Src } from "../../support/gen.ts";
import { checkRewrite } from "../../support/property.ts";

const EPS = 2 ** -10;

/** dense [2 → 2] → BNTT (T = 3, σ² + ε = 1) → LIF. */
function bnttModel(gamma: number[], chainMax = false): Graph {
  const nodes: IRNode[] = [
    b.input("x", chainMax ? [2, 2, 1] : [2]),
    chainMax
      ? b.conv("d", "x", b.t([1, 1, 1, 2], [1, -0.5]))
      : b.dense("d", "x", b.t([2, 2], [1, 0.5, -0.5, 1]), b.t([2], [0.25, 0])),
    b.bntt("norm", "d", {
      timesteps: 3,
      epsilon: EPS,
      gamma: tensor([3, 2], gamma),
      mean: tensor([3, 2], [0, 0.25, 0.5, 0, -0.25, 0]),
      variance: tensor([3, 2], new Array(6).fill(1 - EPS)),
    }),
  ];
  let last = "norm";
  if (chainMax) {
    nodes.push(b.pool("mp", "maxpool", "norm", [2, 2], [2, 2]));
    last = "mp";
  }
  nodes.push(b.neuron("n", last, { theta: 0.5, decay: 0.5, gain: scalar(2), bias: scalar(0.125) }));
  return b.model(nodes, { T: 3, encoding: "spikes" });
}

test("BNTT by hand: gain_t = γ_t/sqrt(σ²+ε), bias_t = g·b_t, decay and thresholds unchanged", () => {
  const g = bnttModel([1, 2, 0.5, -1, 0.25, 4]);
  const r = runPure(lowerTemporalNorm, g);
  assert.ok(!r.graph.nodes.some((n) => n.op === "bntt"));
  const n = b.node<NeuronNode>(r.graph, "n");
  const s = n.schedule!;
  assert.deepEqual(
    s.gain!.map((x) => [...x.data]),
    [
      [1, 2],
      [0.5, -1],
      [0.25, 4],
    ],
  );
  // b_t = −a_t·μ_t, times the neuron's gain 2
  assert.deepEqual(
    s.bias.map((x) => [...x.data]),
    [
      [-0, -1],
      [-0.5, 0],
      [0.125, -0],
    ],
  );
  assert.deepEqual(
    s.decay.map((x) => [...x.data]),
    [[0.5], [0.5], [0.5]],
  );
  assert.deepEqual(
    s.thresholdScale.map((x) => [...x.data]),
    [[1], [1], [1]],
  );
  assert.deepEqual([...n.threshold.data], [0.5]);
  assert.deepEqual([...n.bias.data], [0.125]);
  assert.match(r.notes[0]!, /BNTT 'norm' → per-step input gain a_t \[-1, 4\] and bias g·b_t of neuron 'n' \(3 steps\)/);
  assertSameSpikes(g, r.graph, fixedInputs(g, 8, 2), { exactReadouts: true });
});

test("the float meaning of schedule.gain: h = decay·v + gain_t·gain·c + bias + bias_t", () => {
  const g = b.model(
    [
      b.input("x", [1]),
      b.neuron("n", "x", {
        theta: 10,
        decay: 0.5,
        gain: scalar(2),
        bias: scalar(1),
        schedule: {
          decay: [scalar(0.5), scalar(0.5)],
          bias: [scalar(0.25), scalar(-1)],
          thresholdScale: [scalar(1), scalar(1)],
          gain: [scalar(3), scalar(-0.5)],
        },
      }),
    ],
    { T: 2, encoding: "spikes" },
  );
  const r = simulate(g, [Float64Array.of(1), Float64Array.of(1)], { membrane: true });
  // h1 = 0 + 3·2·1 + 1 + 0.25 = 7.25; h2 = 0.5·7.25 − 0.5·2·1 + 1 − 1 = 2.625
  assert.deepEqual(
    r.traces.get("n")!.h!.map((h) => h[0]),
    [7.25, 2.625],
  );
});

test("a_t ≤ 0 is fine without a max pooling; through one it is refused (max does not commute)", () => {
  const neg = bnttModel([1, -2, 0, 0.5, 1, 1]);
  assertSameSpikes(neg, lowerTemporalNorms(neg).graph, fixedInputs(neg, 8, 3));
  const viaMax = bnttModel([1, 2, -0.5, 1, 1, 1], true);
  assert.throws(
    () => lowerTemporalNorms(viaMax),
    (e: unknown) =>
      e instanceof SnncError && /a_t = .* is -0\.5 at step 2, channel 0/.test(e.message) && e.layer === "norm",
  );
  const fine = bnttModel([1, 2, 0.5, 1, 1, 1], true);
  assertSameSpikes(fine, lowerTemporalNorms(fine).graph, fixedInputs(fine, 8, 4));
});

/** A random per-step norm between a linear layer and a neuron (gen.ts neuron settings, MT included). */
function normModel(s: Src): Graph {
  const m = new ModelBuilder(s);
  const x = s.bool(0.6) ? m.input() : m.flatInput();
  const l = m.linear(x);
  const S = m.shape(l);
  const Tn = 5 + s.pick([0, 0, 2]); // the builder runs 2..5 steps
  const kind = s.pick(["bntt", "tebn", "tab"] as const);
  const a = () => (s.bool(0.15) ? -1 : 1) * s.pick([0.25, 0.5, 1, 2]);
  let last = addPerStepNorm(m, l, { kind, timesteps: Tn, a, tebnPerChannel: s.bool() });
  if (S.length > 1 && s.bool(0.3)) last = m.pool(last, "avgpool");
  if (S.length > 1 && s.bool(0.3)) last = m.add(b.flatten(m.id("flat"), last));
  const gain = s.pick([1, 1, 2, -1, 0.5]);
  const n = m.neuron(last, { gain: scalar(gain), bias: scalar(s.real(0.25)) });
  const outs = [n];
  if (s.bool(0.4)) outs.push(m.readout(m.linear(n)));
  return m.build(outs);
}

for (const tier of ["exact", "float"] as const) {
  test(`property (${tier}): random BNTT / TEBN / TAB as a per-step gain keep every spike`, () => {
    const tally = checkRewrite(tier, normModel, (g) => lowerTemporalNorms(g).graph, { floatReadoutTol: 1e-9 });
    assert.ok(tally.spikes > 0);
    if (tier === "exact") assert.ok(tally.exactTies > 0, "no tie h = θ in the exact tier");
  });
}
