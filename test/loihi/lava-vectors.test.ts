/**
 * Lava's own integer vectors, carried into CI: test/loihi/lava-vectors.json holds, for every case
 * of the Lava check (docs/LOIHI-CHECK.md), the spikes (raster) and SHA-256 of u and v per layer
 * that Lava's fixed_pt models produced. snnc's simulator must reproduce every one of them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { buildLoihi } from "../../src/loihi/build.ts";
import { loadModel } from "../../src/frontends/index.ts";
import { randomInputs } from "../../src/inputs/random-inputs.ts";
import { readInputs } from "../../src/inputs/read-inputs.ts";
import { backToBackInput, backToBackModel, checkData, raster, tableHash } from "./lava-check/check-data.ts";
import { BUILTIN } from "../support/folded-graphs.ts";

interface Case {
  model: string;
  input: string;
  /** A second sample run right after the first (2·runSteps steps on the same network). */
  then?: string;
  form: "netx" | "lava-graph";
  temporalNorm: "exact" | "approx";
  /** Compiled with --weight-planes 2. */
  weightPlanes?: 2;
  target: string;
  steps: number;
  /** s: the graded outputs (multi-threshold layers); r: an ATRLIF's refractory state. */
  layers: {
    id: string;
    /** Spikes per step (indices), or for a large raster its SHA-256. */
    raster?: number[][];
    raster_sha256?: string;
    u_sha256: string;
    v_sha256: string;
    s_sha256?: string;
    r_sha256?: string;
  }[];
}

const doc = JSON.parse(readFileSync(new URL("./lava-vectors.json", import.meta.url), "utf8")) as { cases: Case[] };

test("the Lava check covers netx files with conv layers and the process-graph form", () => {
  assert.ok(
    doc.cases.filter((c) => c.form === "netx" && c.model.startsWith("fixtures/")).map((c) => c.model).length >= 3,
  );
  assert.ok(doc.cases.some((c) => c.form === "lava-graph" && c.model.includes("residual-add")));
});

test("the Lava check covers state offsets (MPBN thresholds < 0, v_reset ≠ 0), also two samples back to back", () => {
  for (const f of ["mpbn-channel", "mpbn-element", "plif"])
    assert.ok(
      doc.cases.some((c) => c.form === "lava-graph" && c.model === `fixtures/${f}/model.json`),
      f,
    );
  assert.ok(doc.cases.filter((c) => c.then).length >= 3);
  // pulses and self-recurrent layers were among what Lava ran
  assert.ok(doc.cases.some((c) => c.layers.some((l) => l.id.startsWith("pulse_"))));
});

test("the Lava check covers soft reset (ATRLIF), per-step norms (gain stages), MT neurons (snnc's process) and asymmetric padding, each on at least two inputs", () => {
  for (const f of [
    "mlp-dense",
    "conv-bn-pool",
    "conv-bn-pool-f16",
    "conv-bn-pool-u8",
    "bntt",
    "tebn",
    "tab",
    "mt-lif",
  ]) {
    const cases = doc.cases.filter((c) => c.form === "lava-graph" && c.model === `fixtures/${f}/model.json`);
    assert.ok(cases.length >= 2, `${f}: ${cases.length} cases`);
  }
  assert.ok(doc.cases.filter((c) => c.form === "netx" && c.model === "builtin:strided-same").length >= 2);
  // r of ATRLIF populations, graded outputs of MT populations, and samples back to back through both
  assert.ok(doc.cases.some((c) => c.layers.some((l) => l.r_sha256)));
  assert.ok(doc.cases.some((c) => c.model.includes("mt-lif") && c.layers.some((l) => l.s_sha256)));
  for (const f of ["conv-bn-pool", "bntt", "tab", "mt-lif"])
    assert.ok(
      doc.cases.some((c) => c.then && c.model === `fixtures/${f}/model.json`),
      `${f} back to back`,
    );
});

test("the Lava check covers recurrent edges, delays and synaptic currents (the real NIR files), also back to back", () => {
  for (const f of [
    "fixtures/nir-paper/braille_noDelay_bias_zero.nir",
    "fixtures/nir-paper/braille_noDelay_noBias_subtract.nir",
    "fixtures/nir-snntorch/snntorch_rleaky.nir",
    "builtin:recurrent-delays",
  ])
    assert.ok(
      doc.cases.some((c) => c.form === "lava-graph" && c.model === f),
      f,
    );
  assert.ok(doc.cases.filter((c) => c.then && (c.model.endsWith(".nir") || c.model.includes("recurrent"))).length >= 3);
});

test("the Lava check covers weight planes: relayed conv planes (input, spikes, graded MT output), dense planes, cnn_sinabs back to back", () => {
  const planes = doc.cases.filter((c) => c.weightPlanes === 2);
  // every model on at least two inputs
  for (const m of ["builtin:spike-features", "builtin:expanded-conv", "fixtures/mt-lif/model.json"]) {
    const inputs = planes.filter((c) => c.model === m).reduce((n, c) => n + (c.then ? 2 : 1), 0);
    assert.ok(inputs >= 2, `${m}: ${inputs}`);
  }
  const sinabs = planes.filter((c) => c.model === "fixtures/nir-paper/cnn_sinabs.nir");
  assert.ok(sinabs.length >= 2 && sinabs.some((c) => c.then));
});

for (const c of doc.cases) {
  test(`Lava's vectors reproduced: ${c.form}${c.weightPlanes ? " (two weight planes)" : ""} ${c.model} on ${c.input}${c.then ? `, then ${c.then}` : ""}`, async () => {
    const g = c.model.startsWith("builtin:") ? BUILTIN[c.model.slice(8)]!() : await loadModel(c.model);
    const sample = (f: string) =>
      f.startsWith("seed:") ? randomInputs(g, 1, Number(f.slice(5)))[0]! : readInputs(f, g)[0]!;
    const m1 = buildLoihi(g, { target: c.target, temporalNorm: c.temporalNorm, weightPlanes: c.weightPlanes }).quant
      .model;
    const m = c.then ? backToBackModel(m1) : m1;
    const x = c.then ? backToBackInput(m1, sample(c.input), sample(c.then)) : sample(c.input);
    assert.equal(m.runSteps, c.steps);
    const { layers } = checkData(m, x, c.form === "lava-graph");
    assert.deepEqual(
      layers.map((l) => l.id),
      c.layers.map((l) => l.id),
    );
    for (const [i, l] of layers.entries()) {
      const want = c.layers[i]!;
      if (want.raster_sha256) assert.equal(tableHash(raster(l.spikes)), want.raster_sha256, `spikes of ${l.id}`);
      else assert.deepEqual(raster(l.spikes), want.raster, `spikes of ${l.id}`);
      assert.equal(tableHash(l.u), want.u_sha256, `u of ${l.id}`);
      assert.equal(tableHash(l.v), want.v_sha256, `v of ${l.id}`);
      if (want.s_sha256) assert.equal(tableHash(l.spikes), want.s_sha256, `graded outputs of ${l.id}`);
      if (want.r_sha256) assert.equal(tableHash(l.r ?? []), want.r_sha256, `r of ${l.id}`);
      assert.equal(!!want.r_sha256, !!l.r, `whether ${l.id} has an r`);
    }
  });
}
