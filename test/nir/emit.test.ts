/**
 * `snnc compile --target nir`: the file's layout (explicit dtypes, NIR's channels-first order, the
 * metadata), the same bytes every time (and the bytes of the committed files that NIR's own reader
 * accepted), what NIR cannot hold refused with the layer and the reason.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadModel } from "../../src/frontends/index.ts";
import { type H5Dataset, type H5Group, readHdf5 } from "../../src/frontends/nir/hdf5-read.ts";
import type { NeuronNode } from "../../src/ir/nodes.ts";
import { broadcastTo } from "../../src/ir/tensor.ts";
import { compileNir } from "../../src/nir/driver.ts";
import { nextDown } from "../../src/nir/emit-neurons.ts";
import { snnc } from "../support/cli.ts";
import { FIXTURES, tempDir } from "../support/model-files.ts";

async function written(model: string, opts = {}): Promise<{ bytes: Uint8Array; root: H5Group; file: string }> {
  const g = await loadModel(model, opts);
  const { bytes } = await compileNir(g, { target: "nir", file: model });
  const file = join(await tempDir(), "model.nir");
  await writeFile(file, bytes);
  return { bytes, root: await readHdf5(file), file };
}

const at = (g: H5Group, path: string): H5Group | H5Dataset => {
  let cur: H5Group | H5Dataset = g;
  for (const p of path.split("/")) {
    assert.equal(cur.kind, "group", path);
    const next: H5Group | H5Dataset | undefined = (cur as H5Group).children.get(p);
    assert.ok(next, `no '${path}'`);
    cur = next;
  }
  return cur;
};
const ds = (g: H5Group, path: string) => at(g, path) as H5Dataset;

describe("model.nir", () => {
  test("layout: NIR primitives, channels first, float64 / int64 / string datasets, snnc's metadata", async () => {
    const model = join(FIXTURES, "mpbn-channel", "model.json");
    const { root } = await written(model);
    assert.deepEqual(ds(root, "version").strings, ["1.0.0"]);
    const types = new Map(
      [...(at(root, "node/nodes") as H5Group).children].map(([k, v]) => [k, ds(v as H5Group, "type").strings![0]]),
    );
    assert.deepEqual(Object.fromEntries(types), {
      avg_pool: "AvgPool2d",
      conv1: "Conv2d",
      dense1: "Affine",
      dense2: "Affine",
      flatten: "Flatten",
      if2: "IF",
      input: "Input",
      lif1: "LIF",
      output: "Output",
      readout: "I",
    });
    assert.deepEqual(ds(root, "node/nodes/input/shape").numbers, Float64Array.of(1, 8, 8));
    assert.equal(ds(root, "node/nodes/input/shape").dtype, "<q");
    const w = ds(root, "node/nodes/conv1/weight");
    assert.equal(w.dtype, "<d");
    assert.deepEqual(w.shape.slice(0, 2), [4, 1]);
    assert.deepEqual(ds(root, "node/nodes/flatten/input_type").numbers, Float64Array.of(4, 4, 4));
    assert.deepEqual(ds(root, "node/edges").shape, [9, 2]);
    assert.deepEqual(ds(root, "node/metadata/snnc_timesteps").numbers, Float64Array.of(5));
    assert.deepEqual(ds(root, "node/metadata/snnc_dt_method").strings, ["euler"]);
    assert.deepEqual(ds(root, "node/nodes/readout/metadata/snnc_readout").strings, ["mean"]);
  });

  test("firing on v ≥ θ is written as v > θ⁻ (the float64 below θ), with θ and 'ge' in the metadata", async () => {
    const model = join(FIXTURES, "mpbn-channel", "model.json");
    const g = await loadModel(model);
    const { graph } = await compileNir(g, { target: "nir", file: model });
    const if2 = graph.nodes.find((n) => n.id === "if2") as NeuronNode;
    assert.equal(if2.fire, "ge");
    const { root } = await written(model);
    const theta = broadcastTo(if2.threshold, if2.shape!);
    assert.deepEqual(ds(root, "node/nodes/if2/v_threshold").numbers, theta.map(nextDown));
    assert.deepEqual(ds(root, "node/nodes/if2/metadata/snnc_threshold").numbers, theta);
    assert.deepEqual(ds(root, "node/nodes/if2/metadata/snnc_fire").strings, ["ge"]);
    assert.ok(
      theta.some((t) => t === Infinity),
      "a threshold that can never be reached is written as +Infinity",
    );
    assert.equal(nextDown(1), 0.9999999999999999);
    assert.equal(nextDown(-0), -Number.MIN_VALUE);
    assert.equal(nextDown(Infinity), Number.MAX_VALUE);
  });

  test("the same model gives the same bytes, those of the committed files NIR's reader checked", async () => {
    for (const [model, committed] of [
      [join(FIXTURES, "mpbn-channel", "model.json"), "mpbn-channel.nir"],
      [join(FIXTURES, "nir-paper", "braille_noDelay_bias_zero.nir"), "braille_noDelay_bias_zero.nir"],
    ] as const) {
      const a = await written(model);
      const b = await written(model);
      assert.deepEqual(a.bytes, b.bytes);
      assert.deepEqual(a.bytes, new Uint8Array(readFileSync(join(FIXTURES, "nir-snnc", committed))), committed);
    }
  });
});

describe("the command", () => {
  test("compile --target nir writes model.nir and report.txt; verify --target nir compares it spike by spike", async () => {
    const out = join(await tempDir(), "out");
    const model = join(FIXTURES, "tdbn", "model.json");
    const r = snnc(["compile", model, "--target", "nir", "-o", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(out, "model.nir")) && existsSync(join(out, "report.txt")));
    assert.match(
      readFileSync(join(out, "report.txt"), "utf8"),
      /model\.nir: \d+ bytes, time step dt = 0\.0001 s \(euler\), T = 4/,
    );
    const back = await loadModel(join(out, "model.nir"));
    assert.equal(back.meta.timesteps, 4);
    assert.equal(back.meta.encoding, "direct");
    const v = snnc(["verify", model, "--target", "nir", "--random", "3", "--json"]);
    assert.equal(v.code, 0, v.stderr);
    const rep = JSON.parse(v.stdout);
    assert.equal(rep.ok, true);
    assert.equal(rep.spikesDiffering, 0);
    assert.ok(rep.spikesCompared > 0);
  });

  test("what NIR cannot hold is refused with the layer and the reason (exit 4), nothing written", async () => {
    for (const [fixture, layer, reason] of [
      ["mlp-dense", "if1", "soft reset"],
      ["mpbn-element", "max_pool", "max pooling"],
      ["mt-lif", "mt1", "multi-threshold"],
      ["bntt", "lif1", "per-step neuron parameters"],
      ["keras-misc", "reshape", "NIR has no reshape"],
    ] as const) {
      const out = join(await tempDir(), "out");
      const r = snnc(["compile", join(FIXTURES, fixture, "model.json"), "--target", "nir", "-o", out]);
      assert.equal(r.code, 4, `${fixture}: ${r.stderr}`);
      const line = r.stderr.trimEnd();
      assert.ok(!line.includes("\n"), line);
      assert.ok(
        line.includes(`layer '${layer}'`) && line.includes("cannot be written as NIR") && line.includes(reason),
        line,
      );
      assert.ok(!existsSync(out), `${fixture}: nothing written`);
    }
  });
});
