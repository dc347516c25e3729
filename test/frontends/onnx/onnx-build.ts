/** Writing small ONNX models in tests (onnx-proto encoding), without Python. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import onnxProto, { type onnx as P } from "onnx-proto";

const { onnx } = onnxProto;

export type AttrValue = { i: number } | { f: number } | { s: string } | { ints: number[] } | { floats: number[] };

export function f32Tensor(name: string, dims: number[], data: ArrayLike<number>): P.ITensorProto {
  const f = Float32Array.from(data);
  return { name, dims, dataType: 1, rawData: new Uint8Array(f.buffer) };
}

export function i64Tensor(name: string, dims: number[], data: number[]): P.ITensorProto {
  const b = BigInt64Array.from(data.map((v) => BigInt(v)));
  return { name, dims, dataType: 7, rawData: new Uint8Array(b.buffer) };
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, AttrValue>;
}

function attr(name: string, v: AttrValue): P.IAttributeProto {
  if ("i" in v) return { name, type: 2, i: v.i };
  if ("f" in v) return { name, type: 1, f: v.f };
  if ("s" in v) return { name, type: 3, s: new TextEncoder().encode(v.s) };
  if ("ints" in v) return { name, type: 7, ints: v.ints };
  return { name, type: 6, floats: v.floats };
}

export function node(s: NodeSpec): P.INodeProto {
  return {
    opType: s.op,
    input: s.inputs,
    output: s.outputs,
    name: s.name ?? s.outputs[0],
    domain: s.domain ?? "",
    attribute: Object.entries(s.attrs ?? {}).map(([k, v]) => attr(k, v)),
  };
}

/** An ai.snnc node. */
export function snn(op: string, inputs: string[], output: string, attrs: Record<string, AttrValue> = {}): NodeSpec {
  return { op, inputs, outputs: [output], domain: "ai.snnc", attrs };
}

function valueInfo(name: string, dims?: (number | string)[]): P.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: 1,
        shape: dims ? { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } : undefined,
      },
    },
  };
}

export interface ModelSpec {
  input: { name: string; dims: (number | string)[] };
  outputs: { name: string; dims?: (number | string)[] }[];
  nodes: NodeSpec[];
  initializers?: P.ITensorProto[];
  opset?: number;
  snnDomain?: boolean;
  /** metadata_props (default: snn.timesteps = 4). */
  metadata?: Record<string, string>;
}

export function modelBytes(m: ModelSpec): Uint8Array {
  const opsetImport: P.IOperatorSetIdProto[] = [{ domain: "", version: m.opset ?? 13 }];
  if (m.snnDomain ?? true) opsetImport.push({ domain: "ai.snnc", version: 1 });
  const meta = m.metadata ?? { "snn.timesteps": "4" };
  return onnx.ModelProto.encode({
    irVersion: 7,
    producerName: "test",
    opsetImport,
    metadataProps: Object.entries(meta).map(([key, value]) => ({ key, value })),
    graph: {
      name: "test_graph",
      node: m.nodes.map(node),
      initializer: m.initializers ?? [],
      input: [valueInfo(m.input.name, m.input.dims)],
      output: m.outputs.map((o) => valueInfo(o.name, o.dims)),
    },
  }).finish();
}

/** Write the model into a fresh temporary folder; returns the .onnx path. */
export async function writeModel(m: ModelSpec | Uint8Array, file = "model.onnx"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "snnc-onnx-"));
  const path = join(dir, file);
  await writeFile(path, m instanceof Uint8Array ? m : modelBytes(m));
  return path;
}
