/**
 * The ONNX reader's mappings one by one: constants (Constant nodes, Identity and shape chains),
 * node order, inference-only nodes, padded pooling, reshapes, per-element parameters after
 * Flatten, and the refusals of what the IR cannot hold exactly.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadOnnxModel } from "../../../src/frontends/onnx/load.ts";
import type { Graph, IRNode, NeuronNode } from "../../../src/ir/nodes.ts";
import { simulate } from "../../../src/sim/reference.ts";
import { rejects } from "../../support/errors.ts";
import { f32Tensor, i64Tensor, type ModelSpec, type NodeSpec, snn, writeModel } from "./onnx-build.ts";

const seq = (n: number, scale = 0.1) => Array.from({ length: n }, (_, i) => scale * (((i * 7) % 11) - 5));
const load = async (m: ModelSpec) => loadOnnxModel(await writeModel(m));
const byId = (g: Graph, id: string): IRNode => g.nodes.find((n) => n.id === id)!;
const ops = (g: Graph) => g.nodes.map((n) => n.op);

/** x [1,2,4,4] → Conv(3, pads 1, weight w) → `rest` nodes reading "c". */
function convModel(rest: NodeSpec[], out: string, extra: Partial<ModelSpec> = {}): ModelSpec {
  return {
    input: { name: "x", dims: ["batch", 2, 4, 4] },
    outputs: [{ name: out }],
    initializers: [f32Tensor("w", [3, 2, 3, 3], seq(54)), ...(extra.initializers ?? [])],
    nodes: [{ op: "Conv", inputs: ["x", "w"], outputs: ["c"], attrs: { pads: { ints: [1, 1, 1, 1] } } }, ...rest],
    metadata: extra.metadata,
  };
}

const lif = (input: string, out: string) => snn("LIF", [input], out, { tau: { f: 0.5 }, v_threshold: { f: 0.1 } });

describe("constants", () => {
  test("Constant nodes, Identity of initializers and torch's Shape→Gather→Concat chain feed operators", async () => {
    const g = await load({
      input: { name: "x", dims: [1, 2, 4, 4] },
      outputs: [{ name: "y" }],
      initializers: [
        f32Tensor("w0", [3, 2, 3, 3], seq(54)),
        i64Tensor("zero", [], [0]),
        i64Tensor("minus1", [1], [-1]),
      ],
      nodes: [
        { op: "Identity", inputs: ["w0"], outputs: ["w"] },
        { op: "Constant", inputs: [], outputs: ["b"], attrs: { value_floats: { floats: [0.5, -0.5, 0.25] } } },
        { op: "Conv", inputs: ["x", "w", "b"], outputs: ["c"], attrs: { pads: { ints: [1, 1, 1, 1] } } },
        { op: "Shape", inputs: ["c"], outputs: ["shape"] },
        { op: "Gather", inputs: ["shape", "zero"], outputs: ["n"], attrs: { axis: { i: 0 } } },
        { op: "Constant", inputs: [], outputs: ["ax"], attrs: { value_ints: { ints: [0] } } },
        { op: "Unsqueeze", inputs: ["n", "ax"], outputs: ["n1"] },
        { op: "Concat", inputs: ["n1", "minus1"], outputs: ["target"], attrs: { axis: { i: 0 } } },
        { op: "Reshape", inputs: ["c", "target"], outputs: ["y"] },
      ],
    });
    assert.deepEqual(ops(g), ["input", "conv2d", "flatten"]);
    assert.deepEqual(Array.from((byId(g, "c") as { bias?: { data: Float64Array } }).bias!.data), [0.5, -0.5, 0.25]);
    assert.deepEqual(byId(g, "y").shape, [48]);
  });

  test("nodes listed out of order are read in dependency order", async () => {
    const m = convModel([lif("c", "s"), { op: "Flatten", inputs: ["s"], outputs: ["f"] }], "f");
    m.nodes.reverse();
    const g = await load(m);
    assert.deepEqual(ops(g), ["input", "conv2d", "neuron", "flatten"]);
  });

  test("Identity and Dropout on activations disappear", async () => {
    const g = await load(
      convModel(
        [
          { op: "Identity", inputs: ["c"], outputs: ["c2"] },
          { op: "Dropout", inputs: ["c2"], outputs: ["c3"] },
          lif("c3", "s"),
        ],
        "s",
      ),
    );
    assert.deepEqual(ops(g), ["input", "conv2d", "neuron"]);
    assert.deepEqual(byId(g, "s").inputs, ["c"]);
  });
});

describe("metadata", () => {
  test("snn.timesteps and snn.encoding; a symbolic batch axis", async () => {
    const g = await load(
      convModel([lif("c", "s")], "s", { metadata: { "snn.timesteps": "7", "snn.encoding": "spikes" } }),
    );
    assert.deepEqual(g.meta.timesteps, 7);
    assert.equal(g.meta.encoding, "spikes");
    assert.deepEqual(byId(g, "x").shape, [4, 4, 2]);
  });
});

describe("pooling with pads", () => {
  const pool = (op: string, input: string, pads: number[], k = 2): NodeSpec => ({
    op,
    inputs: [input],
    outputs: ["p"],
    attrs: {
      kernel_shape: { ints: [k, k] },
      strides: { ints: [k === 2 ? 2 : 1, k === 2 ? 2 : 1] },
      pads: { ints: pads },
    },
  });

  test("MaxPool with pads that TF 'same' would not use: on spikes a zero pad + valid pool", async () => {
    const g = await load(convModel([lif("c", "s"), pool("MaxPool", "s", [1, 1, 1, 1])], "p"));
    assert.deepEqual(ops(g), ["input", "conv2d", "neuron", "pad", "maxpool"]);
    assert.deepEqual(byId(g, "p").shape, [3, 3, 3]);
  });

  test("MaxPool with 'same' pads stays one node; on a current with other pads it is refused", async () => {
    const same = await load(convModel([pool("MaxPool", "c", [1, 1, 1, 1], 3)], "p"));
    assert.deepEqual(ops(same), ["input", "conv2d", "maxpool"]);
    assert.equal((byId(same, "p") as { padding: string }).padding, "same");
    const m = convModel([pool("MaxPool", "c", [1, 1, 1, 1])], "p");
    await rejects(load(m), { code: "E_FORMAT", layer: "p", parts: ["may be negative", "same"] });
  });
});

describe("reshapes and per-element parameters after Flatten", () => {
  test("Reshape back to NCHW after a Flatten of the same shape is the IR's reshape", async () => {
    const g = await load(
      convModel(
        [
          { op: "Flatten", inputs: ["c"], outputs: ["f"] },
          { op: "Reshape", inputs: ["f", "shape"], outputs: ["r"] },
        ],
        "r",
        { initializers: [i64Tensor("shape", [4], [1, 3, 4, 4])] },
      ),
    );
    assert.deepEqual(byId(g, "r").shape, [4, 4, 3]);
    const x = Float64Array.from(seq(32, 0.3));
    const r = simulate(g, x, { all: true });
    assert.deepEqual(Array.from(r.traces.get("r")!.out[0]!), Array.from(r.traces.get("c")!.out[0]!));
  });

  test("a Reshape that reorders features is refused", async () => {
    const m = convModel([{ op: "Reshape", inputs: ["c", "shape"], outputs: ["r"] }], "r", {
      initializers: [i64Tensor("shape", [4], [1, 4, 3, 4])],
    });
    await rejects(load(m), { code: "E_FORMAT", layer: "r", parts: ["not supported"] });
  });

  test("element-wise MPBN of a flattened conv output is permuted to the IR's H, W, C order", async () => {
    const gamma = seq(48, 0.5).map((v, i) => v + i);
    const g = await load(
      convModel(
        [
          { op: "Flatten", inputs: ["c"], outputs: ["f"] },
          snn("IF", ["f", "", "g", "b", "m", "v"], "s", { v_threshold: { f: 0.5 }, mpbn_mode: { s: "element" } }),
        ],
        "s",
        {
          initializers: [
            f32Tensor("g", [48], gamma),
            f32Tensor("b", [48], seq(48)),
            f32Tensor("m", [48], seq(48)),
            f32Tensor(
              "v",
              [48],
              seq(48).map((q) => q + 1),
            ),
          ],
        },
      ),
    );
    const got = (byId(g, "s") as NeuronNode).mpbn!.gamma.data;
    // IR feature (h, w, c) is ONNX feature c·16 + h·4 + w.
    for (let h = 0; h < 4; h++)
      for (let w = 0; w < 4; w++)
        for (let c = 0; c < 3; c++) assert.equal(got[(h * 4 + w) * 3 + c], Math.fround(gamma[c * 16 + h * 4 + w]!));
  });
});

describe("arithmetic with constants", () => {
  test("k − x is an affine with scale −1; per-channel Mul keeps one value per channel", async () => {
    const g = await load(
      convModel(
        [
          { op: "Sub", inputs: ["k", "c"], outputs: ["d"] },
          { op: "Mul", inputs: ["d", "kc"], outputs: ["e"] },
        ],
        "e",
        { initializers: [f32Tensor("k", [], [0.5]), f32Tensor("kc", [3, 1, 1], [1, 2, 3])] },
      ),
    );
    const d = byId(g, "d") as { scale: { data: Float64Array }; shift: { data: Float64Array } };
    assert.deepEqual([d.scale.data[0], d.shift.data[0]], [-1, 0.5]);
    const e = byId(g, "e") as { scale: { shape: number[]; data: Float64Array } };
    assert.deepEqual(e.scale.shape, [3]);
    assert.deepEqual(Array.from(e.scale.data), [1, 2, 3]);
  });

  test("what is not affine in one activation is refused", async () => {
    for (const [op, inputs, part] of [
      ["Mul", ["c", "c"], "Mul of two activations"],
      ["Div", ["k", "c"], "activation / constant"],
    ] as const) {
      const m = convModel([{ op, inputs: [...inputs], outputs: ["y"] }], "y", {
        initializers: [f32Tensor("k", [], [2])],
      });
      await rejects(load(m), { code: "E_FORMAT", layer: "y", parts: [part] });
    }
  });

  test("Gemm with transA on the activation is refused", async () => {
    const m = convModel(
      [
        { op: "Flatten", inputs: ["c"], outputs: ["f"] },
        { op: "Gemm", inputs: ["f", "B"], outputs: ["y"], attrs: { transA: { i: 1 } } },
      ],
      "y",
      { initializers: [f32Tensor("B", [48, 2], seq(96))] },
    );
    await rejects(load(m), { code: "E_FORMAT", layer: "y", param: "transA", parts: ["transA=1"] });
  });
});
