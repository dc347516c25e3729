/**
 * What a worker thread of `snnc simulate` does with its tasks (the pool in pool.ts starts
 * worker-float.ts or worker-target.ts, which give the way to build the model): build the model
 * once, from the graph the worker was started with, then run the samples of each task. Errors
 * travel back as data, so that the main thread can report a user error (SnncError) as one line
 * with its exit code: a thrown error loses its class between threads. The worker modules import
 * statically only (no import() in a worker: a module loader registered in the main thread, as in
 * the tests, does not reach worker threads).
 */
import { workerData } from "node:worker_threads";
import type { Graph } from "../../ir/nodes.ts";
import { toWorkerError, type WorkerError } from "../../ir/worker-errors.ts";
import type { StepInput } from "../../sim/reference.ts";
import type { PreparedRun } from "../types.ts";
import { type RunMeta, type SampleOutcome, type SampleRunner, sampleRunner } from "./runner.ts";

export interface WorkerSetup {
  graph: Graph;
  target: string;
  file?: string;
}

export interface WorkerTask {
  inputs: StepInput[];
  /** The index of the first of them among the run's samples. */
  first: number;
}

export type WorkerReply = { meta: RunMeta; outcomes: SampleOutcome[] } | { error: WorkerError };

/** The task handler of a worker whose model `prepare` builds (once, at the first task). */
export function taskHandler(prepare: (s: WorkerSetup) => PreparedRun): (task: WorkerTask) => WorkerReply {
  let runner: SampleRunner | { error: WorkerError } | undefined;
  return (task) => {
    try {
      runner ??= sampleRunner(prepare(workerData as WorkerSetup));
    } catch (e) {
      runner = { error: toWorkerError(e) };
    }
    if ("error" in runner) return runner;
    const r = runner;
    try {
      return { meta: r.meta, outcomes: task.inputs.map((x, i) => r.run(x, task.first + i)) };
    } catch (e) {
      return { error: toWorkerError(e) };
    }
  };
}
