/**
 * ONNX protobuf bytes → plain objects (the only file that touches onnx-proto). 64-bit integers
 * become JS numbers (exact below 2^53; larger values, such as Slice's "to the end" sentinel,
 * only need their magnitude). Nothing here interprets operators.
 */
import onnxProto, { type onnx as P } from "onnx-proto";
import { SnncError } from "../../ir/errors.ts";

const { onnx } = onnxProto;
type Int64 = number | { toNumber(): number };

/** A TensorProto with its data fields as given (decoded in tensors.ts). */
export interface RawTensor {
  name: string;
  dims: number[];
  dataType: number;
  raw?: Uint8Array;
  floatData: number[];
  int32Data: number[];
  int64Data: number[];
  doubleData: number[];
  uint64Data: number[];
  /** key → value of `external_data` when data_location is EXTERNAL. */
  external?: Map<string, string>;
  segmented: boolean;
}

export interface RawAttr {
  name: string;
  /** AttributeProto.AttributeType: 1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 5 GRAPH, 6 FLOATS, 7 INTS, 8 STRINGS, … */
  type: number;
  f: number;
  i: number;
  s: string;
  t?: RawTensor;
  floats: number[];
  ints: number[];
  strings: string[];
}

export interface RawNode {
  /** Position in the file's node list. */
  index: number;
  name: string;
  opType: string;
  /** "" for the default ONNX domain ("ai.onnx" is normalised to ""). */
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, RawAttr>;
}

export interface RawValueInfo {
  name: string;
  elemType?: number;
  /** Fixed sizes as numbers, symbolic or unknown dimensions as undefined; undefined when no shape. */
  dims?: (number | undefined)[];
}

export interface RawGraph {
  name: string;
  nodes: RawNode[];
  initializers: RawTensor[];
  sparseInitializers: number;
  inputs: RawValueInfo[];
  outputs: RawValueInfo[];
}

export interface RawModel {
  irVersion: number;
  /** domain ("" for ai.onnx) → opset version. */
  opsets: Map<string, number>;
  producer: string;
  graph: RawGraph;
  metadata: Map<string, string>;
}

const num = (v: Int64 | null | undefined): number =>
  v === null || v === undefined ? 0 : typeof v === "number" ? v : v.toNumber();
const utf8 = new TextDecoder("utf-8");
const text = (b: Uint8Array | null | undefined): string => (b ? utf8.decode(b) : "");
const has = (o: object, k: string): boolean => Object.hasOwn(o, k);
const list = <T>(x: T[] | null | undefined): T[] => x ?? [];

export function decodeModel(bytes: Uint8Array): RawModel {
  let m: ReturnType<typeof onnx.ModelProto.decode>;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    throw new SnncError("E_PARSE", `not a valid ONNX protobuf (truncated or corrupt: ${why})`);
  }
  if (!m.graph || !has(m, "irVersion") || m.opsetImport.length === 0) {
    throw new SnncError("E_PARSE", `not an ONNX model: no graph, IR version or opset_import`);
  }
  const opsets = new Map<string, number>();
  for (const o of m.opsetImport) opsets.set(normDomain(o.domain ?? ""), num(o.version));
  const metadata = new Map<string, string>();
  for (const p of m.metadataProps) metadata.set(p.key ?? "", p.value ?? "");
  return { irVersion: num(m.irVersion), opsets, producer: m.producerName ?? "", graph: graph(m.graph), metadata };
}

function normDomain(d: string): string {
  return d === "ai.onnx" ? "" : d;
}

function graph(g: P.IGraphProto): RawGraph {
  return {
    name: g.name ?? "",
    nodes: list(g.node).map((n, index) => ({
      index,
      name: n.name ?? "",
      opType: n.opType ?? "",
      domain: normDomain(n.domain ?? ""),
      inputs: [...list(n.input)],
      outputs: [...list(n.output)],
      attrs: new Map(list(n.attribute).map((a) => [a.name ?? "", attr(a)])),
    })),
    initializers: list(g.initializer).map(tensor),
    sparseInitializers: list(g.sparseInitializer).length,
    inputs: list(g.input).map(valueInfo),
    outputs: list(g.output).map(valueInfo),
  };
}

function attr(a: P.IAttributeProto): RawAttr {
  return {
    name: a.name ?? "",
    type: a.type ?? 0,
    f: a.f ?? 0,
    i: num(a.i),
    s: text(a.s),
    t: a.t ? tensor(a.t) : undefined,
    floats: [...list(a.floats)],
    ints: list(a.ints).map(num),
    strings: list(a.strings).map(text),
  };
}

function tensor(t: P.ITensorProto): RawTensor {
  const out: RawTensor = {
    name: t.name ?? "",
    dims: list(t.dims).map(num),
    dataType: t.dataType ?? 0,
    floatData: [...list(t.floatData)],
    int32Data: [...list(t.int32Data)],
    int64Data: list(t.int64Data).map(num),
    doubleData: [...list(t.doubleData)],
    uint64Data: list(t.uint64Data).map(num),
    segmented: !!t.segment,
  };
  if (has(t, "rawData") && t.rawData) out.raw = t.rawData;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    out.external = new Map(list(t.externalData).map((e) => [e.key ?? "", e.value ?? ""]));
  }
  return out;
}

function valueInfo(v: P.IValueInfoProto): RawValueInfo {
  const out: RawValueInfo = { name: v.name ?? "" };
  const tt = v.type?.tensorType;
  if (!tt) return out;
  if (has(tt, "elemType")) out.elemType = tt.elemType ?? undefined;
  if (tt.shape) {
    out.dims = list(tt.shape.dim).map((d) => (has(d, "dimValue") && num(d.dimValue) > 0 ? num(d.dimValue) : undefined));
  }
  return out;
}
