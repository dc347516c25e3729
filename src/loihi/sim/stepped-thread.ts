/**
 * The time-stepped engine in a thread of its own, so that verify runs the two integer engines side by
 * side: this thread runs the event-driven engine of a sample while the other runs the time-stepped
 * one. The model is sent once (copied; its weights are in shared memory); runs come back in the
 * order they were asked for, their arrays moved (src/util/request-thread.ts, which also says what
 * happens when the thread stops). A request with a ring (state-ring.ts) streams each step's u and v
 * through it instead of keeping them in the run; a run made in this thread keeps them.
 */
import { type WorkerError, workerErrors } from "../../ir/worker-errors.ts";
import type { StepInput } from "../../sim/reference.ts";
import {
  openRequestThread,
  type RequestThread,
  type RequestThreadOptions,
  requestThreadsAvailable,
} from "../../util/request-thread.ts";
import type { FixedModel } from "../model/integer-model.ts";
import type { FixedRun } from "./engine-common.ts";
import { runFixedStepped } from "./run-stepped.ts";

/** One sample, and the ring its states are to stream through (state-ring.ts `stateRing`). */
export interface SteppedRequest {
  x: StepInput;
  ring?: SharedArrayBuffer;
}

/** `runFixedStepped(m, x)`, made in the other thread: its u and v in the ring if one is given, else kept. */
export type SteppedThread = RequestThread<SteppedRequest, FixedRun>;

/** Whether runs can be made in another thread (compiled JavaScript). */
export const steppedThreadAvailable = requestThreadsAvailable;

/** The thread started before the model is built (its module loads meanwhile); `ready` sends the model. */
export interface OpeningSteppedThread {
  ready(m: FixedModel): SteppedThread;
  close(): void;
}

/** A thread for the runs of a model still to come, in another thread unless `inThread` (or run from the sources). */
export function openSteppedThread(opts: RequestThreadOptions = {}): OpeningSteppedThread {
  const t = openRequestThread<FixedModel, SteppedRequest, FixedRun, WorkerError>(
    new URL("./stepped-worker.js", import.meta.url),
    workerErrors,
    opts,
  );
  return {
    // made here, a run keeps its states: nothing would read a ring while it runs
    ready: (m) => t.ready(m, (r: SteppedRequest) => runFixedStepped(m, r.x, { state: true })),
    close: () => t.close(),
  };
}

/** Runs for `m`, in another thread unless `inThread` (or run from the sources). */
export function startSteppedThread(m: FixedModel, opts: RequestThreadOptions = {}): SteppedThread {
  return openSteppedThread(opts).ready(m);
}
