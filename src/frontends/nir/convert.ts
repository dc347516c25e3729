/**
 * A flat, ordered NIR graph → IR graph. Nodes are converted in evaluation order; a node with several
 * incoming edges reads their sum (an add node), as NIR defines it. A cut edge (order.ts) becomes a
 * one-step delay that reads its source from the previous step: the IR's recurrent edge. The shape of
 * that source is taken from its own parameters (a neuron's parameters have its shape).
 */
import { SnncError } from "../../ir/errors.ts";
import type { Graph, IRNode, ModelMeta } from "../../ir/nodes.ts";
import { shapeStr, tensor } from "../../ir/tensor.ts";
import type { Converter, ConvertCtx } from "./convert-context.ts";
import * as lin from "./convert-linear.ts";
import * as neu from "./convert-neurons.ts";
import type { Discretisation } from "./discretise.ts";
import type { FlatGraph, FlatNode } from "./flatten-graph.ts";
import { canonicalLayout, irShape, sameLayout, type Value } from "./layout.ts";
import type { NirPrimitive } from "./nir-doc.ts";
import { edgeKey, type Ordered } from "./order.ts";

const CONVERTERS: Partial<Record<NirPrimitive, Converter>> = {
  Affine: lin.affine,
  Linear: lin.linear,
  Scale: lin.scale,
  Conv1d: lin.conv1d,
  Conv2d: lin.conv2d,
  SumPool2d: lin.sumPool2d,
  AvgPool2d: lin.avgPool2d,
  Flatten: lin.flatten,
  Delay: lin.delay,
  IF: neu.ifNeuron,
  LIF: neu.lif,
  CubaLIF: neu.cubaLif,
  Threshold: neu.threshold,
  I: neu.integrator,
  LI: neu.leakyIntegrator,
  CubaLI: neu.cubaLi,
};

/** The parameter whose shape is a neuron's (or a Delay's) shape, read before the node is converted. */
const SHAPE_PARAM: Partial<Record<NirPrimitive, string>> = {
  IF: "v_threshold",
  LIF: "v_threshold",
  CubaLIF: "v_threshold",
  Threshold: "threshold",
  I: "r",
  LI: "r",
  CubaLI: "r",
  Delay: "delay",
};

export interface ConvertInput {
  flat: FlatGraph;
  ordered: Ordered;
  input: string;
  d: Discretisation;
  exact: boolean;
  meta: ModelMeta;
  name: string;
}

export function convertGraph(x: ConvertInput): Graph {
  const nodes: IRNode[] = [];
  const used = new Set<string>();
  const fresh = (base: string) => {
    let id = base;
    for (let i = 1; used.has(id) || (x.flat.nodes.has(id) && id !== base); i++) id = `${base}_${i}`;
    used.add(id);
    return id;
  };
  const values = new Map<string, Value>();
  /** Every source read across a cut edge, with the shape and layout assumed for it. */
  const assumed = new Map<string, Value>();
  /** The one-step delays made for cut edges out of neurons, by source. */
  const made = new Map<string, Value>();
  const outputs: string[] = [];
  const notes = new Map<string, string>();

  const fromEdge = (from: string, to: string): Value => {
    if (!x.ordered.recurrent.has(edgeKey(from, to))) return values.get(from)!;
    const src = x.flat.nodes.get(from)!;
    const target = x.flat.nodes.get(to)!;
    if (target.type === "Delay") {
      // The Delay itself reads its input from an earlier step.
      const nir = predictedShape(target, true) ?? predictedShape(src);
      const v: Value = { id: from, nir, layout: canonicalLayout(nir), recurrentSource: true };
      assumed.set(from, v);
      return v;
    }
    let d = made.get(from);
    if (!d) {
      const nir = predictedShape(src);
      const id = fresh(`${from}:recurrent`);
      nodes.push({
        op: "delay",
        id,
        inputs: [from],
        steps: tensor([], [1]),
        sourceShape: irShape(nir),
        origin: [`nir: recurrent edge from '${from}' (its output one step later)`],
      });
      d = { id, nir, layout: canonicalLayout(nir) };
      made.set(from, d);
      assumed.set(from, d);
    }
    return d;
  };

  for (const name of x.ordered.order) {
    const node = x.flat.nodes.get(name)!;
    try {
      if (node.type === "Input" && !node.boundary) {
        const nir = inputShape(node);
        used.add(name);
        nodes.push({ op: "input", id: name, inputs: [], inputShape: irShape(nir), origin: [`nir:Input '${name}'`] });
        values.set(name, { id: name, nir, layout: canonicalLayout(nir) });
        continue;
      }
      const ins = x.ordered.inbound.get(name)!.map((from) => fromEdge(from, name));
      const input = sum(ins, name, nodes, fresh);
      if (node.type === "Input" || node.type === "Output") {
        values.set(name, input);
        if (node.type === "Output" && !node.boundary) {
          const note = outputNote(node, input);
          if (note) notes.set(input.id, note);
          outputs.push(input.id);
        }
        continue;
      }
      const ctx: ConvertCtx = {
        node,
        input,
        d: x.d,
        exact: x.exact,
        emit: (n) => nodes.push(n),
        fresh,
      };
      const out = CONVERTERS[node.type]!(ctx);
      const r = assumed.get(name);
      if (r && (out.nir.join() !== r.nir.join() || !sameLayout(out.layout, r.layout))) {
        throw new SnncError(
          "E_UNSUPPORTED",
          `its output ${shapeStr(out.nir)} closes a cycle, but its parameters give ${shapeStr(r.nir)}${sameLayout(out.layout, r.layout) ? "" : " (or its elements are in flattened channels-first order)"}`,
        );
      }
      // A recurrent delay reads the node by its NIR name: keep that id for the node's output.
      if (r && out.id !== name) throw new SnncError("E_FORMAT", `cannot close a cycle through '${name}'`);
      values.set(name, out);
    } catch (e) {
      if (e instanceof SnncError) throw e.withLocation({ layer: name });
      throw e;
    }
  }
  if (outputs.length === 0) throw new SnncError("E_FORMAT", "the graph has no Output node");
  for (const n of nodes) {
    const note = notes.get(n.id);
    if (note) n.origin = [...(n.origin ?? []), note];
  }
  return { name: x.name, meta: x.meta, nodes, outputs: [...new Set(outputs)] };
}

function inputShape(n: FlatNode): number[] {
  const s = n.params.ints("shape", n.params.array("shape").data.length, 1);
  if (s.length === 0) throw new SnncError("E_FORMAT", "Input shape is empty", { param: "shape" });
  return s;
}

/** The NIR shape of a neuron or Delay node, from the parameter that has it (`soft`: undefined if unknown). */
function predictedShape(n: FlatNode, soft: true): number[] | undefined;
function predictedShape(n: FlatNode): number[];
function predictedShape(n: FlatNode, soft = false): number[] | undefined {
  const key = SHAPE_PARAM[n.type];
  const a = key ? n.params.array(key) : undefined;
  if (!a || a.shape.length === 0) {
    if (soft) return undefined;
    throw new SnncError(
      "E_UNSUPPORTED",
      `closes a cycle, but its shape cannot be told from its parameters${key ? ` ('${key}' is a scalar)` : ""}`,
      { layer: n.name },
    );
  }
  return [...a.shape];
}

function sum(ins: Value[], name: string, nodes: IRNode[], fresh: (b: string) => string): Value {
  if (ins.length === 0) throw new SnncError("E_FORMAT", "has no incoming edge");
  if (ins.length === 1) return ins[0]!;
  const a = ins[0]!;
  for (const b of ins.slice(1)) {
    if (a.nir.join() !== b.nir.join() || !sameLayout(a.layout, b.layout))
      throw new SnncError(
        "E_SHAPE",
        `its inputs have different shapes or layouts: ${shapeStr(a.nir)} and ${shapeStr(b.nir)} (NIR adds the inputs of a node)`,
      );
  }
  const id = fresh(`${name}:sum`);
  nodes.push({
    op: "add",
    id,
    inputs: ins.map((v) => v.id),
    origin: [`nir: the ${ins.length} inputs of '${name}' (summed)`],
  });
  return { ...a, id };
}

/**
 * An Output's declared shape must be its source's. One with the same number of elements is accepted
 * (Rockpool writes [1, 1, 1] for one neuron): the source's shape is kept, and the origin says so.
 */
function outputNote(n: FlatNode, src: Value): string | undefined {
  const want = n.params.ints("shape", n.params.array("shape").data.length, 1);
  if (want.join() === src.nir.join()) return undefined;
  const count = (s: number[]) => s.reduce((a, b) => a * b, 1);
  if (count(want) !== count(src.nir))
    throw new SnncError("E_SHAPE", `Output shape ${shapeStr(want)} does not match its source's ${shapeStr(src.nir)}`, {
      param: "shape",
    });
  return `nir: Output '${n.name}' declares shape ${shapeStr(want)}; its source gives ${shapeStr(src.nir)} (the same ${count(want)} elements): that shape is used`;
}
