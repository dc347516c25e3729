/**
 * The fixtures written by python/export_fixtures.py (torch.onnx.export) and the rule by which
 * snnc's float64 run must reproduce what PyTorch computed in float32 (docs/FORMATS.md, ONNX):
 *
 *   spikes    identical, except where snnc's compare margin |m − θ| <= SPIKE_TOL·max(1, |θ|)
 *             (a decision float32 rounding can flip); such spikes are counted and reported
 *   currents  |snnc − torch| <= CURRENT_TOL·(1 + max |c| of the layer) at every neuron, every step
 *   readout   |snnc − torch| <= CURRENT_TOL·(1 + |r|)
 *
 * The currents are the cross-check of the non-spiking part (conv, BN, pooling, dense) against an
 * independent implementation: PyTorch's own computation, recorded by the exporter. onnxruntime
 * checks them too, on random inputs (ort-crosscheck.test.ts), and layout-property.test.ts checks the
 * same operators against an NCHW evaluator of the ONNX definitions.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Graph, NeuronNode } from "../../../src/ir/nodes.ts";
import type { RunResult } from "../../../src/sim/reference.ts";
import { rasterOf } from "../../../src/sim/run-summary.ts";
import { ROOT } from "../../support/cli.ts";

export const SPIKE_TOL = 1e-5;
export const CURRENT_TOL = 1e-6;

export const FIXTURE_ROOT = join(ROOT, "fixtures");

export interface ExpectedLayer {
  module: string;
  node: string;
  shape: number[];
  spikes_per_step: number[];
  raster: number[][];
}

export interface Expected {
  timesteps: number;
  torch: string;
  models: string[];
  readout: number[];
  layers: ExpectedLayer[];
  currents: { node: string; shape: number[]; f32: string }[];
}

export interface TorchFixture {
  name: string;
  dir: string;
  expected: Expected;
  /** The input in snnc's layout, flattened. */
  input: Float64Array;
  inputFile: string;
}

export function torchFixtures(): TorchFixture[] {
  return readdirSync(FIXTURE_ROOT)
    .filter((d) => d.startsWith("onnx-"))
    .sort()
    .map((name) => {
      const dir = join(FIXTURE_ROOT, name);
      const inputFile = join(dir, "input.json");
      const input = Float64Array.from((JSON.parse(readFileSync(inputFile, "utf8")) as unknown[]).flat(3) as number[]);
      return { name, dir, inputFile, input, expected: JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) };
    });
}

export function currentsOf(e: Expected, node: string): Float32Array {
  const c = e.currents.find((x) => x.node === node);
  if (!c) throw new Error(`expected.json has no currents for ${node}`);
  const b = Buffer.from(c.f32, "base64");
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

export interface SpikeComparison {
  compared: number;
  /** Spikes that differ within the rounding band (allowed). */
  nearThreshold: number;
  /** Spikes that differ outside it: each one a failure. */
  failures: string[];
}

/** Compare snnc's run (with margins) to PyTorch's spikes under the rule above. */
export function compareSpikes(g: Graph, r: RunResult, e: Expected): SpikeComparison {
  const out: SpikeComparison = { compared: 0, nearThreshold: 0, failures: [] };
  for (const L of e.layers) {
    const tr = r.traces.get(L.node);
    const node = g.nodes.find((n) => n.id === L.node) as NeuronNode | undefined;
    if (!tr || !node || node.op !== "neuron") {
      out.failures.push(`${L.node}: no such neuron layer in snnc's graph`);
      continue;
    }
    const tol = SPIKE_TOL * Math.max(1, Math.abs(node.vThreshold));
    tr.out.forEach((o, t) => {
      const want = new Float64Array(o.length);
      for (const i of L.raster[t] ?? []) want[i]! += 1;
      for (let i = 0; i < o.length; i++) {
        out.compared++;
        if (o[i] === want[i]) continue;
        const m = tr.margin![t]![i]!;
        if (m <= tol) out.nearThreshold++;
        else out.failures.push(`${L.node} step ${t} neuron ${i}: snnc ${o[i]}, PyTorch ${want[i]} (margin ${m})`);
      }
    });
  }
  return out;
}

/** Largest |snnc − torch| of each neuron layer's input current, against its bound. */
export function compareCurrents(g: Graph, r: RunResult, e: Expected): string[] {
  const failures: string[] = [];
  for (const L of e.layers) {
    const src = g.nodes.find((n) => n.id === L.node)!.inputs[0]!;
    const got = r.traces.get(src)!.out;
    const want = currentsOf(e, L.node);
    const n = got[0]!.length;
    if (want.length !== n * got.length) {
      failures.push(`${L.node}: ${want.length} expected currents, snnc has ${n}×${got.length}`);
      continue;
    }
    const bound = CURRENT_TOL * (1 + want.reduce((a, v) => Math.max(a, Math.abs(v)), 0));
    for (const [t, o] of got.entries()) {
      for (const [i, v] of o.entries()) {
        const w = want[t * n + i]!;
        if (Math.abs(v - w) > bound)
          failures.push(`${L.node} (input '${src}') step ${t} [${i}]: snnc ${v}, PyTorch ${w}`);
      }
    }
  }
  return failures;
}

export function rasters(r: RunResult, node: string): number[][] {
  return r.traces.get(node)!.out.map(rasterOf);
}
