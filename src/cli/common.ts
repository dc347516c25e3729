/** Helpers shared by the CLI commands: loading, inputs, atomic outputs, error reporting. */
import { SnncError } from "../ir/errors.ts";
export { loadModel } from "../frontends/index.ts";
export { readInputs } from "../inputs/read-inputs.ts";
export { randomInputs } from "../inputs/random-inputs.ts";
export { writeOutputsAtomically } from "./write-outputs.ts";

/** Exit codes of every snnc command (documented in the README). */
export const EXIT = {
  ok: 0,
  /** verify: some spike or value differs. */
  diverged: 1,
  usage: 2,
  /** bad model or input file. */
  badInput: 3,
  /** the model cannot be compiled exactly for the target (refusal, does not fit). */
  refused: 4,
  internal: 70,
} as const;

/** Thrown by commands to end with a given exit code after printing. */
export class ExitRequest extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/**
 * Print an error as one line on stderr and return the exit code. User errors (SnncError) never
 * show a stack trace; anything else is a bug in snnc and says so (stack with SNNC_DEBUG=1).
 */
export function fail(err: unknown): number {
  if (err instanceof ExitRequest) return err.code;
  if (err instanceof SnncError) {
    process.stderr.write(`snnc: error: ${err.message}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  process.stderr.write(
    `snnc: internal error: ${e?.message ?? String(err)} (this is a bug in snnc; rerun with SNNC_DEBUG=1 for details)\n`,
  );
  if (process.env.SNNC_DEBUG) process.stderr.write(`${e?.stack ?? ""}\n`);
  return EXIT.internal;
}

export function parseIntOption(v: string, name: string, min = 0): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new SnncError("E_USAGE", `${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

export function parseNumberOption(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new SnncError("E_USAGE", `${name} must be a number, got '${v}'`);
  return n;
}

/** Runs `fn`, attaching `file` to any SnncError that does not name a file yet. */
export async function inFile<T>(file: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof SnncError) throw e.withLocation({ file });
    throw e;
  }
}
