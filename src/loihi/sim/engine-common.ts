/**
 * What both fixed-point engines share: run options and results, per-population preparation,
 * readout decoding, and the view of a run as a reference-simulator RunResult (for verify/).
 * The synaptic accumulation is NOT here: each engine has its own (dense vs event-driven), and
 * the neuron arithmetic is lif-fixed.ts.
 */
import { SnncError } from "../../ir/errors.ts";
import {
  checkFixedModel,
  populationSize,
  type FixedConnection,
  type FixedModel,
  type FixedPopulation,
} from "../model/integer-model.ts";
import type { NodeTrace, RunResult, StepInput } from "../../sim/reference.ts";
import { inputColumns } from "./input-fixed.ts";
import { addGainStage } from "./gain-stage-fixed.ts";
import { stepperOf, type PopulationStepper } from "./population-step.ts";

/**
 * A deliberate arithmetic bug in the event-driven engine, for testing that verification
 * catches divergences: "drop-first-event" ignores the first event of every source at every step.
 */
export type FixedFault = "drop-first-event";

export interface FixedRunOptions {
  /** Lava steps to run (default: the model's runSteps). */
  steps?: number;
  /** Record u and v of every population at every step. */
  state?: boolean;
  /** Keep every step's spikes in the run (default true); false: only readouts, state and stats. */
  record?: boolean;
  fault?: FixedFault;
  /**
   * Conv synapses through the WebAssembly SIMD kernels (wasm/conv-kernels.ts; default true).
   * false: the JavaScript loops, the same results (a witness for the kernels in tests).
   */
  simd?: boolean;
}

/** What a run delivered: spike events and the synaptic events they caused (Σ events × fan-out). */
export interface FixedRunStats {
  /** Nonzero outputs of populations (spikes, graded or not), over all steps. */
  spikes: number;
  /** Synapses reached by delivered events, from every source including the input. */
  synapticEvents: number;
  /** The part of `synapticEvents` that came from the input. */
  inputSynapticEvents: number;
}

export interface FixedRun {
  engine: "stepped" | "event";
  steps: number;
  /** Per population id: spikes at steps 1..steps (index 0 = step 1). */
  spikes: Map<string, Uint8Array[]>;
  u?: Map<string, Int32Array[]>;
  v?: Map<string, Int32Array[]>;
  /** ATRLIF populations: r per step (with `state`). */
  r?: Map<string, Int32Array[]>;
  /** Integrators: v at the end of their T-th aligned step (step depth + T), or the last step run. */
  readoutV: Map<string, Int32Array>;
  /** Integrators decoded to float readout values (v / vScale, / T for "mean"). */
  readouts: Map<string, Float64Array>;
  stats: FixedRunStats;
}

export interface PreparedPopulation {
  pop: FixedPopulation;
  stepper: PopulationStepper;
  /** Synaptic input of the current step (summed over incoming connections). */
  a: Float64Array;
  /** A gain stage's two port sums (gated current, gain) of the current step. */
  gated?: Float64Array;
  gain?: Float64Array;
  incoming: FixedConnection[];
  spikes: Uint8Array[];
  u?: Int32Array[];
  v?: Int32Array[];
  r?: Int32Array[];
  readoutV?: Int32Array;
  /** Lava step whose v is the readout value. */
  readoutStep: number;
  /** The output of every step without a spike (never written), and the array the next step is made in. */
  silent?: Uint8Array;
  spare?: Uint8Array;
}

export interface Prepared {
  model: FixedModel;
  steps: number;
  columns: Int32Array[];
  pops: PreparedPopulation[];
  /** Largest connection delay. */
  maxDelay: number;
  /** Keep every step's spikes (FixedRunOptions.record). */
  record: boolean;
  stats: FixedRunStats;
}

export function prepareRun(model: FixedModel, input: StepInput, opts: FixedRunOptions): Prepared {
  try {
    checkFixedModel(model);
  } catch (e) {
    throw new SnncError("E_TARGET", `invalid integer model: ${(e as Error).message}`);
  }
  const steps = opts.steps ?? model.runSteps;
  if (!Number.isInteger(steps) || steps < 1)
    throw new SnncError("E_USAGE", `steps must be a positive integer, got ${steps}`);
  const columns = inputColumns(model.input, input, model.timesteps);
  const inc = new Map<string, FixedConnection[]>(model.populations.map((p) => [p.id, []]));
  let maxDelay = 0;
  for (const c of model.connections) {
    inc.get(c.to)!.push(c);
    if (c.delay > maxDelay) maxDelay = c.delay;
  }
  const pops = model.populations.map((pop): PreparedPopulation => {
    const n = populationSize(pop);
    const pp: PreparedPopulation = {
      pop,
      stepper: stepperOf(pop),
      a: new Float64Array(n),
      incoming: inc.get(pop.id)!,
      spikes: [],
      readoutStep: Math.min(steps, pop.depth + model.timesteps),
    };
    if (pop.gainStage) {
      pp.gated = new Float64Array(n);
      pp.gain = new Float64Array(n);
    }
    if (opts.state) {
      pp.u = [];
      pp.v = [];
      if (pop.kind === "atrlif") pp.r = [];
    }
    return pp;
  });
  const stats = { spikes: 0, synapticEvents: 0, inputSynapticEvents: 0 };
  return { model, steps, columns, pops, maxDelay, record: opts.record ?? true, stats };
}

/**
 * Records a copy of `now` after `steps`, or the last step's array again when nothing changed (a
 * population before its input arrives, or at rest, keeps the same state for many steps). Recorded
 * arrays are never written; on a large network, fresh memory (a page fault per 4 KB) costs more
 * than the comparison.
 */
function keep(steps: Int32Array[], now: Int32Array): void {
  const last = steps[steps.length - 1];
  if (last !== undefined) {
    let i = 0;
    while (i < now.length && last[i] === now[i]) i++;
    if (i === now.length) {
      steps.push(last);
      return;
    }
  }
  steps.push(new Int32Array(now));
}

/** After the update of step `n`: record state and spikes, capture readouts. */
export function recordStep(pp: PreparedPopulation, n: number, spikes: Uint8Array, record = true): void {
  const st = pp.stepper.state;
  if (record) pp.spikes.push(spikes);
  if (pp.u) keep(pp.u, st.u);
  if (pp.v) keep(pp.v, st.v);
  if (pp.r) keep(pp.r, st.r!);
  if (pp.pop.kind === "integrator" && n === pp.readoutStep) pp.readoutV = new Int32Array(st.v);
}

export function finishRun(engine: FixedRun["engine"], prep: Prepared): FixedRun {
  const run: FixedRun = {
    engine,
    steps: prep.steps,
    spikes: new Map(),
    readoutV: new Map(),
    readouts: new Map(),
    stats: prep.stats,
  };
  if (prep.pops.some((p) => p.u)) {
    run.u = new Map();
    run.v = new Map();
  }
  if (prep.pops.some((p) => p.r)) run.r = new Map();
  for (const pp of prep.pops) {
    run.spikes.set(pp.pop.id, pp.spikes);
    if (run.u && pp.u) run.u.set(pp.pop.id, pp.u);
    if (run.v && pp.v) run.v.set(pp.pop.id, pp.v);
    if (run.r && pp.r) run.r.set(pp.pop.id, pp.r);
    if (pp.pop.kind === "integrator") {
      const v = pp.readoutV ?? new Int32Array(pp.stepper.state.v);
      run.readoutV.set(pp.pop.id, v);
      const div = pp.pop.readout?.mode === "mean" ? prep.model.timesteps : 1;
      run.readouts.set(
        pp.pop.id,
        Float64Array.from(v, (x, i) => x / pp.pop.vScale[i]! / div),
      );
    }
  }
  return run;
}

/** Where a connection's accumulation goes: the neuron's input, or a port of its gain stage. */
export function portBuffer(pp: PreparedPopulation, c: FixedConnection): Float64Array {
  return c.port === "gated" ? pp.gated! : c.port === "gain" ? pp.gain! : pp.a;
}

/** Zero the step's input sums (the neuron's and its gain stage's). */
export function clearInputs(pp: PreparedPopulation): void {
  pp.a.fill(0);
  pp.gated?.fill(0);
  pp.gain?.fill(0);
}

/** After the connections: the gain stage's output joins the neuron's input (same step). */
export function finishInputs(pp: PreparedPopulation): void {
  if (pp.pop.gainStage) addGainStage(pp.gated!, pp.gain!, pp.pop.gainStage.exp, pp.a);
}

/**
 * One population's neuron step of Lava step n (after finishInputs): its output vector and nonzero
 * count. Every step's output is an array of its own, never written again, except that the steps
 * without a spike share one (most steps of a deep network's populations: fresh memory costs a page
 * fault per 4 KB); the step is then made again in the same array.
 */
export function stepPopulation(pp: PreparedPopulation, n: number): { out: Uint8Array; count: number } {
  const out = pp.spare ?? new Uint8Array(pp.stepper.n);
  const count = pp.stepper.step(pp.a, n, out);
  if (count) {
    pp.spare = undefined;
    return { out, count };
  }
  pp.spare = out; // all 0: the next step overwrites every value
  pp.silent ??= new Uint8Array(pp.stepper.n);
  return { out: pp.silent, count };
}

/** Accumulated synaptic sum after a connection's own post-processing (exponent or 24-bit wrap). */
export function weightExpShift(acc: number, e: number): number {
  if (e === 0) return acc;
  return e > 0 ? acc * 2 ** e : Math.floor(acc / 2 ** -e);
}

/**
 * A fixed run seen as a reference-simulator result: one trace per spiking population (pulses
 * implement no IR node and are left out), keyed by the IR node it implements, with the population's Lava steps as steps (compare with `latency` = depth).
 * Readouts are keyed by their IR node too.
 */
export function fixedRunAsRunResult(model: FixedModel, run: FixedRun): RunResult {
  const traces = new Map<string, NodeTrace>();
  const readouts = new Map<string, Float64Array>();
  const split = new Set<string>();
  for (const p of model.populations) {
    if (p.kind === "pulse") continue;
    if (p.kind === "integrator") {
      readouts.set(p.source, run.readouts.get(p.id)!);
      continue;
    }
    // the run's own arrays (spike counts fit a byte), not copied: the run is not written
    const out = run.spikes.get(p.id)!;
    const prev = traces.get(p.source);
    if (!prev) {
      traces.set(p.source, { id: p.source, op: "neuron", shape: p.shape, out });
      continue;
    }
    // a layer split into copies of their own scale: the copies' outputs are disjoint, their sum is
    // the layer's (made in new arrays, so that the first copy's run stays as it was)
    if (!split.has(p.source)) {
      split.add(p.source);
      prev.out = prev.out.map((o) => new Uint8Array(o));
    }
    for (let k = 0; k < out.length; k++) {
      const o = prev.out[k]!;
      for (let i = 0; i < o.length; i++) o[i] = o[i]! + out[k]![i]!;
    }
  }
  return { timesteps: run.steps, traces, readouts };
}
