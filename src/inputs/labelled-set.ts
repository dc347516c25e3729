/**
 * Labelled samples for `snnc eval --data <spec>`:
 *  - `digits`: the test split of the shipped digits data set (digits.ts), with its labels;
 *  - `<file>.npy` (or `.json`): the samples of that input file, labelled by `labels.npy` in the same
 *    directory (or `labels.json` / `labels.txt`, read as labels.ts reads them);
 *  - `<dir>`: a directory holding `labels.npy` (or `labels.json` / `labels.txt`) and the input
 *    files: every other `.npy` / `.json` file, in the order of their names, samples in file order.
 * labels.npy holds one integer (or integral float) class per sample, shape [n] or [n, 1].
 * Every problem is one error naming the file: no labels, labels that are not class indices, a
 * label count that differs from the sample count, no samples, samples of the wrong shape.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { SnncError } from "../ir/errors.ts";
import { checkFileBytes, LIMITS } from "../ir/limits.ts";
import type { Graph } from "../ir/nodes.ts";
import type { StepInput } from "../sim/reference.ts";
import { digitsTestSet } from "./digits.ts";
import { inputFilesIn, isDirectory, type SampleSource } from "./input-set.ts";
import { readLabels } from "./labels.ts";
import { parseNpy } from "./npy.ts";
import { readInputs } from "./read-inputs.ts";

export interface LabelledSet {
  /** What the set is, without machine paths. */
  source: string;
  samples: StepInput[];
  labels: number[];
  /** Where the labels come from, for messages. */
  labelsFile: string;
  /** Where each sample comes from, for messages. */
  sources: SampleSource[];
}

const LABEL_FILES = ["labels.npy", "labels.json", "labels.txt"];

export function readLabelledSet(spec: string, g: Graph): LabelledSet {
  if (spec === "digits") {
    const set = digitsTestSet(g);
    const of = set.samples.length;
    const sources = set.samples.map((_, index) => ({ file: "digits", index, of }));
    return { source: set.source, samples: set.samples, labels: set.labels!, labelsFile: "digits", sources };
  }
  const isDir = isDirectory(spec);
  if (!isDir && LABEL_FILES.includes(basename(spec)))
    throw new SnncError("E_USAGE", "--data names the labels file; give the input samples (or their directory)", {
      file: spec,
    });
  const dir = isDir ? spec : dirname(spec);
  const labelFile = LABEL_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!labelFile)
    throw new SnncError("E_IO", `no labels: expected labels.npy (or labels.json / labels.txt) in ${basename(dir)}/`, {
      file: spec,
    });
  const inputs = isDir ? inputFiles(spec) : [spec];
  const samples: StepInput[] = [];
  const sources: SampleSource[] = [];
  for (const f of inputs) {
    const read = readInputs(f, g);
    samples.push(...read);
    for (let index = 0; index < read.length; index++) sources.push({ file: f, index, of: read.length });
    if (samples.length > LIMITS.samples)
      throw new SnncError("E_VALUE", `more than snnc's limit of ${LIMITS.samples} samples`, { file: spec });
  }
  const labels = labelFile.endsWith(".npy")
    ? readNpyLabels(labelFile, samples.length)
    : readLabels(labelFile, samples.length);
  const what = isDir
    ? `${basename(spec)}/ (${inputs.length} input file${inputs.length === 1 ? "" : "s"})`
    : basename(spec);
  return { source: `${what} labelled by ${basename(labelFile)}`, samples, labels, labelsFile: labelFile, sources };
}

function inputFiles(dir: string): string[] {
  const files = inputFilesIn(dir, LABEL_FILES);
  if (files.length === 0)
    throw new SnncError("E_IO", "the directory holds no .npy or .json input file besides its labels", { file: dir });
  return files;
}

/** Class labels from a .npy of shape [n] or [n, 1]. */
export function readNpyLabels(path: string, samples: number): number[] {
  let buf: Buffer;
  try {
    checkFileBytes(statSync(path).size, "the labels file", LIMITS.fileBytes);
    buf = readFileSync(path);
  } catch (e) {
    if (e instanceof SnncError) throw e.withLocation({ file: path });
    throw new SnncError("E_IO", `cannot read labels (${(e as NodeJS.ErrnoException).code ?? "error"})`, { file: path });
  }
  const { shape, data } = parseNpy(buf, path, { integers: true });
  if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1)))
    throw new SnncError("E_SHAPE", `labels have shape (${shape.join(", ")}); expected (n,) or (n, 1)`, { file: path });
  const labels = Array.from(data);
  labels.forEach((v, k) => {
    if (!Number.isSafeInteger(v) || v < 0)
      throw new SnncError("E_VALUE", `label ${k} is ${v}, not a class index (integer >= 0)`, { file: path });
  });
  if (labels.length !== samples)
    throw new SnncError("E_SHAPE", `${labels.length} labels for ${samples} input samples`, { file: path });
  return labels;
}
