/**
 * Writes fixtures/digits-conv-bn-mpbn/tfjs/ (model.json + weights.bin) with TF.js itself: the
 * trained network of fixtures/digits-conv-bn-mpbn/model.onnx rebuilt as a tf.Sequential of Keras
 * layers and the SNN layers LIF and Readout (registered with tf.serialization, as a TF.js user
 * declares custom layers), its weights set from the ONNX model as snnc reads it, and saved by
 * `model.save` through `tf.io.withSaveHandler` in the layout of TF.js's file handler.
 *
 *     npx tsx scripts/digits-tfjs.ts            (from the repository root, after the ONNX fixture)
 *
 * The custom layers carry the FORMATS.md §1 config and weights (MPBN as `mpbn_*` weights of the
 * neuron layer). Their `call` is one step from rest (v = 0): TF.js has no time loop; snnc runs T.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { loadModel } from "../src/frontends/index.ts";
import type { Graph, IRNode, NeuronNode } from "../src/ir/nodes.ts";
import type { Tensor } from "../src/ir/tensor.ts";

tf.enableProdMode();

const DIR = "fixtures/digits-conv-bn-mpbn";

interface LIFConfig {
  tau: number;
  v_threshold: number;
  reset: string;
  v_reset: number;
  fire: string;
  mpbn?: { mode: "channel" | "element"; epsilon: number };
}

class LIF extends tf.layers.Layer {
  static className = "LIF";
  readonly snn: LIFConfig;

  constructor(config: LIFConfig & { name: string }) {
    super({ name: config.name });
    const { name: _n, ...snn } = config;
    this.snn = snn;
  }

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = inputShape as tf.Shape;
    if (this.snn.mpbn) {
      const shape = this.snn.mpbn.mode === "channel" ? [s[s.length - 1]!] : (s.slice(1) as number[]);
      // Learnt γ, β are trainable; the running statistics are not (as in BatchNormalization).
      for (const [w, init, trainable] of [
        ["mpbn_gamma", "ones", true],
        ["mpbn_beta", "zeros", true],
        ["mpbn_moving_mean", "zeros", false],
        ["mpbn_moving_variance", "ones", false],
      ] as const)
        this.addWeight(w, shape, "float32", tf.initializers[init](), undefined, trainable);
    }
    this.built = true;
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  /** One step from rest: h = c, fire on the (MPBN-normalised) membrane. */
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      let m = Array.isArray(inputs) ? inputs[0]! : inputs;
      if (this.snn.mpbn) {
        const [g, b, mu, v] = this.getWeights();
        m = g!.div(v!.add(this.snn.mpbn.epsilon).sqrt()).mul(m.sub(mu!)).add(b!);
      }
      const th = tf.scalar(this.snn.v_threshold);
      return (this.snn.fire === "ge" ? m.greaterEqual(th) : m.greater(th)).cast("float32");
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.snn } as tf.serialization.ConfigDict;
  }
}

class Readout extends tf.layers.Layer {
  static className = "Readout";
  readonly mode: string;

  constructor(config: { name: string; mode: string }) {
    super({ name: config.name });
    this.mode = config.mode;
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.clone(Array.isArray(inputs) ? inputs[0]! : inputs);
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}

tf.serialization.registerClass(LIF);
tf.serialization.registerClass(Readout);

const f32 = (t: Tensor) => tf.tensor(Array.from(t.data), t.shape, "float32");

function byPrefix(g: Graph, name: string): IRNode {
  const n = g.nodes.find((x) => x.id === name || x.id.startsWith(`${name}/`));
  if (!n) throw new Error(`no layer '${name}' in the ONNX model`);
  return n;
}

function lifLayer(n: NeuronNode, name: string): LIF {
  if (n.model !== "LIF" || n.threshold.data.length !== 1) throw new Error(`${n.id}: expected a LIF with one θ`);
  const mpbn = n.mpbn ? { mode: n.mpbn.mode, epsilon: n.mpbn.epsilon } : undefined;
  return new LIF({
    name,
    tau: n.decay,
    v_threshold: n.vThreshold,
    reset: n.reset,
    v_reset: n.vReset.data[0]!,
    fire: n.fire,
    ...(mpbn ? { mpbn } : {}),
  });
}

async function main(): Promise<void> {
  const g = await loadModel(join(DIR, "model.onnx"));
  const node = (name: string) => byPrefix(g, name);
  const m = tf.sequential({ name: "digits_conv_bn_mpbn" });
  const weights: [tf.layers.Layer, Tensor[]][] = [];
  const add = (layer: tf.layers.Layer, ws: Tensor[] = []) => {
    m.add(layer);
    weights.push([layer, ws]);
  };
  for (const [conv, bn, lif, pool] of [
    ["conv1", "bn1", "lif1", "pool1"],
    ["conv2", "bn2", "lif2", "pool2"],
  ] as const) {
    const c = node(conv);
    const b = node(bn);
    const l = node(lif);
    if (c.op !== "conv2d" || b.op !== "bn" || l.op !== "neuron") throw new Error(`unexpected layers ${conv}..${lif}`);
    add(
      tf.layers.conv2d({
        name: conv,
        filters: c.kernel.shape[3]!,
        kernelSize: [c.kernel.shape[0]!, c.kernel.shape[1]!],
        padding: "same",
        useBias: true,
        ...(conv === "conv1" ? { inputShape: g.nodes[0]!.shape as number[] } : {}),
      }),
      [c.kernel, c.bias!],
    );
    add(tf.layers.batchNormalization({ name: bn, axis: -1, epsilon: b.epsilon }), [
      b.gamma,
      b.beta,
      b.mean,
      b.variance,
    ]);
    const mp = l.mpbn!;
    add(lifLayer(l, lif), [mp.gamma, mp.beta, mp.mean, mp.variance]);
    add(tf.layers.averagePooling2d({ name: pool, poolSize: 2, strides: 2, padding: "valid" }));
  }
  add(tf.layers.flatten({ name: "flatten" }));
  const fc = node("fc");
  if (fc.op !== "dense") throw new Error("expected fc to be a dense layer");
  add(tf.layers.dense({ name: "fc", units: fc.kernel.shape[1]! }), [fc.kernel, fc.bias!]);
  const ro = node("readout");
  add(new Readout({ name: "readout", mode: ro.op === "readout" ? ro.mode : "mean" }));
  for (const [layer, ws] of weights) if (ws.length) layer.setWeights(ws.map(f32));

  m.setUserDefinedMetadata({ snn: { timesteps: g.meta.timesteps, encoding: g.meta.encoding } });
  const out = join(DIR, "tfjs");
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      const wd = a.weightData!;
      const data = Array.isArray(wd) ? tf.io.CompositeArrayBuffer.join(wd) : wd;
      mkdirSync(out, { recursive: true });
      const modelJson = {
        modelTopology: a.modelTopology,
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy,
        weightsManifest: [{ paths: ["./weights.bin"], weights: a.weightSpecs }],
        userDefinedMetadata: a.userDefinedMetadata,
      };
      writeFileSync(join(out, "model.json"), `${JSON.stringify(modelJson)}\n`);
      writeFileSync(join(out, "weights.bin"), new Uint8Array(data));
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON" } };
    }),
  );
  process.stdout.write(`${out}/model.json, weights.bin: ${m.countParams()} parameters\n`);
}

await main();
