/**
 * The report's activity figures from runs of both models on the same inputs: per-layer firing
 * rates (the float model as written and the integer model, each over the T reference steps of
 * every sample) and the spike raster of one sample, each spike marked by which model emitted it.
 * An integer layer of depth d lags the float one by d steps: its step n is reference step n − d.
 */
import { size } from "../ir/tensor.ts";
import type { FixedModel } from "../loihi/model/integer-model.ts";
import type { FixedRun } from "../loihi/sim/engine-common.ts";
import type { RunResult } from "../sim/reference.ts";
import { round6, type RasterCategory, type RasterSpike, type ReportData } from "./report-data.ts";

/** Neurons of one layer the raster shows at most (the first ones, in flat NHWC order). */
export const RASTER_MAX_NEURONS = 4096;

/** The spiking populations of the integer model, by the float layer they implement. */
function spikingPopulations(m: FixedModel): Map<string, FixedModel["populations"][number]> {
  return new Map(m.populations.filter((p) => p.kind !== "pulse" && p.kind !== "integrator").map((p) => [p.source, p]));
}

/** Σ of a layer's outputs over reference steps 1..T (the integer run read at steps d + 1..d + T). */
function total(steps: readonly ArrayLike<number>[], from: number, T: number): number {
  let s = 0;
  for (let t = from; t < from + T; t++) {
    const x = steps[t];
    if (x) for (let i = 0; i < x.length; i++) s += x[i]!;
  }
  return s;
}

/**
 * Mean output per neuron and step of every neuron layer of the float model, and of the integer
 * population that implements it (null where one model has no such layer).
 */
export function firingRates(
  m: FixedModel,
  floatRuns: readonly RunResult[],
  fixedRuns: readonly FixedRun[],
): ReportData["firingRates"] {
  const T = m.timesteps;
  const pops = spikingPopulations(m);
  const layers = [...(floatRuns[0]?.traces.values() ?? [])].filter((tr) => tr.op === "neuron");
  const rows: ReportData["firingRates"] = layers.map((tr) => {
    const neurons = size(tr.shape);
    const slots = neurons * T * floatRuns.length;
    const f = floatRuns.reduce((a, r) => a + total(r.traces.get(tr.id)!.out, 0, T), 0);
    const p = pops.get(tr.id);
    const i = p ? fixedRuns.reduce((a, r) => a + total(r.spikes.get(p.id)!, p.depth, T), 0) : null;
    return { layer: tr.id, neurons, float: round6(f / slots), integer: i === null ? null : round6(i / slots) };
  });
  for (const [source, p] of pops) {
    if (rows.some((r) => r.layer === source)) continue;
    const neurons = size(p.shape);
    const i = fixedRuns.reduce((a, r) => a + total(r.spikes.get(p.id)!, p.depth, T), 0);
    rows.push({ layer: source, neurons, float: null, integer: round6(i / (neurons * T * fixedRuns.length)) });
  }
  return rows;
}

function category(f: number, x: number): RasterCategory | undefined {
  if (f === 0 && x === 0) return undefined;
  if (f === x) return 0;
  if (x === 0) return 1;
  if (f === 0) return 2;
  return 3;
}

/**
 * The raster of one sample: every nonzero output slot of every neuron layer, by model (a layer
 * the integer model has no population of the same size for shows the float spikes alone).
 */
export function raster(m: FixedModel, floatRun: RunResult, fixedRun: FixedRun, sample: number): ReportData["raster"] {
  const T = m.timesteps;
  const pops = spikingPopulations(m);
  const layers: ReportData["raster"]["layers"] = [];
  for (const tr of floatRun.traces.values()) {
    if (tr.op !== "neuron") continue;
    const p = pops.get(tr.id);
    const neurons = size(tr.shape);
    const shown = Math.min(neurons, RASTER_MAX_NEURONS);
    const fixed = p && size(p.shape) === neurons ? fixedRun.spikes.get(p.id)! : undefined;
    const spikes: RasterSpike[] = [];
    for (let t = 0; t < T; t++) {
      const a = tr.out[t]!;
      const b = fixed?.[t + p!.depth];
      for (let i = 0; i < shown; i++) {
        const c = category(a[i]!, b ? b[i]! : 0);
        if (c !== undefined) spikes.push([t + 1, i, c]);
      }
    }
    layers.push({ layer: tr.id, neurons, shown, latency: p?.depth ?? 0, compared: !!fixed, spikes });
  }
  return { sample, timesteps: T, layers };
}
