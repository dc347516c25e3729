/**
 * One node's step of the float64 reference (reference.ts), made once per run as a closure: the
 * node's parameters, state and inputs are bound when the run starts, so that each op's step is a
 * small function of its own with one kind of node in it. (One loop over every kind of node was
 * compiled again and again by the engine as it met each new kind, at ~50 ms a time.)
 */
import { isNormNode, type Graph, type IRNode, type NeuronNode, type NormNode } from "../ir/nodes.ts";
import { broadcastTo, size } from "../ir/tensor.ts";
import { addAll, conv2d, dense, pad2d, pool } from "./float-ops.ts";
import type { ConvF64 } from "./wasm/conv-f64.ts";
import { expandNeuron, initNeuronState, neuronStep } from "./neuron-float.ts";
import { normStepper } from "./norm-float.ts";
import type { NodeTrace, RunOptions, StepInput } from "./reference.ts";
import type { RunWorkspace } from "./run-workspace.ts";
import { delayOutput, liStep, type DelayState, type LiState } from "./stateful-float.ts";

/** What the steps of one run share. */
export interface StepContext {
  input: StepInput;
  opts: RunOptions;
  traces: ReadonlyMap<string, NodeTrace>;
  readoutAcc: ReadonlyMap<string, Float64Array>;
  lis: ReadonlyMap<string, LiState>;
  delays: ReadonlyMap<string, DelayState>;
  /** Neurons read by a `plane` node: they also hand out their binary spike planes each step. */
  planeSources: ReadonlySet<string>;
  /** The large convs in WebAssembly SIMD (wasm/conv-f64.ts: the same sums in the same order, the same bits). */
  simdConvs: ReadonlyMap<IRNode, ConvF64>;
  /** The arrays runs of this graph share (run-workspace.ts); none: the run makes its own. */
  workspace?: RunWorkspace;
}

/** A node's output at step t, from the outputs of the nodes before it in this step. */
export type NodeStep = (
  t: number,
  vals: ReadonlyMap<string, Float64Array>,
  planeVals: Map<string, Float64Array[]>,
) => Float64Array;

export function planeSourcesOf(g: Graph): Set<string> {
  return new Set(g.nodes.filter((n) => n.op === "plane").map((n) => n.inputs[0]!));
}

/**
 * The array a node writes its output into at every step, or none (a new one each step). A value
 * that nobody keeps past its step can be overwritten at the next: the outputs of every node but
 * the nodes whose outputs are traced (every node with `all`; the neurons unless nothing is
 * recorded). Values read across steps are copied by their readers (delays, `onStep`). Flatten and
 * reshape hand on their input's array and have none of their own.
 */
function outputBuffer(n: IRNode, ctx: StepContext): Float64Array | undefined {
  const own = !ctx.opts.all && !ctx.traces.has(n.id) && n.op !== "flatten" && n.op !== "reshape";
  if (!own) return undefined;
  return ctx.workspace?.buffer(n) ?? new Float64Array(size(n.shape!));
}

export function nodeStep(n: IRNode, inShape: number[], ctx: StepContext): NodeStep {
  const src = n.inputs[0]!;
  switch (n.op) {
    case "input": {
      const input = ctx.input;
      return Array.isArray(input) ? (t) => input[t]! : () => input;
    }
    case "neuron":
      return neuronNodeStep(n, ctx);
    case "plane": {
      const index = n.index;
      return (_t, _vals, planeVals) => planeVals.get(src)![index]!;
    }
    case "readout": {
      const acc = ctx.readoutAcc.get(n.id)!;
      return (_t, vals) => {
        const x = vals.get(src)!;
        for (let i = 0; i < acc.length; i++) acc[i] += x[i]!;
        return x;
      };
    }
    case "li": {
      const st = ctx.lis.get(n.id)!;
      return (_t, vals) => liStep(st, vals.get(src)!);
    }
    case "delay": {
      const st = ctx.delays.get(n.id)!;
      // a recurrent delay's source is not there yet
      return (t, vals) => delayOutput(st, t, vals.get(src));
    }
    case "affine": {
      const scale = broadcastTo(n.scale, n.shape!);
      const shift = broadcastTo(n.shift, n.shape!);
      const out = outputBuffer(n, ctx);
      return (_t, vals) => {
        const x = vals.get(src)!;
        const y = out ?? new Float64Array(x.length);
        for (let i = 0; i < x.length; i++) y[i] = scale[i]! * x[i]! + shift[i]!;
        return y;
      };
    }
    default:
      if (isNormNode(n)) {
        const C = inShape[inShape.length - 1]!;
        const out = outputBuffer(n, ctx);
        const norm = normStepper(n, C);
        return (t, vals) => norm(vals.get(src)!, t, out);
      }
      return linearNodeStep(n, inShape, outputBuffer(n, ctx), ctx.simdConvs);
  }
}

function neuronNodeStep(n: NeuronNode, ctx: StepContext): NodeStep {
  const { opts } = ctx;
  const kept = ctx.workspace?.neuron(n);
  const p = kept?.params ?? expandNeuron(n, n.shape!);
  const st = kept?.state ?? initNeuronState(p);
  const src = n.inputs[0]!;
  const planes = ctx.planeSources.has(n.id);
  const tr = ctx.traces.get(n.id);
  const out = outputBuffer(n, ctx);
  return (t, vals, planeVals) => {
    const r = neuronStep(
      p,
      st,
      vals.get(src)!,
      t,
      {
        h: opts.membrane,
        margin: opts.margin,
        planes,
        force: opts.force?.(n.id, t),
        onForced: opts.onForced && ((i, own) => opts.onForced!(n.id, t, i, own)),
      },
      out,
    );
    if (r.planes) planeVals.set(n.id, r.planes);
    if (tr?.h) tr.h.push(r.h!);
    if (tr?.margin) tr.margin.push(r.margin!);
    return r.out;
  };
}

/** Stateless linear ops (the same at every step). */
function linearNodeStep(
  n: Exclude<IRNode, NeuronNode | NormNode | { op: "input" | "readout" | "affine" | "plane" | "li" | "delay" }>,
  inShape: number[],
  out: Float64Array | undefined,
  simdConvs: ReadonlyMap<IRNode, ConvF64>,
): NodeStep {
  const src = n.inputs[0]!;
  switch (n.op) {
    case "conv2d": {
      const simd = simdConvs.get(n);
      if (simd) return (_t, vals) => simd(vals.get(src)!, out);
      return (_t, vals) => conv2d(vals.get(src)!, inShape, n, out);
    }
    case "dense": {
      const { kernel, bias } = n;
      return (_t, vals) => dense(vals.get(src)!, kernel, bias, out);
    }
    case "avgpool":
    case "maxpool":
    case "sumpool": {
      const kind = n.op === "avgpool" ? "avg" : n.op === "maxpool" ? "max" : "sum";
      return (_t, vals) => pool(vals.get(src)!, inShape, kind, n.pool, n.strides, n.padding, out);
    }
    case "flatten":
    case "reshape":
      return (_t, vals) => vals.get(src)!;
    case "pad":
      return (_t, vals) => pad2d(vals.get(src)!, inShape, n.pads, out);
    case "add": {
      const ids = n.inputs;
      return (_t, vals) =>
        addAll(
          ids.map((i) => vals.get(i)!),
          out,
        );
    }
  }
}
