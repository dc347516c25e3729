/** Helpers shared by the CLI commands: loading, inputs, atomic outputs, error reporting. */
import { SnncError } from "../ir/errors.ts";
import type { Command } from "commander";
import { type LoadOptions, parseLoadOptions } from "../frontends/index.ts";
export { loadModel } from "../frontends/index.ts";
export { readInputs } from "../inputs/read-inputs.ts";
import type { SampleSource } from "../inputs/input-set.ts";
import { readInputs } from "../inputs/read-inputs.ts";
import { LIMITS } from "../ir/limits.ts";
import type { Graph } from "../ir/nodes.ts";
import type { StepInput } from "../sim/reference.ts";
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
  /** an output file could not be written (disk full, file size limit, permissions). */
  writeFailed: 74,
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
    process.stderr.write(`snnc: error: ${oneLine(err.message)}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  process.stderr.write(
    `snnc: internal error: ${oneLine(e?.message ?? String(err))} (this is a bug in snnc; rerun with SNNC_DEBUG=1 for details)\n`,
  );
  if (process.env.SNNC_DEBUG) process.stderr.write(`${e?.stack ?? ""}\n`);
  return EXIT.internal;
}

/** Messages quoting a file (a JSON parser's excerpt) may hold line breaks; an error is one line. */
function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, " ");
}

export function parseIntOption(v: string, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new SnncError("E_USAGE", `${name} must be an integer >= ${min}, got '${v}'`);
  if (n > max) throw new SnncError("E_USAGE", `${name} ${v} is above snnc's limit of ${max}`);
  return n;
}

/** `--timesteps <T>`: 1 ≤ T ≤ the documented limit. */
export function timestepsOption(v: string): number {
  return parseIntOption(v, "--timesteps", 1, LIMITS.timesteps);
}

/** `--random <n>`: 1 ≤ n ≤ the documented limit on samples. */
export function samplesOption(v: string, name = "--random"): number {
  return parseIntOption(v, name, 1, LIMITS.samples);
}

/** Commander's parser for an option given several times (`--input a --input b`): each value is kept. */
export function collectOption(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Where a sample came from: its `--input` file, and its index among that file's samples. */
export type { SampleSource };

/** The samples of every `--input` file, in order, for a run of `timesteps` steps, with where each came from. */
export function readInputFiles(
  files: readonly string[],
  g: Graph,
  timesteps?: number,
): StepInput[] & { sources: SampleSource[] } {
  const out = Object.assign([] as StepInput[], { sources: [] as SampleSource[] });
  for (const f of files) {
    const samples = readInputs(f, g, timesteps);
    out.push(...samples);
    for (let i = 0; i < samples.length; i++) out.sources.push({ file: f, index: i, of: samples.length });
    if (out.length > LIMITS.samples)
      throw new SnncError("E_USAGE", `the --input files hold more than snnc's limit of ${LIMITS.samples} samples`);
  }
  return out;
}

/**
 * Runs `fn` on the model `file`'s samples: an error about one sample (SnncError.sample) names the
 * input file it came from (and the sample in it, when the file holds several); any other names
 * `file`, if given.
 */
export async function inFileAndInputs<T>(
  file: string | undefined,
  sources: readonly SampleSource[],
  fn: () => T | Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof SnncError)) throw e;
    const src = e.sample !== undefined ? sources[e.sample] : undefined;
    if (!src) throw file === undefined ? e : e.withLocation({ file });
    throw e.withLocation({ file: src.of > 1 ? `${src.file}: sample ${src.index}` : src.file });
  }
}

export function parseNumberOption(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new SnncError("E_USAGE", `${name} must be a number, got '${v}'`);
  return n;
}

/** Runs `fn`, attaching `file` to any SnncError that does not name a file yet. */
export function inFile<T>(file: string, fn: () => T | Promise<T>): Promise<T> {
  return inFileAndInputs(file, [], fn);
}

/** The commands that load a model take --dt / --dt-method (how a NIR model's time constants become decays). */
export const MODEL_COMMANDS: ReadonlySet<string> = new Set(["inspect", "run", "compile", "verify", "report"]);

export function addTimeStepOptions(c: Command): void {
  c.option("--dt <seconds>", "NIR models: the time step (default: the file's snnc_dt, else 1e-4 s)").option(
    "--dt-method <m>",
    "NIR models: euler (decay 1 − dt/τ) or exp (decay e^(−dt/τ)) (default: the file's, else euler)",
  );
}

/** The parsed --dt / --dt-method of a command's options. */
export function loadOptions(opts: object): LoadOptions {
  const o = opts as { dt?: string; dtMethod?: string };
  return parseLoadOptions({ dt: o.dt, dtMethod: o.dtMethod });
}
