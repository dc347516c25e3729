/**
 * The non-spiking part of an ONNX model (conv, BN, pooling, pad, flatten, dense, add, affine) as
 * snnc computes it, checked against an independent ONNX runtime on the same file.
 *
 * snnc side: the model as the ONNX frontend imports it, run by the float64 reference simulator
 * (src/sim/reference.ts) with every neuron layer's output imposed (`force`) to random spikes, so
 * that every cut sees random inputs; the current reaching each `ai.snnc` node is the recorded
 * output of that node's input. Runtime side: each cut of onnx-cuts.ts, fed the same activations
 * (the analog graph input, the imposed spikes, or what snnc computed for another custom node such
 * as PSPNorm) rounded to float32, in ONNX's layout.
 *
 * Rule: |runtime − snnc| <= ORT_TOL·max|c| at every element of every sample, max|c| the largest
 * current snnc computed for that cut over all samples (docs/FORMATS.md, ONNX).
 */
import { readFile } from "node:fs/promises";
import { flattenPerm } from "../../src/frontends/onnx/values.ts";
import { loadOnnxModel } from "../../src/frontends/onnx/load.ts";
import type { Graph, IRNode } from "../../src/ir/nodes.ts";
import { size } from "../../src/ir/tensor.ts";
import { simulate } from "../../src/sim/reference.ts";
import { cutModelBytes, standardCuts, type Cut, type CutModel } from "./onnx-cuts.ts";
import { Rng } from "./rng.ts";

/** float32 runtime vs float64 snnc, relative to the cut's largest current (see the docs for why). */
export const ORT_TOL = 1e-5;

export interface OrtTensor {
  data: Float32Array;
  dims: number[];
}

/** One loaded model of the runtime: feeds in, its one output out. */
export interface OrtSession {
  run(feeds: Record<string, OrtTensor>, output: string): Promise<OrtTensor>;
  release(): Promise<void>;
}

export type OrtLoader = (model: Uint8Array) => Promise<OrtSession>;

export interface CutResult {
  /** The custom node the current reaches, as written in the file. */
  consumer: string;
  /** Op types of the cut's nodes, in file order. */
  ops: string[];
  inputs: string[];
  output: string;
  /** The IR node whose output is that current. */
  irNode: string;
  samples: number;
  /** max|c| over all samples (snnc's values). */
  maxAbs: number;
  /** max|runtime − snnc| over all samples. */
  maxErr: number;
  failures: string[];
}

export interface CrossCheckOptions {
  /** Runs of the model's T steps; each step is one sample of every cut. */
  runs: number;
  seed: number;
  /** Change the imported graph before it runs (a test that the check can fail). */
  mutate?: (g: Graph) => void;
}

export async function crossCheck(path: string, load: OrtLoader, opts: CrossCheckOptions): Promise<CutResult[]> {
  const cm = standardCuts(await readFile(path));
  const g = await loadOnnxModel(path);
  opts.mutate?.(g);
  const rng = new Rng(opts.seed);
  const runs = Array.from({ length: opts.runs }, () => runForced(g, rng));
  const results: CutResult[] = [];
  for (const cut of cm.cuts) results.push(await checkCut(g, cm, cut, runs, load));
  return results;
}

type Trace = Map<string, Float64Array[]>;

/** One run of T steps: random analog (or spike) inputs, every neuron layer imposed to random outputs. */
function runForced(g: Graph, rng: Rng): Trace {
  const input = g.nodes.find((n) => n.op === "input")!;
  const spikes = g.meta.encoding === "spikes";
  const T = g.meta.timesteps;
  const xs = Array.from({ length: T }, () =>
    Float64Array.from({ length: size(input.shape!) }, () => (spikes ? rng.int(0, 1) : Math.fround(rng.uniform(-1, 1)))),
  );
  // A neuron emits 0/1; an MT neuron s_sum, 0 to the number of its thresholds.
  const levels = new Map(
    g.nodes.flatMap((n) => (n.op === "neuron" ? [[n.id, 1 + (n.planeThresholds?.length ?? 0)] as const] : [])),
  );
  const force = (layer: string): Map<number, number> => {
    const n = size(g.nodes.find((x) => x.id === layer)!.shape!);
    return new Map(Array.from({ length: n }, (_, i) => [i, rng.int(0, levels.get(layer)!)] as const));
  };
  const r = simulate(g, xs, { all: true, force });
  return new Map([...r.traces].map(([id, tr]) => [id, tr.out as Float64Array[]] as const));
}

/** The IR node a node of the file became (its provenance, as the frontend writes it). */
function irNodeOf(g: Graph, op: string, name: string, index: number): IRNode {
  const origin = `onnx:${op} '${name || `#${index}`}'`;
  const n = g.nodes.find((x) => x.origin?.[0] === origin);
  if (!n) throw new Error(`no IR node comes from ${origin}`);
  return n;
}

/** The IR node that carries an activation the cut reads. */
function irSourceOf(g: Graph, cm: CutModel, tensor: string): IRNode {
  const s = cm.source(tensor);
  if (s.kind === "graph-input") return g.nodes.find((n) => n.op === "input" && n.id === tensor)!;
  if (s.kind === "snnc") return irNodeOf(g, s.op, s.name, s.index);
  throw new Error(`cut input '${tensor}' is not an activation boundary`);
}

interface Layout {
  dims: number[];
  /** IR values → ONNX order. */
  toOnnx(v: Float64Array): Float64Array;
}

/**
 * ONNX layout of an IR activation: [H, W, C] is [1, C, H, W]; a flat [F] is [1, F] in the order
 * of the last flatten of a C×H×W activation before it (values.ts), unless a dense came since.
 */
function layoutOf(g: Graph, id: string): Layout {
  const byId = new Map(g.nodes.map((n) => [n.id, n] as const));
  const shape = byId.get(id)!.shape!;
  if (shape.length === 3) {
    const [H, W, C] = shape as [number, number, number];
    const toOnnx = (v: Float64Array) => {
      const out = new Float64Array(v.length);
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) out[(c * H + h) * W + w] = v[(h * W + w) * C + c]!;
      return out;
    };
    return { dims: [1, C, H, W], toOnnx };
  }
  if (shape.length !== 1) throw new Error(`'${id}': IR shape [${shape}] has no ONNX layout here`);
  let perm: Int32Array | undefined;
  for (let n = byId.get(id)!; n.op !== "dense" && n.op !== "input"; n = byId.get(n.inputs[0]!)!) {
    const src = n.inputs.length ? byId.get(n.inputs[0]!)!.shape! : [];
    if ((n.op === "flatten" || n.op === "reshape") && src.length === 3) {
      const [H, W, C] = src as [number, number, number];
      perm = flattenPerm(C, H, W);
      break;
    }
  }
  const toOnnx = (v: Float64Array) => {
    if (!perm) return new Float64Array(v);
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[perm[i]!] = v[i]!;
    return out;
  };
  return { dims: [1, shape[0]!], toOnnx };
}

async function checkCut(g: Graph, cm: CutModel, cut: Cut, runs: Trace[], load: OrtLoader): Promise<CutResult> {
  const c = cut.consumer;
  const irNode = irNodeOf(g, c.op, c.name, c.index).inputs[0]!;
  const sources = new Map(cut.inputs.map((t) => [t, irSourceOf(g, cm, t).id] as const));
  const layouts = new Map([...sources.values(), irNode].map((id) => [id, layoutOf(g, id)] as const));
  const outLayout = layouts.get(irNode)!;
  const session = await load(cutModelBytes(cm, cut, (t) => layouts.get(sources.get(t)!)!.dims));
  const res: CutResult = {
    consumer: c.name || `${c.op} #${c.index}`,
    ops: cut.nodes.map((n) => n.opType ?? ""),
    inputs: cut.inputs,
    output: cut.output,
    irNode,
    samples: 0,
    maxAbs: 0,
    maxErr: 0,
    failures: [],
  };
  const pairs: { got: Float32Array; want: Float64Array; at: string }[] = [];
  try {
    for (const [k, trace] of runs.entries()) {
      for (const [t, want] of trace.get(irNode)!.entries()) {
        const feeds: Record<string, OrtTensor> = {};
        for (const [tensor, id] of sources) {
          const L = layouts.get(id)!;
          feeds[tensor] = { data: Float32Array.from(L.toOnnx(trace.get(id)![t]!)), dims: L.dims };
        }
        const got = await session.run(feeds, cut.output);
        if (got.dims.join() !== outLayout.dims.join()) {
          res.failures.push(`runtime output [${got.dims}], snnc's '${irNode}' is [${outLayout.dims}]`);
          return res;
        }
        pairs.push({ got: got.data, want: outLayout.toOnnx(want), at: `run ${k} step ${t}` });
      }
    }
  } finally {
    await session.release();
  }
  res.samples = pairs.length;
  for (const { got, want } of pairs) {
    for (let i = 0; i < want.length; i++) {
      res.maxAbs = Math.max(res.maxAbs, Math.abs(want[i]!));
      res.maxErr = Math.max(res.maxErr, Math.abs(got[i]! - want[i]!));
    }
  }
  if (res.maxAbs === 0) res.failures.push(`every current is 0: nothing compared`);
  const bound = ORT_TOL * res.maxAbs;
  for (const { got, want, at } of pairs) {
    for (let i = 0; i < want.length && res.failures.length < 5; i++) {
      if (Math.abs(got[i]! - want[i]!) > bound)
        res.failures.push(`${at} [${i}] (ONNX order): runtime ${got[i]}, snnc ${want[i]} (bound ${bound})`);
    }
  }
  return res;
}
