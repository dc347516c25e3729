/**
 * For the float reference's properties: random models of every kind it runs, and the values a run
 * hands to `onStep`, copied at each step (they are only valid during the call) to compare with a
 * run that keeps every node's output (`all`).
 */
import assert from "node:assert/strict";
import type { Graph } from "../../src/ir/nodes.ts";
import type { RunOptions, RunResult } from "../../src/sim/reference.ts";
import type { Src } from "./gen.ts";
import { affineModel, fullModel, gainModel, mpbnModel, plifModel, pspModel } from "./models.ts";
import { randomGraph, recurrentGraph } from "../nir/random-graphs.ts";

/** Model makers: the folds' families first (they also run in the exact tier), then NIR-shaped ones. */
export const floatModels: [string, (s: Src) => Graph][] = [
  ["full", fullModel],
  ["mpbn", mpbnModel],
  ["plif", plifModel],
  ["psp", pspModel],
  ["affine", affineModel],
  ["gain", gainModel],
  ["residual, pooling, li (NIR-shaped)", randomGraph],
  ["recurrent, delays", recurrentGraph],
];

/** An `onStep` that keeps a copy of every step's values, and those copies. */
export function stepRecorder(): { onStep: NonNullable<RunOptions["onStep"]>; seen: Map<string, Float64Array>[] } {
  const seen: Map<string, Float64Array>[] = [];
  return { seen, onStep: (_t, values) => seen.push(new Map([...values].map(([k, v]) => [k, v.slice()]))) };
}

/** The recorded steps hold, for every node `all` kept, its output at every step. */
export function assertSteps(seen: Map<string, Float64Array>[], all: RunResult): void {
  for (const [id, tr] of all.traces)
    for (let t = 0; t < tr.out.length; t++) assert.deepEqual(seen[t]!.get(id), tr.out[t], `${id} at step ${t}`);
}
