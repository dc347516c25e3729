/**
 * The thread that writes network.net (started by netx-writer.ts): it loads HDF5 (h5wasm) as soon
 * as it starts, while the main thread still builds the model, then writes each file it is sent
 * (its datasets made by the main thread, their arrays transferred) and sends the bytes back (or
 * the error, as data).
 */
import { parentPort } from "node:worker_threads";
import { toWorkerError, type WorkerError } from "../../ir/worker-errors.ts";
import { h5wasmLoaded, type NetxEntry, writeNetxEntries } from "./netx-hdf5.ts";

export interface NetxTask {
  entries: NetxEntry[];
  tmpDir?: string;
}

export type NetxReply = { bytes: Uint8Array } | { error: WorkerError };

const port = parentPort!;
// A failure to load shows again, as the reply, when the file is asked for.
h5wasmLoaded().catch(() => undefined);
port.on("message", async (task: NetxTask) => {
  let reply: NetxReply;
  try {
    reply = { bytes: await writeNetxEntries(task.entries, { tmpDir: task.tmpDir }) };
  } catch (e) {
    reply = { error: toWorkerError(e) };
  }
  port.postMessage(reply, "bytes" in reply ? [reply.bytes.buffer as ArrayBuffer] : []);
});
