/**
 * Agreement between a float model and a run of it that is not expected to be spike-exact (a
 * target's fixed-point model, a static approximation): the share of compared slots (layer ×
 * neuron × step) whose outputs are equal, per layer and over all layers, and the readouts.
 * These are measured figures, not pass/fail.
 *
 * The other model's runs come in as data (one RunResult per input, with the latency of each
 * layer): verify runs only the float64 reference itself. Each sample is counted into a
 * SampleAgreement; samples combine (in their order) into the Agreement.
 */
import type { Graph } from "../ir/nodes.ts";
import { simulate, type RunResult, type StepInput } from "../sim/reference.ts";
import { argmax } from "../sim/run-summary.ts";
import { compareTraces, type SlotTally } from "./compare.ts";

/** One layer's compared slots, summed over samples. */
export interface LayerTally extends SlotTally {
  layer: string;
  latency: number;
  neurons: number;
}

/** A layer's tally before anything is counted. */
export function emptyTally(layer: string, latency: number, neurons: number): LayerTally {
  return { layer, latency, neurons, spikesCompared: 0, spikesDiffering: 0, refSpikes: 0, gotSpikes: 0 };
}

/** 1 − differing / compared (1 when nothing was compared). */
export function agreementRatio(compared: number, differing: number): number {
  return compared === 0 ? 1 : 1 - differing / compared;
}

/** Per-layer tallies of some samples' layer counts, layers in the order first met. */
export function tallyLayers(samples: readonly { layers: readonly LayerTally[] }[]): LayerTally[] {
  const rows = new Map<string, LayerTally>();
  for (const s of samples) {
    for (const l of s.layers) {
      const r = rows.get(l.layer) ?? emptyTally(l.layer, l.latency, l.neurons);
      r.spikesCompared += l.spikesCompared;
      r.spikesDiffering += l.spikesDiffering;
      r.refSpikes += l.refSpikes;
      r.gotSpikes += l.gotSpikes;
      rows.set(l.layer, r);
    }
  }
  return [...rows.values()];
}

/** A layer's tally with its agreement. */
export type LayerFigures = Omit<LayerTally, "refSpikes" | "gotSpikes"> & {
  agreement: number;
  refSpikes: number;
  gotSpikes: number;
};

/** Each layer's agreement, and the slots compared and differing over all layers with their agreement. */
export function summariseTallies(tallies: readonly LayerTally[]): {
  layers: LayerFigures[];
  compared: number;
  differing: number;
  agreement: number;
} {
  const layers = tallies.map((r) => ({
    layer: r.layer,
    latency: r.latency,
    neurons: r.neurons,
    spikesCompared: r.spikesCompared,
    spikesDiffering: r.spikesDiffering,
    agreement: agreementRatio(r.spikesCompared, r.spikesDiffering),
    refSpikes: r.refSpikes,
    gotSpikes: r.gotSpikes,
  }));
  const compared = layers.reduce((a, r) => a + r.spikesCompared, 0);
  const differing = layers.reduce((a, r) => a + r.spikesDiffering, 0);
  return { layers, compared, differing, agreement: agreementRatio(compared, differing) };
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
  perLayer: (Omit<LayerFigures, "gotSpikes"> & { fixedSpikes: number })[];
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

/** One sample's counts. */
export interface SampleAgreement {
  layers: LayerTally[];
  readout: { id: string; argmaxAgree: boolean; maxAbsDiff: number } | null;
}

/** The first of `outputs` both runs read out, compared: same argmax, largest |difference|. */
export function compareReadout(
  outputs: readonly string[],
  ref: ReadonlyMap<string, Float64Array>,
  got: ReadonlyMap<string, Float64Array>,
): SampleAgreement["readout"] {
  const ro = outputs.find((o) => got.has(o) && ref.has(o));
  if (!ro) return null;
  const a = ref.get(ro)!;
  const b = got.get(ro)!;
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i]! - b[i]!));
  return { id: ro, argmaxAgree: argmax(a) === argmax(b), maxAbsDiff: maxAbs };
}

/** Samples (in order) → their Agreement. */
export function combineAgreement(samples: readonly SampleAgreement[]): Agreement {
  let argAgree = 0;
  let maxAbs = 0;
  let readoutId: string | undefined;
  for (const s of samples) {
    if (s.readout) {
      readoutId = s.readout.id;
      if (s.readout.argmaxAgree) argAgree++;
      maxAbs = Math.max(maxAbs, s.readout.maxAbsDiff);
    }
  }
  const all = summariseTallies(tallyLayers(samples));
  return {
    samples: samples.length,
    perLayer: all.layers.map(({ gotSpikes, ...r }) => ({ ...r, fixedSpikes: gotSpikes })),
    spikeAgreement: all.agreement,
    readout: readoutId ? { id: readoutId, argmaxAgree: argAgree, samples: samples.length, maxAbsDiff: maxAbs } : null,
  };
}

/**
 * What the agreement compares a fixed-point run with: the float model as written, the compared
 * layers traced (the neurons' outputs and those of `fixed.layers`, whatever node they are).
 */
export function agreementReference(
  g: Graph,
  x: StepInput,
  fixed: Pick<FixedPointRuns, "timesteps" | "layers">,
): RunResult {
  return simulate(g, x, { timesteps: fixed.timesteps, trace: fixed.layers.map((l) => l.id) });
}

/**
 * One sample (number k) of a fixed-point model's runs against its float reference: spikes per layer
 * (aligned by latency) and the readout. A readout whose argmax differs goes to `disagreements`,
 * judged when the layout has a judge.
 */
export function sampleAgainstReference(
  fixed: Omit<FixedPointRuns, "runs">,
  k: number,
  ref: RunResult,
  got: RunResult,
  disagreements: ArgmaxDisagreement[],
): SampleAgreement {
  const layers = fixed.layers.filter((l) => ref.traces.get(l.id)?.out[0]?.length === l.neurons).map((l) => l.id);
  const c = compareTraces(
    { ...ref, readouts: new Map() },
    { ...got, readouts: new Map() },
    { layers, latency: fixed.latency, maxDivergences: 0 },
  );
  const readout = compareReadout(fixed.outputs, ref.readouts, got.readouts);
  if (readout && !readout.argmaxAgree) {
    const a = ref.readouts.get(readout.id)!;
    const [ca, cb] = [argmax(a), argmax(got.readouts.get(readout.id)!)];
    const judgement = fixed.judgeTie?.(k, readout.id, a, ca, cb);
    disagreements.push({ sample: k, floatClass: ca, fixedClass: cb, ...(judgement ? { judgement } : {}) });
  }
  return { layers: c.layers, readout };
}

/** The samples' agreements (in order) and their readout disagreements → the Agreement (ties counted when judged). */
export function agreementOfSamples(
  samples: readonly SampleAgreement[],
  disagreements: readonly ArgmaxDisagreement[],
  judged: boolean,
): Agreement {
  const a = combineAgreement(samples);
  if (!a.readout || !judged) return a;
  return {
    ...a,
    readout: {
      ...a.readout,
      ties: disagreements.filter((d) => d.judgement?.tie).length,
      disagreements: [...disagreements],
    },
  };
}

/** The float model as written vs a fixed-point model's runs: spikes per layer (aligned by latency) and readouts. */
export function measureAgreement(g: Graph, fixed: FixedPointRuns, inputs: readonly StepInput[]): Agreement {
  const disagreements: ArgmaxDisagreement[] = [];
  const samples = inputs.map((x, k) =>
    sampleAgainstReference(fixed, k, agreementReference(g, x, fixed), fixed.runs[k]!, disagreements),
  );
  return agreementOfSamples(samples, disagreements, !!fixed.judgeTie);
}
