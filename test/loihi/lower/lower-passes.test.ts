/**
 * The Loihi lowering passes: each rewrite keeps every spike of the float model (checked with the
 * reference simulator on seeded inputs), and each refusal names the layer and the reason.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { SnncError } from "../../../src/ir/errors.ts";
import type { Graph, IRNode, NeuronNode, PoolNode } from "../../../src/ir/nodes.ts";
import { scalar, tensor } from "../../../src/ir/tensor.ts";
import { checkGraphForLoihi } from "../../../src/loihi/lower/lower-neuron-model.ts";
import { foldPads } from "../../../src/loihi/lower/lower-pad.ts";
import { avgIntoConv, lowerPools } from "../../../src/loihi/lower/lower-pooling.ts";
import { moveGains } from "../../../src/loihi/lower/lower-gain.ts";
import { scalarThresholds } from "../../../src/loihi/lower/lower-thresholds.ts";
import { simulate, type StepInput } from "../../../src/sim/reference.ts";
import { loadTarget } from "../../../src/target/load-target.ts";
import {
  conv,
  dense,
  graph,
  lif,
  pool,
  rand,
  readout,
  rng,
  spikeFeatures,
  spikeTrains,
  expandedConv,
} from "../models.ts";

const L2 = loadTarget("loihi2");

/** Every neuron layer present in both graphs fires identically; readouts agree to float rounding. */
function sameSpikes(a: Graph, b: Graph, inputs: StepInput[], what: string): number {
  let spikes = 0;
  for (const x of inputs) {
    const ra = simulate(a, x, { all: true });
    const rb = simulate(b, x);
    for (const [id, tb] of rb.traces) {
      const ta = ra.traces.get(id);
      if (!ta) continue;
      for (let t = 0; t < tb.out.length; t++) {
        assert.deepEqual(Array.from(tb.out[t]!), Array.from(ta.out[t]!), `${what}: layer ${id} step ${t}`);
        spikes += tb.out[t]!.reduce((s, v) => s + v, 0);
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
  const r = rng(seed);
  const size = g.nodes.find((x) => x.op === "input")!.shape!.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, () => Float64Array.from({ length: size }, () => r(0, 1)));
}

function refusal(fn: () => unknown, layer: string, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SnncError, String(e));
    assert.equal(e.code, "E_TARGET");
    assert.equal(e.layer, layer);
    assert.match(e.message, re);
    assert.ok(!e.message.includes("\n"));
    return true;
  });
}

function oneLayer(n: Partial<NeuronNode> & { theta?: number | ReturnType<typeof tensor> }): Graph {
  const r = rng(1);
  return graph(
    "one",
    [
      { op: "input", id: "in", inputs: [], inputShape: [4, 4, 1] },
      conv("c", "in", rand([3, 3, 1, 2], r, -1, 1)),
      lif("n", "c", n),
    ],
    3,
    "direct",
  );
}

test("lower-neuron-model refuses what Lava's LIF cannot be, naming layer and reason", () => {
  refusal(() => checkGraphForLoihi(oneLayer({ reset: "soft" }), L2), "n", /soft reset .* resets v to 0 after a spike/);
  refusal(
    () => checkGraphForLoihi(oneLayer({ planeThresholds: [scalar(1.5)], model: "MT-LIF" }), L2),
    "n",
    /2 thresholds .* cannot share one membrane/,
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
  const r = rng(3);
  const g = graph(
    "pad",
    [
      { op: "input", id: "in", inputs: [], inputShape: [6, 6, 2] },
      conv("c0", "in", rand([3, 3, 2, 3], r, -0.5, 1)),
      lif("l0", "c0"),
      { op: "pad", id: "p", inputs: ["l0"], pads: [1, 2, 0, 1] },
      conv("c1", "p", rand([3, 3, 3, 2], r, -0.5, 1), { strides: [2, 2], padding: "same" }),
      lif("l1", "c1", { theta: 0.8 }),
    ],
    4,
    "direct",
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
  const r = rng(4);
  const mk = (padding: "same" | "valid", next: "dense" | "conv", poolK = 2): Graph =>
    graph(
      "avg",
      [
        { op: "input", id: "in", inputs: [], inputShape: [7, 7, 2] },
        conv("c0", "in", rand([3, 3, 2, 3], r, -0.5, 1), { bias: rand([3], r, -0.1, 0.1) }),
        lif("l0", "c0", { theta: 0.9 }),
        { op: "avgpool", id: "ap", inputs: ["l0"], pool: [poolK, poolK], strides: [poolK, poolK], padding },
        ...(next === "dense"
          ? [
              { op: "flatten", id: "fl", inputs: ["ap"] } as IRNode,
              dense("d", "fl", rand([(padding === "same" ? 16 : 9) * 3, 4], r, -1, 1), rand([4], r, -0.1, 0.1)),
              lif("l1", "d", { theta: 0.6 }),
            ]
          : [conv("c1", "ap", rand([3, 3, 3, 2], r, -1, 1)), lif("l1", "c1", { theta: 0.5 })]),
        readout("ro", "l1"),
      ],
      4,
      "direct",
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
  const g8 = graph(
    "avg8",
    [
      { op: "input", id: "in", inputs: [], inputShape: [8, 8, 1] },
      conv("c0", "in", rand([3, 3, 1, 2], r, -0.5, 1)),
      lif("l0", "c0", { theta: 0.7 }),
      { op: "avgpool", id: "ap", inputs: ["l0"], pool: [2, 2], strides: [2, 2], padding: "valid" },
      conv("c1", "ap", rand([3, 3, 2, 2], r, -1, 1), { bias: rand([2], r, -0.1, 0.1) }),
      lif("l1", "c1", { theta: 0.4 }),
    ],
    4,
    "direct",
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
  const r = rng(5);
  const bad = graph(
    "mp-analog",
    [
      { op: "input", id: "in", inputs: [], inputShape: [4, 4, 1] },
      pool("mp", "maxpool", "in"),
      conv("c", "mp", rand([1, 1, 1, 1], r, 0.5, 1)),
      lif("n", "c"),
    ],
    2,
    "direct",
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
