/**
 * Every generated fixture loads, and every layer's parameters are what the generator wrote:
 * weights value for value (after the fixture's storage format), configs mapped per SEMANTICS.md.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { buildModel, FIXTURES, generate, type FixtureDef } from "../../../scripts/gen-fixtures.ts";
import { quantizeAffine, toFloat16Bits } from "../../../scripts/gen-fixtures/encode.ts";
import { loadTfjsModel } from "../../../src/frontends/tfjs/load.ts";
import type { Graph, NeuronNode } from "../../../src/ir/nodes.ts";
import type { Tensor } from "../../../src/ir/tensor.ts";
import { node } from "../../support/ir-builder.ts";
import { FIXTURES as FIXTURE_DIR, layersOf, readJson, tempDir, type AnyJson } from "../../support/model-files.ts";

/** IEEE binary16 bits → value, written out independently of TF.js. */
function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function stored(def: FixtureDef, values: number[]): Float64Array {
  const f32 = Float32Array.from(values);
  switch (def.storage ?? "float32") {
    case "float32":
      return Float64Array.from(f32);
    case "float16":
      return Float64Array.from(f32, (v) => fromFloat16Bits(toFloat16Bits(v)));
    case "uint8":
    case "uint16": {
      const { q, min, scale } = quantizeAffine(f32, def.storage === "uint8" ? 255 : 65535);
      return Float64Array.from(q, (x) => Math.fround(x * scale + min));
    }
  }
}

interface Expect {
  def: FixtureDef;
  weights: Map<string, { shape: number[]; values: number[] }>;
  prefix: string;
}

function w(e: Expect, layer: string, name: string): Tensor {
  const d = e.weights.get(`${e.prefix}${layer}/${name}`);
  assert.ok(d, `generator has no weight ${layer}/${name}`);
  return { shape: d.shape, data: stored(e.def, d.values) };
}

function same(actual: Tensor | undefined, expected: Tensor, what: string): void {
  assert.ok(actual, `${what} missing`);
  assert.deepEqual(actual.shape, expected.shape, `${what} shape`);
  assert.deepEqual(Array.from(actual.data), Array.from(expected.data), `${what} values`);
}

function scalarIs(t: Tensor, v: number, what: string): void {
  assert.deepEqual(t.shape, [], what);
  assert.equal(t.data[0], v, what);
}

function checkNeuron(n: NeuronNode, cls: string, cfg: AnyJson, e: Expect, layer: string): void {
  const theta = cfg.v_threshold as number;
  const vReset = (cfg.v_reset ?? 0) as number;
  const base = cls === "MultiThresholdLIF" ? (cfg.neuron ?? "LIF") : cls;
  assert.equal(n.fire, cfg.fire ?? "gt");
  assert.equal(n.reset, cfg.reset ?? "hard");
  scalarIs(n.threshold, theta, "threshold");
  scalarIs(n.resetAmount, theta, "resetAmount");
  scalarIs(n.vReset, vReset, "vReset");
  assert.equal(n.vThreshold, theta);
  if (base === "PLIF") {
    const a = w(e, layer, "a").data[0]!;
    const tauM = 1 + Math.exp(-a);
    assert.equal(n.plifA, a);
    assert.equal(n.decay, 1 - 1 / tauM);
    scalarIs(n.gain, 1 / tauM, "gain");
    scalarIs(n.bias, vReset / tauM, "bias");
  } else {
    assert.equal(n.plifA, undefined);
    assert.equal(n.decay, base === "IF" ? 1 : cfg.tau);
    scalarIs(n.gain, 1, "gain");
    scalarIs(n.bias, 0, "bias");
  }
  if (cls === "MultiThresholdLIF") {
    assert.equal(n.model, base === "PLIF" ? "MT-PLIF" : "MT-LIF");
    assert.deepEqual(n.deltas, cfg.deltas);
    assert.deepEqual(
      n.planeThresholds!.map((p) => {
        assert.deepEqual(p.shape, []);
        return p.data[0];
      }),
      (cfg.deltas as number[]).map((d) => theta + d),
    );
  } else {
    assert.equal(n.model, cls);
    assert.equal(n.planeThresholds, undefined);
  }
  if (cfg.mpbn) {
    const m = n.mpbn!;
    assert.ok(m, "mpbn");
    assert.equal(m.mode, cfg.mpbn.mode);
    assert.equal(m.epsilon, cfg.mpbn.epsilon ?? 1e-5);
    same(m.gamma, w(e, layer, "mpbn_gamma"), "mpbn_gamma");
    same(m.beta, w(e, layer, "mpbn_beta"), "mpbn_beta");
    same(m.mean, w(e, layer, "mpbn_moving_mean"), "mpbn_moving_mean");
    same(m.variance, w(e, layer, "mpbn_moving_variance"), "mpbn_moving_variance");
  } else assert.equal(n.mpbn, undefined);
}

/** Check one generator layer against its IR node; returns the class names it covered. */
function checkLayer(g: Graph, e: Expect, entry: { className: string; config: AnyJson }, inputId: string): string {
  let cls = entry.className;
  let cfg = entry.config;
  const layer = cfg.name as string;
  if (cls === "TimeDistributed") {
    cls = cfg.layer.class_name;
    cfg = cfg.layer.config;
  }
  if (cls === "Dropout") {
    assert.ok(!g.nodes.some((n) => n.id === layer), "Dropout must vanish");
    return cls;
  }
  const n = node(g, layer === inputId ? inputId : layer);
  switch (cls) {
    case "InputLayer":
      assert.equal(n.op, "input");
      return cls;
    case "Conv2D": {
      assert.ok(n.op === "conv2d");
      same(n.kernel, w(e, layer, "kernel"), "kernel");
      if (cfg.use_bias) same(n.bias, w(e, layer, "bias"), "bias");
      else assert.equal(n.bias, undefined);
      assert.deepEqual(n.strides, cfg.strides);
      assert.equal(n.padding, cfg.padding);
      assert.deepEqual(n.dilation, cfg.dilation_rate);
      assert.equal(n.groups, cfg.groups ?? 1);
      return cls;
    }
    case "Dense":
      assert.ok(n.op === "dense");
      same(n.kernel, w(e, layer, "kernel"), "kernel");
      if (cfg.use_bias) same(n.bias, w(e, layer, "bias"), "bias");
      else assert.equal(n.bias, undefined);
      return cls;
    case "BatchNormalization": {
      assert.ok(n.op === "bn");
      const mean = w(e, layer, "moving_mean");
      const C = mean.shape[0]!;
      same(n.mean, mean, "moving_mean");
      same(n.variance, w(e, layer, "moving_variance"), "moving_variance");
      same(n.gamma, cfg.scale ? w(e, layer, "gamma") : { shape: [C], data: new Float64Array(C).fill(1) }, "gamma");
      same(n.beta, cfg.center ? w(e, layer, "beta") : { shape: [C], data: new Float64Array(C) }, "beta");
      assert.equal(n.epsilon, cfg.epsilon ?? 1e-3);
      return cls;
    }
    case "AveragePooling2D":
    case "MaxPooling2D":
      assert.ok(n.op === (cls === "MaxPooling2D" ? "maxpool" : "avgpool"));
      assert.deepEqual(n.pool, cfg.pool_size);
      assert.deepEqual(n.strides, cfg.strides);
      assert.equal(n.padding, cfg.padding);
      return cls;
    case "Flatten":
      assert.equal(n.op, "flatten");
      return cls;
    case "Reshape":
      assert.ok(n.op === "reshape");
      assert.deepEqual(n.target, cfg.target_shape);
      return cls;
    case "ZeroPadding2D":
      assert.ok(n.op === "pad");
      assert.deepEqual(n.pads, (cfg.padding as number[][]).flat());
      return cls;
    case "Add":
      assert.equal(n.op, "add");
      assert.equal(n.inputs.length, 2);
      return cls;
    case "LIF":
    case "IF":
    case "PLIF":
    case "MultiThresholdLIF":
      assert.ok(n.op === "neuron");
      checkNeuron(n, cls, cfg, e, layer);
      return cls === "MultiThresholdLIF" ? `MultiThresholdLIF(${cfg.neuron})` : cls;
    case "TdBN":
      assert.ok(n.op === "tdbn");
      assert.equal(n.alpha, cfg.alpha);
      assert.equal(n.vth, cfg.v_threshold);
      assert.equal(n.epsilon, cfg.epsilon ?? 1e-5);
      same(n.gamma, w(e, layer, "gamma"), "gamma");
      same(n.beta, w(e, layer, "beta"), "beta");
      same(n.mean, w(e, layer, "moving_mean"), "moving_mean");
      same(n.variance, w(e, layer, "moving_variance"), "moving_variance");
      return cls;
    case "BNTT":
      assert.ok(n.op === "bntt");
      assert.equal(n.timesteps, cfg.timesteps);
      assert.equal(n.epsilon, cfg.epsilon ?? 1e-5);
      same(n.gamma, w(e, layer, "gamma"), "gamma");
      same(n.mean, w(e, layer, "moving_mean"), "moving_mean");
      same(n.variance, w(e, layer, "moving_variance"), "moving_variance");
      return cls;
    case "TEBN":
      assert.ok(n.op === "tebn");
      assert.equal(n.timesteps, cfg.timesteps);
      assert.equal(n.epsilon, cfg.epsilon ?? 1e-5);
      same(n.gamma, w(e, layer, "gamma"), "gamma");
      same(n.beta, w(e, layer, "beta"), "beta");
      same(n.mean, w(e, layer, "moving_mean"), "moving_mean");
      same(n.variance, w(e, layer, "moving_variance"), "moving_variance");
      same(n.p, w(e, layer, "p"), "p");
      return `TEBN(p rank ${n.p.shape.length})`;
    case "TAB":
      assert.ok(n.op === "tab");
      assert.equal(n.timesteps, cfg.timesteps);
      assert.equal(n.epsilon, cfg.epsilon ?? 1e-5);
      same(n.gammaHat, w(e, layer, "gamma_hat"), "gamma_hat");
      same(n.betaHat, w(e, layer, "beta_hat"), "beta_hat");
      same(n.meanAcc, w(e, layer, "moving_mean_acc"), "moving_mean_acc");
      same(n.varAcc, w(e, layer, "moving_var_acc"), "moving_var_acc");
      return cls;
    case "PSPNorm":
      assert.ok(n.op === "pspnorm");
      assert.equal(n.mode, cfg.mode);
      assert.equal(n.lambda, cfg.lambda);
      if (cfg.mode === "bn") {
        same(n.gamma, w(e, layer, "gamma"), "gamma");
        same(n.sqMean, w(e, layer, "moving_sq_mean"), "moving_sq_mean");
      }
      return `PSPNorm(${cfg.mode})`;
    case "Readout":
      assert.ok(n.op === "readout");
      assert.equal(n.mode, cfg.mode ?? "mean");
      return cls;
    default:
      assert.fail(`untested class ${cls}`);
  }
}

/** The thresholds as calibrated into the fixture's model.json, by layer. */
function thresholdsOf(j: AnyJson): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of layersOf(j))
    if (typeof l.config.v_threshold === "number" && l.class_name !== "TdBN") m.set(l.config.name, l.config.v_threshold);
  return m;
}

const covered = new Set<string>();

describe("fixtures load with the generator's parameters", () => {
  for (const def of FIXTURES) {
    test(def.name, async () => {
      const path = join(FIXTURE_DIR, def.name, "model.json");
      const j = await readJson(path);
      const g = await loadTfjsModel(path);
      assert.equal(g.meta.timesteps, def.timesteps);
      assert.equal(g.meta.encoding, def.encoding ?? "direct");
      assert.ok(
        g.nodes.every((n) => Array.isArray(n.shape)),
        "shapes inferred",
      );
      assert.deepEqual(node(g, g.nodes[0]!.id).shape, def.inputShape);
      assert.deepEqual(g.outputs, ["readout"]);

      const b = buildModel(def, thresholdsOf(j));
      const e: Expect = {
        def,
        weights: new Map(b.weights.map((x) => [x.name, { shape: x.shape, values: x.values }])),
        prefix: b.weightPrefix,
      };
      const inputId = g.nodes[0]!.id;
      for (const entry of b.entries) {
        const cls = checkLayer(g, e, entry, entry.className === "InputLayer" ? inputId : "");
        covered.add(cls);
        if (entry.className === "TimeDistributed") covered.add("TimeDistributed");
      }
      // Every IR node comes from a generator layer (plus the implicit input of Sequential models).
      const names = new Set(b.entries.map((x) => x.config.name as string));
      for (const n of g.nodes) if (n.op !== "input") assert.ok(names.has(n.id), `unexpected node ${n.id}`);

      // The input sample has the model's input shape.
      const sample = JSON.parse(await readFile(join(FIXTURE_DIR, def.name, "input.json"), "utf8"));
      const dims: number[] = [];
      for (let a: unknown = sample; Array.isArray(a); a = a[0]) dims.push(a.length);
      assert.deepEqual(dims, def.inputShape);
    });
  }

  test("every FORMATS.md §1 layer type is covered by some fixture", () => {
    const want = [
      "InputLayer",
      "Conv2D",
      "Dense",
      "BatchNormalization",
      "AveragePooling2D",
      "MaxPooling2D",
      "Flatten",
      "Reshape",
      "ZeroPadding2D",
      "Add",
      "Dropout",
      "TimeDistributed",
      "LIF",
      "IF",
      "PLIF",
      "MultiThresholdLIF(LIF)",
      "MultiThresholdLIF(PLIF)",
      "TdBN",
      "BNTT",
      "TEBN(p rank 1)",
      "TEBN(p rank 2)",
      "TAB",
      "PSPNorm(bn)",
      "PSPNorm(ln)",
      "Readout",
    ];
    assert.deepEqual(
      want.filter((c) => !covered.has(c)),
      [],
    );
  });
});

describe("fixture content", () => {
  test("element-wise MPBN has mixed signs and zeros inside one conv channel", async () => {
    const g = await loadTfjsModel(join(FIXTURE_DIR, "mpbn-element", "model.json"));
    const n = node(g, "lif1") as NeuronNode;
    const gamma = n.mpbn!.gamma;
    assert.deepEqual(gamma.shape, [6, 6, 3]);
    const ch0 = Array.from(gamma.data).filter((_, i) => i % 3 === 0);
    assert.ok(ch0.some((v) => v > 0) && ch0.some((v) => v < 0) && ch0.some((v) => v === 0));
  });

  test("channel MPBN has a negative and a zero γ", async () => {
    const g = await loadTfjsModel(join(FIXTURE_DIR, "mpbn-channel", "model.json"));
    const d = Array.from((node(g, "lif1") as NeuronNode).mpbn!.gamma.data);
    assert.ok(d.some((v) => v < 0) && d.includes(0));
  });

  test("MT-LIF has a negative delta", async () => {
    const g = await loadTfjsModel(join(FIXTURE_DIR, "mt-lif", "model.json"));
    assert.ok((node(g, "mt1") as NeuronNode).deltas!.some((d) => d < 0));
  });

  test("residual-add: two shards, Add of the two spike layers, Dropout bypassed", async () => {
    const path = join(FIXTURE_DIR, "residual-add", "model.json");
    const j = await readJson(path);
    assert.equal(j.weightsManifest[0].paths.length, 2);
    const g = await loadTfjsModel(path);
    assert.deepEqual(node(g, "add").inputs, ["lif_a", "lif_b"]);
    assert.deepEqual(node(g, "zero_pad").inputs, ["add"]);
  });

  test("time-distributed: the time axis is dropped from the input shape", async () => {
    const g = await loadTfjsModel(join(FIXTURE_DIR, "time-distributed", "model.json"));
    assert.deepEqual(g.nodes[0]!.shape, [8, 8, 1]);
    assert.deepEqual(node(g, "td_dense").shape, [3]);
  });

  test("a folder path stands for its model.json", async () => {
    const g = await loadTfjsModel(join(FIXTURE_DIR, "plif"));
    assert.equal(g.name, "plif");
  });
});

describe("generator", () => {
  test("regenerating gives byte-identical files", { timeout: 120_000 }, async () => {
    const out = await tempDir();
    await generate(out);
    const list = async (d: string): Promise<string[]> => {
      const r: string[] = [];
      for (const e of await readdir(d, { withFileTypes: true, recursive: true }))
        if (e.isFile()) r.push(join(e.parentPath, e.name).slice(d.length));
      return r.filter((f) => !f.endsWith(".gitattributes")).sort();
    };
    const mine = await list(out);
    // fixtures/ also holds other formats' fixtures (onnx-*, nir-*), written by their own scripts.
    const own = new Set([...FIXTURES.map((d) => d.name), "README.md"]);
    assert.deepEqual(
      mine,
      (await list(FIXTURE_DIR)).filter((f) => own.has(f.split("/")[1] ?? "")),
    );
    for (const f of mine)
      assert.ok((await readFile(join(out, f))).equals(await readFile(join(FIXTURE_DIR, f))), `${f} differs`);
  });
});
