/**
 * Max pooling over an MT layer's s_sum (lower-pooling with mt-max-pool.ts): the sum of max pools of
 * the ranks [s_sum ≥ k]. By hand (the nodes), and the property: random MT layers — deltas of either
 * sign in any order, per-channel thresholds, gt/ge, hard/soft, with and without padding — keep every
 * spike of the model as written, through the whole Loihi lowering.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Graph, NeuronNode } from "../../../src/ir/nodes.ts";
import { scalar, tensor } from "../../../src/ir/tensor.ts";
import { lowerPools } from "../../../src/loihi/lower/lower-pooling.ts";
import * as b from "../../support/ir-builder.ts";
import { assertSameSpikes, fixedInputs } from "../../support/check.ts";
import { ModelBuilder, type Src } from "../../support/gen.ts";
import { checkRewrite } from "../../support/property.ts";

function mtPool(pad: boolean): Graph {
  const nodes = [
    b.input("x", [4, 4, 1]),
    b.conv(
      "c",
      "x",
      b.t(
        [3, 3, 1, 2],
        [0.5, -0.25, 0.75, 0.25, 1, -0.5, 0.5, 0.25, 0.75, 1, -0.25, 0.5, 0.25, 0.5, 1, -0.75, 0.5, 0.25],
      ),
    ),
    b.neuron("mt", "c", { model: "MT-LIF", theta: 0.75, planes: [0.5, -0.5], decay: 0.5, fire: "ge" }),
    ...(pad ? [b.pad("p", "mt", [0, 1, 0, 1])] : []),
    b.pool("mp", "maxpool", pad ? "p" : "mt", [2, 2], [2, 2]),
    b.flatten("f", "mp"),
    b.dense("d", "f", b.t([8, 2], 0.25)),
    b.readout("ro", "d"),
  ];
  return b.model(nodes, { T: 4, encoding: "direct" });
}

test("three ranks of an MT neuron with 3 thresholds, each padded and max-pooled over binary spikes, summed under the pool's id", () => {
  const g = mtPool(true);
  const r = lowerPools(g);
  const ids = r.graph.nodes.map((n) => n.id);
  for (const k of [1, 2, 3]) {
    const rank = b.node<NeuronNode>(r.graph, `mt_rank${k}`);
    assert.deepEqual([...rank.threshold.data], [k - 0.5]);
    assert.equal(rank.decay, 0);
    assert.deepEqual(rank.inputs, ["mt"]);
    assert.ok(ids.includes(`p_rank${k}`) && ids.includes(`mp_rank${k}`) && ids.includes(`mp_rank${k}_sum`));
  }
  const add = r.graph.nodes.find((n) => n.id === "mp")!;
  assert.equal(add.op, "add");
  assert.deepEqual(add.inputs, ["mp_rank1", "mp_rank2", "mp_rank3"]);
  assert.ok(!ids.includes("p"), "the pad only the max pool read goes");
  assert.match(r.notes[0]!, /max-pool 'mp' over MT neuron 'mt' \(s_sum in 0\.\.3\) → Σ over 3 ranks/);
  assertSameSpikes(g, r.graph, fixedInputs(g, 6, 2), { exactReadouts: true });
  assertSameSpikes(mtPool(false), lowerPools(mtPool(false)).graph, fixedInputs(g, 6, 3), { exactReadouts: true });
});

/** conv → MT layer (random deltas, any order) → [pad] → max pool → conv → LIF. */
function mtPoolModel(s: Src): Graph {
  const m = new ModelBuilder(s);
  const x = m.input();
  const c = m.conv(x, s.int(1, 3), { same: true });
  const S = m.shape(c);
  const C = S[2]!;
  const n = s.int(1, 3);
  const theta = tensor(
    [C],
    Float64Array.from({ length: C }, () => s.range(0.25, 1.5)),
  );
  const deltas = Array.from({ length: n }, () => s.real(1) || 0.25);
  const mt = m.add(
    b.neuron(m.id("mt"), c, {
      model: "MT-LIF",
      decay: s.tier === "exact" ? s.pick([0.5, 0.75, 1]) : s.range(0.2, 1),
      fire: s.bool() ? "ge" : "gt",
      reset: s.bool() ? "soft" : "hard",
      threshold: theta,
      resetAmount: theta,
      deltas,
      planeThresholds: deltas.map((d) =>
        tensor(
          [C],
          theta.data.map((t) => t + d),
        ),
      ),
      bias: scalar(0),
    }),
  );
  const src = s.bool() ? m.add(b.pad(m.id("pad"), mt, [0, 1, 1, 0])) : mt;
  const pool = m.pool(src, "maxpool");
  const l = m.linear(pool);
  const out = m.add(b.neuron(m.id("n"), l, { theta: s.range(0.25, 1) }));
  return m.build([mt, out]);
}

for (const tier of ["exact", "float"] as const) {
  test(`property (${tier}): max pools over random MT layers keep every spike as sums of ranks`, () => {
    const tally = checkRewrite(tier, mtPoolModel, (g) => lowerPools(g).graph);
    assert.ok(tally.spikes > 0);
  });
}
