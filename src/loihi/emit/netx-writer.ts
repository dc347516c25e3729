/**
 * network.net written in a thread of its own. Loading HDF5 (h5wasm: a 4 MB module, its WebAssembly
 * decoded, compiled and started) costs more than the rest of a small compile; started with the
 * compile, that load runs on another core while the model is built and its agreement measured, and
 * the file is written there too. The bytes are those `writeNetx` gives in this thread.
 */
import { Worker } from "node:worker_threads";
import { deferSignalsUntil } from "../../util/signals.ts";
import { fromWorkerError } from "../../ir/worker-errors.ts";
import type { FixedModel } from "../model/integer-model.ts";
import { checkedNetxEntries, netxBuffers, writeNetx } from "./netx-hdf5.ts";
import type { NetxReply, NetxTask } from "./netx-worker.ts";

export interface NetxWriter {
  /** The bytes of network.net for `m` (one model at a time). */
  write(m: FixedModel, opts?: { tmpDir?: string }): Promise<Uint8Array>;
  /** Stops the thread (whether or not it wrote anything). */
  close(): void;
}

export function startNetxWriter(): NetxWriter {
  // Run from the TypeScript sources (tests), a worker thread could not load them: the file is
  // written in this thread, as the worker would write it.
  if (import.meta.url.endsWith(".ts")) return { write: (m, opts) => writeNetx(m, opts), close: () => undefined };
  const worker = new Worker(new URL("./netx-worker.js", import.meta.url));
  // Loading ahead must not keep the process alive; a write in progress does (ref below).
  worker.unref();
  // A worker that failed before it was asked for anything: the failure is the reply to the write.
  let failed: Error | undefined;
  const onEarlyError = (e: Error) => {
    failed ??= e;
  };
  worker.on("error", onEarlyError);
  let closed = false;
  return {
    write(m, opts = {}) {
      const reply = new Promise<Uint8Array>((resolve, reject) => {
        if (failed) return reject(failed);
        const done = () => {
          worker.off("message", onMessage);
          worker.off("error", onError);
          worker.off("exit", onExit);
          worker.unref();
        };
        const onMessage = (r: NetxReply) => {
          done();
          if ("error" in r) reject(fromWorkerError(r.error));
          else resolve(r.bytes);
        };
        const onError = (e: Error) => {
          done();
          reject(e);
        };
        const onExit = (code: number) => {
          done();
          reject(failed ?? new Error(`the thread writing network.net stopped (exit code ${code})`));
        };
        worker.on("message", onMessage);
        worker.on("error", onError);
        worker.on("exit", onExit);
        worker.ref();
        // The datasets are made here (what writing in this thread would make too) and their arrays
        // moved, not copied: the model itself stays here.
        const task: NetxTask = { entries: checkedNetxEntries(m), tmpDir: opts.tmpDir };
        worker.postMessage(task, netxBuffers(task.entries));
      });
      // A signal during the write takes effect after it, once the worker removed its temporary files.
      return deferSignalsUntil(reply);
    },
    close() {
      if (closed) return;
      closed = true;
      void worker.terminate();
    },
  };
}

let ahead: NetxWriter | undefined;

/** Starts the writer now, for the next compile to take (`takeNetxWriter`): HDF5 loads while the model is read. */
export function startNetxWriterAhead(): void {
  ahead ??= startNetxWriter();
}

/** The writer started ahead, if any (it is the caller's to close). */
export function takeNetxWriter(): NetxWriter | undefined {
  const w = ahead;
  ahead = undefined;
  return w;
}
