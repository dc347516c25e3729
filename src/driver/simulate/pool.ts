/**
 * Runs many samples across worker threads (a piscina pool of `workers` threads), or in the calling
 * thread (`workers` 0). Each worker receives the graph once and builds the target's model once
 * (worker.ts); the samples go out in chunks, and the outcomes come back in the order of the samples
 * whatever thread ran them, so the result does not depend on the number of workers. The first
 * error stops the other tasks. The calling thread is free while the workers run (`onStarted`), and
 * the result comes back as the threads stop.
 */
import { setMaxListeners } from "node:events";
import type { Graph } from "../../ir/nodes.ts";
import { fromWorkerError } from "../../ir/worker-errors.ts";
import type { StepInput } from "../../sim/reference.ts";
import { prepareRun } from "./prepare.ts";
import { type RunMeta, type SampleOutcome, sampleRunner } from "./runner.ts";
import { loadedWorkers } from "../../util/worker-loaded.ts";
import type { WorkerReply, WorkerSetup, WorkerTask } from "./worker.ts";

export interface PoolOptions {
  target: string;
  /** Worker threads (at most one per chunk of samples); 0: the samples run in the calling thread. */
  workers: number;
  /** The model file, for messages. */
  file?: string;
  /** Called after each chunk with the samples done so far. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Called once the samples have gone out to the worker threads (never when they run in the
   * calling thread): this thread has nothing to do until the first chunk comes back.
   */
  onStarted?: () => void;
}

/** The worker module for `target`: the .js in a build, the .ts when run from the sources. */
function workerFile(target: string): string {
  const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
  return new URL(`./worker-${target === "float" ? "float" : "target"}.${ext}`, import.meta.url).href;
}

/**
 * The samples of each task, in order: at most 32 (progress after each), and each at most half the
 * samples still to go over the workers, so that the last tasks are small and the workers end
 * together (a worker that takes the last large task leaves the other idle for as long).
 */
export function chunkSizes(samples: number, workers: number): number[] {
  const sizes: number[] = [];
  for (let left = samples; left > 0; ) {
    const k = Math.max(1, Math.min(32, Math.ceil(left / (2 * workers))));
    sizes.push(k);
    left -= k;
  }
  return sizes;
}

/** `inputs` cut into chunks of `sizes`, each with the index of its first sample. */
function chunksOf(inputs: readonly StepInput[], sizes: readonly number[]): { first: number; inputs: StepInput[] }[] {
  let first = 0;
  return sizes.map((k) => {
    const c = { first, inputs: inputs.slice(first, first + k) };
    first += k;
    return c;
  });
}

/** The samples run here, chunk by chunk as a pool would (progress after each; timers may run between). */
async function inThisThread(
  g: Graph,
  inputs: readonly StepInput[],
  opts: PoolOptions,
): Promise<{ meta: RunMeta; outcomes: SampleOutcome[] }> {
  const runner = sampleRunner(await prepareRun(g, opts.target, opts.file));
  const outcomes: SampleOutcome[] = [];
  for (const chunk of chunksOf(inputs, chunkSizes(inputs.length, 1))) {
    for (const x of chunk.inputs) outcomes.push(runner.run(x, outcomes.length));
    opts.onProgress?.(outcomes.length, inputs.length);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { meta: runner.meta, outcomes };
}

export async function runSamples(
  g: Graph,
  inputs: readonly StepInput[],
  opts: PoolOptions,
): Promise<{ meta: RunMeta; outcomes: SampleOutcome[] }> {
  // No samples (an empty shard): the model is still built, for the layers the result names.
  if (inputs.length === 0)
    return { meta: sampleRunner(await prepareRun(g, opts.target, opts.file)).meta, outcomes: [] };
  if (opts.workers === 0) return inThisThread(g, inputs, opts);
  const chunks = chunksOf(inputs, chunkSizes(inputs.length, opts.workers));
  const threads = Math.max(1, Math.min(opts.workers, chunks.length));
  const { Piscina } = await import("piscina");
  const setup: WorkerSetup = { graph: g, target: opts.target, file: opts.file };
  const pool = new Piscina<WorkerTask, WorkerReply>({
    filename: workerFile(opts.target),
    workerData: setup,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
  });
  const abort = new AbortController();
  setMaxListeners(chunks.length + 10, abort.signal); // every queued task listens to it
  const loaded = loadedWorkers(pool, threads);
  let failure: { error: unknown } | undefined;
  let stopping: Promise<void> | undefined;
  // The first failure stops the other tasks, once no worker is still loading its module.
  const fail = (e: unknown) => {
    failure ??= { error: e };
    stopping ??= loaded.wait(5_000).then(() => abort.abort());
  };
  let done = 0;
  // Errors of the pool itself (a worker that died outside a task; the reply of a task that was
  // aborted while it ran): the first one fails the run, later ones follow a failure already known.
  pool.on("error", fail);
  try {
    const settled = Promise.allSettled(
      chunks.map(async (c) => {
        try {
          const reply = await pool.run(c, { signal: abort.signal });
          if ("error" in reply) throw fromWorkerError(reply.error);
          done += c.inputs.length;
          opts.onProgress?.(done, inputs.length);
          return reply;
        } catch (e) {
          fail(e);
          throw e;
        }
      }),
    );
    try {
      opts.onStarted?.();
    } catch (e) {
      fail(e);
    }
    const replies = await settled;
    if (failure) throw failure.error;
    const ok = replies.map((r) => (r.status === "fulfilled" && !("error" in r.value) ? r.value : undefined));
    return { meta: ok[0]!.meta, outcomes: ok.flatMap((r) => r!.outcomes) };
  } finally {
    // The threads are stopped once none is still loading its module. A failed run ends when they
    // have; a run that succeeded hands its result on while they stop.
    const closed = (stopping ?? loaded.wait(5_000)).then(() => pool.destroy());
    if (failure) await closed;
    else closed.catch(() => {});
  }
}
