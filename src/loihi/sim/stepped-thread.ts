/**
 * The time-stepped engine in a thread of its own, so that verify runs the two integer engines side by
 * side: this thread runs the event-driven engine and the float reference of a sample while the
 * other runs the time-stepped one. The model is sent once (copied); runs come back in the
 * order they were asked for, their arrays moved. Run from the TypeScript sources (tests), a worker
 * thread cannot load them: the runs are made in this thread then, when asked for (as they are
 * with `inThread`).
 */
import { type ResourceLimits, Worker } from "node:worker_threads";
import { fromWorkerError } from "../../ir/worker-errors.ts";
import type { StepInput } from "../../sim/reference.ts";
import type { FixedModel } from "../model/integer-model.ts";
import type { FixedRun } from "./engine-common.ts";
import { runFixedStepped } from "./run-stepped.ts";
import type { SteppedMessage, SteppedReply } from "./stepped-worker.ts";

export interface SteppedThread {
  /** `runFixedStepped(m, x, { state: true })`, made in the other thread. */
  run(x: StepInput): Promise<FixedRun>;
  /** Whether the runs are made in this thread (asked for, or handed back by a thread that stopped). */
  inThisThread(): boolean;
  close(): void;
}

/** Whether runs can be made in another thread (compiled JavaScript). */
export const steppedThreadAvailable = !import.meta.url.endsWith(".ts");

export interface SteppedThreadOptions {
  /** Make the runs in this thread. */
  inThread?: boolean;
  /** The thread's heap limits (worker_threads' resourceLimits). */
  resourceLimits?: ResourceLimits;
}

/**
 * Runs for `m`, in another thread unless `inThread` (or run from the sources). A thread that stops
 * before it has answered (it ran out of memory, say: it holds a copy of the model) hands its work
 * back: what it had not answered, and every later run, is made in this thread.
 */
export function startSteppedThread(m: FixedModel, opts: SteppedThreadOptions = {}): SteppedThread {
  const here = async (x: StepInput) => runFixedStepped(m, x, { state: true });
  if (opts.inThread || !steppedThreadAvailable) return { run: here, inThisThread: () => true, close: () => undefined };
  const worker = new Worker(new URL("./stepped-worker.js", import.meta.url), { resourceLimits: opts.resourceLimits });
  worker.unref();
  const waiting: { x: StepInput; resolve: (r: FixedRun) => void; reject: (e: unknown) => void }[] = [];
  let lost = false;
  let closed = false;
  const handBack = () => {
    if (lost) return;
    lost = true;
    worker.unref();
    for (const w of waiting.splice(0)) {
      if (closed) w.reject(new Error("closed"));
      else here(w.x).then(w.resolve, w.reject);
    }
  };
  worker.on("message", (r: SteppedReply) => {
    const w = waiting.shift()!;
    if (waiting.length === 0) worker.unref();
    if ("error" in r) w.reject(fromWorkerError(r.error));
    else w.resolve(r.run);
  });
  worker.on("error", handBack);
  worker.on("exit", handBack);
  worker.postMessage({ model: m } satisfies SteppedMessage);
  return {
    run(x) {
      if (lost) return here(x);
      const reply = new Promise<FixedRun>((resolve, reject) => waiting.push({ x, resolve, reject }));
      reply.catch(() => undefined); // a run asked for ahead and never awaited (the caller failed first)
      worker.ref();
      worker.postMessage({ input: x } satisfies SteppedMessage);
      return reply;
    },
    inThisThread: () => lost,
    close() {
      closed = true;
      void worker.terminate();
    },
  };
}
