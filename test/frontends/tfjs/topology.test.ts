/**
 * Topology variants met in the wild: input-shape spellings, both inbound-node forms, nested
 * Sequential models, TimeDistributed weight names, scoped / `:0` weight names.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { loadTfjsModel } from "../../../src/frontends/tfjs/load.ts";
import type { Graph } from "../../../src/ir/nodes.ts";
import { rejects } from "../../support/errors.ts";
import { tempDir, type AnyJson } from "../../support/model-files.ts";

tf.enableProdMode();

type W = Record<string, { shape: number[]; values: number[] }>;

const seq = (layers: AnyJson[]) => ({ class_name: "Sequential", config: { name: "m", layers } });
const L = (class_name: string, config: AnyJson) => ({ class_name, config });
const dense = (name: string, units: number, extra: AnyJson = {}) =>
  L("Dense", { name, units, activation: "linear", use_bias: false, ...extra });
const lif = (name: string) => L("LIF", { name, tau: 0.5, v_threshold: 1 });
const ones = (shape: number[]) => ({ shape, values: new Array(shape.reduce((a, b) => a * b, 1)).fill(1) });

async function write(topology: AnyJson, weights: W = {}, meta: AnyJson = { snn: { timesteps: 2 } }): Promise<string> {
  const dir = join(await tempDir(), "m");
  await mkdir(dir, { recursive: true });
  const tensors = Object.entries(weights).map(([name, w]) => ({ name, tensor: tf.tensor(w.values, w.shape) }));
  const { data, specs } = await tf.io.encodeWeights(tensors);
  await writeFile(join(dir, "weights.bin"), new Uint8Array(data));
  const model = {
    format: "layers-model",
    modelTopology: topology,
    weightsManifest: [{ paths: ["weights.bin"], weights: specs }],
    userDefinedMetadata: meta,
  };
  await writeFile(join(dir, "model.json"), JSON.stringify(model));
  return join(dir, "model.json");
}

const ops = (g: Graph) => g.nodes.map((n) => `${n.id}:${n.op}`);

describe("input shapes", () => {
  for (const [key, value] of [
    ["batch_input_shape", [null, 4]],
    ["batch_shape", [null, 4]],
    ["input_shape", [4]],
  ] as const) {
    test(`'${key}' on the first layer`, async () => {
      const g = await loadTfjsModel(
        await write(seq([dense("d", 3, { [key]: value }), lif("n")]), { "d/kernel": ones([4, 3]) }),
      );
      assert.deepEqual(ops(g), ["d_input:input", "d:dense", "n:neuron"]);
      assert.deepEqual(g.nodes[0]!.shape, [4]);
    });
  }

  test("Keras 3 InputLayer with 'batch_shape'", async () => {
    const g = await loadTfjsModel(
      await write(seq([L("InputLayer", { name: "x", batch_shape: [null, 4] }), dense("d", 3)]), {
        "d/kernel": ones([4, 3]),
      }),
    );
    assert.deepEqual(ops(g), ["x:input", "d:dense"]);
  });

  test("an unknown input dimension is refused", async () => {
    const p = await write(
      seq([L("InputLayer", { name: "x", batch_input_shape: [null, null, 4, 1] }), L("Flatten", { name: "f" })]),
    );
    await rejects(loadTfjsModel(p), {
      code: "E_FORMAT",
      file: p,
      layer: "x",
      parts: ["input shape [null,null,4,1] has an unknown or invalid dimension"],
    });
  });
});

describe("model forms", () => {
  test("nested Sequential is inlined; trailing Dropout resolves to its input", async () => {
    const inner = { class_name: "Sequential", config: { name: "inner", layers: [dense("d2", 2), lif("n2")] } };
    const p = await write(
      seq([
        L("InputLayer", { name: "x", batch_input_shape: [null, 4] }),
        dense("d1", 3),
        inner,
        L("Dropout", { name: "drop", rate: 0.1 }),
      ]),
      { "d1/kernel": ones([4, 3]), "d2/kernel": ones([3, 2]) },
    );
    const g = await loadTfjsModel(p);
    assert.deepEqual(ops(g), ["x:input", "d1:dense", "d2:dense", "n2:neuron"]);
    assert.deepEqual(g.outputs, ["n2"]);
  });

  test("Keras 3 Functional inbound nodes {args, kwargs}", async () => {
    const kt = (name: string) => ({
      class_name: "__keras_tensor__",
      config: { shape: [null, 4], dtype: "float32", keras_history: [name, 0, 0] },
    });
    const topo = {
      class_name: "Functional",
      config: {
        name: "f",
        layers: [
          { name: "x", class_name: "InputLayer", config: { name: "x", batch_shape: [null, 4] }, inbound_nodes: [] },
          {
            name: "d",
            class_name: "Dense",
            config: { name: "d", units: 4, use_bias: false },
            inbound_nodes: [{ args: [kt("x")], kwargs: {} }],
          },
          {
            name: "s",
            class_name: "Add",
            config: { name: "s" },
            inbound_nodes: [{ args: [[kt("d"), kt("x")]], kwargs: {} }],
          },
        ],
        input_layers: ["x", 0, 0],
        output_layers: ["s", 0, 0],
      },
    };
    const g = await loadTfjsModel(
      await write({ keras_version: "3.3.3", backend: "tensorflow", model_config: topo }, { "d/kernel": ones([4, 4]) }),
    );
    assert.deepEqual(ops(g), ["x:input", "d:dense", "s:add"]);
    assert.deepEqual(g.nodes[2]!.inputs, ["d", "x"]);
  });

  test("Functional layers listed out of order are sorted", async () => {
    const topo = {
      class_name: "Model",
      config: {
        name: "f",
        layers: [
          {
            name: "n",
            class_name: "LIF",
            config: { name: "n", tau: 1, v_threshold: 1 },
            inbound_nodes: [[["d", 0, 0, {}]]],
          },
          {
            name: "d",
            class_name: "Dense",
            config: { name: "d", units: 2, use_bias: false },
            inbound_nodes: [[["x", 0, 0, {}]]],
          },
          {
            name: "x",
            class_name: "InputLayer",
            config: { name: "x", batch_input_shape: [null, 3] },
            inbound_nodes: [],
          },
        ],
        input_layers: [["x", 0, 0]],
        output_layers: [["n", 0, 0]],
      },
    };
    const g = await loadTfjsModel(await write(topo, { "d/kernel": ones([3, 2]) }));
    assert.deepEqual(ops(g), ["x:input", "d:dense", "n:neuron"]);
  });
});

describe("weight names", () => {
  for (const name of ["model/d/kernel", "d/kernel:0", "outer/model/d/kernel:0"]) {
    test(`'${name}' is found for layer d`, async () => {
      const g = await loadTfjsModel(
        await write(seq([dense("d", 3, { batch_input_shape: [null, 4] })]), { [name]: ones([4, 3]) }),
      );
      assert.deepEqual(g.nodes[1]!.op === "dense" && g.nodes[1]!.kernel.shape, [4, 3]);
    });
  }

  test("two scoped candidates are ambiguous", async () => {
    const p = await write(seq([dense("d", 3, { batch_input_shape: [null, 4] })]), {
      "a/d/kernel": ones([4, 3]),
      "b/d/kernel": ones([4, 3]),
    });
    await rejects(loadTfjsModel(p), {
      code: "E_WEIGHT",
      file: p,
      layer: "d",
      param: "kernel",
      parts: ["weight 'kernel' is ambiguous", "'a/d/kernel', 'b/d/kernel'"],
    });
  });

  for (const name of ["td/kernel", "td/inner/kernel", "inner/kernel"]) {
    test(`TimeDistributed weight '${name}'`, async () => {
      const td = L("TimeDistributed", { name: "td", batch_input_shape: [null, 2, 4], layer: dense("inner", 3) });
      const g = await loadTfjsModel(await write(seq([td, lif("n")]), { [name]: ones([4, 3]) }));
      assert.deepEqual(ops(g), ["td_input:input", "td:dense", "n:neuron"]);
      assert.deepEqual(g.nodes[0]!.shape, [4]);
    });
  }

  test("Flatten outside TimeDistributed in a time-axis model is refused", async () => {
    const td = L("TimeDistributed", {
      name: "td",
      batch_input_shape: [null, 2, 4, 4, 1],
      layer: L("AveragePooling2D", { name: "p", pool_size: [2, 2] }),
    });
    const p = await write(seq([td, L("Flatten", { name: "f" })]));
    await rejects(loadTfjsModel(p), {
      code: "E_UNSUPPORTED",
      file: p,
      layer: "f",
      parts: ["Flatten outside TimeDistributed would mix the time axis"],
    });
  });
});
