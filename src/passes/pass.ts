/**
 * A pass is a pure, named IR → IR rewrite. It states what it needs and what it guarantees,
 * never mutates its input, and returns notes for the compile report.
 *
 * `runPasses` runs a list of passes in order. With `check` it validates the IR after every pass
 * (structure, parameters and shapes, by the IR's own shape inference; a shape a node carries must
 * be the inferred one) and stops with a `PassCheckError` naming the pass that broke it.
 */
import type { Graph } from "../ir/nodes.ts";
import { inferShapes } from "../ir/shapes.ts";
import { sameShape, shapeStr } from "../ir/tensor.ts";

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

export interface RunPassesOptions {
  /** Sees the graph after each pass (for --dump-ir-after). */
  onAfter?: (pass: Pass, g: Graph) => void;
  /** Validate the IR after every pass; a pass that leaves an invalid IR throws a PassCheckError. */
  check?: boolean;
}

/** The IR after a pass is not valid: a bug in that pass (not in the user's model). */
export class PassCheckError extends Error {
  constructor(
    readonly pass: string,
    readonly problem: string,
  ) {
    super(`pass '${pass}' left an invalid IR: ${problem}`);
    this.name = "PassCheckError";
  }
}

/** Why `g` is not a valid IR (structure, parameters, shapes), or undefined when it is. */
export function irProblem(g: Graph): string | undefined {
  let inferred: Graph;
  try {
    inferred = inferShapes(g);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  for (const [i, n] of g.nodes.entries()) {
    const want = inferred.nodes[i]!.shape!;
    if (n.shape && !sameShape(n.shape, want))
      return `layer '${n.id}': carries shape ${shapeStr(n.shape)}, its inputs give ${shapeStr(want)}`;
  }
  return undefined;
}

/** Run passes in order (see RunPassesOptions for the hook and the check after each pass). */
export function runPasses(
  g: Graph,
  passes: readonly Pass[],
  opts: PassOptions,
  run: RunPassesOptions = {},
): { graph: Graph; log: PassLogEntry[] } {
  let cur = g;
  const log: PassLogEntry[] = [];
  for (const p of passes) {
    const r = p.run(cur, opts);
    if (run.check) {
      const problem = irProblem(r.graph);
      if (problem !== undefined) throw new PassCheckError(p.name, problem);
    }
    log.push({ pass: p.name, notes: r.notes, nodesBefore: cur.nodes.length, nodesAfter: r.graph.nodes.length });
    cur = r.graph;
    run.onAfter?.(p, cur);
  }
  return { graph: cur, log };
}
