/**
 * The Loihi lowering passes: each rewrite keeps every spike of the float model (checked with the
 * reference simulator on seeded inputs), and each refusal names the layer and the reason.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Graph, IRNode, NeuronNode, PoolNode } from "../../../src/ir/nodes.ts";
import { inputNode } from "../../../src/ir/graph.ts";
import { scalar, size, tensor } from "../../../src/ir/tensor.ts";
import { checkGraphForLoihi } from "../../../src/loihi/lower/lower-neuron-model.ts";
import { foldPads } from "../../../src/loihi/lower/lower-pad.ts";
import { avgIntoConv, lowerPools } from "../../../src/loihi/lower/lower-pooling.ts";
import { moveGains } from "../../../src/loihi/lower/lower-gain.ts";
import { scalarThresholds } from "../../../src/loihi/lower/lower-thresholds.ts";
import { simulate, type StepInput } from "../../../src/sim/reference.ts";
import { loadTarget } from "../../../src/target/load-target.ts";
import { refuses } from "../../support/errors.ts";
import { expandedConv, spikeFeatures, spikeTrains } from "../../support/folded-graphs.ts";
import * as b from "../../support/ir-builder.ts";
import { analogInputs, Rng } from "../../support/rng.ts";

const L2 = loadTarget("loihi2");
const L1 = loadTarget("loihi1");

/** Every neuron layer present in both graphs fires identically; readouts agree to float rounding. */
function sameSpikes(ref: Graph, got: Graph, inputs: StepInput[], what: string): number {
  let spikes = 0;
  for (const x of inputs) {
    const ra = simulate(ref, x, { all: true });
    const rb = simulate(got, x);
    for (const [id, tb] of rb.traces) {
      const ta = ra.traces.get(id);
      if (!ta) continue;
      for (let t = 0; t < tb.out.length; t++) {
        assert.deepEqual(Array.from(tb.out[t]!), Array.from(ta.out[t]!), `${what}: layer ${id} step ${t}`);
        spikes += Array.from(tb.out[t]!).reduce((s, v) => s + v, 0);
      }
    }
    for (const [id, v] of ra.readouts) {
      const w = rb.readouts.get(id)!;
      for (let i = 0; i < v.length; i++)
        assert.ok(Math.abs(v[i]! - w[i]!) <= 1e-9 * (1 + Math.abs(v[i]!)), `${what}: readout ${id}[${i}]`);
    }
  }
  return spikes;
}

function analog(g: Graph, n: number, seed: number): Float64Array[] {
  return analogInputs(size(inputNode(g).inputShape), n, seed);
}

/** A refusal of the Loihi target, naming the layer. */
const refusal = (fn: () => unknown, layer: string, re: RegExp) => refuses(fn, { code: "E_TARGET", layer, parts: [re] });

function oneLayer(n: b.NeuronOpts): Graph {
  const r = new Rng(1);
  return b.model(
    [
      b.input("in", [4, 4, 1]),
      b.conv("c", "in", b.uniform(r, [3, 3, 1, 2], -1, 1)),
      b.neuron("n", "c", { decay: 0.8, ...n }),
    ],
    { name: "one", T: 3, encoding: "direct" },
  );
}

test("lower-neuron-model refuses what no Lava process of the target can be, naming layer and reason", () => {
  // loihi1: no ATRLIF (a Loihi 2 process), no graded spikes for s_sum or a gain stage
  refusal(() => checkGraphForLoihi(oneLayer({ reset: "soft" }), L1), "n", /soft reset .* resets v to 0 after a spike/);
  refusal(
    () => checkGraphForLoihi(oneLayer({ planeThresholds: [scalar(1.5)], model: "MT-LIF" }), L1),
    "n",
    /2 thresholds .* cannot share one membrane .* loihi1 has no graded spikes/,
  );
  // loihi2: soft reset on ATRLIF, MT planes on snnc's MultiThresholdLIF
  assert.match(
    checkGraphForLoihi(oneLayer({ reset: "soft" }), L2).notes[0]!,
    /1 neuron layer: 0 Lava LIF .*, 1 Lava ATRLIF \(soft reset: 'n'\)/,
  );
  assert.match(
    checkGraphForLoihi(oneLayer({ planeThresholds: [scalar(1.5)], model: "MT-LIF" }), L2).notes[0]!,
    /1 snnc MultiThresholdLIF \('n': several thresholds on one membrane/,
  );
  const sched = {
    decay: [scalar(0.8), scalar(0.8), scalar(0.8)],
    bias: [scalar(0), scalar(0), scalar(0)],
    thresholdScale: [scalar(1), scalar(1.1), scalar(1.2)],
  };
  refusal(
    () => checkGraphForLoihi(oneLayer({ schedule: sched }), L2),
    "n",
    /per-step neuron parameters .* --temporal-norm approx/,
  );
  // the unscaled form (a per-step gain and bias, static decay and thresholds) runs on a gain stage
  const gained = {
    ...sched,
    thresholdScale: [scalar(1), scalar(1), scalar(1)],
    gain: [scalar(1), scalar(0.5), scalar(2)],
  };
  assert.match(
    checkGraphForLoihi(oneLayer({ schedule: gained, decay: 0.8 }), L2).notes.join("\n"),
    /'n': per-step gain and bias \(a ProdNeuron gain stage/,
  );
  refusal(() => checkGraphForLoihi(oneLayer({ schedule: gained, decay: 0.8 }), L1), "n", /per-step neuron parameters/);
  // what is fine: ≥ firing, ±∞ thresholds, hard reset to 0; and, through a state offset (lower-state-offset),
  // v_reset ≠ 0, thresholds < 0, and 0 with ≥
  const ok = checkGraphForLoihi(oneLayer({ fire: "ge", theta: tensor([2], [0.7, Infinity]) }), L2);
  assert.match(ok.notes.join("\n"), /mapped exactly by the quantiser/);
  for (const o of [{ vReset: scalar(-0.2) }, { theta: tensor([2], [0.5, -0.3]) }, { theta: 0, fire: "ge" as const }]) {
    assert.match(
      checkGraphForLoihi(oneLayer(o), L2).notes.join("\n"),
      /'n': v_reset ≠ 0 or a threshold ≤ 0, expressed by a state offset/,
    );
  }
});

test("lower-pad folds ZeroPadding into the conv's padding; spikes unchanged", () => {
  const r = new Rng(3);
  const g = b.model(
    [
      b.input("in", [6, 6, 2]),
      b.conv("c0", "in", b.uniform(r, [3, 3, 2, 3], -0.5, 1)),
      b.neuron("l0", "c0", { decay: 0.8 }),
      b.pad("p", "l0", [1, 2, 0, 1]),
      b.conv("c1", "p", b.uniform(r, [3, 3, 3, 2], -0.5, 1), { strides: [2, 2], padding: "same" }),
      b.neuron("l1", "c1", { decay: 0.8, theta: 0.8 }),
    ],
    { name: "pad", T: 4, encoding: "direct" },
  );
  const { graph: h, notes } = foldPads(g);
  assert.ok(!h.nodes.some((n) => n.op === "pad"));
  const c1 = h.nodes.find((n) => n.id === "c1") as Extract<IRNode, { op: "conv2d" }>;
  // 'same' on the padded 9×7 with stride 2, kernel 3: pads [1,1] rows, [1,1] cols; plus [1,2,0,1]
  assert.deepEqual(c1.padding, [2, 3, 1, 2]);
  assert.match(notes[0]!, /pad 'p' \[1, 2, 0, 1\] → padding \[2, 3, 1, 2\]/);
  assert.ok(sameSpikes(g, h, analog(g, 5, 1), "lower-pad") > 0);
});

test("lower-pooling: avg-pool folds exactly into dense (also with padded 'same' windows) and into conv", () => {
  const r = new Rng(4);
  const mk = (padding: "same" | "valid", next: "dense" | "conv", poolK = 2): Graph =>
    b.model(
      [
        b.input("in", [7, 7, 2]),
        b.conv("c0", "in", b.uniform(r, [3, 3, 2, 3], -0.5, 1), { bias: b.uniform(r, [3], -0.1, 0.1) }),
        b.neuron("l0", "c0", { decay: 0.8, theta: 0.9 }),
        b.pool("ap", "avgpool", "l0", [poolK, poolK], [poolK, poolK], padding),
        ...(next === "dense"
          ? [
              b.flatten("fl", "ap"),
              b.dense(
                "d",
                "fl",
                b.uniform(r, [(padding === "same" ? 16 : 9) * 3, 4], -1, 1),
                b.uniform(r, [4], -0.1, 0.1),
              ),
              b.neuron("l1", "d", { decay: 0.8, theta: 0.6 }),
            ]
          : [b.conv("c1", "ap", b.uniform(r, [3, 3, 3, 2], -1, 1)), b.neuron("l1", "c1", { decay: 0.8, theta: 0.5 })]),
        b.readout("ro", "l1"),
      ],
      { name: "avg", T: 4, encoding: "direct" },
    );
  for (const [padding, next] of [
    ["valid", "dense"],
    ["same", "dense"],
    ["valid", "conv"],
    ["same", "conv"],
  ] as const) {
    const g = mk(padding, next);
    const { graph: h, notes } = lowerPools(g);
    assert.ok(!h.nodes.some((n) => n.op === "avgpool"), `${padding}/${next}: avgpool gone`);
    if (next === "dense") assert.match(notes.join("\n"), /→ dense 'd' weights/);
    // 7×7 with a 2×2 pool: valid drops the last row/col (windows do not tile), same pads: both need explicit synapses
    else assert.match(notes.join("\n"), /explicit synapses/);
    assert.ok(sameSpikes(g, h, analog(g, 4, 2), `${padding}/${next}`) > 0, `${padding}/${next} fires`);
  }
  // 8×8 with 2×2 valid windows tile: one conv, stride 2, kernel (3−1)·2 + 2 = 6, padding ×2
  const g8 = b.model(
    [
      b.input("in", [8, 8, 1]),
      b.conv("c0", "in", b.uniform(r, [3, 3, 1, 2], -0.5, 1)),
      b.neuron("l0", "c0", { decay: 0.8, theta: 0.7 }),
      b.pool("ap", "avgpool", "l0"),
      b.conv("c1", "ap", b.uniform(r, [3, 3, 2, 2], -1, 1), { bias: b.uniform(r, [2], -0.1, 0.1) }),
      b.neuron("l1", "c1", { decay: 0.8, theta: 0.4 }),
    ],
    { name: "avg8", T: 4, encoding: "direct" },
  );
  const { graph: h8, notes: n8 } = lowerPools(g8);
  const c1 = h8.nodes.find((n) => n.id === "c1") as Extract<IRNode, { op: "conv2d" }>;
  assert.deepEqual(c1.kernel.shape, [6, 6, 2, 2]);
  assert.deepEqual(c1.strides, [2, 2]);
  assert.deepEqual(c1.padding, [2, 2, 2, 2]);
  assert.match(n8[0]!, /exact: no padded window/);
  assert.ok(sameSpikes(g8, h8, analog(g8, 4, 3), "avg→conv") > 0);
  // a padded pooling window cannot become one conv
  const ap = { ...(g8.nodes[3] as PoolNode), padding: "same" as const };
  assert.equal(avgIntoConv({ ...ap, pool: [3, 3], strides: [2, 2] }, [8, 8, 2], c1, [4, 4, 2], [4, 4, 2]), undefined);
});

test("lower-pooling: max-pool over binary spikes → sum-pool + fire-on-any neuron (one more layer, same spikes)", () => {
  const g = spikeFeatures();
  const { graph: h, notes } = lowerPools(g);
  const mp = h.nodes.find((n) => n.id === "mp")!;
  assert.equal(mp.op, "neuron");
  assert.equal(h.nodes.find((n) => n.id === mp.inputs[0])!.op, "sumpool");
  assert.match(notes[0]!, /max-pool 'mp' 2×2 → sum-pool 'mp_sum' \+ fire-on-any neuron/);
  const ins = [0, 1, 2].map((s) => spikeTrains(g, s));
  assert.ok(sameSpikes(g, h, ins, "maxpool") > 0);
  // max over analog values is not a neuron
  const r = new Rng(5);
  const bad = b.model(
    [
      b.input("in", [4, 4, 1]),
      b.pool("mp", "maxpool", "in"),
      b.conv("c", "mp", b.uniform(r, [1, 1, 1, 1], 0.5, 1)),
      b.neuron("n", "c", { decay: 0.8 }),
    ],
    { name: "mp-analog", T: 2, encoding: "direct" },
  );
  refusal(() => lowerPools(bad), "mp", /max-pooling over the analog \(direct-encoded\) input/);
});

test("lower-gain and lower-thresholds: per-channel and per-neuron factors, ±∞ thresholds; spikes unchanged", () => {
  const g = spikeFeatures();
  const g1 = moveGains(lowerPools(g).graph);
  const l1 = g1.graph.nodes.find((n) => n.id === "l1") as NeuronNode;
  assert.deepEqual(Array.from(l1.gain.data), [1]);
  const g2 = scalarThresholds(g1.graph);
  const l1b = g2.graph.nodes.find((n) => n.id === "l1") as NeuronNode;
  const l2b = g2.graph.nodes.find((n) => n.id === "l2") as NeuronNode;
  assert.deepEqual(l1b.threshold.shape, []);
  assert.equal(l1b.threshold.data[0], 1.4);
  assert.deepEqual(l2b.threshold.shape, []);
  assert.match(
    g2.notes.join("\n"),
    /thresholds of 'l1' \(per channel, 4 distinct; 36 neurons never fire .*, 36 neurons fire every step .*\) → one threshold 1\.4: .*no extra synapse.*alternative: 4 populations/,
  );
  const ins = [0, 1, 2, 3].map((s) => spikeTrains(g, s));
  assert.ok(sameSpikes(g, g2.graph, ins, "gain+thresholds") > 0);
  // the −∞ channel fires every step, the +∞ channel never
  const r = simulate(g2.graph, ins[0]!);
  for (const o of r.traces.get("l1")!.out) {
    for (let i = 0; i < o.length; i += 4) {
      assert.equal(o[i + 2], 0);
      assert.equal(o[i + 3], 1);
    }
  }
  // per-neuron thresholds on a conv: expanded synapses, reported with counts
  const e = expandedConv();
  const e2 = scalarThresholds(e);
  assert.ok(e2.graph.nodes.some((n) => n.id === "c1_expanded" && n.op === "dense"));
  assert.match(
    e2.notes.join("\n"),
    /conv 'c1' → per-neuron synapses for 'l1' .*: 162 explicit synapses instead of a shared 3×3×1×2 kernel/,
  );
  assert.ok(
    sameSpikes(
      e,
      e2.graph,
      [0, 1, 2].map((s) => spikeTrains(e, s)),
      "expanded",
    ) > 0,
  );
  // a threshold 0 next to positive ones has no positive scale
  refusal(
    () => scalarThresholds(oneLayer({ theta: tensor([2], [0, 0.5]) })),
    "n",
    /threshold 0 while others have positive thresholds/,
  );
  // only ±∞ thresholds with ≥: the common threshold is positive, so the +∞ channel still never fires
  const inf = oneLayer({ theta: tensor([2], [Infinity, -Infinity]), fire: "ge" });
  const infOne = scalarThresholds(inf).graph;
  assert.ok((infOne.nodes.find((n) => n.id === "n") as NeuronNode).threshold.data[0]! > 0);
  assert.ok(sameSpikes(inf, infOne, analog(inf, 2, 5), "±∞ with ≥") > 0);
  for (const o of simulate(infOne, analog(inf, 1, 6)[0]!).traces.get("n")!.out)
    for (let i = 0; i < o.length; i += 2) assert.deepEqual([o[i], o[i + 1]], [0, 1]);
});
