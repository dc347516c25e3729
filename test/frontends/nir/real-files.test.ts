/**
 * NIR files written by other tools (fixtures/nir-paper, fixtures/nir-snntorch): each imports, runs and
 * reproduces what its source says it computes.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadModel } from "../../../src/frontends/index.ts";
import type { NeuronNode } from "../../../src/ir/nodes.ts";
import { simulate } from "../../../src/sim/reference.ts";
import { rejects } from "../../support/errors.ts";
import { nirIndexOf, PAPER, patternInput, SNNTORCH } from "./nir-files.ts";

const csv = (name: string) =>
  readFileSync(join(PAPER, name), "utf8")
    .trim()
    .split("\n")
    .map((l) => l.split(",").map(Number));

/** Runs `file` and returns, per neuron layer, its v after reset (h, or v_reset where it fired) and spikes. */
async function lifTrace(method: "euler" | "exp") {
  const rows = csv("lif_exact.csv");
  const g = await loadModel(join(PAPER, "lif_norse.nir"), { dt: 1e-4, dtMethod: method });
  const r = simulate(
    g,
    rows.map((x) => Float64Array.of(x[0]!)),
    { timesteps: rows.length, membrane: true },
  );
  const tr = r.traces.get("1")!;
  const spikes = tr.out.map((o) => o[0]!);
  const v = tr.h!.map((h, t) => (spikes[t] ? 0 : h[0]!));
  return { rows, spikes, v, decay: (g.nodes.find((n) => n.id === "1") as NeuronNode).decay };
}

describe("lif_norse.nir (Norse) against the NIR paper's traces at dt = 1e-4 s", () => {
  test("exp: spikes identical; v within 1e-9 of the exact solution, up to the charge it keeps after a spike", async () => {
    const { rows, spikes, v, decay } = await lifTrace("exp");
    assert.deepEqual(
      spikes,
      rows.map((r) => r[2]),
    );
    assert.equal(
      spikes.reduce((a, b) => a + b, 0),
      4,
    );
    // The exact solution crosses the threshold inside the step, resets there and integrates the rest of
    // the step; a discrete step resets at its end. After the spike at step k the difference is the exact
    // solution's residual charge v_exact[k], decaying like any charge: v_exact[t] − v[t] = decay^(t−k)·v_exact[k].
    let k = -1;
    for (let t = 0; t < rows.length; t++) {
      if (spikes[t]) k = t;
      const residual = k < 0 ? 0 : decay ** (t - k) * rows[k]![1]!;
      assert.ok(Math.abs(rows[t]![1]! - v[t]! - residual) < 1e-9, `step ${t}: ${rows[t]![1]} vs ${v[t]} + ${residual}`);
    }
  });

  test("euler (the default): spikes identical to the exact solution; v = Norse's own trace within 1e-6", async () => {
    const { rows, spikes, v } = await lifTrace("euler");
    assert.deepEqual(
      spikes,
      rows.map((r) => r[2]),
    );
    const norse = csv("lif_norse.csv");
    assert.deepEqual(
      spikes,
      norse.map((r) => r[2]),
    );
    // Norse steps the same Euler equation in float32: it agrees to float32 rounding.
    for (let t = 0; t < rows.length; t++) assert.ok(Math.abs(v[t]! - norse[t]![1]!) < 1e-6, `step ${t}`);
    // Euler's step gain dt/τ = 0.04 against the exact 1 − e^(−0.04): up to 1e-3 apart before the first spike.
    const first = spikes.indexOf(1);
    const worst = Math.max(...v.slice(0, first).map((x, t) => Math.abs(x - rows[t]![1]!)));
    assert.ok(worst > 1e-4 && worst < 1e-3, `Euler vs exact before the first spike: ${worst}`);
  });
});

/** Every spiking layer's raster equals the independent reference run of the same file. */
async function matchesReference(file: string, reference: string) {
  const ref = JSON.parse(readFileSync(reference, "utf8")) as { timesteps: number; layers: Record<string, number[][]> };
  const g = await loadModel(file);
  const inShape = g.nodes.find((n) => n.op === "input")!.shape!;
  const r = simulate(g, patternInput(ref.timesteps, inShape), { timesteps: ref.timesteps });
  let spikes = 0;
  for (const [layer, raster] of Object.entries(ref.layers)) {
    const tr = r.traces.get(layer);
    assert.ok(tr, `no layer '${layer}'`);
    const idx = nirIndexOf(tr.shape);
    tr.out.forEach((o, t) => {
      const got = [...o.keys()].filter((j) => o[j]).map((j) => idx[j]!);
      assert.deepEqual(
        got.sort((a, b) => a - b),
        [...raster[t]!].sort((a, b) => a - b),
        `layer '${layer}' step ${t}`,
      );
      spikes += got.length;
    });
  }
  return spikes;
}

describe("every spike equals an independent run of the file in NIR's own layout", () => {
  for (const [file, T] of [
    ["cnn_sinabs", 12],
    ["braille_noDelay_bias_zero", 100],
    ["braille_noDelay_noBias_subtract", 100],
    ["two_lif_neurons", 400],
  ] as const) {
    test(`${file}.nir (${T} steps)`, async () => {
      const n = await matchesReference(join(PAPER, `${file}.nir`), join(PAPER, `${file}.reference.json`));
      assert.ok(n > 0, "the run fires");
    });
  }
  test("snntorch_rleaky.nir", async () => {
    assert.ok(
      (await matchesReference(
        join(SNNTORCH, "snntorch_rleaky.nir"),
        join(SNNTORCH, "snntorch_rleaky.reference.json"),
      )) > 0,
    );
  });
});

describe("snnTorch's export", () => {
  test("snnc reproduces the spikes snnTorch itself produced, layer by layer", async () => {
    const ex = JSON.parse(readFileSync(join(SNNTORCH, "snntorch_rleaky.spikes.json"), "utf8"));
    const g = await loadModel(join(SNNTORCH, "snntorch_rleaky.nir"));
    const r = simulate(
      g,
      ex.input.map((x: number[]) => Float64Array.from(x)),
      { timesteps: ex.input.length },
    );
    for (const [theirs, ours] of [
      ["rleaky", "1.lif"],
      ["leaky", "3"],
    ] as const) {
      const got = r.traces.get(ours)!.out.map((o) => Array.from(o));
      assert.deepEqual(got, ex.spikes[theirs], `layer ${ours}`);
    }
    // The recurrent layer is cut one step after its neuron, as snnTorch's RLeaky feeds its spikes back.
    const d = g.nodes.find((n) => n.op === "delay")!;
    assert.deepEqual(d.inputs, ["1.lif"]);
  });
});

describe("files of the NIR paper: structure", () => {
  test("cnn_sinabs.nir: channels last, convolution and pooling geometry as Sinabs wrote it", async () => {
    const g = await loadModel(join(PAPER, "cnn_sinabs.nir"));
    const shape = (id: string) => g.nodes.find((n) => n.id === id)!.shape;
    assert.deepEqual(shape("input"), [34, 34, 2]);
    assert.deepEqual(shape("1"), [16, 16, 16]);
    assert.deepEqual(shape("4"), [8, 8, 16]);
    assert.deepEqual(shape("8"), [128]);
    assert.deepEqual(shape("12"), [10]);
    const if1 = g.nodes.find((n) => n.id === "1") as NeuronNode;
    assert.equal(if1.model, "IF");
    assert.deepEqual(if1.threshold.shape, [], "a per-neuron threshold that is one value becomes a scalar");
    assert.deepEqual(g.meta.encoding, "spikes");
  });

  test("braille: CubaLIF becomes a synaptic-current li and a LIF; the recurrent edge a one-step delay", async () => {
    const g = await loadModel(join(PAPER, "braille_noDelay_bias_zero.nir"));
    const ops = g.nodes.map((n) => `${n.id}:${n.op}`);
    assert.deepEqual(ops, [
      "input:input",
      "fc1:dense",
      "lif1.lif:recurrent:delay",
      "lif1.w_rec:dense",
      "lif1.lif:sum:add",
      "lif1.lif:i_syn:li",
      "lif1.lif:neuron",
      "fc2:dense",
      "lif2:i_syn:li",
      "lif2:neuron",
    ]);
    const lif = g.nodes.find((n) => n.id === "lif1.lif") as NeuronNode;
    // snnTorch's β = 0.9 (float32), written as τ = dt/(1 − β): Euler at dt = 1e-4 gives it back.
    assert.ok(Math.abs(lif.decay - 0.9) < 1e-6);
    assert.equal(lif.reset, "hard");
    assert.deepEqual(Array.from(lif.vReset.data), [0], "v_reset defaults to 0 in files without it");
  });

  test("lif_rockpool.nir: Output [1, 1, 1] for a one-neuron source is accepted, with the fix-up stated", async () => {
    const g = await loadModel(join(PAPER, "broken", "lif_rockpool.nir"));
    const lif = g.nodes.find((n) => n.id === "1_LIFNeuronTorch")!;
    assert.deepEqual(g.outputs, ["1_LIFNeuronTorch"]);
    assert.ok(lif.origin!.some((o) => o.includes("declares shape [1,1,1]") && o.includes("that shape is used")));
    const r = simulate(
      g,
      Array.from({ length: 200 }, () => Float64Array.of(1)),
      { timesteps: 200 },
    );
    assert.ok(
      r.traces.get("1_LIFNeuronTorch")!.out.some((o) => o[0] === 1),
      "the driven neuron fires",
    );
  });

  test("braille_noDelay_bias_zero_subgraph.nir: an edge naming a missing node is refused", async () => {
    const file = join(PAPER, "broken", "braille_noDelay_bias_zero_subgraph.nir");
    await rejects(loadModel(file), {
      code: "E_FORMAT",
      file,
      layer: "lif1",
      parts: ["edge 'input' → 'lif' of graph 'lif1'", "no node 'lif'", "its nodes: input, lif1, lin, output"],
    });
  });
});
