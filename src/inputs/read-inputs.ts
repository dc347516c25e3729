/**
 * Model inputs (FORMATS.md §5): a JSON nested array in the model's input shape (no batch), or
 * {"inputs": [...]} for several samples, or a .npy (float32/float64, same shape or with a leading
 * sample axis). With spike encoding a sample may carry a leading time axis [T, ...].
 */
import { readFileSync } from "node:fs";
import { parse as parseNpy } from "npyjs";
import { SnncError } from "../ir/errors.ts";
import { inputNode } from "../ir/graph.ts";
import type { Graph } from "../ir/nodes.ts";
import { shapeStr, size } from "../ir/tensor.ts";
import type { StepInput } from "../sim/reference.ts";

export function readInputs(path: string, g: Graph): StepInput[] {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new SnncError("E_IO", `cannot read input file (${(e as NodeJS.ErrnoException).code ?? "error"})`, {
      file: path,
    });
  }
  if (buf.length === 0) throw new SnncError("E_IO", "input file is empty", { file: path });
  const shape = inputNode(g).inputShape;
  const n = size(shape);
  if (path.toLowerCase().endsWith(".npy")) {
    let arr: { data: ArrayLike<number>; shape: number[]; dtype: string; fortranOrder?: boolean };
    try {
      arr = parseNpy(
        buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer,
      ) as unknown as typeof arr;
    } catch (e) {
      throw new SnncError("E_PARSE", `not a valid .npy file (${(e as Error).message})`, { file: path });
    }
    if (arr.fortranOrder)
      throw new SnncError("E_FORMAT", "Fortran-ordered .npy is not supported; save with C order", { file: path });
    if (!/float(32|64)/.test(String(arr.dtype)) && !/^[<|>]?f[48]$/.test(String(arr.dtype))) {
      throw new SnncError("E_FORMAT", `dtype ${arr.dtype} is not float32/float64`, { file: path });
    }
    const data = Float64Array.from(arr.data as ArrayLike<number>);
    return split(data, arr.shape, shape, g, path);
  }
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
  return samples.map((s, k) => {
    const { data, dims } = flattenNested(s, path, k);
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

function split(data: Float64Array, dims: number[], shape: number[], g: Graph, file: string): StepInput[] {
  const n = size(shape);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!))
      throw new SnncError("E_VALUE", `input value ${data[i]} at flat index ${i} is not finite`, { file });
  }
  const T = g.meta.timesteps;
  const tail = (k: number) => dims.slice(k).every((d, i) => d === shape[i]) && dims.length - k === shape.length;
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

function flattenNested(x: unknown, file: string, sample: number): { data: Float64Array; dims: number[] } {
  const dims: number[] = [];
  let cur: unknown = x;
  while (Array.isArray(cur)) {
    dims.push(cur.length);
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
