/** Checks shared by the pass tests: purity, and spike equality through the reference simulator. */
import assert from "node:assert/strict";
import type { Graph } from "../../src/ir/nodes.ts";
import { inputNode } from "../../src/ir/graph.ts";
import { size } from "../../src/ir/tensor.ts";
import type { Pass, PassResult } from "../../src/passes/pass.ts";
import { simulate, type StepInput } from "../../src/sim/reference.ts";
import { compareTraces, type TraceComparison } from "../../src/verify/compare.ts";
import { buildVerifyReport, formatVerifyReport, type VerifyReport } from "../../src/verify/report.ts";
import { Rng } from "./rng.ts";

/** A full-depth text snapshot of a graph, typed arrays and non-finite numbers included. */
export function snapshot(g: Graph): string {
  return JSON.stringify(g, (_k, v: unknown) => {
    if (v instanceof Float64Array) return Array.from(v, (x) => (Number.isFinite(x) ? x : String(x)));
    if (typeof v === "number" && !Number.isFinite(v)) return String(v);
    return v;
  });
}

/** Run a pass and assert it left its input graph (and every tensor in it) untouched. */
export function runPure(pass: Pass, g: Graph, opts: Record<string, unknown> = {}): PassResult {
  const before = snapshot(g);
  const r = pass.run(g, { target: "float", ...opts });
  assert.equal(snapshot(g), before, `pass ${pass.name} mutated its input graph`);
  return r;
}

/** Simulate both graphs on every input and compare every neuron layer's spikes at every step. */
export function compareGraphs(ref: Graph, got: Graph, inputs: readonly StepInput[], T?: number): VerifyReport {
  const comps: TraceComparison[] = inputs.map((x, sample) =>
    compareTraces(simulate(ref, x, { timesteps: T, margin: true }), simulate(got, x, { timesteps: T }), {
      sample,
      maxDivergences: 5,
    }),
  );
  return buildVerifyReport("float", comps, { maxDivergences: 5 });
}

export interface SameSpikesOptions {
  /** What is compared, for the message. */
  what?: string;
  /** Steps to run (default: the reference's). */
  T?: number;
  /** Also require the readouts to be equal bit for bit. */
  exactReadouts?: boolean;
}

/** Assert that `got` fires every spike of `ref` on every input (and that something was compared). */
export function assertSameSpikes(
  ref: Graph,
  got: Graph,
  inputs: readonly StepInput[],
  o: SameSpikesOptions = {},
): VerifyReport {
  const r = compareGraphs(ref, got, inputs, o.T);
  const what = o.what ?? "folded model";
  assert.ok(r.spikesCompared > 0, "nothing was compared");
  assert.equal(r.spikesDiffering, 0, `${what} differs from the reference:\n${formatVerifyReport(r).join("\n")}`);
  if (o.exactReadouts) assert.equal(r.readoutMaxAbsDiff ?? 0, 0, `${what}: readouts differ`);
  return r;
}

/** Deterministic inputs: analog values (multiples of 1/4 in [0, 1]) or binary spike trains per step. */
export function fixedInputs(g: Graph, count: number, seed = 1): StepInput[] {
  const r = new Rng(seed);
  const n = size(inputNode(g).inputShape);
  const out: StepInput[] = [];
  for (let k = 0; k < count; k++) {
    if (g.meta.encoding === "spikes") {
      out.push(
        Array.from({ length: g.meta.timesteps }, () => Float64Array.from({ length: n }, () => (r.bool(0.4) ? 1 : 0))),
      );
    } else out.push(Float64Array.from({ length: n }, () => r.int(0, 4) / 4));
  }
  return out;
}

/** Count of spikes the reference fires over all inputs (to make sure a test exercises firing). */
export function totalSpikes(g: Graph, inputs: readonly StepInput[]): number {
  let n = 0;
  for (const x of inputs)
    for (const tr of simulate(g, x).traces.values()) for (const o of tr.out) for (const v of o) n += v;
  return n;
}
