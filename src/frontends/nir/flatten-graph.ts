/**
 * Nested NIRGraphs inlined into one flat graph. A nested graph's nodes keep their full names
 * ("<graph>.<node>"); its Input and Output nodes stay as boundary nodes (identities) through which
 * the outer edges pass: an outer edge into graph `g` goes to g's Input (to "g.x": g's Input `x`),
 * an edge out of `g` leaves from g's Output.
 *
 * Every edge must name existing nodes: an edge that does not is refused with the graph it belongs
 * to, the edge and the names the graph does hold.
 */
import { SnncError } from "../../ir/errors.ts";
import type { NirGraphDoc, NirNode } from "./nir-doc.ts";

export interface FlatNode extends NirNode {
  /** An Input or Output of a nested graph: an identity inside the flat graph. */
  boundary: boolean;
}

export interface FlatGraph {
  /** In file order: the top graph's nodes, a nested graph's nodes where the graph stands. */
  nodes: Map<string, FlatNode>;
  /** Edges between full names, in file order (nested edges after the outer ones). */
  edges: [string, string][];
}

type End = "from" | "to";

function edgeError(g: NirGraphDoc, edge: [string, string], missing: string, why: string): SnncError {
  const names = [...g.nodes.keys()].join(", ");
  const where = g.name ? `graph '${g.name}'` : "the top graph";
  return new SnncError(
    "E_FORMAT",
    `edge '${edge[0]}' → '${edge[1]}' of ${where}: ${why} (its nodes: ${names || "none"})`,
    { layer: g.name || missing },
  );
}

/** The boundary node of nested graph `sub` an edge end leads to (`port`: a named Input/Output). */
function boundary(
  sub: NirGraphDoc,
  end: End,
  port: string | undefined,
  fromGraph: NirGraphDoc,
  edge: [string, string],
) {
  const want = end === "to" ? "Input" : "Output";
  const ports = [...sub.nodes.values()].filter((n): n is NirNode => n.kind === "node" && n.type === want);
  if (port !== undefined) {
    const p = sub.nodes.get(port);
    if (p?.kind !== "node" || p.type !== want)
      throw edgeError(fromGraph, edge, `${sub.name}.${port}`, `graph '${sub.name}' has no ${want} node '${port}'`);
    return p.name;
  }
  if (ports.length !== 1) {
    throw edgeError(
      fromGraph,
      edge,
      sub.name,
      `graph '${sub.name}' has ${ports.length} ${want} nodes; name one as '${sub.name.split(".").pop()}.<${want.toLowerCase()}>'`,
    );
  }
  return ports[0]!.name;
}

/** Resolve one end of an edge of graph `g` to a full node name. */
function resolve(g: NirGraphDoc, name: string, end: End, edge: [string, string]): string {
  const direct = g.nodes.get(name);
  if (direct?.kind === "node") return direct.name;
  if (direct?.kind === "graph") return boundary(direct, end, undefined, g, edge);
  const dot = name.indexOf(".");
  if (dot > 0) {
    const sub = g.nodes.get(name.slice(0, dot));
    if (sub?.kind === "graph") {
      const rest = name.slice(dot + 1);
      const inner = sub.nodes.get(rest);
      if (inner?.kind === "node") {
        const want = end === "to" ? "Input" : "Output";
        if (inner.type !== want)
          throw edgeError(g, edge, name, `'${name}' is a ${inner.type} inside graph '${sub.name}', not its ${want}`);
        return inner.name;
      }
      if (inner?.kind === "graph" || rest.includes(".")) return resolve(sub, rest, end, edge);
      return boundary(sub, end, rest, g, edge);
    }
  }
  throw edgeError(g, edge, name, `no node '${name}'`);
}

/** Inline every nested graph of `top`. */
export function flattenGraph(top: NirGraphDoc): FlatGraph {
  const nodes = new Map<string, FlatNode>();
  const edges: [string, string][] = [];
  const seen = new Set<string>();
  const visit = (g: NirGraphDoc, nested: boolean) => {
    for (const n of g.nodes.values()) {
      if (n.kind === "graph") {
        visit(n, true);
        continue;
      }
      if (nodes.has(n.name))
        throw new SnncError("E_FORMAT", `two nodes have the full name '${n.name}' once nested graphs are inlined`, {
          layer: n.name,
        });
      nodes.set(n.name, { ...n, boundary: nested && (n.type === "Input" || n.type === "Output") });
    }
    for (const e of g.edges) {
      const from = resolve(g, e[0], "from", e);
      const to = resolve(g, e[1], "to", e);
      const key = `${from}\u0000${to}`;
      if (seen.has(key))
        throw edgeError(g, e, e[1], "the edge is listed twice (NIR sums the inputs of a node; one edge per pair)");
      seen.add(key);
      edges.push([from, to]);
    }
  };
  visit(top, false);
  for (const [from, to] of edges) {
    const a = nodes.get(from)!;
    const b = nodes.get(to)!;
    if (a.type === "Output" && !a.boundary)
      throw new SnncError("E_FORMAT", `edge '${from}' → '${to}' leaves an Output node`, { layer: from });
    if (b.type === "Input" && !b.boundary)
      throw new SnncError("E_FORMAT", `edge '${from}' → '${to}' enters an Input node`, { layer: to });
  }
  return { nodes, edges };
}
