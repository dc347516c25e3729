/**
 * The thread of stepped-thread.ts: it receives the integer model once, then runs each input it is
 * sent on the time-stepped engine with every u and v kept, and sends the run back (its arrays
 * moved) or the error (as data).
 */
import { workerErrors } from "../../ir/worker-errors.ts";
import type { StepInput } from "../../sim/reference.ts";
import { distinctBuffers, serveRequests } from "../../util/request-thread.ts";
import type { FixedModel } from "../model/integer-model.ts";
import type { FixedRun } from "./engine-common.ts";
import { runFixedStepped } from "./run-stepped.ts";

/** Every array buffer a run holds, once each (to move them to another thread). */
export function runBuffers(run: FixedRun): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [];
  for (const m of [run.spikes, run.u, run.v, run.r]) if (m) for (const steps of m.values()) arrays.push(...steps);
  for (const m of [run.readoutV, run.readouts]) arrays.push(...m.values());
  return distinctBuffers(arrays);
}

serveRequests((m: FixedModel) => (x: StepInput) => runFixedStepped(m, x, { state: true }), runBuffers, workerErrors);
