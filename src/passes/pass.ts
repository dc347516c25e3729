/**
 * A pass is a pure, named IR → IR rewrite. It states what it needs and what it guarantees,
 * never mutates its input, and returns notes for the compile report.
 */
import type { Graph } from "../ir/nodes.ts";

export interface PassOptions {
  /** Target name the pipeline compiles for (e.g. "float", "loihi2"). */
  target: string;
  /** Free-form options from the CLI (e.g. temporalNorm: "exact" | "approx", earlyExit). */
  [key: string]: unknown;
}

export interface PassResult {
  graph: Graph;
  /** Human-readable lines for report.txt / the CLI summary (what the pass did, edge cases met). */
  notes: string[];
}

export interface Pass {
  name: string;
  /** One line: what the rewrite does. */
  description: string;
  /** Precondition, e.g. "no BN left between conv and neuron". */
  requires: string;
  /** Postcondition, e.g. "no bn nodes". */
  guarantees: string;
  run(g: Graph, opts: PassOptions): PassResult;
}

export interface PassLogEntry {
  pass: string;
  notes: string[];
  nodesBefore: number;
  nodesAfter: number;
}

/** Run passes in order; `onAfter` sees the graph after each (for --dump-ir-after). */
export function runPasses(
  g: Graph,
  passes: readonly Pass[],
  opts: PassOptions,
  onAfter?: (pass: Pass, g: Graph) => void,
): { graph: Graph; log: PassLogEntry[] } {
  let cur = g;
  const log: PassLogEntry[] = [];
  for (const p of passes) {
    const r = p.run(cur, opts);
    log.push({ pass: p.name, notes: r.notes, nodesBefore: cur.nodes.length, nodesAfter: r.graph.nodes.length });
    cur = r.graph;
    onAfter?.(p, cur);
  }
  return { graph: cur, log };
}
