/**
 * One float run summarised (src/sim/run-summary.ts): the readout and every neuron layer's spikes
 * per step, its steps kept only when a raster is asked for.
 */
import type { Graph } from "../ir/nodes.ts";
import { type StepInput, simulate } from "./reference.ts";
import { type SampleRun, stepSummary, summarizeRun } from "./run-summary.ts";

/** The run of `g` on `x` for `timesteps` steps, summarised. */
export function runSummary(g: Graph, x: StepInput, timesteps: number, raster = false): SampleRun {
  if (raster) return summarizeRun(g, simulate(g, x, { timesteps }), true);
  const summary = stepSummary(g);
  return summary.finish(simulate(g, x, { timesteps, ...summary.options }).readouts);
}
