/**
 * `snnc run --target loihi`: the target's integer model on the event-driven engine, reported in
 * hardware steps (FORMATS.md §5): every layer's spikes per Lava step, with its latency (the steps
 * by which it lags the reference).
 */
import type { Graph } from "../ir/nodes.ts";
import { runFixedEvent } from "./sim/run-event.ts";
import type { StepInput } from "../sim/reference.ts";
import { rasterOf, type SampleRun } from "../sim/run-summary.ts";
import { buildLoihi } from "./driver.ts";
import type { TargetRun } from "../driver/types.ts";

export function runLoihi(
  g: Graph,
  inputs: readonly StepInput[],
  opts: { target: string; raster?: boolean; file?: string },
): TargetRun {
  const { quant } = buildLoihi(g, { target: opts.target, file: opts.file });
  const m = quant.model;
  const samples: SampleRun[] = inputs.map((x) => {
    const run = runFixedEvent(m, x);
    const layers = m.populations
      .filter((p) => p.kind !== "integrator")
      .map((p) => {
        const steps = run.spikes.get(p.id)!;
        const per = steps.map((s) => s.reduce((a, b) => a + b, 0));
        return {
          name: p.source === p.id ? p.id : `${p.source}`,
          spikes_per_step: per,
          total: per.reduce((a, b) => a + b, 0),
          latency: p.depth,
          ...(opts.raster ? { raster: steps.map((s) => rasterOf(Float64Array.from(s))) } : {}),
        };
      });
    const out = m.outputs.find((o) => run.readouts.has(o)) ?? [...run.readouts.keys()][0];
    return { readout: out === undefined ? [] : Array.from(run.readouts.get(out)!), layers };
  });
  return { target: m.target, timesteps: m.runSteps, samples };
}
