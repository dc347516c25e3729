/**
 * The standard-operator parts of an ONNX model that uses the `ai.snnc` domain, cut out as models
 * of their own that any ONNX runtime can load (the custom nodes are registered nowhere else).
 *
 * One cut per `ai.snnc` node whose activation X is computed by standard operators: walking back
 * from X through default-domain nodes, the walk stops at the graph input and at the outputs of
 * other `ai.snnc` nodes (which become the cut's inputs) and takes the initializers and constant
 * chains it meets along. X is the cut's one output: the current that reaches the custom node.
 */
import onnxProto, { type onnx as P } from "onnx-proto";

const { onnx } = onnxProto;

const SNNC_DOMAIN = "ai.snnc";

export interface Cut {
  /** The `ai.snnc` node X feeds (op type and name as written). */
  consumer: { op: string; name: string; index: number };
  /** The tensor X (the cut's output). */
  output: string;
  /** Activations the cut reads: the graph input or outputs of `ai.snnc` nodes, in first-use order. */
  inputs: string[];
  /** Its nodes in the file's order. */
  nodes: P.INodeProto[];
  initializers: P.ITensorProto[];
}

/** Where a tensor comes from in the whole model. */
export type Source =
  | { kind: "graph-input" }
  | { kind: "snnc"; op: string; name: string; index: number }
  | { kind: "standard" }
  | { kind: "initializer" };

export interface CutModel {
  model: P.ModelProto;
  /** Every node of the file, in its order. */
  nodes: P.INodeProto[];
  cuts: Cut[];
  source(tensor: string): Source;
}

const isSnnc = (n: P.INodeProto): boolean => n.domain === SNNC_DOMAIN;

export function standardCuts(bytes: Uint8Array): CutModel {
  const model = onnx.ModelProto.decode(bytes);
  const all = model.graph?.node ?? [];
  const inits = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? "", t] as const));
  const producer = new Map<string, number>();
  all.forEach((n, k) => {
    for (const o of n.output ?? []) if (o) producer.set(o, k);
  });
  const source = (t: string): Source => {
    if (inits.has(t)) return { kind: "initializer" };
    const k = producer.get(t);
    if (k === undefined) return { kind: "graph-input" };
    const n = all[k]!;
    return isSnnc(n) ? { kind: "snnc", op: n.opType ?? "", name: n.name ?? "", index: k } : { kind: "standard" };
  };
  const cuts: Cut[] = [];
  all.forEach((n, index) => {
    const x = n.input?.[0];
    if (!isSnnc(n) || !x || source(x).kind !== "standard") return;
    const nodes = new Set<number>();
    const inputs: string[] = [];
    const used = new Set<string>();
    const visit = (t: string): void => {
      const s = source(t);
      if (s.kind === "initializer") used.add(t);
      else if (s.kind !== "standard") {
        if (!inputs.includes(t)) inputs.push(t);
      } else {
        const k = producer.get(t)!;
        if (nodes.has(k)) return;
        nodes.add(k);
        for (const i of all[k]!.input ?? []) if (i) visit(i);
      }
    };
    visit(x);
    cuts.push({
      consumer: { op: n.opType ?? "", name: n.name ?? "", index },
      output: x,
      inputs,
      nodes: [...nodes].sort((a, b) => a - b).map((k) => all[k]!),
      initializers: [...used].map((t) => inits.get(t)!),
    });
  });
  return { model, nodes: all, cuts, source };
}

function valueInfo(name: string, dims?: readonly number[]): P.IValueInfoProto {
  const shape = dims ? { dim: dims.map((d) => ({ dimValue: d })) } : undefined;
  return { name, type: { tensorType: { elemType: 1, shape } } };
}

/** The cut as an ONNX model (default domain only) with float inputs of the given dims. */
export function cutModelBytes(m: CutModel, cut: Cut, dims: (input: string) => readonly number[]): Uint8Array {
  const opsetImport = m.model.opsetImport.filter((o) => (o.domain ?? "") === "" || o.domain === "ai.onnx");
  const out = onnx.ModelProto.create({
    irVersion: m.model.irVersion,
    opsetImport,
    producerName: "snnc cut",
    graph: {
      name: `cut to ${cut.consumer.name || cut.consumer.op}`,
      node: cut.nodes,
      initializer: cut.initializers,
      input: cut.inputs.map((i) => valueInfo(i, dims(i))),
      output: [valueInfo(cut.output)],
    },
  });
  return onnx.ModelProto.encode(out).finish();
}
