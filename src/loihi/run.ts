/**
 * Running a Loihi target's integer model for others to read:
 *  - `snnc run --target loihi` and `snnc simulate` (the model built once per worker): the model on
 *    the event-driven engine, reported in hardware steps (FORMATS.md §5): every layer's spikes per
 *    Lava step, with its latency (the steps by which it lags the reference);
 *  - the float-vs-integer agreement: the runs, as data for src/verify/agreement.ts.
 */
import type { PreparedRun, TargetRun } from "../driver/types.ts";
import type { Graph } from "../ir/nodes.ts";
import { size } from "../ir/tensor.ts";
import type { StepInput } from "../sim/reference.ts";
import { rasterOf, type SampleRun, sum } from "../sim/run-summary.ts";
import type { FixedPointRuns } from "../verify/agreement.ts";
import { agreementLayout } from "./agreement.ts";
import { buildLoihiModel, placeBuild } from "./build.ts";
import type { FixedModel } from "./model/integer-model.ts";
import { fixedRunAsRunResult, type FixedRun } from "./sim/engine-common.ts";
import { checkInputs, inputColumns } from "./sim/input-fixed.ts";
import { eventEngine } from "./sim/run-event.ts";
import { runFixedStepped } from "./sim/run-stepped.ts";

export function runLoihi(
  g: Graph,
  inputs: readonly StepInput[],
  opts: { target: string; raster?: boolean; file?: string },
): TargetRun {
  const r = prepareLoihiRun(g, opts);
  checkInputs(r.model.input, inputs, r.model.timesteps); // before any run: a refusal names its sample
  return { target: r.target, timesteps: r.runSteps, samples: inputs.map((x) => r.run(x, opts.raster)) };
}

/** The integer model built once; each run is one sample on the event-driven engine. */
export function prepareLoihiRun(
  g: Graph,
  opts: { target: string; file?: string },
): PreparedRun & { model: FixedModel } {
  // Placement only says whether the model fits: its axons are counted only where they are limited.
  const buildOpts = { target: opts.target, file: opts.file };
  const { quant } = placeBuild(buildLoihiModel(g, buildOpts), buildOpts, false);
  const m = quant.model;
  const pops = m.populations.filter((p) => p.kind !== "integrator");
  const name = (p: (typeof pops)[number]) => (p.source === p.id ? p.id : `${p.source}`);
  const at = new Map(m.populations.map((p, k) => [p.id, k] as const));
  const run = (x: StepInput, raster?: boolean): SampleRun => {
    // Without a raster the steps' spikes are counted as the engine takes them, not kept.
    const engine = eventEngine(m, x, { record: !!raster });
    const counts = pops.map((): number[] => []);
    while (engine.done < engine.prep.steps) {
      engine.step();
      if (!raster) for (let k = 0; k < pops.length; k++) counts[k]!.push(sum(engine.output(at.get(pops[k]!.id)!)));
    }
    const run = engine.finish();
    const layers = pops.map((p, k) => {
      const steps = raster ? run.spikes.get(p.id)! : undefined;
      const per = steps ? steps.map(sum) : counts[k]!;
      return {
        name: name(p),
        spikes_per_step: per,
        total: sum(per),
        latency: p.depth,
        ...(steps ? { raster: steps.map((s) => rasterOf(Float64Array.from(s))) } : {}),
      };
    });
    const out = m.outputs.find((o) => run.readouts.has(o)) ?? [...run.readouts.keys()][0];
    return { readout: out === undefined ? [] : Array.from(run.readouts.get(out)!), layers };
  };
  const layers = pops.map((p) => ({ name: name(p), neurons: size(p.shape) }));
  const checkInput = (x: StepInput) => void inputColumns(m.input, x, m.timesteps);
  return { target: m.target, timesteps: m.timesteps, runSteps: m.runSteps, layers, run, checkInput, model: m };
}

/**
 * The integer model's runs on `inputs` (time-stepped engine, unless `runs` already holds them),
 * with each spiking population's float layer and latency: what measureAgreement compares.
 */
export function integerRuns(m: FixedModel, inputs: readonly StepInput[], runs?: readonly FixedRun[]): FixedPointRuns {
  return {
    ...agreementLayout(m),
    runs: inputs.map((x, k) => fixedRunAsRunResult(m, runs?.[k] ?? runFixedStepped(m, x))),
  };
}
