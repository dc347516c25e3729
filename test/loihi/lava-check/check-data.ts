/**
 * What a Lava check compares: snnc's integer run of a compiled model on one input, in the order
 * Lava reports it (netx layers: (W,H,C) for conv layers, flat for dense layers; a Lava process
 * graph: (W,H,C) everywhere), and the input payloads in the order the network's input port takes.
 */
import { createHash } from "node:crypto";
import { lavaIndex } from "../../../src/loihi/emit/lava-process-graph.ts";
import type { FixedModel } from "../../../src/loihi/model/integer-model.ts";
import { inputColumns } from "../../../src/loihi/sim/input-fixed.ts";
import { runFixedStepped } from "../../../src/loihi/sim/run-stepped.ts";
import type { StepInput } from "../../../src/sim/reference.ts";

export function lavaOrder(shape: number[], spatial: boolean, v: ArrayLike<number>): number[] {
  const out = new Array<number>(v.length);
  for (let i = 0; i < v.length; i++) out[spatial && shape.length === 3 ? lavaIndex(shape, i) : i] = v[i]!;
  return out;
}

/** The host input order of network.net: Lava (W,H,C) when a conv reads it, torch (C,H,W) for a dense after flatten. */
export function netxInputOrder(m: FixedModel, q: Int32Array): number[] {
  const first = m.connections.find((c) => c.from === m.input.id)!;
  const s = m.input.shape;
  if (s.length !== 3) return Array.from(q);
  if (first.synapse.kind === "conv") return lavaOrder(s, true, q);
  const [H, W, C] = s as [number, number, number];
  const out = new Array<number>(q.length);
  for (let i = 0; i < q.length; i++) {
    const c = i % C;
    const x = Math.floor(i / C) % W;
    const y = Math.floor(i / (C * W));
    out[(c * H + y) * W + x] = q[i]!;
  }
  return out;
}

export interface CheckLayer {
  id: string;
  kind: string;
  /** Per step: 0/1, or the graded output (a multi-threshold population's count). */
  spikes: number[][];
  /** u (an ATRLIF's current i), v, and an ATRLIF's r. */
  u: number[][];
  v: number[][];
  r?: number[][];
}

export function checkData(
  m: FixedModel,
  x: StepInput,
  lavaGraph: boolean,
): { input: number[][]; layers: CheckLayer[] } {
  const run = runFixedStepped(m, x, { state: true });
  const cols = inputColumns(m.input, x, m.timesteps);
  const layers = m.populations.map((p) => {
    const spatial = lavaGraph || m.connections.find((c) => c.to === p.id)!.synapse.kind === "conv";
    const o = (v: ArrayLike<number>) => lavaOrder(p.shape, spatial, v);
    return {
      id: p.id,
      kind: p.kind,
      spikes: run.spikes.get(p.id)!.map(o),
      u: run.u!.get(p.id)!.map(o),
      v: run.v!.get(p.id)!.map(o),
      ...(run.r?.has(p.id) ? { r: run.r.get(p.id)!.map(o) } : {}),
    };
  });
  return { input: cols.map((c) => (lavaGraph ? lavaOrder(m.input.shape, true, c) : netxInputOrder(m, c))), layers };
}

/**
 * Two samples back to back on one network: the model's populations and pulses keep their period
 * (runSteps), the run lasts 2·runSteps steps and the input presents the second sample's columns
 * from step runSteps + 1 on (`backToBackInput`).
 */
export function backToBackModel(m: FixedModel): FixedModel {
  return { ...m, timesteps: m.runSteps + m.timesteps, runSteps: 2 * m.runSteps };
}

export function backToBackInput(m: FixedModel, a: StepInput, b: StepInput): Float64Array[] {
  const T = m.timesteps;
  const cols = (x: StepInput) => (Array.isArray(x) ? x.slice(0, T) : Array.from({ length: T }, () => x));
  const n = m.input.shape.reduce((p, q) => p * q, 1);
  return [...cols(a), ...Array.from({ length: m.runSteps - T }, () => new Float64Array(n)), ...cols(b)];
}

/** Per step, the indices that spiked. */
export function raster(spikes: number[][]): number[][] {
  return spikes.map((s) => s.flatMap((v, i) => (v ? [i] : [])));
}

/** SHA-256 of the compact JSON of a step × neuron table (as Python's json.dumps(x, separators=(",", ":"))). */
export function tableHash(t: number[][]): string {
  return createHash("sha256").update(JSON.stringify(t)).digest("hex");
}
