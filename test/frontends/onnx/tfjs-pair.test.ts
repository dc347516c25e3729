/**
 * One model, two files: fixtures/onnx-tfjs-pair holds a PyTorch model exported to ONNX and the
 * same float32 weights written as a TF.js layers-model (kernels OIHW → HWIO, the Linear after
 * Flatten with its rows reordered from C,H,W to H,W,C). Both readers must give the same IR
 * parameters and, run in float64, bit-identical spikes and readouts. With BN kept as a node the
 * ONNX model is the TF.js model exactly; with BN fused by torch the weights differ by float32
 * rounding, so only its spikes are compared (all identical on this input).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { loadOnnxModel } from "../../../src/frontends/onnx/load.ts";
import { loadTfjsModel } from "../../../src/frontends/tfjs/load.ts";
import type { Graph, IRNode } from "../../../src/ir/nodes.ts";
import { simulate } from "../../../src/sim/reference.ts";
import { torchFixtures } from "./torch-fixtures.ts";

const f = torchFixtures().find((x) => x.name === "onnx-tfjs-pair")!;

function run(g: Graph) {
  const r = simulate(g, f.input);
  const neurons = g.nodes.filter((n) => n.op === "neuron");
  return {
    spikes: neurons.map((n) => r.traces.get(n.id)!.out.map((o) => Array.from(o))),
    readout: [...r.readouts.values()],
  };
}

/** The parameters of a node, without ids, inputs and provenance. */
function params(n: IRNode): unknown {
  const { id: _i, inputs: _in, origin: _o, ...rest } = n;
  return JSON.parse(JSON.stringify(rest, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v)));
}

test("TF.js model.json and ONNX (BN as a node) import to the same parameters", async () => {
  const tf = await loadTfjsModel(join(f.dir, "tfjs", "model.json"));
  const ox = await loadOnnxModel(join(f.dir, "model-bn.onnx"));
  assert.deepEqual(
    ox.nodes.map((n) => n.op),
    tf.nodes.map((n) => n.op),
  );
  for (const [k, n] of ox.nodes.entries()) {
    const t = tf.nodes[k]!;
    if (n.op === "conv2d" && t.op === "conv2d") {
      // ONNX gives explicit pads, Keras "same": the same geometry.
      assert.deepEqual(n.padding, [1, 1, 1, 1]);
      assert.equal(t.padding, "same");
      assert.deepEqual(params({ ...n, padding: "same" }), params(t), n.id);
    } else assert.deepEqual(params(n), params(t), `${n.id} vs ${t.id}`);
  }
});

test("TF.js model.json and ONNX (BN as a node) give bit-identical spikes and readouts", async () => {
  const tf = run(await loadTfjsModel(join(f.dir, "tfjs", "model.json")));
  const ox = run(await loadOnnxModel(join(f.dir, "model-bn.onnx")));
  assert.ok(
    tf.spikes.flat(2).some((v) => v > 0),
    "the model fires",
  );
  assert.deepEqual(ox.spikes, tf.spikes);
  assert.deepEqual(ox.readout, tf.readout);
});

test("ONNX with BN fused by torch gives the TF.js model's spikes", async () => {
  const tf = run(await loadTfjsModel(join(f.dir, "tfjs", "model.json")));
  const ox = run(await loadOnnxModel(join(f.dir, "model.onnx")));
  assert.deepEqual(ox.spikes, tf.spikes);
});
