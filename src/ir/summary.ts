/**
 * A per-layer description of a graph: what `snnc inspect` shows. Pure data, no formatting.
 */
import { isNormNode, type Graph, type IRNode, type NeuronNode } from "./nodes.ts";
import { size, type Tensor } from "./tensor.ts";

export interface NeuronSummary {
  model: string;
  tau: number;
  threshold: number | "per-channel" | "per-element";
  fire: "gt" | "ge";
  reset: "hard" | "soft";
  vReset: number | "per-channel" | "per-element";
  deltas?: number[];
  mpbn?: "channel" | "element";
  schedule?: boolean;
}

export interface LayerSummary {
  name: string;
  type: string;
  inputs: string[];
  shape: number[];
  neuron?: NeuronSummary;
  norms: string[];
  params: number;
}

export interface GraphSummary {
  name: string;
  timesteps: number;
  encoding: string;
  input: number[];
  outputs: string[];
  layers: LayerSummary[];
  totals: { layers: number; params: number; neurons: number };
}

function paramCount(n: IRNode): number {
  let total = 0;
  const visit = (v: unknown) => {
    if (v && typeof v === "object" && (v as Tensor).data instanceof Float64Array) total += (v as Tensor).data.length;
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") Object.values(v).forEach(visit);
  };
  for (const [k, v] of Object.entries(n)) if (k !== "shape" && k !== "inputs" && k !== "origin") visit(v);
  return total;
}

function scalarOr(t: Tensor, shape: number[]): number | "per-channel" | "per-element" {
  if (t.data.length === 1) return t.data[0]!;
  const allSame = t.data.every((x) => x === t.data[0]);
  if (allSame) return t.data[0]!;
  return t.shape.length === 1 && t.shape[0] === shape[shape.length - 1] && shape.length > 1
    ? "per-channel"
    : t.shape.length === 1 && shape.length === 1
      ? "per-channel"
      : "per-element";
}

function neuronSummary(n: NeuronNode, shape: number[]): NeuronSummary {
  return {
    model: n.model,
    tau: n.decay,
    threshold: scalarOr(n.threshold, shape),
    fire: n.fire,
    reset: n.reset,
    vReset: scalarOr(n.vReset, shape),
    ...(n.deltas ? { deltas: n.deltas } : {}),
    ...(n.mpbn ? { mpbn: n.mpbn.mode } : {}),
    ...(n.schedule ? { schedule: true } : {}),
  };
}

export function summarizeGraph(g: Graph): GraphSummary {
  const layers: LayerSummary[] = g.nodes.map((n) => {
    const shape = n.shape ?? [];
    const norms: string[] = [];
    if (isNormNode(n)) norms.push(n.op === "pspnorm" ? `pspnorm-${n.mode}` : n.op);
    if (n.op === "neuron" && n.mpbn) norms.push(`mpbn-${n.mpbn.mode}`);
    if (n.op === "neuron" && n.schedule) norms.push("schedule");
    return {
      name: n.id,
      type: n.op,
      inputs: n.inputs,
      shape,
      ...(n.op === "neuron" ? { neuron: neuronSummary(n, shape) } : {}),
      norms,
      params: paramCount(n),
    };
  });
  const input = g.nodes.find((n) => n.op === "input");
  return {
    name: g.name,
    timesteps: g.meta.timesteps,
    encoding: g.meta.encoding,
    input: input?.shape ?? [],
    outputs: g.outputs,
    layers,
    totals: {
      layers: layers.length,
      params: layers.reduce((a, l) => a + l.params, 0),
      neurons: g.nodes.filter((n) => n.op === "neuron").reduce((a, n) => a + size(n.shape ?? []), 0),
    },
  };
}
