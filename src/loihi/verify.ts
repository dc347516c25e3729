/**
 * verify for the Loihi targets: the integer model on both simulator engines (time-stepped and
 * event-driven), every spike, u and v of every population at every step compared, and the integer
 * model's agreement with the float model as written (spikes per layer, aligned for each layer's
 * synaptic latency, and the readout argmax), gated (src/verify/gates.ts). A sample whose readout
 * argmax differs is judged (ties/judge-tie.ts).
 *
 * When a sample is large (the same work as makes compile's agreement use threads) and the machine
 * has more than one core, the time-stepped engine runs in a thread of its own
 * (sim/stepped-thread.ts; started with the verify when the graph is large, so that it has loaded
 * its modules when the model is built) while this one runs the event-driven engine of the same sample; the next
 * sample's time-stepped run starts as soon as this one's is back. u and v are compared step by step
 * as the event-driven engine takes each step, the time-stepped run's streamed to it through a ring
 * of shared memory (sim/state-ring.ts), so that neither engine keeps them. The float reference needs only
 * the graph: when it is large, it runs in a thread of its own too (src/sim/reference-thread.ts),
 * started before the integer model is built, one sample ahead. Results are the same either way:
 * each engine is a pure function of the model and the input.
 *
 * Testing hook: SNNC_FIXED_FAULT=drop-first-event makes the event-driven engine drop one event per
 * source and step, so that verify's detection of a fixed-point divergence can be exercised end to end.
 */
import { availableParallelism } from "node:os";
import { inferShapes } from "../ir/shapes.ts";
import type { RunResult, StepInput } from "../sim/reference.ts";
import { type ReferenceThread, referenceThreadAvailable, startReferenceThread } from "../sim/reference-thread.ts";
import { stepOps, THREADS_FROM as FLOAT_THREADS_FROM } from "../sim/work.ts";
import type { AgreementLayout } from "../verify/agreement-stream.ts";
import type { VerifyOptions } from "../driver/types.ts";
import { SnncError } from "../ir/errors.ts";
import type { Graph } from "../ir/nodes.ts";
import {
  agreementOfSamples,
  agreementReference,
  sampleAgainstReference,
  type ArgmaxDisagreement,
  type SampleAgreement,
} from "../verify/agreement.ts";
import { compareTraces, type TraceComparison } from "../verify/compare.ts";
import { applyGates } from "../verify/gates.ts";
import { buildVerifyReport } from "../verify/report.ts";
import { agreementLayout, sampleWork, THREADS_FROM } from "./agreement.ts";
import { buildLoihiModel, type LoihiModelBuild, placeBuild, withTimesteps } from "./build.ts";
import type { FixedModel } from "./model/integer-model.ts";
import { agreementLines } from "./report.ts";
import { fixedRunAsRunResult, type FixedFault, type FixedRun } from "./sim/engine-common.ts";
import { checkInputs } from "./sim/input-fixed.ts";
import { eventEngine } from "./sim/run-event.ts";
import { runFixedStepped } from "./sim/run-stepped.ts";
import { type StateTally, stateRing, stepStates, tallyStep } from "./sim/state-ring.ts";
import { type OpeningSteppedThread, openSteppedThread, startSteppedThread } from "./sim/stepped-thread.ts";
import { judgeTie, tieContext } from "./ties/judge-tie.ts";

export interface LoihiVerifyOptions extends VerifyOptions {
  board?: string;
  /** Run the time-stepped engine in a thread of its own (default: when a sample is large and there are cores for it). */
  steppedThread?: boolean;
  /** Run the float reference in a thread of its own, started before the build (default: as above). */
  referenceThread?: boolean;
}

export async function verifyLoihi(g: Graph, opts: LoihiVerifyOptions, fault: FixedFault | undefined) {
  if (opts.inputs.length === 0) throw new SnncError("E_USAGE", "verify needs at least one input sample");
  const T = opts.timesteps ?? g.meta.timesteps;
  const inputs = opts.inputs;
  const shaped = g.nodes.every((n) => n.shape) ? g : inferShapes(g);
  const large = availableParallelism() > 1 && stepOps(shaped) * T >= FLOAT_THREADS_FROM;
  // The float reference needs only the graph: on a second core, it runs while this thread builds.
  const early = startEarlyReference(g, T, inputs, opts.referenceThread ?? large);
  // The time-stepped engine's thread loads its modules meanwhile; the model follows once built.
  const stepped = (opts.steppedThread ?? large) ? openSteppedThread() : undefined;
  try {
    return await verifyBuilt(g, opts, T, fault, early, stepped);
  } finally {
    early?.thread.close();
    stepped?.close();
  }
}

async function verifyBuilt(
  g: Graph,
  opts: LoihiVerifyOptions,
  T: number,
  fault: FixedFault | undefined,
  early: EarlyReference | undefined,
  opening: OpeningSteppedThread | undefined,
) {
  // the same integer model compile writes (no calibration: the verify inputs do not choose the input scale)
  const buildOpts = {
    target: opts.target,
    temporalNorm: opts.temporalNorm,
    earlyExit: opts.earlyExit,
    file: opts.file,
    board: opts.board,
    checkPasses: opts.checkPasses,
    weightPlanes: opts.weightPlanes,
  };
  const b = buildLoihiModel(g, buildOpts);
  const m = withTimesteps(b.quant.model, T);
  const inputs = opts.inputs;
  const threaded = opts.steppedThread ?? (availableParallelism() > 1 && sampleWork(m) >= THREADS_FROM);
  if (!threaded) opening?.close();
  const stepped = threaded ? (opening ?? openSteppedThread()).ready(m) : startSteppedThread(m, { inThread: true });
  try {
    // A run still out when this thread fails (an input either engine refuses, say) must not
    // become an unhandled rejection: its failure is this one's, reported once.
    // Each run streams its u and v through a ring of its own, compared as the event-driven engine
    // takes the same steps (state-ring.ts); neither engine keeps them.
    const ahead = (x: (typeof inputs)[number]) => {
      const ring = stateRing(m);
      const run = stepped.run({ x, ring });
      run.catch(() => undefined);
      return { run, states: stepStates(m, ring, run) };
    };
    // In a thread, the first run starts at once; placement (whose only product here is its
    // verdict: a model that does not fit the board is an error) runs meanwhile.
    let next = threaded ? ahead(inputs[0]!) : undefined;
    placeBuild(b, buildOpts, false);
    checkInputs(m.input, inputs, m.timesteps); // before any run here: a refusal names its sample
    next ??= ahead(inputs[0]!);
    const comps: TraceComparison[] = [];
    const state: StateTally = { compared: 0, differing: 0 };
    const tie = tieContext(b, m);
    let current: FixedRun | undefined; // the time-stepped run of the sample being judged
    // judging a tie reads the run's u and v: made again here, with them kept, when it streamed them
    const withStates = (k: number): FixedRun => {
      if (!current?.u) current = runFixedStepped(m, inputs[k]!, { state: true });
      return current;
    };
    const layout = {
      ...agreementLayout(m),
      judgeTie: (k: number, readout: string, ref: Float64Array, a: number, c: number) =>
        judgeTie(tie, inputs[k]!, withStates(k), readout, ref, a, c),
    };
    const samples: SampleAgreement[] = [];
    const disagreements: ArgmaxDisagreement[] = [];
    for (let k = 0; k < inputs.length; k++) {
      const x = inputs[k]!;
      const { run, states } = next;
      const ev = eventEngine(m, x, { fault });
      const steppers = ev.prep.pops.map((pp) => pp.stepper);
      while (ev.done < ev.prep.steps) {
        ev.step();
        tallyStep(state, m, steppers, await states.at(ev.done), ev.done);
        states.done(ev.done);
      }
      const e = ev.finish();
      const ref = (await early?.next(k, layout)) ?? agreementReference(g, x, layout);
      const a = await run;
      if (k + 1 < inputs.length) next = ahead(inputs[k + 1]!);
      const ra = fixedRunAsRunResult(m, a);
      comps.push(compareTraces(ra, fixedRunAsRunResult(m, e), { sample: k, maxDivergences: opts.maxDivergences }));
      current = a;
      samples.push(sampleAgainstReference(layout, k, ref, ra, disagreements));
      current = undefined;
    }
    return verifyResult(b, m, { comps, state, samples, disagreements }, opts);
  } finally {
    stepped.close();
  }
}

interface Compared {
  comps: TraceComparison[];
  state: StateTally;
  samples: SampleAgreement[];
  disagreements: ArgmaxDisagreement[];
}

/** verify's result from what was compared. */
function verifyResult(b: LoihiModelBuild, m: FixedModel, c: Compared, opts: LoihiVerifyOptions) {
  const { comps, samples, disagreements } = c;
  const { compared: stateCompared, differing: stateDiffering, first: firstState } = c.state;
  const agreement = agreementOfSamples(samples, disagreements, true);
  const notes = [
    `${b.target.name}: the integer model on the time-stepped engine (reference) and the event-driven engine (compiled); every spike, u and v compared`,
    `u and v: ${stateCompared} values compared, ${stateDiffering} differing${firstState ? ` (first: ${firstState})` : ""}`,
    ...agreementLines(agreement, "float model vs integer model"),
    ...b.quant.warnings.map((w) => `warning: ${w}`),
  ];
  const report = buildVerifyReport(b.target.name, comps, { maxDivergences: opts.maxDivergences, notes });
  const gates = applyGates(agreement, { ...opts, clipped: b.quant.populations.flatMap((p) => p.connections) });
  return {
    ...report,
    ok: report.ok && stateDiffering === 0 && gates.ok,
    gates,
    engines: { reference: "time-stepped", compiled: "event-driven" },
    membranes: { compared: stateCompared, differing: stateDiffering, first: firstState ?? null },
    latency: Object.fromEntries(m.populations.map((p) => [p.id, p.depth])),
    runSteps: m.runSteps,
    floatAgreement: agreement,
  };
}

interface EarlyReference {
  thread: ReferenceThread;
  /** Sample k's float reference, if it traced every layer `layout` compares (else undefined). */
  next(k: number, layout: Pick<AgreementLayout, "layers">): Promise<RunResult | undefined>;
}

/**
 * The float reference of each sample in a thread of its own, started now, one sample ahead. Which
 * layers the integer model compares is known only once it is built: the thread traces what can
 * become a population (neurons, which every run traces, and max-pools), and a sample whose result
 * lacks a compared layer is run again here with the exact list.
 */
function startEarlyReference(
  g: Graph,
  T: number,
  inputs: readonly StepInput[],
  wanted: boolean,
): EarlyReference | undefined {
  if (!wanted || !referenceThreadAvailable) return undefined;
  const trace = g.nodes.filter((n) => n.op === "maxpool").map((n) => n.id);
  const thread = startReferenceThread(g, { timesteps: T, trace });
  const ids = new Set(g.nodes.map((n) => n.id));
  let ahead = thread.run(inputs[0]!);
  return {
    thread,
    async next(k, layout) {
      const ref = await ahead;
      if (k + 1 < inputs.length) ahead = thread.run(inputs[k + 1]!);
      return layout.layers.every((l) => !ids.has(l.id) || ref.traces.has(l.id)) ? ref : undefined;
    },
  };
}

/** SNNC_FIXED_FAULT, the testing hook above. */
export function faultFromEnv(): FixedFault | undefined {
  const f = process.env.SNNC_FIXED_FAULT;
  if (f === undefined || f === "") return undefined;
  if (f !== "drop-first-event")
    throw new SnncError("E_USAGE", `SNNC_FIXED_FAULT='${f}' is not a known fault (drop-first-event)`);
  return f;
}
