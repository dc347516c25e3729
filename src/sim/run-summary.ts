/**
 * The result of running a model on samples, in the shape of FORMATS.md §5 (`snnc run --json`).
 */
import type { Graph } from "../ir/nodes.ts";
import type { RunOptions, RunResult } from "./reference.ts";

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

export function summarizeRun(g: Graph, r: RunResult, raster = false): SampleRun {
  const layers: LayerRun[] = [];
  for (const tr of r.traces.values()) {
    if (tr.op !== "neuron") continue;
    const per = tr.out.map(sum);
    const row: LayerRun = { name: tr.id, spikes_per_step: per, total: sum(per) };
    if (raster) row.raster = tr.out.map(rasterOf);
    layers.push(row);
  }
  const out = g.outputs.find((o) => r.readouts.has(o)) ?? [...r.readouts.keys()][0];
  let readout: number[] = [];
  if (out !== undefined) readout = Array.from(r.readouts.get(out)!);
  else {
    // No readout: the output layer's spike counts per neuron.
    const last = r.traces.get(g.outputs[0] ?? "");
    if (last) {
      const acc = new Float64Array(last.out[0]?.length ?? 0);
      for (const o of last.out) for (let i = 0; i < acc.length; i++) acc[i] += o[i]!;
      readout = Array.from(acc);
    }
  }
  return { readout, layers };
}

/**
 * summarizeRun's result built as the run goes, without keeping its steps: `options` for
 * `simulate` (nothing recorded; each step's spikes counted in `onStep`), then `finish` with the
 * run's readouts. The same SampleRun as summarizeRun without a raster, to the bit.
 */
export function stepSummary(g: Graph): {
  options: Pick<RunOptions, "record" | "onStep">;
  finish(readouts: ReadonlyMap<string, Float64Array>): SampleRun;
} {
  const neurons = g.nodes.filter((n) => n.op === "neuron").map((n) => ({ name: n.id, per: [] as number[] }));
  // Without a readout the readout is the output layer's spike count per neuron (a neuron layer).
  const last = g.nodes.find((n) => n.id === g.outputs[0] && n.op === "neuron");
  let acc: Float64Array | undefined;
  const onStep = (_t: number, values: ReadonlyMap<string, Float64Array>) => {
    for (const l of neurons) l.per.push(sum(values.get(l.name)!));
    if (!last) return;
    const o = values.get(last.id)!;
    acc ??= new Float64Array(o.length);
    for (let i = 0; i < acc.length; i++) acc[i] += o[i]!;
  };
  return {
    options: { record: false, onStep },
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
