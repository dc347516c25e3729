/**
 * Errors between threads. A thrown error loses its class when it crosses to another thread, so a
 * worker sends it back as data and the thread that started the worker makes it an error again: a
 * user error (SnncError) keeps its code and location, so that it is reported as one line with its
 * exit code; anything else stays an internal error with its message and stack.
 */
import { type ErrorCode, SnncError } from "./errors.ts";

export interface WorkerError {
  code: ErrorCode | "internal";
  detail: string;
  file?: string;
  layer?: string;
  param?: string;
  sample?: number;
  stack?: string;
}

/** What a worker sends back for the error `e`. */
export function toWorkerError(e: unknown): WorkerError {
  if (e instanceof SnncError)
    return { code: e.code, detail: e.detail, file: e.file, layer: e.layer, param: e.param, sample: e.sample };
  const err = e as Error;
  return { code: "internal", detail: err?.message ?? String(e), stack: err?.stack };
}

/** The error a worker sent back, as an error of this thread. */
export function fromWorkerError(e: WorkerError): Error {
  if (e.code !== "internal")
    return new SnncError(e.code, e.detail, { file: e.file, layer: e.layer, param: e.param, sample: e.sample });
  const err = new Error(e.detail);
  if (e.stack) err.stack = e.stack;
  return err;
}

/** Both directions, for a thread helper that takes them as a pair (src/util/request-thread.ts). */
export const workerErrors = { toData: toWorkerError, fromData: fromWorkerError };
