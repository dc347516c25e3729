/** Graph queries and structural checks shared by every layer of the compiler. */
import { SnncError } from "./errors.ts";
import type { Graph, IRNode, InputNode } from "./nodes.ts";

export function nodeById(g: Graph): Map<string, IRNode> {
  const m = new Map<string, IRNode>();
  for (const n of g.nodes) m.set(n.id, n);
  return m;
}

export function getNode(g: Graph, id: string): IRNode {
  const n = g.nodes.find((x) => x.id === id);
  if (!n) throw new SnncError("E_FORMAT", `no node named '${id}'`);
  return n;
}

/** id → ids of the nodes that read it (in graph order). */
export function consumers(g: Graph): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const n of g.nodes) m.set(n.id, []);
  for (const n of g.nodes) for (const i of n.inputs) m.get(i)?.push(n.id);
  return m;
}

export function inputNode(g: Graph): InputNode {
  const ins = g.nodes.filter((n): n is InputNode => n.op === "input");
  if (ins.length !== 1) throw new SnncError("E_FORMAT", `a model needs exactly one input, found ${ins.length}`);
  return ins[0]!;
}

/**
 * Does delay node `n` read a node placed after it (a recurrent edge)? Only a delay may: see DelayNode.
 * `before` holds the ids placed before `n`.
 */
export function isRecurrentEdge(n: IRNode, before: ReadonlySet<string>): boolean {
  return n.op === "delay" && n.inputs.length === 1 && !before.has(n.inputs[0]!);
}

/**
 * Ids unique, inputs defined before use (except a delay's recurrent edge, which must name a node
 * defined after it), outputs exist, exactly one input node.
 */
export function checkStructure(g: Graph): void {
  const seen = new Set<string>();
  const all = new Set(g.nodes.map((n) => n.id));
  for (const n of g.nodes) {
    if (seen.has(n.id)) throw new SnncError("E_FORMAT", `duplicate node name`, { layer: n.id });
    const recurrent = isRecurrentEdge(n, seen);
    for (const i of n.inputs) {
      if (seen.has(i)) continue;
      if (recurrent && all.has(i) && i !== n.id) continue;
      throw new SnncError(
        "E_FORMAT",
        recurrent && !all.has(i) ? `input '${i}' is not a node` : `input '${i}' is not defined before this node`,
        { layer: n.id },
      );
    }
    seen.add(n.id);
  }
  for (const o of g.outputs) if (!seen.has(o)) throw new SnncError("E_FORMAT", `output '${o}' is not a node`);
  inputNode(g);
}

/** Shallow copy of the graph with node objects copied (parameters shared; passes replace, never mutate). */
export function copyGraph(g: Graph): Graph {
  return {
    name: g.name,
    meta: { ...g.meta },
    nodes: g.nodes.map((n) => ({ ...n, inputs: [...n.inputs] }) as IRNode),
    outputs: [...g.outputs],
  };
}

/** A fresh node id based on `base` not used in `g`. */
export function freshId(g: Graph, base: string): string {
  const used = new Set(g.nodes.map((n) => n.id));
  if (!used.has(base)) return base;
  for (let i = 1; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
}
