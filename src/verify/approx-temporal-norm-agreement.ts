/**
 * The measured cost of approx-temporal-norm: spike agreement between the exact model (the model
 * as written, or its exact schedule) and the static approximation, both run by the float64
 * reference simulator on the same inputs. Agreement = share of compared slots (layer × neuron ×
 * step, s_sum for MT layers) whose outputs are equal; readouts are compared by their argmax.
 * The slots are tallied by the same code as the fixed-point agreement (agreement.ts).
 */
import type { Graph } from "../ir/nodes.ts";
import { simulate, type StepInput } from "../sim/reference.ts";
import { argmax } from "../sim/run-summary.ts";
import { summariseTallies, tallyLayers } from "./agreement.ts";
import { compareTraces, type TraceComparison } from "./compare.ts";

export interface LayerAgreement {
  layer: string;
  spikesCompared: number;
  spikesDiffering: number;
  /** 1 − differing / compared. */
  agreement: number;
  exactSpikes: number;
  approxSpikes: number;
}

export interface SpikeAgreement {
  samples: number;
  timesteps: number;
  spikesCompared: number;
  spikesDiffering: number;
  agreement: number;
  layers: LayerAgreement[];
  /** Share of samples whose readout argmax is the same (null without a readout). */
  readoutArgmaxAgreement: number | null;
}

/** Compare `approx` against `exact` on `inputs` over `timesteps` (default: approx's meta.timesteps). */
export function measureSpikeAgreement(
  exact: Graph,
  approx: Graph,
  inputs: readonly StepInput[],
  opts: { timesteps?: number } = {},
): SpikeAgreement {
  const T = opts.timesteps ?? approx.meta.timesteps;
  const comps: TraceComparison[] = [];
  let sameArgmax = 0;
  let withReadout = 0;
  for (const [k, x] of inputs.entries()) {
    const re = simulate(exact, x, { timesteps: T });
    const ra = simulate(approx, x, { timesteps: T });
    comps.push(compareTraces(re, ra, { sample: k, maxDivergences: 0 }));
    if (re.readouts.size) {
      withReadout++;
      let same = true;
      for (const [id, v] of re.readouts) if (argmax(v) !== argmax(ra.readouts.get(id)!)) same = false;
      if (same) sameArgmax++;
    }
  }
  const all = summariseTallies(tallyLayers(comps));
  return {
    samples: inputs.length,
    timesteps: T,
    spikesCompared: all.compared,
    spikesDiffering: all.differing,
    agreement: all.agreement,
    layers: all.layers.map(({ latency, neurons, refSpikes, gotSpikes, ...r }) => ({
      ...r,
      exactSpikes: refSpikes,
      approxSpikes: gotSpikes,
    })),
    readoutArgmaxAgreement: withReadout ? sameArgmax / withReadout : null,
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

/** Report lines for the compile report. */
export function formatSpikeAgreement(a: SpikeAgreement, what = "--temporal-norm approx"): string[] {
  const lines = [
    `${what}: spike agreement with the exact model ${pct(a.agreement)} (${a.spikesDiffering} of ${a.spikesCompared} layer×neuron×step outputs differ; ${a.samples} sample${a.samples === 1 ? "" : "s"}, ${a.timesteps} steps)`,
  ];
  for (const l of a.layers)
    lines.push(
      `  ${l.layer}: ${pct(l.agreement)} (${l.spikesDiffering} differ; spikes exact ${l.exactSpikes}, approx ${l.approxSpikes})`,
    );
  if (a.readoutArgmaxAgreement !== null)
    lines.push(`  readout argmax agrees on ${pct(a.readoutArgmaxAgreement)} of the samples`);
  return lines;
}
