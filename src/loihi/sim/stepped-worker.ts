/**
 * The thread of stepped-thread.ts: it receives the integer model once, then runs each input it is
 * sent on the time-stepped engine with every u and v kept, and sends the run back (its arrays
 * moved) or the error (as data).
 */
import { parentPort } from "node:worker_threads";
import { toWorkerError, type WorkerError } from "../../ir/worker-errors.ts";
import type { StepInput } from "../../sim/reference.ts";
import type { FixedModel } from "../model/integer-model.ts";
import type { FixedRun } from "./engine-common.ts";
import { runFixedStepped } from "./run-stepped.ts";

export type SteppedMessage = { model: FixedModel } | { input: StepInput };
export type SteppedReply = { run: FixedRun } | { error: WorkerError };

/** Every array buffer a run holds, once each (to move them to another thread). */
export function runBuffers(run: FixedRun): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView) => buffers.add(a.buffer as ArrayBuffer);
  for (const m of [run.spikes, run.u, run.v, run.r]) if (m) for (const steps of m.values()) steps.forEach(add);
  for (const m of [run.readoutV, run.readouts]) for (const a of m.values()) add(a);
  return [...buffers];
}

const port = parentPort!;
let model: FixedModel | undefined;
port.on("message", (msg: SteppedMessage) => {
  if ("model" in msg) {
    model = msg.model;
    return;
  }
  let reply: SteppedReply;
  try {
    reply = { run: runFixedStepped(model!, msg.input, { state: true }) };
  } catch (e) {
    reply = { error: toWorkerError(e) };
  }
  port.postMessage(reply, "run" in reply ? runBuffers(reply.run) : []);
});
