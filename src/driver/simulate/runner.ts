/**
 * A model ready to run sample after sample on one target: "float" runs the float64 reference
 * (the model as given: as written, or folded if it is a `compile --target float` output); a
 * hardware target builds its own model once (its driver's prepareRun). What a run reports per
 * sample: the readout and each spiking layer's spike total.
 */
import { SnncError } from "../../ir/errors.ts";
import { checkNeuronSteps, neuronElements } from "../../ir/limits.ts";
import type { Graph } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { size } from "../../ir/tensor.ts";
import type { StepInput } from "../../sim/reference.ts";
import { runSummary } from "../../sim/summarize.ts";
import type { PreparedRun } from "../types.ts";

/** What the result file says about the run, the same for every sample. */
export interface RunMeta {
  target: string;
  timesteps: number;
  runSteps: number;
  layers: { name: string; neurons: number }[];
}

/** One sample's outcome: the readout after the last step and every layer's spike total. */
export interface SampleOutcome {
  readout: number[];
  spikes: number[];
}

export interface SampleRunner {
  meta: RunMeta;
  /** Sample `k` (its index among the run's samples, which a refusal of the sample itself names). */
  run(x: StepInput, k: number): SampleOutcome;
}

/** The float64 reference of `graph`, as a prepared run. */
export function floatRun(graph: Graph): PreparedRun {
  const g = inferShapes(graph);
  const T = g.meta.timesteps;
  checkNeuronSteps(T, neuronElements(g.nodes));
  const layers = g.nodes.filter((n) => n.op === "neuron").map((n) => ({ name: n.id, neurons: size(n.shape!) }));
  return {
    target: "float",
    timesteps: T,
    runSteps: T,
    layers,
    run: (x, raster) => runSummary(g, x, T, raster),
  };
}

/** Refuses sample `k` before it runs when the target cannot take it, the error naming the sample. */
export function checkSample(prepared: PreparedRun, x: StepInput, k: number): void {
  try {
    prepared.checkInput?.(x);
  } catch (e) {
    throw e instanceof SnncError ? e.withLocation({ sample: k }) : e;
  }
}

export function sampleRunner(prepared: PreparedRun): SampleRunner {
  const meta: RunMeta = {
    target: prepared.target,
    timesteps: prepared.timesteps,
    runSteps: prepared.runSteps,
    layers: prepared.layers,
  };
  return {
    meta,
    run(x, k) {
      checkSample(prepared, x, k);
      const r = prepared.run(x);
      const totals = new Map(r.layers.map((l) => [l.name, l.total]));
      return { readout: r.readout, spikes: meta.layers.map((l) => totals.get(l.name) ?? 0) };
    },
  };
}
