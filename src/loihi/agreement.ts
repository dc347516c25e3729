/**
 * The float-vs-integer agreement a Loihi compile reports: each sample's integer model runs on the
 * event-driven engine in step with the float reference (src/verify/agreement-stream.ts), counted
 * per step, so memory does not grow with T. Samples spread over worker threads (a piscina pool of
 * agreement-worker.ts) when the work is large enough to pay for starting them; the counts come
 * back in sample order, so the figures do not depend on the number of threads.
 *
 * A sample whose readout argmax differs is run again on the time-stepped engine and judged
 * (ties/judge-tie.ts) when the caller gives the tie context, as compile does (verify judges its own
 * runs through measureAgreement), so that report.txt counts the same ties as verify.
 *
 * The default number of samples is 8, fewer when one sample is large: the estimated work of the
 * dense float reference (synapses × steps) is held under a budget, so that compile stays fast;
 * `--agreement-samples` overrides it (0: not measured).
 */
import { setMaxListeners } from "node:events";
import { availableParallelism } from "node:os";
import { loadedWorkers } from "../util/worker-loaded.ts";
import type { Graph } from "../ir/nodes.ts";
import { simulate, type StepInput } from "../sim/reference.ts";
import { argmax } from "../sim/run-summary.ts";
import {
  combineAgreement,
  type Agreement,
  type ArgmaxDisagreement,
  type SampleAgreement,
} from "../verify/agreement.ts";
import { sampleAgreement, type AgreementLayout, type SteppedRun } from "../verify/agreement-stream.ts";
import { populationSize, type FixedModel } from "./model/integer-model.ts";
import { eventEngine } from "./sim/run-event.ts";
import { runFixedStepped } from "./sim/run-stepped.ts";
import { judgeTie, type TieContext } from "./ties/judge-tie.ts";

/** What compile measures by default, at most. */
export const DEFAULT_AGREEMENT_SAMPLES = 8;
/** Synapse updates (synapses × Lava steps × samples) the default sample count stays within. */
export const AGREEMENT_BUDGET = 2e9;
/** Below this many synapse updates the samples run in this thread (starting workers costs more). */
export const THREADS_FROM = 2e8;

/**
 * Each spiking population's float layer and latency, and the readout candidates. A layer split
 * into several populations is compared once, as the last of them (the one a run reports for it).
 */
export function agreementLayout(m: FixedModel): AgreementLayout {
  const latency: Record<string, number> = {};
  for (const p of m.populations) latency[p.source] = p.depth;
  const layers = new Map<string, { id: string; neurons: number }>();
  for (const p of m.populations)
    if (p.kind !== "pulse" && p.kind !== "integrator")
      layers.set(p.source, { id: p.source, neurons: populationSize(p) });
  return { timesteps: m.timesteps, latency, layers: [...layers.values()], outputs: m.outputs };
}

/** Synapse updates of one sample if every source emitted at every step (the dense bound). */
export function sampleWork(m: FixedModel): number {
  let synapses = 0;
  for (const c of m.connections) {
    const s = c.synapse;
    if (s.kind === "dense") synapses += s.inSize * s.outSize;
    else if (s.kind === "diagonal") synapses += s.size;
    else
      synapses +=
        s.outShape[0] * s.outShape[1] * s.outShape[2] * s.kernelShape[0] * s.kernelShape[1] * s.kernelShape[2];
  }
  return synapses * m.runSteps;
}

/** The default sample count: 8, or as many as the budget allows (possibly 0). */
export function defaultAgreementSamples(m: FixedModel): number {
  const w = sampleWork(m);
  return Math.min(DEFAULT_AGREEMENT_SAMPLES, w > 0 ? Math.floor(AGREEMENT_BUDGET / w) : DEFAULT_AGREEMENT_SAMPLES);
}

/**
 * The integer model on `x`, on the event-driven engine, one step at a time. A layer split into
 * several populations (copies with scales of their own: disjoint outputs) outputs their sum.
 */
export function eventSteppedRun(m: FixedModel, x: StepInput): SteppedRun {
  const e = eventEngine(m, x, { record: false });
  const parts = new Map<string, number[]>();
  m.populations.forEach((p, k) => {
    if (p.kind !== "pulse" && p.kind !== "integrator") parts.set(p.source, [...(parts.get(p.source) ?? []), k]);
  });
  const sums = new Map<string, Float64Array>();
  const output = (layer: string): ArrayLike<number> => {
    const ks = parts.get(layer)!;
    if (ks.length === 1) return e.output(ks[0]!);
    let sum = sums.get(layer);
    if (!sum) {
      sum = new Float64Array(e.output(ks[0]!).length);
      sums.set(layer, sum);
    }
    sum.fill(0);
    for (const k of ks) {
      const o = e.output(k);
      for (let i = 0; i < o.length; i++) sum[i] += o[i]!;
    }
    return sum;
  };
  return {
    steps: e.prep.steps,
    step: () => e.step(),
    output,
    readouts: () => {
      const run = e.finish();
      const out = new Map<string, Float64Array>();
      for (const p of m.populations) if (p.kind === "integrator") out.set(p.source, run.readouts.get(p.id)!);
      return out;
    },
  };
}

/** One sample's counts (what a worker computes). */
export function agreementSample(g: Graph, m: FixedModel, x: StepInput): SampleAgreement {
  return sampleAgreement(g, x, agreementLayout(m), eventSteppedRun(m, x));
}

/** The worker module: the .js in a build, the .ts when run from the sources. */
function workerFile(): string {
  const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
  return new URL(`./agreement-worker.${ext}`, import.meta.url).href;
}

export interface AgreementOptions {
  /** Worker threads (default: the machine's parallelism when the work is large, else none). */
  threads?: number;
  /** Judge the samples whose readout argmax differs: ties within the quantisation bound (ties/judge-tie.ts). */
  tie?: TieContext;
}

/** The readout's disagreements judged (each such sample run again, time-stepped with its state). */
function judgeDisagreements(
  g: Graph,
  m: FixedModel,
  inputs: readonly StepInput[],
  parts: readonly SampleAgreement[],
  a: Agreement,
  tie: TieContext,
): Agreement {
  if (!a.readout) return a;
  const disagreements: ArgmaxDisagreement[] = [];
  parts.forEach((p, k) => {
    if (!p.readout || p.readout.argmaxAgree) return;
    const x = inputs[k]!;
    const ref = simulate(g, x, { timesteps: m.timesteps, record: false }).readouts.get(p.readout.id)!;
    const run = runFixedStepped(m, x, { state: true });
    const [ca, cb] = [
      argmax(ref),
      argmax(run.readouts.get(m.populations.find((q) => q.kind === "integrator" && q.source === p.readout!.id)!.id)!),
    ];
    const judgement = judgeTie(tie, x, run, p.readout.id, ref, ca, cb);
    disagreements.push({ sample: k, floatClass: ca, fixedClass: cb, judgement });
  });
  const ties = disagreements.filter((d) => d.judgement?.tie).length;
  return { ...a, readout: { ...a.readout, ties, disagreements } };
}

/** The float model `g` vs its integer model `m` on `inputs`. */
export async function measureLoihiAgreement(
  g: Graph,
  m: FixedModel,
  inputs: readonly StepInput[],
  opts: AgreementOptions = {},
): Promise<Agreement> {
  const big = sampleWork(m) * inputs.length >= THREADS_FROM;
  const threads = Math.min(inputs.length, opts.threads ?? (big ? availableParallelism() : 1));
  const done = (parts: SampleAgreement[]) => {
    const a = combineAgreement(parts);
    return opts.tie ? judgeDisagreements(g, m, inputs, parts, a, opts.tie) : a;
  };
  if (threads <= 1) return done(inputs.map((x) => agreementSample(g, m, x)));
  const { Piscina } = await import("piscina");
  const pool = new Piscina<{ inputs: StepInput[] }, SampleAgreement[]>({
    filename: workerFile(),
    workerData: { graph: g, model: m },
    minThreads: threads,
    maxThreads: threads,
  });
  // The first failure stops the other samples, once no worker is still loading its module.
  const loaded = loadedWorkers(pool, threads);
  const abort = new AbortController();
  setMaxListeners(inputs.length + 10, abort.signal); // every queued task listens to it
  let failure: { error: unknown } | undefined;
  let stopping: Promise<void> | undefined;
  const fail = (e: unknown) => {
    failure ??= { error: e };
    stopping ??= loaded.wait(5_000).then(() => abort.abort());
  };
  pool.on("error", fail);
  try {
    // one sample per task: the pool hands the next one to whichever thread is free
    const parts = await Promise.allSettled(
      inputs.map((x) =>
        pool.run({ inputs: [x] }, { signal: abort.signal }).catch((e: unknown) => {
          fail(e);
          throw e;
        }),
      ),
    );
    if (failure) throw failure.error;
    return done(parts.flatMap((p) => (p.status === "fulfilled" ? p.value : [])));
  } finally {
    await stopping;
    await pool.destroy();
  }
}
