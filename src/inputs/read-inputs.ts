/**
 * Model inputs (FORMATS.md §5): a JSON nested array in the model's input shape (no batch), or
 * {"inputs": [...]} for several samples, or a .npy (float32/float64, same shape or with a leading
 * sample axis). With spike encoding a sample may carry a leading time axis [T, ...].
 *
 * Every problem is an error naming the input file (exit 3): a file that is too large (checked
 * before it is read), a header that does not match the data, no samples at all, more samples
 * than snnc runs, a sample of the wrong shape, too few steps, a value that is not finite.
 */
import { readFileSync, statSync } from "node:fs";
import { SnncError } from "../ir/errors.ts";
import { inputNode } from "../ir/graph.ts";
import { checkFileBytes, LIMITS, limitError } from "../ir/limits.ts";
import type { Graph } from "../ir/nodes.ts";
import { shapeStr, size } from "../ir/tensor.ts";
import type { StepInput } from "../sim/reference.ts";
import { parseNpy } from "./npy.ts";

/**
 * The samples of an input file. `timesteps` is the number of steps the run will take (default:
 * the model's); a sample given per step must cover them.
 */
export function readInputs(path: string, g: Graph, timesteps: number = g.meta.timesteps): StepInput[] {
  const isNpy = path.toLowerCase().endsWith(".npy");
  const buf = readInputFile(path, isNpy ? LIMITS.fileBytes : LIMITS.jsonBytes);
  const samples = isNpy ? npySamples(buf, path, g) : jsonSamples(buf, path, g);
  if (samples.length === 0) throw new SnncError("E_VALUE", "the input file holds no samples", { file: path });
  if (samples.length > LIMITS.samples)
    throw limitError("the input file holds", samples.length, LIMITS.samples, undefined, " samples").withLocation({
      file: path,
    });
  samples.forEach((s, k) => {
    if (Array.isArray(s) && s.length < timesteps)
      throw new SnncError("E_SHAPE", `sample ${k} gives ${s.length} steps, the run needs ${timesteps}`, { file: path });
  });
  return samples;
}

function readInputFile(path: string, limit: number): Buffer {
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    checkFileBytes(st.size, "the input file", limit);
    const buf = readFileSync(path);
    if (buf.length === 0) throw new SnncError("E_IO", "input file is empty");
    return buf;
  } catch (e) {
    if (e instanceof SnncError) throw e.withLocation({ file: path });
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : `cannot read input file (${code ?? "error"})`;
    throw new SnncError("E_IO", why, { file: path });
  }
}

function npySamples(buf: Buffer, file: string, g: Graph): StepInput[] {
  const arr = parseNpy(buf, file);
  const shape = inputNode(g).inputShape;
  const n = size(shape);
  const { data, shape: dims } = arr;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!))
      throw new SnncError("E_VALUE", `input value ${data[i]} at flat index ${i} is not finite`, { file });
  }
  const T = g.meta.timesteps;
  const tail = (k: number) => dims.length - k === shape.length && dims.slice(k).every((d, i) => d === shape[i]);
  if (tail(0)) return [data];
  if (g.meta.encoding === "spikes" && tail(1) && dims[0]! >= T) {
    return [Array.from({ length: dims[0]! }, (_, t) => data.slice(t * n, (t + 1) * n))];
  }
  if (tail(1)) return Array.from({ length: dims[0]! }, (_, k) => data.slice(k * n, (k + 1) * n));
  if (g.meta.encoding === "spikes" && tail(2)) {
    const per = dims[1]! * n;
    return Array.from({ length: dims[0]! }, (_, k) =>
      Array.from({ length: dims[1]! }, (_, t) => data.slice(k * per + t * n, k * per + (t + 1) * n)),
    );
  }
  throw new SnncError(
    "E_SHAPE",
    `input has shape ${shapeStr(dims)}, the model's input is ${shapeStr(shape)} (optionally with a leading sample axis)`,
    { file },
  );
}

function jsonSamples(buf: Buffer, path: string, g: Graph): StepInput[] {
  const shape = inputNode(g).inputShape;
  const n = size(shape);
  let doc: unknown;
  try {
    doc = JSON.parse(buf.toString("utf8"));
  } catch (e) {
    throw new SnncError("E_PARSE", `input is not valid JSON (${(e as Error).message})`, { file: path });
  }
  const samples =
    typeof doc === "object" && doc !== null && !Array.isArray(doc) && "inputs" in doc
      ? (doc as { inputs: unknown }).inputs
      : [doc];
  if (!Array.isArray(samples)) throw new SnncError("E_FORMAT", `"inputs" must be a list of samples`, { file: path });
  if (samples.length > LIMITS.samples)
    throw limitError('"inputs" holds', samples.length, LIMITS.samples, undefined, " samples").withLocation({
      file: path,
    });
  return samples.map((s, k) => {
    const { data, dims } = flattenNested(s, path, k, shape);
    const sameAsInput = dims.length === shape.length && dims.every((d, i) => d === shape[i]);
    if (sameAsInput) return data;
    const timeMajor =
      g.meta.encoding === "spikes" && dims.length === shape.length + 1 && dims.slice(1).every((d, i) => d === shape[i]);
    if (timeMajor) return Array.from({ length: dims[0]! }, (_, t) => data.slice(t * n, (t + 1) * n));
    throw new SnncError("E_SHAPE", `sample ${k} has shape ${shapeStr(dims)}, the model's input is ${shapeStr(shape)}`, {
      file: path,
    });
  });
}

/** A sample's values and dimensions; nesting deeper than the model's input (+ a time axis) is refused unwalked. */
function flattenNested(
  x: unknown,
  file: string,
  sample: number,
  shape: readonly number[],
): { data: Float64Array; dims: number[] } {
  const dims: number[] = [];
  let cur: unknown = x;
  while (Array.isArray(cur)) {
    dims.push(cur.length);
    if (dims.length > shape.length + 1)
      throw new SnncError(
        "E_SHAPE",
        `sample ${sample} has shape ${shapeStr(dims)}, the model's input is ${shapeStr([...shape])}`,
        { file },
      );
    cur = cur[0];
  }
  const out: number[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth === dims.length) {
      if (typeof v !== "number")
        throw new SnncError(
          "E_FORMAT",
          `sample ${sample}: expected a number, found ${JSON.stringify(v)?.slice(0, 20)}`,
          { file },
        );
      if (!Number.isFinite(v))
        throw new SnncError("E_VALUE", `sample ${sample}: input value ${v} is not finite`, { file });
      out.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== dims[depth])
      throw new SnncError("E_FORMAT", `sample ${sample}: ragged nested array at depth ${depth}`, { file });
    for (const y of v) walk(y, depth + 1);
  };
  walk(x, 0);
  return { data: Float64Array.from(out), dims };
}
