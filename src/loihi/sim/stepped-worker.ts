/**
 * The thread of stepped-thread.ts: it receives the integer model once, then runs each sample it is
 * sent on the time-stepped engine, each step's u and v written into the request's ring
 * (state-ring.ts) or, without one, kept in the run, and sends the run back (its arrays moved) or
 * the error (as data).
 */
import { workerErrors } from "../../ir/worker-errors.ts";
import { distinctBuffers, serveRequests } from "../../util/request-thread.ts";
import type { FixedModel } from "../model/integer-model.ts";
import type { FixedRun } from "./engine-common.ts";
import { runFixedStepped } from "./run-stepped.ts";
import { ringWriter } from "./state-ring.ts";
import type { SteppedRequest } from "./stepped-thread.ts";

/** Every array buffer a run holds, once each (to move them to another thread). */
export function runBuffers(run: FixedRun): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [];
  for (const m of [run.spikes, run.u, run.v, run.r]) if (m) for (const steps of m.values()) arrays.push(...steps);
  for (const m of [run.readoutV, run.readouts]) arrays.push(...m.values());
  return distinctBuffers(arrays);
}

serveRequests(
  (m: FixedModel) => (r: SteppedRequest) =>
    runFixedStepped(m, r.x, r.ring ? { onStep: ringWriter(m, r.ring) } : { state: true }),
  runBuffers,
  workerErrors,
);
