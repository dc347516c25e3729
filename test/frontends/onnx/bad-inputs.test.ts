/**
 * Bad ONNX input: every class is refused with one line naming the file, the node and the
 * problem — exit 3 and nothing written through the CLI; the SnncError's code and location
 * through the library.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { loadOnnxModel } from "../../../src/frontends/onnx/load.ts";
import { snnc } from "../../support/cli.ts";
import { rejects } from "../../support/errors.ts";
import { f32Tensor, type ModelSpec, modelBytes, type NodeSpec, snn, writeModel } from "./onnx-build.ts";
import { FIXTURE_ROOT } from "./torch-fixtures.ts";

const fill = (n: number, v = 0.1) => Array.from({ length: n }, (_, i) => v * ((i % 7) - 3));

/** x [1,2,4,4] → Conv → LIF → Flatten → Gemm → Readout, every node named. */
function base(): ModelSpec {
  return {
    input: { name: "x", dims: [1, 2, 4, 4] },
    outputs: [{ name: "out", dims: [1, 2] }],
    initializers: [f32Tensor("conv.w", [3, 2, 3, 3], fill(54)), f32Tensor("fc.w", [2, 48], fill(96))],
    nodes: [
      {
        op: "Conv",
        name: "/conv/Conv",
        inputs: ["x", "conv.w"],
        outputs: ["c"],
        attrs: { pads: { ints: [1, 1, 1, 1] } },
      },
      { ...snn("LIF", ["c"], "s", { tau: { f: 0.5 }, v_threshold: { f: 0.25 } }), name: "/lif/LIF" },
      { op: "Flatten", name: "/Flatten", inputs: ["s"], outputs: ["f"] },
      { op: "Gemm", name: "/fc/Gemm", inputs: ["f", "fc.w"], outputs: ["y"], attrs: { transB: { i: 1 } } },
      { ...snn("Readout", ["y"], "out"), name: "/readout/Readout" },
    ],
  };
}

function edit(f: (m: ModelSpec) => void): ModelSpec {
  const m = base();
  f(m);
  return m;
}

const node = (m: ModelSpec, name: string): NodeSpec => m.nodes.find((n) => n.name === name)!;

test("the base model loads (the cases below each break one thing)", async () => {
  const g = await loadOnnxModel(await writeModel(base()));
  assert.deepEqual(
    g.nodes.map((n) => n.id),
    ["x", "conv/Conv", "lif/LIF", "Flatten", "fc/Gemm", "readout/Readout"],
  );
});

const fixtureBytes = () => readFileSync(join(FIXTURE_ROOT, "onnx-residual", "model.onnx"));

/** Each error class through the CLI: exit 3, one line with file and node, no output folder. */
const CLI_CASES: { what: string; bytes: () => Uint8Array; parts: string[] }[] = [
  { what: "truncated protobuf", bytes: () => fixtureBytes().subarray(0, 3001), parts: ["not a valid ONNX protobuf"] },
  {
    what: "missing initializer",
    bytes: () => modelBytes(edit((m) => m.initializers!.splice(0, 1))),
    parts: ["layer '/conv/Conv'", "input 'conv.w'", "missing initializer"],
  },
  {
    what: "wrong shapes",
    bytes: () => modelBytes(edit((m) => (m.input.dims = [1, 3, 4, 4]))),
    parts: ["layer '/conv/Conv'", "expects 2 input channels, the input has 3"],
  },
  {
    what: "unknown op",
    bytes: () => modelBytes(edit((m) => Object.assign(node(m, "/Flatten"), { op: "Sigmoid" }))),
    parts: ["layer '/Flatten'", "unsupported operator Sigmoid (domain ai.onnx)"],
  },
  {
    what: "cycle",
    bytes: () =>
      modelBytes(
        edit((m) => {
          node(m, "/conv/Conv").inputs[0] = "s2";
          m.nodes.push({ op: "Identity", name: "/loop/Identity", inputs: ["s"], outputs: ["s2"] });
        }),
      ),
    parts: ["the graph has a cycle", "'/conv/Conv'", "'/lif/LIF'", "'/loop/Identity'"],
  },
];

describe("through the CLI: exit 3, one line naming file and node, nothing written", () => {
  for (const c of CLI_CASES) {
    test(c.what, async () => {
      const path = await writeModel(c.bytes());
      const out = join(mkdtempSync(join(tmpdir(), "snnc-onnx-out-")), "out");
      const r = snnc(["compile", path, "--target", "float", "-o", out]);
      assert.equal(r.code, 3, r.stderr);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(lines[0]!.startsWith(`snnc: error: ${path}: `), lines[0]);
      for (const p of c.parts) assert.ok(lines[0]!.includes(p), `"${p}" not in: ${lines[0]}`);
      assert.ok(!existsSync(out), "no output written");
    });
  }
});

/** Library cases: the SnncError's code, node and parameter. */
const LIB_CASES: {
  what: string;
  model: () => ModelSpec | Uint8Array;
  code: string;
  layer?: string;
  parts: string[];
}[] = [
  { what: "empty file", model: () => new Uint8Array(0), code: "E_IO", parts: ["empty"] },
  {
    what: "JSON named .onnx",
    model: () => new TextEncoder().encode('{"format": "layers-model"}'),
    code: "E_PARSE",
    parts: ["ONNX"],
  },
  { what: "opset 12", model: () => edit((m) => (m.opset = 12)), code: "E_FORMAT", parts: ["opset 12", "13"] },
  {
    what: "no snn.timesteps",
    model: () => edit((m) => (m.metadata = { "snn.encoding": "direct" })),
    code: "E_FORMAT",
    parts: ["snn.timesteps"],
  },
  {
    what: "bad snn.encoding",
    model: () => edit((m) => (m.metadata = { "snn.timesteps": "4", "snn.encoding": "poisson" })),
    code: "E_FORMAT",
    parts: ['"poisson"'],
  },
  {
    what: "unknown ai.snnc op",
    model: () => edit((m) => Object.assign(node(m, "/lif/LIF"), { op: "Spiky" })),
    code: "E_FORMAT",
    layer: "/lif/LIF",
    parts: ["unsupported operator Spiky (domain ai.snnc)", "LIF, IF, PLIF"],
  },
  {
    what: "op of an unknown domain",
    model: () => edit((m) => Object.assign(node(m, "/Flatten"), { domain: "com.example" })),
    code: "E_FORMAT",
    layer: "/Flatten",
    parts: ["Flatten (domain com.example)"],
  },
  {
    what: "LIF tau given as a time constant",
    model: () => edit((m) => (node(m, "/lif/LIF").attrs!.tau = { f: 2 })),
    code: "E_VALUE",
    layer: "/lif/LIF",
    parts: ["tau 2", "0.5"],
  },
  {
    what: "misspelt attribute",
    model: () => edit((m) => (node(m, "/lif/LIF").attrs!.threshold = { f: 1 })),
    code: "E_FORMAT",
    layer: "/lif/LIF",
    parts: ["attribute 'threshold'"],
  },
  {
    what: "reset value",
    model: () => edit((m) => (node(m, "/lif/LIF").attrs!.reset = { s: "medium" })),
    code: "E_FORMAT",
    layer: "/lif/LIF",
    parts: ['"medium"'],
  },
  {
    what: "MPBN with two of its four inputs",
    model: () =>
      edit((m) => {
        m.initializers!.push(f32Tensor("g", [3], [1, 1, 1]), f32Tensor("b", [3], [0, 0, 0]));
        node(m, "/lif/LIF").inputs.push("", "g", "b");
        node(m, "/lif/LIF").attrs!.mpbn_mode = { s: "channel" };
      }),
    code: "E_WEIGHT",
    layer: "/lif/LIF",
    parts: ["MPBN needs all four", "got 2"],
  },
  {
    what: "NaN weight",
    model: () => edit((m) => (m.initializers![1] = f32Tensor("fc.w", [2, 48], [...fill(95), Number.NaN]))),
    code: "E_VALUE",
    layer: "/fc/Gemm",
    parts: ["fc.w", "NaN", "index 95"],
  },
  {
    what: "Gemm weight that does not take the features",
    model: () => edit((m) => (m.initializers![1] = f32Tensor("fc.w", [2, 47], fill(94)))),
    code: "E_SHAPE",
    layer: "/fc/Gemm",
    parts: ["takes 47 features, A has 48"],
  },
  {
    what: "declared output shape",
    model: () => edit((m) => (m.outputs[0]!.dims = [1, 5])),
    code: "E_SHAPE",
    parts: ["declared [1,5]", "computes [1,2]"],
  },
  {
    what: "input of rank 3",
    model: () => edit((m) => (m.input.dims = [1, 2, 16])),
    code: "E_SHAPE",
    layer: "x",
    parts: ["[batch, C, H, W]"],
  },
  {
    what: "raw data shorter than the dims",
    model: () => edit((m) => (m.initializers![0] = { ...f32Tensor("conv.w", [3, 2, 3, 3], fill(53)) })),
    code: "E_WEIGHT",
    parts: ["conv.w", "212 bytes", "216"],
  },
  {
    what: "pooling that cannot be expressed exactly",
    model: () =>
      edit((m) =>
        m.nodes.splice(2, 0, {
          op: "AveragePool",
          name: "/pool/AveragePool",
          inputs: ["s"],
          outputs: ["p"],
          attrs: { kernel_shape: { ints: [2, 2] }, pads: { ints: [1, 1, 0, 0] }, strides: { ints: [2, 2] } },
        }),
      ),
    code: "E_FORMAT",
    layer: "/pool/AveragePool",
    parts: ["count_include_pad"],
  },
];

describe("through the library: code, node and problem", () => {
  for (const c of LIB_CASES) {
    test(c.what, async () => {
      const m = c.model();
      const path = await writeModel(m instanceof Uint8Array ? m : modelBytes(m));
      await rejects(loadOnnxModel(path), { code: c.code, file: path, layer: c.layer, parts: c.parts });
    });
  }
});

describe("external data", () => {
  const external = (location: string, offset = 0, length?: number) =>
    edit((m) => {
      const w = m.initializers![0]!;
      m.initializers![0] = {
        name: w.name,
        dims: w.dims,
        dataType: 1,
        dataLocation: 1,
        externalData: [
          { key: "location", value: location },
          { key: "offset", value: String(offset) },
          ...(length !== undefined ? [{ key: "length", value: String(length) }] : []),
        ],
      };
    });
  const weights = () => f32Tensor("w", [54], fill(54)).rawData as Uint8Array;

  test("a weight stored next to the model loads as if inline", async () => {
    const path = await writeModel(external("weights.bin", 8, 216));
    await writeFile(join(dirname(path), "weights.bin"), Buffer.concat([Buffer.alloc(8, 7), weights()]));
    const inline = await loadOnnxModel(await writeModel(base()));
    const ext = await loadOnnxModel(path);
    const k = (g: typeof ext) => Array.from((g.nodes[1] as { kernel: { data: Float64Array } }).kernel.data);
    assert.deepEqual(k(ext), k(inline));
  });

  test("missing, short or outside the model's folder: refused", async () => {
    const missing = await writeModel(external("nope.bin"));
    await rejects(loadOnnxModel(missing), { code: "E_IO", file: missing, parts: ["'nope.bin' not found"] });
    const short = await writeModel(external("w.bin", 100));
    await writeFile(join(dirname(short), "w.bin"), weights());
    await rejects(loadOnnxModel(short), { code: "E_WEIGHT", parts: ["holds 216 bytes", "from offset 100"] });
    const outside = await writeModel(external("../w.bin"));
    await rejects(loadOnnxModel(outside), { code: "E_FORMAT", parts: ["outside the model's folder"] });
  });
});
