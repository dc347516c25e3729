/**
 * The thread that writes network.net (started by netx-writer.ts): it loads HDF5 (h5wasm) as soon
 * as it starts, while the main thread still builds the model, then writes the file of each model
 * it is sent and sends the bytes back (or the error, as data).
 */
import { parentPort } from "node:worker_threads";
import { toWorkerError, type WorkerError } from "../../ir/worker-errors.ts";
import type { FixedModel } from "../model/integer-model.ts";
import { h5wasmLoaded, writeNetx } from "./netx-hdf5.ts";

export interface NetxTask {
  model: FixedModel;
  tmpDir?: string;
}

export type NetxReply = { bytes: Uint8Array } | { error: WorkerError };

const port = parentPort!;
// A failure to load shows again, as the reply, when the file is asked for.
h5wasmLoaded().catch(() => undefined);
port.on("message", async (task: NetxTask) => {
  let reply: NetxReply;
  try {
    reply = { bytes: await writeNetx(task.model, { tmpDir: task.tmpDir }) };
  } catch (e) {
    reply = { error: toWorkerError(e) };
  }
  port.postMessage(reply, "bytes" in reply ? [reply.bytes.buffer as ArrayBuffer] : []);
});
