/**
 * Time-stepped float64 executor for any IR graph (unfolded or folded). All nodes update in
 * topological order within a step, so the input of step t reaches the readout at step t
 * (SEMANTICS.md §1). This is the reference every verification compares against.
 */
import { SnncError } from "../ir/errors.ts";
import type { Graph, IRNode } from "../ir/nodes.ts";
import { inferShapes } from "../ir/shapes.ts";
import { size } from "../ir/tensor.ts";
import { nodeStep, planeSourcesOf, type StepContext } from "./node-steps.ts";
import { openWorkspace, type RunWorkspace } from "./run-workspace.ts";
import { graphConvs } from "./wasm/conv-f64.ts";
import { delayRecord, initDelay, initLi, type DelayState, type LiState } from "./stateful-float.ts";

export interface RunOptions {
  /** Steps to run (default: the model's timesteps). */
  timesteps?: number;
  /** Record h (membrane after charge) of neuron layers. */
  membrane?: boolean;
  /** Record the compare margin |m(h) − θ| of neuron layers. */
  margin?: boolean;
  /** Record every node's output per step, not only neurons'. */
  all?: boolean;
  /** Record these nodes' outputs per step too (as `all` does for every node). */
  trace?: readonly string[];
  /** Keep no traces (default true: keep them): with `onStep`, memory does not grow with the steps. */
  record?: boolean;
  /** Outputs to impose on some neurons of a neuron layer at a step (0-based), neuron → output; their reset follows. */
  force?: (layer: string, t: number) => ReadonlyMap<number, number> | undefined;
  /** Called for each imposed output that differs from the neuron's own (`own`). */
  onForced?: (layer: string, t: number, neuron: number, own: number) => void;
  /** Called after every step with every node's output of that step (valid during the call). */
  onStep?: (t: number, values: ReadonlyMap<string, Float64Array>) => void;
}

/** A trace's values at one step: float64 from the float reference, bytes (spike counts) from the integer engines. */
export type TraceValues = Float64Array | Uint8Array;

export interface NodeTrace {
  id: string;
  op: IRNode["op"];
  shape: number[];
  /** Output per step (spikes, s_sum, or the node's value). */
  out: TraceValues[];
  h?: Float64Array[];
  margin?: Float64Array[];
}

export interface RunResult {
  timesteps: number;
  /** Neuron layers (and every node with `all`, the nodes of `trace`) in graph order. */
  traces: Map<string, NodeTrace>;
  /** Readout values after the last step (readout nodes, and leaky integrators that are model outputs). */
  readouts: Map<string, Float64Array>;
}

/** Input per step: one array (presented at every step) or one per step. */
export type StepInput = Float64Array | Float64Array[];

export function simulate(graph: Graph, input: StepInput, opts: RunOptions = {}): RunResult {
  const g = graph.nodes.every((n) => n.shape) ? graph : inferShapes(graph);
  const T = opts.timesteps ?? g.meta.timesteps;
  if (!Number.isInteger(T) || T < 1) throw new SnncError("E_USAGE", `timesteps must be a positive integer, got ${T}`);
  for (const n of g.nodes) {
    if ((n.op === "bntt" || n.op === "tebn" || n.op === "tab") && T > n.timesteps) {
      throw new SnncError("E_VALUE", `per-step norm holds ${n.timesteps} steps, cannot run ${T}`, {
        layer: n.id,
        param: "timesteps",
      });
    }
    if (n.op === "neuron" && n.schedule && T > n.schedule.decay.length) {
      throw new SnncError("E_VALUE", `neuron schedule holds ${n.schedule.decay.length} steps, cannot run ${T}`, {
        layer: n.id,
        param: "schedule",
      });
    }
  }
  const inNode = g.nodes.find((n) => n.op === "input")!;
  const inSize = size(inNode.shape!);
  const perStep = Array.isArray(input);
  if (perStep && input.length < T)
    throw new SnncError("E_USAGE", `input has ${input.length} steps, the run needs ${T}`);
  for (const x of perStep ? input.slice(0, T) : [input]) {
    if (x.length !== inSize)
      throw new SnncError(
        "E_USAGE",
        `input has ${x.length} values, the model's input ${JSON.stringify(inNode.shape)} needs ${inSize}`,
      );
  }

  const workspace = openWorkspace(g.nodes);
  try {
    return run(g, T, input, opts, workspace.space);
  } finally {
    workspace.close();
  }
}

function run(g: Graph, T: number, input: StepInput, opts: RunOptions, workspace?: RunWorkspace): RunResult {
  const readoutAcc = new Map<string, Float64Array>();
  const traces = new Map<string, NodeTrace>();
  const lis = new Map<string, LiState>();
  const delays = new Map<string, DelayState>();
  const traced = new Set(opts.trace);
  for (const n of g.nodes) {
    if (n.op === "li") lis.set(n.id, initLi(n, n.shape!));
    if (n.op === "delay") delays.set(n.id, initDelay(n, n.shape!));
    if (n.op === "readout") readoutAcc.set(n.id, new Float64Array(size(n.shape!)));
    if (opts.record !== false && (n.op === "neuron" || opts.all || traced.has(n.id))) {
      const tr: NodeTrace = { id: n.id, op: n.op, shape: n.shape!, out: [] };
      if (n.op === "neuron" && opts.membrane) tr.h = [];
      if (n.op === "neuron" && opts.margin) tr.margin = [];
      traces.set(n.id, tr);
    }
  }

  // Each node's step is made once (a closure of its own, so that the engine compiles every op's
  // step apart); the loop over steps and nodes stays small.
  const shapeOf = new Map(g.nodes.map((n) => [n.id, n.shape!] as const));
  const simdConvs = graphConvs(g.nodes, (n) => shapeOf.get(n.inputs[0]!)!);
  const ctx: StepContext = {
    input,
    opts,
    traces,
    readoutAcc,
    lis,
    delays,
    planeSources: planeSourcesOf(g),
    simdConvs,
    workspace,
  };
  const steps = g.nodes.map((n) => ({
    id: n.id,
    step: nodeStep(n, n.inputs.length ? shapeOf.get(n.inputs[0]!)! : [], ctx),
    trace: traces.get(n.id),
    // A node that hands on another's array (readout, flatten, …) may hand on one that is reused:
    // the nodes traced one by one keep a copy (with `all`, no array is reused).
    copy: n.op === "input" || (!opts.all && n.op !== "neuron" && traced.has(n.id)),
  }));
  const delaySource = new Map(g.nodes.filter((n) => n.op === "delay").map((n) => [n.id, n.inputs[0]!] as const));
  for (let t = 0; t < T; t++) {
    const vals = new Map<string, Float64Array>();
    const planeVals = new Map<string, Float64Array[]>();
    for (const s of steps) {
      const y = s.step(t, vals, planeVals);
      vals.set(s.id, y);
      if (s.trace) s.trace.out.push(s.copy ? new Float64Array(y) : y);
    }
    for (const [id, st] of delays) delayRecord(st, t, vals.get(delaySource.get(id)!)!);
    opts.onStep?.(t, vals);
  }

  const readouts = new Map<string, Float64Array>();
  for (const n of g.nodes) {
    if (n.op === "li" && g.outputs.includes(n.id)) readouts.set(n.id, new Float64Array(lis.get(n.id)!.y));
    if (n.op !== "readout") continue;
    const acc = readoutAcc.get(n.id)!;
    readouts.set(n.id, n.mode === "mean" ? acc.map((v) => v / T) : acc);
  }
  return { timesteps: T, traces, readouts };
}
