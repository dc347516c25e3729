/**
 * The result of running a model on samples, in the shape of FORMATS.md §5 (`snnc run --json`).
 */
import type { Graph } from "../ir/nodes.ts";
import type { RunResult } from "./reference.ts";

export interface LayerRun {
  name: string;
  spikes_per_step: number[];
  total: number;
  raster?: number[][];
  latency?: number;
}

export interface SampleRun {
  readout: number[];
  layers: LayerRun[];
}

/** Flat indices of neurons that fired, an index repeated once per spike (graded / MT outputs). */
export function rasterOf(out: ArrayLike<number>): number[] {
  const idx: number[] = [];
  for (let i = 0; i < out.length; i++) for (let k = 0; k < out[i]!; k++) idx.push(i);
  return idx;
}

/** The sum of the values (a loop: a typed array's `reduce` calls a function per value). */
export function sum(o: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < o.length; i++) s += o[i]!;
  return s;
}

/** A run kept whole, summarised: its neuron layers' steps passed through stepSummary (and their raster). */
export function summarizeRun(g: Graph, r: RunResult, raster = false): SampleRun {
  const summary = stepSummary(g);
  const neurons = [...r.traces.values()].filter((tr) => tr.op === "neuron");
  for (let t = 0; t < r.timesteps; t++) summary.options.onStep(t, new Map(neurons.map((tr) => [tr.id, tr.out[t]!])));
  const run = summary.finish(r.readouts);
  if (raster) for (const row of run.layers) row.raster = r.traces.get(row.name)!.out.map(rasterOf);
  return run;
}

/**
 * A run's summary built as it goes, without keeping its steps: `options` for `simulate` (nothing
 * recorded; each neuron layer's spikes counted in `onStep`), then `finish` with the run's readouts.
 * The readout is the run's (an output's, else the first), or without one the output layer's spike
 * count per neuron.
 */
export function stepSummary(g: Graph): {
  options: { record: false; onStep(t: number, values: ReadonlyMap<string, ArrayLike<number>>): void };
  finish(readouts: ReadonlyMap<string, Float64Array>): SampleRun;
} {
  const neurons = g.nodes.filter((n) => n.op === "neuron").map((n) => ({ name: n.id, per: [] as number[] }));
  // Without a readout the readout is the output layer's spike count per neuron (a neuron layer).
  const last = g.nodes.find((n) => n.id === g.outputs[0] && n.op === "neuron");
  let acc: Float64Array | undefined;
  const onStep = (_t: number, values: ReadonlyMap<string, ArrayLike<number>>) => {
    for (const l of neurons) l.per.push(sum(values.get(l.name)!));
    if (!last) return;
    const o = values.get(last.id)!;
    acc ??= new Float64Array(o.length);
    for (let i = 0; i < acc.length; i++) acc[i] += o[i]!;
  };
  return {
    options: { record: false as const, onStep },
    finish(readouts) {
      const layers = neurons.map(({ name, per }) => ({ name, spikes_per_step: per, total: sum(per) }));
      const out = g.outputs.find((o) => readouts.has(o)) ?? [...readouts.keys()][0];
      const readout = out !== undefined ? Array.from(readouts.get(out)!) : acc ? Array.from(acc) : [];
      return { readout, layers };
    },
  };
}

export function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}
