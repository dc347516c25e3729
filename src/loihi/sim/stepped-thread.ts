/**
 * The time-stepped engine in a thread of its own, so that verify runs the two integer engines side by
 * side: this thread runs the event-driven engine of a sample while the other runs the time-stepped
 * one. The model is sent once (copied); runs come back in the order they were asked for, their
 * arrays moved (src/util/request-thread.ts, which also says what happens when the thread stops).
 */
import { workerErrors } from "../../ir/worker-errors.ts";
import type { StepInput } from "../../sim/reference.ts";
import {
  type RequestThread,
  type RequestThreadOptions,
  requestThreadsAvailable,
  startRequestThread,
} from "../../util/request-thread.ts";
import type { FixedModel } from "../model/integer-model.ts";
import type { FixedRun } from "./engine-common.ts";
import { runFixedStepped } from "./run-stepped.ts";

/** `runFixedStepped(m, x, { state: true })`, made in the other thread. */
export type SteppedThread = RequestThread<StepInput, FixedRun>;

/** Whether runs can be made in another thread (compiled JavaScript). */
export const steppedThreadAvailable = requestThreadsAvailable;

/** Runs for `m`, in another thread unless `inThread` (or run from the sources). */
export function startSteppedThread(m: FixedModel, opts: RequestThreadOptions = {}): SteppedThread {
  return startRequestThread(
    new URL("./stepped-worker.js", import.meta.url),
    m,
    (x: StepInput) => runFixedStepped(m, x, { state: true }),
    workerErrors,
    opts,
  );
}
