/**
 * The float-vs-fixed-point agreement of agreement.ts measured one step at a time: the float
 * reference and the other model's run advance together and each step's outputs are counted and
 * dropped, so memory stays that of a few steps whatever the number of steps (only the last
 * `latency + 1` float steps of the compared layers are kept, to meet the lagging run). One sample
 * gives a SampleAgreement; samples combine (in their order) into exactly the Agreement that
 * measureAgreement computes from whole traces.
 *
 * The other model comes in as a SteppedRun (verify/ runs only the float64 reference itself).
 */
import type { Graph } from "../ir/nodes.ts";
import { simulate, type StepInput } from "../sim/reference.ts";
import { argmax } from "../sim/run-summary.ts";
import { agreementRatio, type Agreement, type FixedPointRuns, type LayerTally } from "./agreement.ts";

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

/** One sample's counts. */
export interface SampleAgreement {
  layers: LayerTally[];
  readout: { id: string; argmaxAgree: boolean; maxAbsDiff: number } | null;
}

/** Compare one sample step by step: the float reference on `x` against `run`. */
export function sampleAgreement(g: Graph, x: StepInput, layout: AgreementLayout, run: SteppedRun): SampleAgreement {
  const T = layout.timesteps;
  let rows: { t: LayerTally; ring: Float64Array[] }[] | undefined;
  let R = 1;
  const compareStep = (k: number): void => {
    for (const { t: row, ring } of rows!) {
      const t = k - 1 - row.latency;
      if (t < 0 || t >= T) continue;
      const ref = ring[t % R]!;
      const got = run.output(row.layer);
      row.spikesCompared += ref.length;
      for (let i = 0; i < ref.length; i++) {
        const a = ref[i]!;
        const b = got[i]!;
        row.refSpikes += a;
        row.gotSpikes += b;
        if (a !== b) row.spikesDiffering++;
      }
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
          t: {
            layer: l.id,
            latency: lat(l.id),
            neurons: l.neurons,
            spikesCompared: 0,
            spikesDiffering: 0,
            refSpikes: 0,
            gotSpikes: 0,
          },
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
  const got = run.readouts();
  const ro = layout.outputs.find((o) => got.has(o) && ref.readouts.has(o));
  let readout: SampleAgreement["readout"] = null;
  if (ro) {
    const a = ref.readouts.get(ro)!;
    const b = got.get(ro)!;
    let maxAbs = 0;
    for (let i = 0; i < a.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i]! - b[i]!));
    readout = { id: ro, argmaxAgree: argmax(a) === argmax(b), maxAbsDiff: maxAbs };
  }
  return { layers: (rows ?? []).map((r) => r.t), readout };
}

/** Samples (in order) → the Agreement measureAgreement reports for them. */
export function combineAgreement(samples: readonly SampleAgreement[]): Agreement {
  const rows = new Map<string, LayerTally>();
  let argAgree = 0;
  let maxAbs = 0;
  let readoutId: string | undefined;
  for (const s of samples) {
    for (const l of s.layers) {
      const r = rows.get(l.layer) ?? { ...l, spikesCompared: 0, spikesDiffering: 0, refSpikes: 0, gotSpikes: 0 };
      r.spikesCompared += l.spikesCompared;
      r.spikesDiffering += l.spikesDiffering;
      r.refSpikes += l.refSpikes;
      r.gotSpikes += l.gotSpikes;
      rows.set(l.layer, r);
    }
    if (s.readout) {
      readoutId = s.readout.id;
      if (s.readout.argmaxAgree) argAgree++;
      maxAbs = Math.max(maxAbs, s.readout.maxAbsDiff);
    }
  }
  const perLayer = [...rows.values()].map((r) => ({
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
    samples: samples.length,
    perLayer,
    spikeAgreement: agreementRatio(cmp, dif),
    readout: readoutId ? { id: readoutId, argmaxAgree: argAgree, samples: samples.length, maxAbsDiff: maxAbs } : null,
  };
}
