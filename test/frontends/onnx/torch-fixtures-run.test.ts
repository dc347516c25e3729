/**
 * Every model torch.onnx.export wrote in fixtures/onnx-* (BN fused by torch, and BN kept as a
 * node) reproduces PyTorch's own run under the rule of torch-fixtures.ts: spikes of every layer
 * at every step, the currents reaching every neuron (conv, BN, pooling, dense as snnc computes
 * them), and the readout. `snnc run --json --raster` prints the same spikes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadOnnxModel } from "../../../src/frontends/onnx/load.ts";
import { simulate } from "../../../src/sim/reference.ts";
import { snnc } from "../../support/cli.ts";
import { compareCurrents, compareSpikes, CURRENT_TOL, rasters, torchFixtures } from "./torch-fixtures.ts";

const fixtures = torchFixtures();

test("the exporter wrote every fixture the ONNX contract covers", () => {
  const names = fixtures.map((f) => f.name);
  for (const n of [
    "onnx-conv-bn-mpbn",
    "onnx-tdbn-mt",
    "onnx-bntt-soft",
    "onnx-tab",
    "onnx-plif-mpbn-element",
    "onnx-residual",
  ]) {
    assert.ok(names.includes(n), `fixtures/${n} missing`);
  }
  const withBnNode = fixtures.filter((f) => f.expected.models.includes("model-bn.onnx")).length;
  assert.ok(withBnNode >= 2, "both BN paths (fused by torch, kept as a node) are covered");
});

for (const f of fixtures) {
  describe(f.name, () => {
    for (const m of f.expected.models) {
      const path = join(f.dir, m);
      test(`${m}: snnc float64 reproduces PyTorch float32 (spikes, currents, readout)`, async (t) => {
        const g = await loadOnnxModel(path);
        assert.equal(g.meta.timesteps, f.expected.timesteps);
        const r = simulate(g, f.input, { margin: true, all: true });
        const s = compareSpikes(g, r, f.expected);
        assert.deepEqual(s.failures, [], "spikes that differ outside float32 rounding");
        assert.ok(s.compared > 0);
        t.diagnostic(`${s.compared} spike decisions compared, ${s.nearThreshold} within float32 rounding of θ`);
        assert.deepEqual(compareCurrents(g, r, f.expected), [], "currents");
        const ro = [...r.readouts.values()][0]!;
        assert.equal(ro.length, f.expected.readout.length);
        f.expected.readout.forEach((want, i) => {
          assert.ok(
            Math.abs(ro[i]! - want) <= CURRENT_TOL * (1 + Math.abs(want)),
            `readout[${i}]: ${ro[i]} vs ${want}`,
          );
        });
        const total = f.expected.layers.reduce((a, l) => a + l.spikes_per_step.reduce((x, y) => x + y, 0), 0);
        assert.ok(total > 0, "the fixture's input makes its layers fire");
      });

      test(`${m}: snnc run --json --raster prints these spikes`, async () => {
        const res = snnc(["run", path, "--input", f.inputFile, "--json", "--raster"]);
        assert.equal(res.code, 0, res.stderr);
        const out = JSON.parse(res.stdout);
        const sample = out.samples[0];
        assert.equal(out.timesteps, f.expected.timesteps);
        const g = await loadOnnxModel(path);
        const r = simulate(g, f.input);
        assert.deepEqual(
          sample.layers.map((l: { name: string }) => l.name),
          f.expected.layers.map((l) => l.node),
        );
        for (const [k, L] of f.expected.layers.entries()) {
          assert.deepEqual(sample.layers[k].raster, rasters(r, L.node), L.node);
        }
        assert.deepEqual(sample.readout, Array.from([...r.readouts.values()][0]!));
      });
    }
  });
}
