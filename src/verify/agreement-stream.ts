/**
 * The float-vs-fixed-point agreement of agreement.ts measured one step at a time: the float
 * reference and the other model's run advance together and each step's outputs are counted and
 * dropped, so memory stays that of a few steps whatever the number of steps (only the last
 * `latency + 1` float steps of the compared layers are kept, to meet the lagging run). One sample
 * gives a SampleAgreement; combineAgreement turns samples (in their order) into exactly the
 * Agreement that measureAgreement computes from whole traces.
 *
 * The other model comes in as a SteppedRun (verify/ runs only the float64 reference itself).
 */
import type { Graph } from "../ir/nodes.ts";
import { simulate, type StepInput } from "../sim/reference.ts";
import { compareReadout, emptyTally, type FixedPointRuns, type LayerTally, type SampleAgreement } from "./agreement.ts";
import { tallyStep } from "./compare.ts";

/** How the other model's layers line up with the float model (FixedPointRuns without the runs). */
export type AgreementLayout = Omit<FixedPointRuns, "runs">;

/** A run that advances one step at a time (steps 1..steps; a layer of latency d lags the float model by d). */
export interface SteppedRun {
  steps: number;
  step(): void;
  /** A layer's output at the last step taken (valid until the next step). */
  output(layer: string): ArrayLike<number>;
  /** After the last step: the readout values by layer id. */
  readouts(): ReadonlyMap<string, Float64Array>;
}

/** Compare one sample step by step: the float reference on `x` against `run`. */
export function sampleAgreement(g: Graph, x: StepInput, layout: AgreementLayout, run: SteppedRun): SampleAgreement {
  const T = layout.timesteps;
  let rows: { t: LayerTally; ring: Float64Array[] }[] | undefined;
  let R = 1;
  const compareStep = (k: number): void => {
    for (const { t: row, ring } of rows!) {
      const t = k - 1 - row.latency;
      if (t >= 0 && t < T) tallyStep(row, ring[t % R]!, run.output(row.layer));
    }
  };
  const ref = simulate(g, x, {
    timesteps: T,
    record: false,
    onStep: (t, values) => {
      if (!rows) {
        const layers = layout.layers.filter((l) => values.get(l.id)?.length === l.neurons);
        const lat = (id: string) => layout.latency[id] ?? 0;
        R = 1 + Math.max(0, ...layers.map((l) => lat(l.id)));
        rows = layers.map((l) => ({
          t: emptyTally(l.id, lat(l.id), l.neurons),
          ring: Array.from({ length: R }, () => new Float64Array(l.neurons)),
        }));
      }
      for (const { t: row, ring } of rows) ring[t % R]!.set(values.get(row.layer)!);
      run.step();
      compareStep(t + 1);
    },
  });
  for (let k = T + 1; k <= run.steps; k++) {
    run.step();
    compareStep(k);
  }
  return {
    layers: (rows ?? []).map((r) => r.t),
    readout: compareReadout(layout.outputs, ref.readouts, run.readouts()),
  };
}
