/**
 * Agreement between a float model and a run of it that is not expected to be spike-exact (a
 * target's fixed-point model, a static approximation): the share of compared slots (layer ×
 * neuron × step) whose outputs are equal, per layer and over all layers, and the readouts.
 * These are measured figures, not pass/fail.
 *
 * The other model's runs come in as data (one RunResult per input, with the latency of each
 * layer): verify runs only the float64 reference itself.
 */
import type { Graph } from "../ir/nodes.ts";
import { simulate, type RunResult, type StepInput } from "../sim/reference.ts";
import { argmax } from "../sim/run-summary.ts";
import { compareTraces, type TraceComparison } from "./compare.ts";

/** One layer's compared slots, summed over samples. */
export interface LayerTally {
  layer: string;
  latency: number;
  neurons: number;
  spikesCompared: number;
  spikesDiffering: number;
  refSpikes: number;
  gotSpikes: number;
}

/** 1 − differing / compared (1 when nothing was compared). */
export function agreementRatio(compared: number, differing: number): number {
  return compared === 0 ? 1 : 1 - differing / compared;
}

/** Per-layer tallies of some comparisons (one per sample), layers in the order first met. */
export function tallyLayers(comparisons: readonly TraceComparison[]): LayerTally[] {
  const rows = new Map<string, LayerTally>();
  for (const c of comparisons) {
    for (const l of c.layers) {
      const r = rows.get(l.layer) ?? {
        layer: l.layer,
        latency: l.latency,
        neurons: l.neurons,
        spikesCompared: 0,
        spikesDiffering: 0,
        refSpikes: 0,
        gotSpikes: 0,
      };
      r.spikesCompared += l.spikesCompared;
      r.spikesDiffering += l.spikesDiffering;
      r.refSpikes += l.refSpikes;
      r.gotSpikes += l.gotSpikes;
      rows.set(l.layer, r);
    }
  }
  return [...rows.values()];
}

/** A fixed-point model's runs on some inputs, and how its layers line up with the float model. */
export interface FixedPointRuns {
  /** Reference steps the float model runs (the fixed-point runs are longer by each layer's latency). */
  timesteps: number;
  /** One run per input, in the inputs' order. */
  runs: readonly RunResult[];
  /** Steps by which each float layer's fixed-point counterpart lags it. */
  latency: Readonly<Record<string, number>>;
  /** Spiking layers to compare (float layer id, neuron count: a layer whose float trace holds another count is skipped). */
  layers: readonly { id: string; neurons: number }[];
  /** Readout candidates in order: the first both models hold is compared. */
  outputs: readonly string[];
  /** Judges a sample whose readout argmax differs (float readout `ref`, classes a and b): a tie within the quantisation bound? */
  judgeTie?: (sample: number, readout: string, ref: Float64Array, a: number, b: number) => TieJudgement;
}

/**
 * Whether a sample whose readout argmax differs is a tie within the quantisation bound (the
 * fixed-point target judges it: src/loihi/ties/judge-tie.ts). `margin`: the float readout of the
 * float model's top class minus that of the fixed-point model's; `bound`: what the quantisation
 * explains of it; a tie when every departure (a decision that differs from the float model's on
 * the same inputs and history) is within the rounding bound, and margin ≤ bound.
 */
export interface TieJudgement {
  tie: boolean;
  margin: number;
  bound: number;
  /** Neuron steps whose fixed-point decision differs from the float model's on the same inputs and history. */
  departures: number;
  /** Departures whose float membrane was farther from the threshold than the rounding bound. */
  beyondBound: number;
  /** The first of them (layer, neuron, step, distances). */
  firstBeyond?: string;
  /** The compiled float graph does not compute the model as written on this sample (an approximation): no tie. */
  inexact?: boolean;
}

/** A sample whose readout argmax differs: both classes and the judgement (absent when nothing judged it). */
export interface ArgmaxDisagreement {
  sample: number;
  floatClass: number;
  fixedClass: number;
  judgement?: TieJudgement;
}

export interface Agreement {
  samples: number;
  perLayer: {
    layer: string;
    latency: number;
    neurons: number;
    spikesCompared: number;
    spikesDiffering: number;
    agreement: number;
    refSpikes: number;
    fixedSpikes: number;
  }[];
  spikeAgreement: number;
  readout: {
    id: string;
    argmaxAgree: number;
    samples: number;
    maxAbsDiff: number;
    /** Samples whose argmax differs but that are ties within the quantisation bound. */
    ties?: number;
    /** Every sample whose argmax differs, with its judgement. */
    disagreements?: ArgmaxDisagreement[];
  } | null;
}

/** The float model as written vs a fixed-point model's runs: spikes per layer (aligned by latency) and readouts. */
export function measureAgreement(g: Graph, fixed: FixedPointRuns, inputs: readonly StepInput[]): Agreement {
  const comps: TraceComparison[] = [];
  let argAgree = 0;
  let maxAbs = 0;
  let readoutId: string | undefined;
  const disagreements: ArgmaxDisagreement[] = [];
  inputs.forEach((x, k) => {
    const ref = simulate(g, x, { timesteps: fixed.timesteps, all: true });
    const got = fixed.runs[k]!;
    const layers = fixed.layers.filter((l) => ref.traces.get(l.id)?.out[0]?.length === l.neurons).map((l) => l.id);
    comps.push(
      compareTraces(
        { ...ref, readouts: new Map() },
        { ...got, readouts: new Map() },
        { layers, latency: fixed.latency, maxDivergences: 0 },
      ),
    );
    const ro = fixed.outputs.find((o) => got.readouts.has(o) && ref.readouts.has(o));
    if (ro) {
      readoutId = ro;
      const a = ref.readouts.get(ro)!;
      const b = got.readouts.get(ro)!;
      const [ca, cb] = [argmax(a), argmax(b)];
      if (ca === cb) argAgree++;
      else {
        const judgement = fixed.judgeTie?.(k, ro, a, ca, cb);
        disagreements.push({ sample: k, floatClass: ca, fixedClass: cb, ...(judgement ? { judgement } : {}) });
      }
      for (let i = 0; i < a.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i]! - b[i]!));
    }
  });
  const perLayer = tallyLayers(comps).map((r) => ({
    layer: r.layer,
    latency: r.latency,
    neurons: r.neurons,
    spikesCompared: r.spikesCompared,
    spikesDiffering: r.spikesDiffering,
    agreement: agreementRatio(r.spikesCompared, r.spikesDiffering),
    refSpikes: r.refSpikes,
    fixedSpikes: r.gotSpikes,
  }));
  const cmp = perLayer.reduce((a, r) => a + r.spikesCompared, 0);
  const dif = perLayer.reduce((a, r) => a + r.spikesDiffering, 0);
  return {
    samples: inputs.length,
    perLayer,
    spikeAgreement: agreementRatio(cmp, dif),
    readout: readoutId
      ? {
          id: readoutId,
          argmaxAgree: argAgree,
          samples: inputs.length,
          maxAbsDiff: maxAbs,
          ...(fixed.judgeTie ? { ties: disagreements.filter((d) => d.judgement?.tie).length, disagreements } : {}),
        }
      : null,
  };
}
