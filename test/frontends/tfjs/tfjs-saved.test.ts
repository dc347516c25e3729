/**
 * Models written by TF.js itself (`model.save` through `tf.io.withSaveHandler`, laid out as the
 * Node file handler writes them) load with bit-identical weights; quantised artifacts load
 * exactly as `tf.io.decodeWeights` decodes them.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { quantizeAffine, toFloat16Bits } from "../../../scripts/gen-fixtures/encode.ts";
import { loadTfjsModel } from "../../../src/frontends/tfjs/load.ts";
import type { Graph } from "../../../src/ir/nodes.ts";
import type { Tensor } from "../../../src/ir/tensor.ts";
import { node } from "../../support/ir-builder.ts";
import { tempDir } from "../../support/model-files.ts";
import { Rng } from "../../support/rng.ts";

tf.enableProdMode();

interface Saved {
  artifacts: tf.io.ModelArtifacts;
  data: ArrayBuffer;
}

async function save(model: tf.LayersModel): Promise<Saved> {
  model.setUserDefinedMetadata({ snn: { timesteps: 4, encoding: "direct" } });
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  const wd = artifacts!.weightData!;
  const data = Array.isArray(wd) ? tf.io.CompositeArrayBuffer.join(wd) : wd;
  return { artifacts: artifacts!, data };
}

/** Write model.json + weights.bin as the TF.js Node file handler does; returns the model.json path. */
async function writeArtifacts(
  a: tf.io.ModelArtifacts,
  specs: tf.io.WeightsManifestEntry[],
  data: ArrayBuffer | Uint8Array,
): Promise<string> {
  const dir = join(await tempDir(), "saved");
  await mkdir(dir, { recursive: true });
  const modelJson = {
    modelTopology: a.modelTopology,
    format: a.format,
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy,
    weightsManifest: [{ paths: ["./weights.bin"], weights: specs }],
    userDefinedMetadata: a.userDefinedMetadata,
  };
  await writeFile(join(dir, "model.json"), JSON.stringify(modelJson));
  await writeFile(join(dir, "weights.bin"), data instanceof Uint8Array ? data : new Uint8Array(data));
  return join(dir, "model.json");
}

function sequentialModel(): tf.Sequential {
  const m = tf.sequential({ name: "saved_by_tfjs" });
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, padding: "same", name: "conv" }));
  m.add(tf.layers.batchNormalization({ name: "bn" }));
  m.add(tf.layers.flatten({ name: "flatten" }));
  m.add(tf.layers.dense({ units: 4, name: "dense" }));
  // Non-trivial BN statistics and biases (initialisers leave them 0/1).
  const r = new Rng(1);
  for (const l of m.layers) {
    l.setWeights(
      l.getWeights().map((t) =>
        tf.tensor(
          Array.from(t.dataSync(), (v) => v + 0.5 * r.next() + 0.01),
          t.shape,
        ),
      ),
    );
  }
  return m;
}

/** The IR tensors that hold a TF.js layer's weights, in `layer.getWeights()` order. */
function irWeights(g: Graph, layer: string): Tensor[] {
  const n = node(g, layer);
  if (n.op === "conv2d" || n.op === "dense") return [n.kernel, n.bias!];
  if (n.op === "bn") return [n.gamma, n.beta, n.mean, n.variance];
  return [];
}

describe("a model saved by TF.js", () => {
  test("Sequential Conv2D/BatchNormalization/Flatten/Dense: bit-identical weights", async () => {
    const m = sequentialModel();
    const { artifacts, data } = await save(m);
    const path = await writeArtifacts(artifacts, artifacts.weightSpecs!, data);
    const g = await loadTfjsModel(path);
    assert.equal(g.meta.timesteps, 4);
    assert.deepEqual(
      g.nodes.map((n) => n.op),
      ["input", "conv2d", "bn", "flatten", "dense"],
    );
    assert.deepEqual(g.nodes[0]!.shape, [8, 8, 1]);
    assert.deepEqual(node(g, "dense").shape, [4]);
    const bn = node(g, "bn");
    assert.ok(bn.op === "bn" && bn.epsilon === 1e-3);
    let compared = 0;
    for (const l of m.layers) {
      const ours = irWeights(g, l.name);
      const theirs = l.getWeights();
      assert.equal(ours.length, theirs.length, l.name);
      theirs.forEach((t, i) => {
        assert.deepEqual(ours[i]!.shape, t.shape, `${l.name} weight ${i} shape`);
        const f32 = t.dataSync() as Float32Array;
        assert.equal(ours[i]!.data.length, f32.length);
        for (let k = 0; k < f32.length; k++)
          assert.ok(Object.is(ours[i]!.data[k], f32[k]), `${l.name} weight ${i}[${k}]`);
        compared += f32.length;
      });
    }
    assert.ok(compared > 50);
  });

  test("Functional model with a residual Add", async () => {
    const inp = tf.input({ shape: [6, 6, 2], name: "inp" });
    const c = tf.layers
      .conv2d({ filters: 2, kernelSize: 3, padding: "same", name: "conv" })
      .apply(inp) as tf.SymbolicTensor;
    const s = tf.layers.add({ name: "sum" }).apply([c, inp]) as tf.SymbolicTensor;
    const f = tf.layers.flatten({ name: "flat" }).apply(s) as tf.SymbolicTensor;
    const d = tf.layers.dense({ units: 3, name: "out" }).apply(f) as tf.SymbolicTensor;
    const m = tf.model({ inputs: inp, outputs: d, name: "func" });
    const { artifacts, data } = await save(m);
    const g = await loadTfjsModel(await writeArtifacts(artifacts, artifacts.weightSpecs!, data));
    assert.deepEqual(
      g.nodes.map((n) => n.id),
      ["inp", "conv", "sum", "flat", "out"],
    );
    assert.deepEqual(node(g, "sum").inputs, ["conv", "inp"]);
    assert.deepEqual(g.outputs, ["out"]);
    const k = m.getLayer("conv").getWeights()[0]!.dataSync();
    assert.deepEqual(Array.from(irWeights(g, "conv")[0]!.data), Array.from(k));
  });

  for (const q of ["uint8", "uint16", "float16"] as const) {
    test(`${q}-quantised artifacts decode exactly as tf.io.decodeWeights`, async () => {
      const m = sequentialModel();
      const { artifacts, data } = await save(m);
      // Quantise the saved float32 weights with the converter's formula, weight by weight.
      const f32 = tf.io.decodeWeights(data, artifacts.weightSpecs!);
      const specs: tf.io.WeightsManifestEntry[] = [];
      const parts: Uint8Array[] = [];
      for (const s of artifacts.weightSpecs!) {
        const v = f32[s.name]!.dataSync() as Float32Array;
        if (q === "float16") {
          parts.push(new Uint8Array(Uint16Array.from(v, toFloat16Bits).buffer));
          specs.push({ ...s, quantization: { dtype: "float16" } });
        } else {
          const { q: codes, min, scale } = quantizeAffine(v, q === "uint8" ? 255 : 65535);
          parts.push(q === "uint8" ? Uint8Array.from(codes) : new Uint8Array(Uint16Array.from(codes).buffer));
          specs.push({ ...s, quantization: { dtype: q, min, scale } });
        }
      }
      const bytes = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
      let offset = 0;
      for (const p of parts) {
        bytes.set(p, offset);
        offset += p.length;
      }
      const g = await loadTfjsModel(await writeArtifacts(artifacts, specs, bytes));

      const expected = tf.io.decodeWeights(bytes.buffer, specs);
      const byName = new Map<string, Tensor>();
      for (const l of m.layers) {
        const names = l.weights.map((w) => w.originalName);
        for (const [i, t] of irWeights(g, l.name).entries()) byName.set(names[i]!, t);
      }
      for (const s of specs) {
        const want = expected[s.name]!.dataSync();
        const got = byName.get(s.name);
        assert.ok(got, s.name);
        assert.deepEqual(Array.from(got.data), Array.from(want), s.name);
        // And the quantisation kept the values close to the float32 originals.
        const orig = f32[s.name]!.dataSync();
        const span = Math.max(...Array.from(orig, Math.abs));
        const tol = q === "uint8" ? span / 100 : q === "uint16" ? span / 20000 : span / 1000;
        for (const [k, v] of orig.entries())
          assert.ok(Math.abs(got.data[k]! - v) <= tol, `${s.name}[${k}]: ${got.data[k]} vs ${v}`);
      }
    });
  }
});
