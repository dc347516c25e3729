/**
 * Graph-rewrite helpers shared by the passes and lowerings. None of them mutates its arguments:
 * every function returns new node / graph objects and never writes into a parameter tensor.
 */
import { SnncError } from "../../ir/errors.ts";
import { consumers } from "../../ir/graph.ts";
import type { Graph, IRNode, NeuronNode } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { size, tensor, type Tensor } from "../../ir/tensor.ts";

/**
 * Replace and delete nodes in one sweep. `repl` maps an id to its new node (same position in
 * the node list) or to `null` (deleted). `rewire` maps a deleted id to the id its readers
 * (consumers and graph outputs) read from now on.
 */
export function editGraph(
  g: Graph,
  repl: ReadonlyMap<string, IRNode | null>,
  rewire: ReadonlyMap<string, string> = new Map(),
): Graph {
  const target = (id: string): string => {
    let cur = id;
    for (let guard = 0; rewire.has(cur); guard++) {
      if (guard > g.nodes.length) throw new SnncError("E_FORMAT", `rewiring loop at '${id}'`);
      cur = rewire.get(cur)!;
    }
    return cur;
  };
  const nodes: IRNode[] = [];
  for (const n of g.nodes) {
    const r = repl.has(n.id) ? repl.get(n.id)! : n;
    if (r === null) continue;
    nodes.push({ ...r, inputs: r.inputs.map(target) } as IRNode);
  }
  return { name: g.name, meta: { ...g.meta }, nodes, outputs: g.outputs.map(target) };
}

/**
 * Rewrites a graph one node at a time, in graph order: for every node of `g0` that `pick` accepts,
 * `step` gets the graph the steps before it left (shapes inferred at the start) and that node as
 * it stands in it, pushes its notes and returns the graph after it (undefined: unchanged).
 */
export function rewriteEach<N extends IRNode>(
  g0: Graph,
  pick: (n: IRNode) => n is N,
  step: (g: Graph, n: N, notes: string[]) => Graph | undefined,
): { graph: Graph; notes: string[] } {
  let g = inferShapes(g0);
  const notes: string[] = [];
  for (const n0 of g0.nodes) {
    if (pick(n0)) g = step(g, g.nodes.find((x) => x.id === n0.id) as N, notes) ?? g;
  }
  return { graph: g, notes };
}

/**
 * Replaces nodes each on its own: `rewrite` sees every node of `g` (shapes inferred) in order and
 * returns its replacement and its notes (no node: kept, notes only), or undefined. The graph is
 * rebuilt once, shapes inferred, when a node was replaced.
 */
export function replaceEach(
  g: Graph,
  rewrite: (n: IRNode) => { node?: IRNode; notes: readonly string[] } | undefined,
): { graph: Graph; notes: string[] } {
  const repl = new Map<string, IRNode | null>();
  const notes: string[] = [];
  for (const n of g.nodes) {
    const r = rewrite(n);
    if (!r) continue;
    if (r.node) repl.set(n.id, r.node);
    notes.push(...r.notes);
  }
  return { graph: repl.size ? inferShapes(editGraph(g, repl)) : g, notes };
}

/** A rewrite's result, with `idle` (what it looked for) as its note when it has none. */
export function orIdle(r: { graph: Graph; notes: string[] }, idle: string): { graph: Graph; notes: string[] } {
  return r.notes.length ? r : { graph: r.graph, notes: [idle] };
}

/** Narrows a node to a neuron (a `pick` for rewriteEach). */
export function isNeuron(n: IRNode): n is NeuronNode {
  return n.op === "neuron";
}

/** True when `id` has exactly one consumer and is not itself a graph output. */
export function soleConsumer(g: Graph, id: string, cons: Map<string, string[]> = consumers(g)): string | undefined {
  const cs = cons.get(id) ?? [];
  if (cs.length !== 1 || g.outputs.includes(id)) return undefined;
  return cs[0];
}

/** What flows out of a node: a synaptic current (real, from a linear layer) or an activation (spikes / the input). */
export type ValueKind = "current" | "activation";

/**
 * The kind of value a node produces. conv/dense produce currents; input and neurons produce
 * activations; an add of at least one current is a current; every other op passes its input's kind.
 */
export function valueKinds(g: Graph): Map<string, ValueKind> {
  const kinds = new Map<string, ValueKind>();
  for (const n of g.nodes) {
    let k: ValueKind;
    switch (n.op) {
      case "input":
      case "neuron":
        k = "activation";
        break;
      case "conv2d":
      case "dense":
        k = "current";
        break;
      case "add":
        k = n.inputs.some((i) => kinds.get(i) === "current") ? "current" : "activation";
        break;
      default:
        k = kinds.get(n.inputs[0]!) ?? "activation";
    }
    kinds.set(n.id, k);
  }
  return kinds;
}

/** The nearest node upstream of `id` (through single-input pass-through ops) that makes its value kind. */
export function valueSource(g: Graph, id: string): IRNode {
  const byId = new Map(g.nodes.map((n) => [n.id, n] as const));
  let n = byId.get(id)!;
  while (
    n.op !== "input" &&
    n.op !== "neuron" &&
    n.op !== "conv2d" &&
    n.op !== "dense" &&
    n.op !== "add" &&
    n.inputs.length === 1
  ) {
    n = byId.get(n.inputs[0]!)!;
  }
  return n;
}

/** Smallest tensor with the same broadcast meaning: scalar if constant, [C] if periodic in C, else full. */
export function compactTensor(values: Float64Array, shape: readonly number[]): Tensor {
  const n = values.length;
  if (n !== size(shape)) throw new RangeError(`compactTensor: ${n} values for shape [${shape.join(",")}]`);
  if (n === 0) return tensor([...shape]);
  const same = Object.is;
  let constant = true;
  for (let i = 1; i < n && constant; i++) if (!same(values[i]!, values[0]!)) constant = false;
  if (constant) return { shape: [], data: Float64Array.of(values[0]!) };
  const C = shape[shape.length - 1]!;
  if (shape.length > 1) {
    let periodic = true;
    for (let i = C; i < n && periodic; i++) if (!same(values[i]!, values[i % C]!)) periodic = false;
    if (periodic) return tensor([C], values.subarray(0, C));
  }
  return tensor([...shape], values);
}

/** Per-channel view of a full-activation array if every channel is spatially uniform, else undefined. */
export function perChannel(values: Float64Array, C: number): Float64Array | undefined {
  for (let i = C; i < values.length; i++) if (!Object.is(values[i], values[i % C])) return undefined;
  return values.slice(0, C);
}

/** Append provenance entries to a node's origin (new array). */
export function withOrigin<T extends IRNode>(n: T, ...entries: string[]): T {
  return { ...n, origin: [...(n.origin ?? []), ...entries] };
}

/** Format a number compactly for notes (up to 6 significant digits). */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? "+Infinity" : v < 0 ? "-Infinity" : "NaN";
  return String(Number(v.toPrecision(6)));
}

/** A short list of indices for notes: "0, 3, 7" or "0, 3, 7 … (12 in all)". */
export function listIdx(idx: readonly number[], max = 8): string {
  const head = idx.slice(0, max).join(", ");
  return idx.length > max ? `${head} … (${idx.length} in all)` : head;
}
