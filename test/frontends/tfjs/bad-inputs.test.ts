/**
 * Bad input: every failure is one line naming the model.json as given, the Keras layer (where
 * there is one) and what is wrong. Each case mutates a private copy of a fixture.
 */
import assert from "node:assert/strict";
import { readFile, rm, truncate, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { loadTfjsModel } from "../../../src/frontends/tfjs/load.ts";
import {
  editJson,
  fixtureCopy,
  layerConfig,
  layersOf,
  patchFloat,
  readJson,
  tempDir,
  type AnyJson,
} from "../../support/model-files.ts";
import { rejects } from "../../support/errors.ts";

const spec = (j: AnyJson, name: string) => j.weightsManifest[0].weights.find((w: AnyJson) => w.name === name);

describe("weights", () => {
  test("truncated shard", async () => {
    const p = await fixtureCopy("conv-bn-pool");
    const bin = join(dirname(p), "weights.bin");
    const size = (await readFile(bin)).length;
    await truncate(bin, size - 10);
    await rejects(loadTfjsModel(p), {
      code: "E_WEIGHT",
      file: p,
      layer: "dense",
      parts: [
        "truncated weights",
        "'weights.bin'",
        `holds ${size - 10} bytes but the manifest needs ${size}`,
        "weight 'dense/bias'",
      ],
    });
  });

  test("truncated second shard of a two-shard model", async () => {
    const p = await fixtureCopy("residual-add");
    await truncate(join(dirname(p), "group1-shard2of2.bin"), 100);
    await rejects(loadTfjsModel(p), {
      code: "E_WEIGHT",
      file: p,
      layer: "conv_c",
      parts: ["truncated weights", "'group1-shard1of2.bin' + 'group1-shard2of2.bin'", "weight 'conv_c/kernel'"],
    });
  });

  test("missing shard file", async () => {
    const p = await fixtureCopy("conv-bn-pool");
    await rm(join(dirname(p), "weights.bin"));
    await rejects(loadTfjsModel(p), { code: "E_IO", file: p, parts: ["weight shard 'weights.bin' not found"] });
  });

  test("missing weight", async () => {
    const p = await fixtureCopy("conv-bn-pool");
    await editJson(p, (j) => {
      const ws = j.weightsManifest[0].weights;
      ws.splice(
        ws.findIndex((w: AnyJson) => w.name === "bn1/moving_variance"),
        1,
      );
    });
    await rejects(loadTfjsModel(p), {
      code: "E_WEIGHT",
      file: p,
      layer: "bn1",
      param: "moving_variance",
      parts: ["weight 'bn1/moving_variance' is missing from the weightsManifest"],
    });
  });

  test("wrong weight shape (kernel vs filters)", async () => {
    const p = await fixtureCopy("conv-bn-pool");
    await editJson(p, (j) => {
      layerConfig(j, "conv2").filters = 5;
    });
    await rejects(loadTfjsModel(p), {
      code: "E_WEIGHT",
      file: p,
      layer: "conv2",
      param: "kernel",
      parts: ["weight 'conv2/kernel' has shape [3,3,4,6], expected [3,3,?,5]", "filters 5"],
    });
  });

  test("wrong weight shape (dense kernel does not take its input)", async () => {
    const p = await fixtureCopy("mlp-dense");
    await editJson(p, (j) => {
      spec(j, "dense2/kernel").shape = [8, 12];
    });
    // The same bytes read as [8,12] no longer match the 12 features dense1 produces.
    await rejects(loadTfjsModel(p), {
      code: "E_WEIGHT",
      file: p,
      layer: "dense2",
      param: "kernel",
      parts: ["weight 'dense2/kernel' has shape [8,12], expected [?,8]"],
    });
  });

  test("NaN in a weight", async () => {
    const p = await fixtureCopy("conv-bn-pool");
    await patchFloat(p, "bn1/moving_mean", 2, NaN);
    await rejects(loadTfjsModel(p), {
      code: "E_VALUE",
      file: p,
      layer: "bn1",
      param: "moving_mean",
      parts: ["weight 'bn1/moving_mean' holds NaN at index 2"],
    });
  });

  test("Inf in a weight", async () => {
    const p = await fixtureCopy("conv-bn-pool");
    await patchFloat(p, "conv1/kernel", 5, -Infinity);
    await rejects(loadTfjsModel(p), {
      code: "E_VALUE",
      file: p,
      layer: "conv1",
      param: "kernel",
      parts: ["weight 'conv1/kernel' holds -Infinity at index 5"],
    });
  });

  test("negative variance", async () => {
    const p = await fixtureCopy("conv-bn-pool");
    await patchFloat(p, "bn1/moving_variance", 1, -2);
    await rejects(loadTfjsModel(p), {
      code: "E_VALUE",
      file: p,
      layer: "bn1",
      param: "moving_variance",
      parts: ["variance -2 at index 1", "<= 0"],
    });
  });

  test("MPBN weights of the wrong shape (element mode, transposed)", async () => {
    const p = await fixtureCopy("mpbn-element");
    await editJson(p, (j) => {
      spec(j, "lif1/mpbn_gamma").shape = [3, 6, 6];
    });
    await rejects(loadTfjsModel(p), {
      code: "E_WEIGHT",
      file: p,
      layer: "lif1",
      param: "mpbn_gamma",
      parts: ["shape [3,6,6], expected [6,6,3]", `MPBN mode "element"`],
    });
  });

  test("MPBN weights of the wrong shape (channel mode given element-wise weights)", async () => {
    const p = await fixtureCopy("mpbn-element");
    await editJson(p, (j) => {
      layerConfig(j, "lif1").mpbn.mode = "channel";
    });
    await rejects(loadTfjsModel(p), {
      code: "E_WEIGHT",
      file: p,
      layer: "lif1",
      param: "mpbn_gamma",
      parts: ["expected [3]", `MPBN mode "channel"`],
    });
  });

  test("PLIF `a` of the wrong shape", async () => {
    const p = await fixtureCopy("plif");
    await editJson(p, (j) => {
      const ws = j.weightsManifest[0].weights;
      const i = ws.findIndex((w: AnyJson) => w.name === "plif1/a");
      ws.splice(i, 1, { name: "plif1/a", shape: [1, 1], dtype: "float32" });
    });
    await rejects(loadTfjsModel(p), {
      code: "E_WEIGHT",
      file: p,
      layer: "plif1",
      param: "a",
      parts: ["weight 'plif1/a' has shape [1,1], expected [] or [1]"],
    });
  });

  test("quantised weight without min/scale", async () => {
    const p = await fixtureCopy("conv-bn-pool-u8");
    await editJson(p, (j) => {
      delete spec(j, "bn1/gamma").quantization.scale;
    });
    await rejects(loadTfjsModel(p), {
      code: "E_FORMAT",
      file: p,
      parts: ["weight 'bn1/gamma' is uint8-quantised without finite 'min' and 'scale'"],
    });
  });
});

describe("files", () => {
  test("file not found", async () => {
    const p = join(await tempDir(), "nope", "model.json");
    await rejects(loadTfjsModel(p), { code: "E_IO", file: p, parts: ["file not found"] });
  });

  test("empty file", async () => {
    const p = await fixtureCopy("mlp-dense");
    await writeFile(p, "");
    await rejects(loadTfjsModel(p), { code: "E_IO", file: p, parts: ["file is empty"] });
  });

  test("not JSON", async () => {
    const p = await fixtureCopy("mlp-dense");
    await writeFile(p, '{ "modelTopology": [1, 2,\n');
    await rejects(loadTfjsModel(p), { code: "E_PARSE", file: p, parts: ["not JSON:"] });
  });

  test("JSON but not a layers-model", async () => {
    const p = await fixtureCopy("mlp-dense");
    await writeFile(p, JSON.stringify({ weights: [] }));
    await rejects(loadTfjsModel(p), {
      code: "E_PARSE",
      file: p,
      parts: ["not a TF.js layers-model: no 'modelTopology'"],
    });
  });

  test("a graph-model", async () => {
    const p = await fixtureCopy("mlp-dense");
    await editJson(p, (j) => {
      j.format = "graph-model";
      j.modelTopology = { node: [], versions: {} };
    });
    await rejects(loadTfjsModel(p), {
      code: "E_PARSE",
      file: p,
      parts: [`format is "graph-model"`, "tfjs_layers_model"],
    });
  });
});

describe("topology and attributes", () => {
  test("unknown class_name lists what is supported", async () => {
    const p = await fixtureCopy("conv-bn-pool");
    await editJson(p, (j) => {
      layersOf(j).find((l: AnyJson) => l.config.name === "lif1").class_name = "GELU";
    });
    await rejects(loadTfjsModel(p), {
      code: "E_UNSUPPORTED",
      file: p,
      layer: "lif1",
      parts: [
        `unknown layer class "GELU"`,
        "supported: InputLayer, Conv2D, Dense, BatchNormalization",
        "MultiThresholdLIF",
        "Readout, TimeDistributed",
      ],
    });
  });

  test("shapes that do not chain (Dense on an [H,W,C] input)", async () => {
    const p = await fixtureCopy("conv-bn-pool");
    await editJson(p, (j) => {
      const ls = layersOf(j);
      ls.splice(
        ls.findIndex((l: AnyJson) => l.class_name === "Flatten"),
        1,
      );
    });
    await rejects(loadTfjsModel(p), {
      code: "E_SHAPE",
      file: p,
      layer: "dense",
      parts: ["dense needs a flat input, got [1,1,6]"],
    });
  });

  test("shapes that do not chain (Add of different shapes)", async () => {
    const p = await fixtureCopy("residual-add");
    await editJson(p, (j) => {
      const add = layersOf(j).find((l: AnyJson) => l.name === "add");
      add.inbound_nodes = [
        [
          ["lif_a", 0, 0, {}],
          ["input", 0, 0, {}],
        ],
      ];
    });
    await rejects(loadTfjsModel(p), {
      code: "E_SHAPE",
      file: p,
      layer: "add",
      parts: ["add inputs have different shapes [8,8,4] ('lif_a') and [8,8,1] ('input')"],
    });
  });

  test("timesteps missing", async () => {
    const p = await fixtureCopy("mlp-dense");
    await editJson(p, (j) => {
      delete j.userDefinedMetadata.snn.timesteps;
    });
    await rejects(loadTfjsModel(p), {
      code: "E_FORMAT",
      file: p,
      param: "timesteps",
      parts: ["timesteps missing: set userDefinedMetadata.snn.timesteps"],
    });
  });

  test("timesteps missing, supplied by the caller", async () => {
    const p = await fixtureCopy("mlp-dense");
    await editJson(p, (j) => {
      delete j.userDefinedMetadata;
    });
    const g = await loadTfjsModel(p, { timesteps: 3 });
    assert.deepEqual(g.meta, { timesteps: 3, encoding: "direct", source: "tfjs-layers:model.json" });
  });

  test("BatchNormalization axis not last", async () => {
    const p = await fixtureCopy("conv-bn-pool");
    await editJson(p, (j) => {
      layerConfig(j, "bn1").axis = 1;
    });
    await rejects(loadTfjsModel(p), {
      code: "E_UNSUPPORTED",
      file: p,
      layer: "bn1",
      param: "axis",
      parts: ["axis 1 is not the last axis (3, or -1) of its rank-4 input"],
    });
  });

  test("padding causal", async () => {
    const p = await fixtureCopy("conv-bn-pool");
    await editJson(p, (j) => {
      layerConfig(j, "conv2").padding = "causal";
    });
    await rejects(loadTfjsModel(p), {
      code: "E_UNSUPPORTED",
      file: p,
      layer: "conv2",
      param: "padding",
      parts: [`padding "causal" is not supported (supported: "same", "valid")`],
    });
  });

  test("data_format channels_first", async () => {
    const p = await fixtureCopy("conv-bn-pool");
    await editJson(p, (j) => {
      layerConfig(j, "avg_pool").data_format = "channels_first";
    });
    await rejects(loadTfjsModel(p), {
      code: "E_UNSUPPORTED",
      file: p,
      layer: "avg_pool",
      param: "data_format",
      parts: [`data_format "channels_first" is not supported`],
    });
  });

  test("non-linear activation", async () => {
    const p = await fixtureCopy("mlp-dense");
    await editJson(p, (j) => {
      layerConfig(j, "dense1").activation = "relu";
    });
    await rejects(loadTfjsModel(p), {
      code: "E_UNSUPPORTED",
      file: p,
      layer: "dense1",
      param: "activation",
      parts: [`activation "relu" is not supported`],
    });
  });

  test("unknown reset mode", async () => {
    const p = await fixtureCopy("mlp-dense");
    await editJson(p, (j) => {
      layerConfig(j, "if1").reset = "subtract";
    });
    await rejects(loadTfjsModel(p), {
      code: "E_UNSUPPORTED",
      file: p,
      layer: "if1",
      param: "reset",
      parts: [`reset "subtract" is not supported (supported: "hard", "soft")`],
    });
  });

  test("neuron without v_threshold", async () => {
    const p = await fixtureCopy("mlp-dense");
    await editJson(p, (j) => {
      delete layerConfig(j, "lif2").v_threshold;
    });
    await rejects(loadTfjsModel(p), {
      code: "E_FORMAT",
      file: p,
      layer: "lif2",
      param: "v_threshold",
      parts: ["config 'v_threshold' is missing"],
    });
  });

  test("LIF decay factor out of range", async () => {
    const p = await fixtureCopy("mlp-dense");
    await editJson(p, (j) => {
      layerConfig(j, "lif2").tau = 2;
    });
    await rejects(loadTfjsModel(p), {
      code: "E_VALUE",
      file: p,
      layer: "lif2",
      param: "tau",
      parts: ["tau 2 is not a decay factor in (0, 1]", "tau = 1-1/τ_m = 0.5"],
    });
  });

  test("MPBN weights without an mpbn config", async () => {
    const p = await fixtureCopy("mpbn-channel");
    await editJson(p, (j) => {
      delete layerConfig(j, "if2").mpbn;
    });
    await rejects(loadTfjsModel(p), {
      code: "E_FORMAT",
      file: p,
      layer: "if2",
      param: "mpbn",
      parts: ["MPBN weights ('mpbn_gamma', ...) but its config has no 'mpbn'"],
    });
  });

  test("MultiThresholdLIF without deltas", async () => {
    const p = await fixtureCopy("mt-lif");
    await editJson(p, (j) => {
      delete layerConfig(j, "mt1").deltas;
    });
    await rejects(loadTfjsModel(p), {
      code: "E_FORMAT",
      file: p,
      layer: "mt1",
      param: "deltas",
      parts: ["config 'deltas' is missing"],
    });
  });

  test("MPBN config without a mode", async () => {
    const p = await fixtureCopy("mpbn-channel");
    await editJson(p, (j) => {
      delete layerConfig(j, "lif1").mpbn.mode;
    });
    await rejects(loadTfjsModel(p), {
      code: "E_FORMAT",
      file: p,
      layer: "lif1",
      param: "mpbn.mode",
      parts: ["config 'mpbn.mode' is missing"],
    });
  });

  test("BNTT holding fewer steps than the model runs", async () => {
    const p = await fixtureCopy("bntt");
    await editJson(p, (j) => {
      j.userDefinedMetadata.snn.timesteps = 8;
    });
    await rejects(loadTfjsModel(p), {
      code: "E_SHAPE",
      file: p,
      layer: "bntt1",
      param: "timesteps",
      parts: ["holds parameters for 5 steps but the model runs 8"],
    });
  });

  test("shared layer (called twice) in a Functional model", async () => {
    const p = await fixtureCopy("residual-add");
    await editJson(p, (j) => {
      const l = layersOf(j).find((x: AnyJson) => x.name === "conv_b");
      l.inbound_nodes.push([["lif_b", 0, 0, {}]]);
    });
    await rejects(loadTfjsModel(p), {
      code: "E_UNSUPPORTED",
      file: p,
      layer: "conv_b",
      parts: ["called 2 times (shared layers are not supported)"],
    });
  });

  test("Functional input that is not a layer", async () => {
    const p = await fixtureCopy("residual-add");
    await editJson(p, (j) => {
      layersOf(j).find((x: AnyJson) => x.name === "add").inbound_nodes[0][1][0] = "lif_x";
    });
    await rejects(loadTfjsModel(p), {
      code: "E_FORMAT",
      file: p,
      layer: "add",
      parts: ["input 'lif_x' is not a layer of the model"],
    });
  });

  test("Sequential model with no input shape", async () => {
    const p = await fixtureCopy("conv-bn-pool");
    await editJson(p, (j) => {
      delete layerConfig(j, "conv1").batch_input_shape;
    });
    await rejects(loadTfjsModel(p), {
      code: "E_FORMAT",
      file: p,
      layer: "conv1",
      parts: ["the first layer declares no input shape"],
    });
  });

  test("encoding not supported", async () => {
    const p = await fixtureCopy("mlp-dense");
    await editJson(p, (j) => {
      j.userDefinedMetadata.snn.encoding = "poisson";
    });
    await rejects(loadTfjsModel(p), {
      code: "E_UNSUPPORTED",
      file: p,
      param: "encoding",
      parts: [`encoding "poisson" is not supported (supported: "direct", "spikes")`],
    });
  });

  test("malformed manifest entry", async () => {
    const p = await fixtureCopy("mlp-dense");
    const j = await readJson(p);
    j.weightsManifest[0].weights[0].shape = "3x3";
    await writeFile(p, JSON.stringify(j));
    await rejects(loadTfjsModel(p), {
      code: "E_FORMAT",
      file: p,
      parts: [`weight 'dense1/kernel' has shape "3x3", not a list of sizes`],
    });
  });
});
