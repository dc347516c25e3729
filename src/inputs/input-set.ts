/**
 * The sample set of `snnc simulate --inputs <file|dir|digits>`:
 *  - `digits`: the test split of the shipped 8×8 digits data set, with its labels (digits.ts);
 *  - a directory: every `.npy` and `.json` input file in it (not in sub-directories), in the order
 *    of their names (compared as strings of UTF-16 code units, as JavaScript sorts);
 *  - a file: the samples of that input file (read-inputs.ts).
 * A file holding several samples contributes them in its order, named `<file>#<k>`. Names hold
 * no directory, so that the same set read on another machine gives the same names.
 */
import { readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { SnncError } from "../ir/errors.ts";
import type { Graph } from "../ir/nodes.ts";
import type { StepInput } from "../sim/reference.ts";
import { digitsTestSet } from "./digits.ts";
import { readInputs } from "./read-inputs.ts";

/** Where a sample came from, for a message about it: sample `index` of the `of` samples of `file`. */
export interface SampleSource {
  file: string;
  index: number;
  of: number;
}

export interface InputSet {
  /** What the set is, without machine paths (for the result file). */
  source: string;
  samples: StepInput[];
  /** One name per sample. */
  names: string[];
  /** One class label per sample, when the set has them. */
  labels?: number[];
}

const INPUT_FILE = /\.(npy|json)$/i;

/** Whether `spec` is a directory (E_IO when it does not exist or cannot be read). */
export function isDirectory(spec: string): boolean {
  try {
    return statSync(spec).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SnncError("E_IO", code === "ENOENT" ? "no such file or directory" : `cannot read (${code})`, {
      file: spec,
    });
  }
}

/** The paths of the input files (.npy, .json) directly in `dir`, but those named in `except`, in the order of their names. */
export function inputFilesIn(dir: string, except: readonly string[] = []): string[] {
  return readdirSync(dir)
    .filter((f) => INPUT_FILE.test(f) && !except.includes(f) && statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => join(dir, f));
}

export function readInputSet(spec: string, g: Graph): InputSet {
  if (spec === "digits") return digitsTestSet(g);
  if (!isDirectory(spec)) return fromFiles([spec], g, basename(spec));
  const files = inputFilesIn(spec);
  if (files.length === 0)
    throw new SnncError("E_IO", "the directory holds no .npy or .json input file", { file: spec });
  return fromFiles(files, g, `${basename(spec)}/ (${files.length} files)`);
}

function fromFiles(paths: string[], g: Graph, source: string): InputSet {
  const samples: StepInput[] = [];
  const names: string[] = [];
  for (const p of paths) {
    const xs = readInputs(p, g);
    const name = basename(p);
    xs.forEach((x, k) => {
      samples.push(x);
      names.push(xs.length === 1 ? name : `${name}#${k}`);
    });
  }
  return { source, samples, names };
}
