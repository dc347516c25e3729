/**
 * The time-stepped engine in a thread of its own, so that verify runs the two integer engines side by
 * side: this thread runs the event-driven engine and the float reference of a sample while the
 * other runs the time-stepped one. The model is sent once (copied); runs come back in the
 * order they were asked for, their arrays moved. Run from the TypeScript sources (tests), a worker
 * thread cannot load them: the runs are made in this thread then, when asked for (as they are
 * with `inThread`).
 */
import { Worker } from "node:worker_threads";
import { fromWorkerError } from "../../ir/worker-errors.ts";
import type { StepInput } from "../../sim/reference.ts";
import type { FixedModel } from "../model/integer-model.ts";
import type { FixedRun } from "./engine-common.ts";
import { runFixedStepped } from "./run-stepped.ts";
import type { SteppedMessage, SteppedReply } from "./stepped-worker.ts";

export interface SteppedThread {
  /** `runFixedStepped(m, x, { state: true })`, made in the other thread. */
  run(x: StepInput): Promise<FixedRun>;
  close(): void;
}

/** Whether runs can be made in another thread (compiled JavaScript). */
export const steppedThreadAvailable = !import.meta.url.endsWith(".ts");

/** Runs for `m`, in another thread unless `inThread` (or run from the sources). */
export function startSteppedThread(m: FixedModel, opts: { inThread?: boolean } = {}): SteppedThread {
  if (opts.inThread || !steppedThreadAvailable)
    return { run: async (x) => runFixedStepped(m, x, { state: true }), close: () => undefined };
  const worker = new Worker(new URL("./stepped-worker.js", import.meta.url));
  worker.unref();
  const waiting: { resolve: (r: FixedRun) => void; reject: (e: Error) => void }[] = [];
  let failed: Error | undefined;
  const failAll = (e: Error) => {
    failed ??= e;
    for (const w of waiting.splice(0)) w.reject(failed);
    worker.unref();
  };
  worker.on("message", (r: SteppedReply) => {
    const w = waiting.shift()!;
    if (waiting.length === 0) worker.unref();
    if ("error" in r) w.reject(fromWorkerError(r.error));
    else w.resolve(r.run);
  });
  worker.on("error", failAll);
  worker.on("exit", (code) => failAll(new Error(`the time-stepped engine's thread stopped (exit code ${code})`)));
  worker.postMessage({ model: m } satisfies SteppedMessage);
  return {
    run(x) {
      if (failed) return Promise.reject(failed);
      const reply = new Promise<FixedRun>((resolve, reject) => waiting.push({ resolve, reject }));
      reply.catch(() => undefined); // a run asked for ahead and never awaited (the caller failed first)
      worker.ref();
      worker.postMessage({ input: x } satisfies SteppedMessage);
      return reply;
    },
    close() {
      void worker.terminate();
    },
  };
}
