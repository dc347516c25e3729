/**
 * Cycles and evaluation order of a flat NIR graph.
 *
 * snnc's IR runs every node once per step in one order, so each cycle of the network must be cut
 * at a step boundary. The rule (docs/FORMATS.md, NIR):
 *
 *   - walk the graph depth first from the Input, following each node's edges in file order; an edge
 *     that returns to a node on the current path closes a cycle;
 *   - a Delay node of that cycle whose delays are all ≥ 1 step cuts it: the Delay reads its input
 *     from the previous step (it must have a single input);
 *   - otherwise the cycle's last neuron before the closing edge (IF, LIF, CubaLIF, Threshold, I, LI,
 *     CubaLI) sends its output one step later along its edge within the cycle: a recurrent weight
 *     reads the spikes of the previous step, as snnTorch's recurrent layers and Norse do;
 *   - a cycle with neither is refused: a value would depend on itself within one step.
 *
 * The result: the edges cut (`recurrent`), and an order of the nodes in which every other edge runs
 * forward.
 */
import { SnncError } from "../../ir/errors.ts";
import type { FlatGraph } from "./flatten-graph.ts";

export const NEURON_TYPES: ReadonlySet<string> = new Set(["IF", "LIF", "CubaLIF", "Threshold", "I", "LI", "CubaLI"]);

export interface Ordered {
  order: string[];
  /** Cut edges "from\u0000to": the value crosses a step boundary there. */
  recurrent: Set<string>;
  /** Incoming edges per node, in file order. */
  inbound: Map<string, string[]>;
}

export const edgeKey = (from: string, to: string) => `${from}\u0000${to}`;

/** `causalDelay(name)`: is that Delay node ≥ 1 step everywhere (it can cut a cycle)? */
export function orderGraph(g: FlatGraph, input: string, causalDelay: (name: string) => boolean): Ordered {
  const out = new Map<string, string[]>();
  const inbound = new Map<string, string[]>();
  for (const n of g.nodes.keys()) {
    out.set(n, []);
    inbound.set(n, []);
  }
  for (const [a, b] of g.edges) {
    out.get(a)!.push(b);
    inbound.get(b)!.push(a);
  }
  const recurrent = new Set<string>();
  for (;;) {
    const back = findBackEdge(input, out, recurrent);
    if (!back) break;
    recurrent.add(cutFor(back, g, inbound, causalDelay));
  }
  const reached = reachable(input, out);
  for (const n of g.nodes.keys()) {
    if (!reached.has(n))
      throw new SnncError("E_FORMAT", `node is not connected to the Input '${input}' (no path of edges leads to it)`, {
        layer: n,
      });
  }
  return { order: topoOrder([...reached], out, inbound, recurrent), recurrent, inbound };
}

/** A cycle found by the depth-first walk: the path from the node it returns to, to the closing edge's source. */
interface BackEdge {
  path: string[];
}

function findBackEdge(input: string, out: Map<string, string[]>, cut: Set<string>): BackEdge | undefined {
  const state = new Map<string, 1 | 2>(); // 1 on the path, 2 done
  const path: string[] = [];
  const stack: { node: string; next: number }[] = [{ node: input, next: 0 }];
  state.set(input, 1);
  path.push(input);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const succ = out.get(top.node)!;
    if (top.next >= succ.length) {
      state.set(top.node, 2);
      stack.pop();
      path.pop();
      continue;
    }
    const v = succ[top.next++]!;
    if (cut.has(edgeKey(top.node, v))) continue;
    const s = state.get(v);
    if (s === 1) return { path: path.slice(path.indexOf(v)) };
    if (s === undefined) {
      state.set(v, 1);
      path.push(v);
      stack.push({ node: v, next: 0 });
    }
  }
  return undefined;
}

/** The edge that cuts the cycle `path` (path[0] ← … ← closing edge from path[last]). */
function cutFor(
  back: BackEdge,
  g: FlatGraph,
  inbound: Map<string, string[]>,
  causalDelay: (name: string) => boolean,
): string {
  const p = back.path;
  const cycle = [...p, p[0]!];
  for (let i = cycle.length - 1; i >= 1; i--) {
    const n = g.nodes.get(cycle[i]!)!;
    if (n.type === "Delay" && causalDelay(n.name)) {
      if (inbound.get(n.name)!.length !== 1)
        throw new SnncError(
          "E_UNSUPPORTED",
          `Delay closing a cycle has ${inbound.get(n.name)!.length} inputs; snnc delays one input at a cycle's step boundary`,
          { layer: n.name },
        );
      return edgeKey(cycle[i - 1]!, cycle[i]!);
    }
  }
  for (let i = cycle.length - 2; i >= 0; i--) {
    const n = g.nodes.get(cycle[i]!)!;
    if (NEURON_TYPES.has(n.type)) return edgeKey(cycle[i]!, cycle[i + 1]!);
  }
  throw new SnncError(
    "E_FORMAT",
    `cycle ${cycle.map((x) => `'${x}'`).join(" → ")} has no neuron and no Delay of ≥ 1 step: a value would depend on itself within one step`,
    { layer: p[0] },
  );
}

/** The nodes reachable from the Input, in depth-first preorder (edges in file order). */
function reachable(input: string, out: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const visit = (n: string) => {
    const stack = [n];
    while (stack.length) {
      const v = stack.pop()!;
      if (seen.has(v)) continue;
      seen.add(v);
      const succ = out.get(v)!;
      for (let i = succ.length - 1; i >= 0; i--) if (!seen.has(succ[i]!)) stack.push(succ[i]!);
    }
  };
  visit(input);
  return seen;
}

/** Kahn's order over the forward edges; ties go to the node met first walking from the Input. */
function topoOrder(
  names: string[],
  out: Map<string, string[]>,
  inbound: Map<string, string[]>,
  cut: Set<string>,
): string[] {
  const rank = new Map(names.map((n, i) => [n, i] as const));
  const missing = new Map(names.map((n) => [n, inbound.get(n)!.filter((a) => !cut.has(edgeKey(a, n))).length]));
  const ready = names.filter((n) => missing.get(n) === 0);
  const order: string[] = [];
  while (ready.length) {
    ready.sort((a, b) => rank.get(a)! - rank.get(b)!);
    const n = ready.shift()!;
    order.push(n);
    for (const v of out.get(n)!) {
      if (cut.has(edgeKey(n, v))) continue;
      const k = missing.get(v)! - 1;
      missing.set(v, k);
      if (k === 0) ready.push(v);
    }
  }
  return order;
}
