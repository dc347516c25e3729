import { test } from "node:test";
import assert from "node:assert/strict";
import { lavaIndex, lavaProcessGraphJson, lavaShape } from "../../../src/loihi/emit/lava-process-graph.ts";
import { hwconfigJson } from "../../../src/loihi/emit/hwconfig-json.ts";
import { reportText, table } from "../../../src/loihi/emit/report-txt.ts";
import { formatJson } from "../../../src/util/json-format.ts";
import { buildLoihi } from "../../../src/loihi/build.ts";
import { loihiDriver } from "../../../src/loihi/driver.ts";
import type { ConvSynapse, DenseSynapse } from "../../../src/loihi/model/integer-model.ts";
import { loadModel } from "../../../src/frontends/index.ts";
import { netxCheck } from "../../../src/loihi/quantize/index.ts";
import { offsetLayers } from "../../support/folded-graphs.ts";

test("Lava layouts: (W,H,C) shapes and flat indices", () => {
  assert.deepEqual(lavaShape([2, 3, 4]), [3, 2, 4]);
  assert.deepEqual(lavaShape([7]), [7]);
  // NHWC (y=1, x=2, c=3) of [2,3,4] = (1·3 + 2)·4 + 3 = 23 → Lava (x·H + y)·C + c = (2·2 + 1)·4 + 3 = 23
  assert.equal(lavaIndex([2, 3, 4], 23), 23);
  // (y=1, x=0, c=1): NHWC 13 → Lava (0·2 + 1)·4 + 1 = 5
  assert.equal(lavaIndex([2, 3, 4], 13), 5);
  assert.equal(lavaIndex([5], 3), 3);
});

test("network.lava.json of a residual graph: populations, delayed synapses, Lava layouts", async () => {
  const g = await loadModel("fixtures/residual-add/model.json");
  const { quant } = buildLoihi(g, { target: "loihi2" });
  const m = quant.model;
  const doc = JSON.parse(lavaProcessGraphJson(m, { netx: { written: false, reason: "r" } }));
  assert.equal(doc.format, "snnc.lava-process-graph");
  assert.deepEqual(doc.netx, { written: false, reason: "r" });
  assert.equal(doc.runSteps, m.runSteps);
  assert.deepEqual(
    doc.populations.map((p: { id: string }) => p.id),
    ["lif_a", "lif_b", "lif_c", "readout"],
  );
  for (const p of doc.populations) {
    const q = m.populations.find((x) => x.id === p.id)!;
    assert.equal(p.process, "lava.proc.lif.process.LIFReset");
    assert.deepEqual(p.shape, lavaShape(q.shape));
    assert.deepEqual(
      [p.du, p.dv, p.vth, p.bias_exp, p.reset_interval, p.reset_offset],
      [q.du, q.dv, q.vth, q.biasExp, m.runSteps, q.depth + 1],
    );
  }
  assert.equal(doc.populations[3].readout.step, 4 + m.timesteps);
  const delayed = doc.connections.filter((c: { delay: number }) => c.delay > 0);
  assert.deepEqual(
    delayed.map((c: { id: string; delay: number }) => [c.id, c.delay]),
    [["conv_c/lif_a", 1]],
  );
  assert.match(delayed[0].note, /Lava's Conv has no delays/);
  // conv weights: Lava's (out, kW, kH, in), flipped in x and y
  const cc = doc.connections.find((c: { id: string }) => c.id === "conv_c/lif_b");
  const s = m.connections.find((c) => c.id === "conv_c/lif_b")!.synapse as ConvSynapse;
  const [KH, KW, KI, CO] = s.kernelShape;
  assert.deepEqual(cc.weight.shape, [CO, KW, KH, KI]);
  for (const [o, kx, ky, i] of [
    [0, 0, 0, 0],
    [1, 2, 0, 3],
    [3, 1, 2, 2],
  ] as const) {
    assert.equal(
      cc.weight.data[((o * KW + kx) * KH + ky) * KI + i],
      s.kernel[(((KH - 1 - ky) * KW + (KW - 1 - kx)) * KI + i) * CO + o],
    );
  }
  assert.deepEqual(cc.padding, [1, 1]);
  assert.deepEqual(cc.stride, [2, 2]);
  // dense weights: (out, in) over Lava flat indices of a (W,H,C) source
  const dd = doc.connections.find((c: { id: string }) => c.id === "dense");
  const d = m.connections.find((c) => c.id === "dense")!.synapse as DenseSynapse;
  assert.deepEqual(dd.weights.shape, [d.outSize, d.inSize]);
  assert.equal(dd.process, "lava.proc.dense.process.Dense");
  const srcShape = m.populations.find((p) => p.id === "lif_c")!.shape;
  for (const i of [0, 5, 17, 63])
    for (let o = 0; o < d.outSize; o++)
      assert.equal(dd.weights.data[o * d.inSize + lavaIndex(srcShape, i)], d.weights[i * d.outSize + o]);
  assert.equal(dd.num_weight_bits, dd.sign_mode === "mixed" ? 9 : 8);
  assert.equal(doc.input.num_message_bits, 8);
});

test("hwconfig.json: every population on a core, totals and utilisation against the limits", async () => {
  const g = await loadModel("fixtures/pspnorm/model.json");
  const { placement } = buildLoihi(g, { target: "loihi2" });
  const doc = JSON.parse(hwconfigJson(placement));
  assert.equal(doc.target, "loihi2");
  assert.deepEqual(doc.board, { name: "kapoho-point", chips: 8, coresPerChip: 128, cores: 1024 });
  assert.equal(doc.limits.perCore.neurons, 8192);
  assert.equal(doc.totals.neurons, 256 + 256 + 3);
  assert.equal(doc.totals.cores, doc.cores.length);
  assert.equal(doc.utilisation.maxCoreNeuronsPercent, Math.round((1e4 * 515) / 8192) / 100);
  const placed = doc.cores.flatMap((c: { populations: { id: string; neurons: [number, number] }[] }) => c.populations);
  for (const p of doc.populations) {
    const n = placed
      .filter((x: { id: string }) => x.id === p.id)
      .reduce((a: number, x: { neurons: [number, number] }) => a + x.neurons[1] - x.neurons[0], 0);
    assert.equal(n, p.neurons, `${p.id} fully placed`);
  }
});

test("report.txt lays out sections; tables align; JSON formatting is compact and stable", async () => {
  assert.equal(
    reportText(
      ["head"],
      [
        { title: "A", lines: ["x"] },
        { title: "Empty", lines: [] },
      ],
    ),
    "head\n\nA\n-\nx\n",
  );
  assert.deepEqual(
    table(
      ["n", "v"],
      [
        ["a", 1],
        ["bbb", 22],
      ],
    ),
    ["n    v", "a     1", "bbb  22"],
  );
  assert.equal(
    formatJson({ a: [1, 2], b: { c: "x" }, d: [] }),
    '{\n  "a": [1, 2],\n  "b": {\n    "c": "x"\n  },\n  "d": []\n}\n',
  );
  const g = await loadModel("fixtures/keras-misc/model.json");
  const r = await loihiDriver.compile(g, { target: "loihi" });
  const text = r.files.get("report.txt") as string;
  for (const s of ["Passes", "Quantisation", "Latency", "Placement", "Agreement (measured, not assumed)", "Files"])
    assert.match(text, new RegExp(`\\n${s.replace(/[()]/g, "\\$&")}[^\\n]*\\n-+\\n`));
  assert.match(text, /run 7 steps per sample: T = 4 plus 3 extra for the pipeline latency/);
  assert.match(text, /lower-neuron-model:\n {2}2 neuron layers/);
  assert.match(
    text,
    /network\.net: netx HDF5; load with netx\.hdf5\.Network\(net_config='network\.net', input_message_bits=8, reset_interval=7, reset_offset=1\)/,
  );
  assert.match(text, /readout 'readout': argmax agrees on \d\/8 samples/);
});

test("network.lava.json and hwconfig.json of state offsets: pulses with their initial v, a self-recurrent diagonal Dense, extra synapses counted", async () => {
  const g = await loadModel("fixtures/mpbn-channel/model.json");
  const { quant, placement } = buildLoihi(g, { target: "loihi2" });
  const m = quant.model;
  const R = m.runSteps;
  const chk = netxCheck(m);
  assert.equal(chk.ok, false);
  const doc = JSON.parse(
    lavaProcessGraphJson(m, { netx: chk.ok ? { written: true } : { written: false, reason: chk.reason } }),
  );
  assert.match(doc.netx.reason, /^state offsets \('lif1'\): netx sets no initial v per neuron/);
  assert.deepEqual(
    doc.populations.map((p: { id: string; kind: string }) => [p.id, p.kind]),
    [
      ["pulse_0", "pulse"],
      ["pulse_1", "pulse"],
      ["lif1", "lif"],
      ["if2", "lif"],
      ["readout", "integrator"],
    ],
  );
  const [p0, p1] = doc.populations;
  // phase 1: v starts at 64·(R − 1) and climbs 64 a step past vth·64 = 64·(R − 1) at step 1; phase 0 starts at 0 and fires at step R
  assert.deepEqual(
    [p1.process, p1.shape, p1.vth, p1.v, p1.bias_mant, p1.bias_exp, p1.du, p1.dv, p1.reset_offset, p1.phase],
    ["lava.proc.lif.process.LIFReset", [1], R - 1, 64 * (R - 1), 1, 6, 4095, 0, 2, 1],
  );
  assert.equal(p0.v, undefined);
  assert.match(p0.fires, new RegExp(`step ${R} of every sample`));
  assert.equal(doc.populations[2].v, undefined, "lif1 needs no initial v (its bias stays below the threshold)");
  const self = doc.connections.find((c: { id: string }) => c.id === "lif1/self");
  assert.deepEqual(
    [self.kind, self.from, self.to, self.process, self.sign_mode, self.num_weight_bits, self.weights.shape],
    ["diagonal", "lif1", "lif1", "lava.proc.dense.process.Dense", "excitatory", 8, [256, 256]],
  );
  const w = (m.connections.find((c) => c.id === "lif1/self")!.synapse as { weights: Int32Array }).weights;
  const shape = m.populations.find((p) => p.id === "lif1")!.shape;
  for (const i of [0, 1, 5, 37, 255]) assert.equal(self.weights.diagonal[lavaIndex(shape, i)], w[i]);
  const inhibit = doc.connections.filter((c: { from: string }) => c.from === "pulse_0");
  assert.ok(
    inhibit.length >= 1 &&
      inhibit.every(
        (c: { sign_mode: string; weight_exp: number }) => c.sign_mode === "inhibitory" && c.weight_exp === 7,
      ),
  );
  // hwconfig: the pulses are neurons, the self-recurrent, initial-state and inhibition synapses are synapses
  const hw = JSON.parse(hwconfigJson(placement));
  assert.equal(hw.totals.neurons, 2 + 256 + 16 + 3);
  let nz = 0;
  for (const c of m.connections) {
    const s = c.synapse;
    if (s.kind !== "conv") for (const v of s.weights) if (v !== 0) nz++;
  }
  const convTaps = placement.populations.find((p) => p.id === "lif1")!.synapses - 64 - 64 - 64 * inhibit.length;
  assert.equal(hw.totals.synapses, nz + convTaps);
  assert.ok(convTaps > 0);
  // an initial v on a real population (depth 1, its bias alone above the threshold) is written per neuron in Lava order
  const m2 = buildLoihi(offsetLayers(0.25, -2), { target: "loihi2" }).quant.model;
  const l1 = m2.populations.find((p) => p.id === "lif1")!;
  const d2 = JSON.parse(lavaProcessGraphJson(m2, { netx: { written: false, reason: "r" } }));
  const v = d2.populations.find((p: { id: string }) => p.id === "lif1").v as number[];
  assert.equal(v.length, 72);
  for (let i = 0; i < 72; i++) assert.equal(v[lavaIndex(l1.shape, i)], l1.v0![i]);
  assert.ok(v.some((x) => x < 0));
});
