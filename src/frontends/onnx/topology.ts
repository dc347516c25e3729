/**
 * Name resolution and node order: every node input must be the graph input, an initializer or
 * another node's output (else: a missing initializer); outputs are defined once; nodes run in
 * dependency order (the file's order where it already is one), and a cycle is refused naming it.
 */
import { SnncError } from "../../ir/errors.ts";
import type { Env } from "./context.ts";
import type { RawGraph, RawNode } from "./protobuf.ts";

/** How errors name a node: its name, or its op type and position when it has none. */
export const label = (n: RawNode): string => n.name || `${n.opType} #${n.index}`;

export /** Nodes in an order where every input is defined first (the file's order when it already is). */
function topoOrder(g: RawGraph, env: Env): RawNode[] {
  const producer = new Map<string, RawNode>();
  for (const n of g.nodes) {
    for (const o of n.outputs) {
      if (o === "") continue;
      if (producer.has(o) || env.values.has(o)) {
        throw new SnncError("E_FORMAT", `output '${o}' is defined twice`, { layer: label(n) });
      }
      producer.set(o, n);
    }
  }
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      if (i !== "" && !producer.has(i) && !env.values.has(i)) {
        throw new SnncError(
          "E_WEIGHT",
          `input '${i}' is not an initializer, the graph input or any node's output (missing initializer?)`,
          { layer: label(n) },
        );
      }
    }
  }
  for (const o of g.outputs) {
    if (!producer.has(o.name) && !env.values.has(o.name)) {
      throw new SnncError("E_FORMAT", `graph output '${o.name}' is not produced by any node`);
    }
  }
  // Kahn's algorithm, always taking the ready node that comes first in the file.
  const users = new Map<RawNode, RawNode[]>(g.nodes.map((n) => [n, []]));
  const pending = new Map<RawNode, number>();
  const depsOf = new Map<RawNode, RawNode[]>();
  for (const n of g.nodes) {
    const deps = new Set(n.inputs.filter((i) => producer.has(i)).map((i) => producer.get(i)!));
    depsOf.set(n, [...deps]);
    pending.set(n, deps.size);
    for (const d of deps) users.get(d)!.push(n);
  }
  const ready = g.nodes.filter((n) => pending.get(n) === 0);
  const order: RawNode[] = [];
  while (ready.length > 0) {
    const n = ready.shift()!;
    order.push(n);
    for (const u of users.get(n)!) {
      const left = pending.get(u)! - 1;
      pending.set(u, left);
      if (left === 0) {
        let k = ready.findIndex((r) => r.index > u.index);
        if (k < 0) k = ready.length;
        ready.splice(k, 0, u);
      }
    }
  }
  if (order.length < g.nodes.length) {
    // Walk back through unfinished producers until a node repeats: that loop is a cycle.
    const path: RawNode[] = [];
    let n = g.nodes.find((x) => pending.get(x)! > 0)!;
    while (!path.includes(n)) {
      path.push(n);
      n = depsOf.get(n)!.find((d) => pending.get(d)! > 0)!;
    }
    const loop = path.slice(path.indexOf(n)).reverse();
    const names = [...loop, loop[0]!].map((x) => `'${label(x)}'`);
    throw new SnncError("E_FORMAT", `the graph has a cycle: ${names.join(" → ")}`, { layer: label(loop[0]!) });
  }
  return order;
}
