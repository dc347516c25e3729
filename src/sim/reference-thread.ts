/**
 * The float reference (`simulate`) in a thread of its own, so that a command can run it on a
 * second core while this thread does something else: verify runs it while this thread builds the
 * integer model. The graph and the run options are sent once (copied); results come back in the
 * order they were asked for, their arrays moved (src/util/request-thread.ts).
 */
import type { Graph } from "../ir/nodes.ts";
import { workerErrors } from "../ir/worker-errors.ts";
import {
  type RequestThread,
  type RequestThreadOptions,
  requestThreadsAvailable,
  startRequestThread,
} from "../util/request-thread.ts";
import { type RunOptions, type RunResult, type StepInput, simulate } from "./reference.ts";

/** What the thread can be asked to run: the options that are data (no callbacks). */
export type ThreadRunOptions = Pick<RunOptions, "timesteps" | "trace">;

/** `simulate(g, x, opts)`, made in the other thread. */
export type ReferenceThread = RequestThread<StepInput, RunResult>;

/** Whether runs can be made in another thread (compiled JavaScript). */
export const referenceThreadAvailable = requestThreadsAvailable;

/** Float runs of `g`, in another thread unless `inThread` (or run from the sources). */
export function startReferenceThread(
  g: Graph,
  opts: ThreadRunOptions,
  thread: RequestThreadOptions = {},
): ReferenceThread {
  const setup = { graph: g, opts: { timesteps: opts.timesteps, trace: opts.trace } };
  return startRequestThread(
    new URL("./reference-worker.js", import.meta.url),
    setup,
    (x: StepInput) => simulate(g, x, setup.opts),
    workerErrors,
    thread,
  );
}
