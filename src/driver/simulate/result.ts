/**
 * The result file of `snnc simulate` (schema: src/cli/schemas/simulate.schema.json): what ran
 * (model digest, target, steps, input set, layers), one entry per sample (readout, its argmax,
 * the label if known, each layer's firing rate) and a summary (mean rates, accuracy). A shard's
 * result adds `shard` and holds its samples only; `snnc merge` of all shards gives the bytes of
 * the unsharded result, because both are built and written by the functions below.
 *
 * Firing rate of a layer = its spikes over the run / (neurons × the model's T): spikes per neuron
 * per model step (a hardware target's pipeline latency only shifts when they occur).
 */
import { createHash } from "node:crypto";
import type { Graph } from "../../ir/nodes.ts";
import { graphToJson } from "../../ir/serialize.ts";
import { argmax } from "../../sim/run-summary.ts";
import type { RunMeta, SampleOutcome } from "./runner.ts";

export const RESULT_FORMAT = "snnc-simulate";
export const RESULT_VERSION = 1;

export interface SampleEntry {
  index: number;
  name: string;
  label?: number;
  /** argmax of the readout (absent when the model has no output values). */
  predicted?: number;
  readout: number[];
  rates: number[];
}

export interface ResultHeader {
  format: typeof RESULT_FORMAT;
  version: typeof RESULT_VERSION;
  model: { name: string; sha256: string };
  target: string;
  timesteps: number;
  run_steps: number;
  inputs: { source: string; samples: number; labelled: boolean };
}

export interface ShardInfo {
  index: number;
  count: number;
  first: number;
  end: number;
}

export interface Summary {
  samples: number;
  mean_rates: number[];
  accuracy?: { correct: number; total: number; value: number };
}

export interface SimulateResult extends ResultHeader {
  shard?: ShardInfo;
  layers: { name: string; neurons: number }[];
  samples: SampleEntry[];
  summary: Summary;
}

/** sha256 of the model's .snnc.json text: the same model gives the same digest wherever it is read. */
export function modelDigest(g: Graph): { name: string; sha256: string } {
  return { name: g.name, sha256: createHash("sha256").update(graphToJson(g)).digest("hex") };
}

export function sampleEntries(
  meta: RunMeta,
  outcomes: readonly SampleOutcome[],
  set: { names: readonly string[]; labels?: readonly number[] },
  first: number,
): SampleEntry[] {
  return outcomes.map((o, k) => {
    const index = first + k;
    const label = set.labels?.[index];
    return {
      index,
      name: set.names[index]!,
      ...(label !== undefined ? { label } : {}),
      ...(o.readout.length ? { predicted: argmax(o.readout) } : {}),
      readout: o.readout,
      rates: o.spikes.map((s, l) => s / (meta.layers[l]!.neurons * meta.timesteps)),
    };
  });
}

export function summarize(layers: number, samples: readonly SampleEntry[], labelled: boolean): Summary {
  const sums = new Array<number>(layers).fill(0);
  for (const s of samples) for (let l = 0; l < layers; l++) sums[l]! += s.rates[l]!;
  const summary: Summary = {
    samples: samples.length,
    mean_rates: sums.map((x) => (samples.length ? x / samples.length : 0)),
  };
  if (labelled) {
    const correct = samples.filter((s) => s.predicted !== undefined && s.predicted === s.label).length;
    summary.accuracy = { correct, total: samples.length, value: samples.length ? correct / samples.length : 0 };
  }
  return summary;
}

/** The document, its keys always in this order (the file's bytes depend on it). */
export function resultDocument(
  header: ResultHeader,
  layers: SimulateResult["layers"],
  samples: SampleEntry[],
  shard?: ShardInfo,
): SimulateResult {
  const h = header;
  return {
    format: RESULT_FORMAT,
    version: RESULT_VERSION,
    model: { name: h.model.name, sha256: h.model.sha256 },
    target: h.target,
    timesteps: h.timesteps,
    run_steps: h.run_steps,
    inputs: { source: h.inputs.source, samples: h.inputs.samples, labelled: h.inputs.labelled },
    ...(shard ? { shard: { index: shard.index, count: shard.count, first: shard.first, end: shard.end } } : {}),
    layers: layers.map((l) => ({ name: l.name, neurons: l.neurons })),
    samples: samples.map((s) => ({
      index: s.index,
      name: s.name,
      ...(s.label !== undefined ? { label: s.label } : {}),
      ...(s.predicted !== undefined ? { predicted: s.predicted } : {}),
      readout: s.readout,
      rates: s.rates,
    })),
    summary: summarize(layers.length, samples, h.inputs.labelled),
  };
}

/** The file's text: JSON, one sample per line, deterministic. */
export function resultJson(doc: SimulateResult): string {
  const lines = Object.entries(doc).map(([k, v]) =>
    k === "samples"
      ? ` "samples": [${(v as SampleEntry[]).map((s) => `\n  ${JSON.stringify(s)}`).join(",")}${(v as SampleEntry[]).length ? "\n " : ""}]`
      : ` ${JSON.stringify(k)}: ${JSON.stringify(v)}`,
  );
  return `{\n${lines.join(",\n")}\n}\n`;
}
