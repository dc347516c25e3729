/**
 * The thread of reference-thread.ts: it receives the graph and the run options once, then runs
 * each input it is sent on the float reference and sends the result back (its arrays moved) or
 * the error (as data).
 */
import type { Graph } from "../ir/nodes.ts";
import { workerErrors } from "../ir/worker-errors.ts";
import { distinctBuffers, serveRequests } from "../util/request-thread.ts";
import { type RunResult, type StepInput, simulate } from "./reference.ts";
import type { ThreadRunOptions } from "./reference-thread.ts";

/** Every array buffer a result holds, once each (to move them to another thread). */
export function resultBuffers(r: RunResult): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [...r.readouts.values()];
  for (const t of r.traces.values()) for (const steps of [t.out, t.h, t.margin]) if (steps) arrays.push(...steps);
  return distinctBuffers(arrays);
}

serveRequests(
  (s: { graph: Graph; opts: ThreadRunOptions }) => (x: StepInput) => simulate(s.graph, x, s.opts),
  resultBuffers,
  workerErrors,
);
