/**
 * The data of `snnc report`, in process: every figure checked against an independent computation
 * (the quantiser's own error figures, direct runs of both models, the placement's totals).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadModel } from "../../src/frontends/index.ts";
import { randomInputs } from "../../src/inputs/random-inputs.ts";
import type { Graph } from "../../src/ir/nodes.ts";
import { size } from "../../src/ir/tensor.ts";
import { buildLoihi } from "../../src/loihi/build.ts";
import { runFixedStepped } from "../../src/loihi/sim/run-stepped.ts";
import { collectReport, THRESHOLD_STAGES } from "../../src/report/collect.ts";
import { reconstructionErrors, weightErrors } from "../../src/report/quant-error.ts";
import { simulate } from "../../src/sim/reference.ts";
import { ROOT } from "../support/cli.ts";

const load = (f: string): Promise<Graph> => loadModel(join(ROOT, f));

describe("report data", () => {
  it("weightErrors: relative RMS and largest error of ŵ = q·k/g against w", () => {
    // ŵ = [1, 2, -3] · 0.5 / 0.25 = [2, 4, -6]; w = [2, 3, -6]: errors [0, 1, 0]
    const e = weightErrors([2, 3, -6], [1, 2, -3], 0.5, 0.25);
    assert.ok(Math.abs(e.rms - 1 / Math.sqrt(4 + 9 + 36)) < 1e-15);
    assert.ok(Math.abs(e.max - 1 / 6) < 1e-15);
    assert.deepEqual(weightErrors([0, 0], [0, 0], 1, 1), { rms: 0, max: 0 });
  });

  it("the weights the integers stand for reproduce the quantiser's own largest error, for every synapse group", async () => {
    for (const f of ["fixtures/tdbn/model.json", "fixtures/mpbn-channel/model.json", "fixtures/mlp-dense/model.json"]) {
      const b = buildLoihi(await load(f), { target: "loihi2" });
      const errs = reconstructionErrors(b);
      const stats = b.quant.populations.flatMap((p) => p.connections);
      assert.ok(errs.size > 0, f);
      for (const c of stats) {
        const e = errs.get(c.id);
        if (!e) continue;
        assert.ok(Math.abs(e.max - c.relErr) <= 1e-9 * Math.max(1, c.relErr), `${f}: ${c.id}: ${e.max} vs ${c.relErr}`);
        assert.ok(e.rms >= 0 && Number.isFinite(e.rms));
      }
      // the input's synapse group reads graded payloads: its scale is the input's, not 1
      assert.ok(
        stats.some((c) => c.from === b.quant.model.input.id && errs.has(c.id)),
        `${f}: the input's synapses`,
      );
    }
  });

  it("the raster holds exactly the spikes of direct runs of both models on the first sample", async () => {
    const g = await load("fixtures/tdbn/model.json");
    const inputs = randomInputs(g, 3, 7);
    const d = collectReport(g, { target: "loihi2", file: "model.json", inputs, inputsFrom: "test" });
    const m = buildLoihi(g, { target: "loihi2" }).quant.model;
    const ref = simulate(g, inputs[0]!);
    const fixed = runFixedStepped(m, inputs[0]!);
    assert.ok(d.raster.layers.length > 0);
    for (const L of d.raster.layers) {
      const p = m.populations.find((x) => x.source === L.layer)!;
      let floatSpikes = 0;
      let intSpikes = 0;
      for (let t = 0; t < g.meta.timesteps; t++) {
        for (const v of ref.traces.get(L.layer)!.out[t]!) floatSpikes += v ? 1 : 0;
        for (const v of fixed.spikes.get(p.id)![t + p.depth]!) intSpikes += v ? 1 : 0;
      }
      assert.ok(L.compared && L.shown === L.neurons);
      assert.equal(L.spikes.filter((s) => s[2] !== 2).length, floatSpikes, L.layer);
      assert.equal(L.spikes.filter((s) => s[2] !== 1).length, intSpikes, L.layer);
      assert.ok(floatSpikes > 0, `${L.layer} fires on the sample`);
      // firing rates cover all samples: at least the first sample's share
      const r = d.firingRates.find((x) => x.layer === L.layer)!;
      assert.ok(r.float !== null && r.float * L.neurons * g.meta.timesteps * inputs.length >= floatSpikes - 1e-6);
    }
  });

  it("thresholds: MPBN per channel as written is one value, several after the folds, one per population after lowering", async () => {
    const g = await load("fixtures/mpbn-channel/model.json");
    const d = collectReport(g, { target: "loihi2", file: "m", inputs: randomInputs(g, 1, 0), inputsFrom: "t" });
    assert.deepEqual(d.thresholds.stages, [...THRESHOLD_STAGES]);
    const mpbnLayer = g.nodes.find((n) => n.op === "neuron" && n.mpbn)!;
    const distinct = (stage: string, layer: string) =>
      d.thresholds.values.filter((v) => v.stage === stage && v.layer === layer).length;
    assert.equal(distinct(THRESHOLD_STAGES[0], mpbnLayer.id), 1);
    assert.ok(distinct(THRESHOLD_STAGES[1], mpbnLayer.id) > 1);
    assert.equal(distinct(THRESHOLD_STAGES[2], mpbnLayer.id), 1);
    // every neuron is counted once per stage
    for (const stage of THRESHOLD_STAGES) {
      const n = [...d.thresholds.values, ...d.thresholds.nonFinite]
        .filter((v) => v.stage === stage && v.layer === mpbnLayer.id)
        .reduce((a, v) => a + v.count, 0);
      const nn = d.firingRates.find((r) => r.layer === mpbnLayer.id)!.neurons;
      assert.equal(n, nn, stage);
    }
  });

  it("the core map holds every neuron of the placement once; data are deterministic", async () => {
    const g = await load("fixtures/tdbn/model.json");
    const opts = { target: "loihi2", file: "m", inputs: randomInputs(g, 2, 0), inputsFrom: "t" };
    const d = collectReport(g, opts);
    const placed = d.cores.cores.reduce((a, c) => a + c.slices.reduce((b, s) => b + s.neurons, 0), 0);
    assert.equal(placed, d.summary.neurons);
    for (const c of d.cores.cores) assert.ok(c.neurons <= d.cores.limits.neurons);
    const m = buildLoihi(g, { target: "loihi2" }).quant.model;
    assert.equal(
      d.summary.neurons,
      m.populations.reduce((a, p) => a + size(p.shape), 0),
    );
    assert.equal(JSON.stringify(collectReport(g, opts)), JSON.stringify(d));
  });

  it("refuses a target that is not a Loihi chip, and no samples", async () => {
    const g = await load("fixtures/tdbn/model.json");
    const base = { file: "m", inputsFrom: "t" };
    assert.throws(
      () => collectReport(g, { ...base, target: "float", inputs: randomInputs(g, 1, 0) }),
      /--target must be/,
    );
    assert.throws(() => collectReport(g, { ...base, target: "loihi2", inputs: [] }), /at least one input sample/);
  });
});
