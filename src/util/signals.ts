/**
 * Critical sections that a signal must not cut short. SIGINT, SIGTERM and SIGHUP arriving while
 * `deferSignals(fn)` runs take effect only after `fn` has returned or thrown, that is after its
 * own clean-up (`finally` blocks that remove temporary files) ran; the process then exits with
 * 128 + the signal's number (130, 143, 129), as if the signal had ended it. Outside these
 * sections the signals keep their default, immediate effect, so a long computation stays
 * interruptible at once.
 *
 * `fn` must be synchronous: JavaScript cannot act on a signal before the running code yields, which
 * is what makes the section whole.
 */
import { constants } from "node:os";
import { isMainThread } from "node:worker_threads";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

let depth = 0;
let installed = false;
/** Asynchronous sections running (work of another thread awaited), and the signal caught meanwhile. */
let awaiting = 0;
let pending: NodeJS.Signals | undefined;

function exitFor(sig: NodeJS.Signals): never {
  process.exit(128 + (constants.signals[sig] ?? 0));
}

function onSignal(sig: NodeJS.Signals): void {
  if (awaiting > 0) pending ??= sig;
  else exitFor(sig);
}

function install(): void {
  // A worker thread leaves signals to the main thread, which waits for its work (deferSignalsUntil):
  // a handler here would take the signal from it.
  if (installed || !isMainThread) return;
  for (const s of SIGNALS) process.on(s, onSignal);
  installed = true;
}

function release(): void {
  if (depth > 0 || awaiting > 0 || !installed) return;
  for (const s of SIGNALS) process.off(s, onSignal);
  installed = false;
}

export function deferSignals<T>(fn: () => T): T {
  install();
  depth++;
  try {
    return fn();
  } finally {
    depth--;
    // A signal caught during fn is dispatched by the event loop's next poll phase; the handlers
    // stay until one full loop turn has passed, so that it is acted on, not lost.
    if (depth === 0) setImmediate(() => setImmediate(release));
  }
}

/**
 * The same for work another thread does (a worker writing a file): a signal that arrives while
 * `work` is pending takes effect once it has settled, that is after the worker's own clean-up.
 */
export async function deferSignalsUntil<T>(work: Promise<T>): Promise<T> {
  install();
  awaiting++;
  try {
    return await work;
  } finally {
    awaiting--;
    if (awaiting === 0 && pending) exitFor(pending);
    // As above: a signal the event loop has not dispatched yet is acted on, not lost.
    if (awaiting === 0) setImmediate(() => setImmediate(release));
  }
}
