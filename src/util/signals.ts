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

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

let depth = 0;
let installed = false;

function onSignal(sig: NodeJS.Signals): void {
  process.exit(128 + (constants.signals[sig] ?? 0));
}

function install(): void {
  if (installed) return;
  for (const s of SIGNALS) process.on(s, onSignal);
  installed = true;
}

function release(): void {
  if (depth > 0 || !installed) return;
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
