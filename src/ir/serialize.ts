/**
 * `.snnc.json`: the IR as JSON. Tensors are `{"shape": [...], "data": [...]}` with ±Infinity
 * written as the strings "Infinity" / "-Infinity" (a folded neuron that can never or always fire).
 * Every read is checked against the shipped JSON Schema, then by shape inference.
 */
import { readFileSync } from "node:fs";
import type { ValidateFunction } from "ajv";
import { shippedValidator } from "../util/json-schema.ts";
import { SnncError } from "./errors.ts";
import type { Graph } from "./nodes.ts";
import { inferShapes } from "./shapes.ts";
import { floatArray, type Tensor } from "./tensor.ts";

export const GRAPH_FORMAT = "snnc-graph";
export const GRAPH_VERSION = 1;

function validate(doc: unknown): ValidateFunction {
  const validator = shippedValidator("snnc-graph");
  validator(doc);
  return validator;
}

function isTensor(v: unknown): v is Tensor {
  return (
    typeof v === "object" &&
    v !== null &&
    (v as Tensor).data instanceof Float64Array &&
    Array.isArray((v as Tensor).shape)
  );
}

function encodeNumber(x: number): number | string {
  if (Number.isFinite(x)) return x;
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  throw new SnncError("E_VALUE", "NaN cannot be serialised");
}

/** Deterministic JSON text: structure indented, flat arrays (shapes, tensor data) on one line. */
export function graphToJson(g: Graph): string {
  const blobs: string[] = [];
  const enc = (v: unknown): unknown => {
    if (isTensor(v)) {
      blobs.push(JSON.stringify(Array.from(v.data, encodeNumber)));
      const data = `\u0000${blobs.length - 1}\u0000`;
      return { shape: enc(v.shape), data };
    }
    if (Array.isArray(v)) {
      if (v.every((x) => typeof x !== "object" || x === null)) {
        blobs.push(JSON.stringify(v));
        return `\u0000${blobs.length - 1}\u0000`;
      }
      return v.map(enc);
    }
    if (typeof v === "object" && v !== null) {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = enc(x);
      return o;
    }
    return v;
  };
  const doc = {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    name: g.name,
    meta: g.meta,
    outputs: enc(g.outputs),
    nodes: enc(g.nodes),
  };
  const text = JSON.stringify(doc, null, 1);
  return `${text.replace(/"\\u0000(\d+)\\u0000"/g, (_, i: string) => blobs[Number(i)]!)}\n`;
}

/** A tensor's values as written (numbers, "Infinity", "-Infinity": the schema has checked them). */
function decodeData(values: readonly (number | string)[]): Float64Array {
  const data = floatArray(values.length);
  for (let i = 0; i < values.length; i++) {
    const d = values[i]!;
    data[i] = typeof d === "number" ? d : d === "Infinity" ? Infinity : -Infinity;
  }
  return data;
}

/** Parse, validate against the schema, decode tensors, infer shapes. `file` names the source in errors. */
export function graphFromJson(text: string, file = "<graph>"): Graph {
  if (text.trim() === "") throw new SnncError("E_IO", "file is empty", { file });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new SnncError("E_PARSE", `not valid JSON (${(e as Error).message})`, { file });
  }
  const v = validate(doc);
  if (v.errors?.length) {
    const err = v.errors[0]!;
    const where = err.instancePath || "/";
    const layer = layerAt(doc, err.instancePath);
    throw new SnncError("E_SCHEMA", `does not follow the snnc-graph schema at ${where}: ${err.message ?? "invalid"}`, {
      file,
      layer,
    });
  }
  const dec = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(dec);
    if (typeof x === "object" && x !== null) {
      const o = x as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 2 && Array.isArray(o.shape) && Array.isArray(o.data)) {
        return { shape: o.shape as number[], data: decodeData(o.data as (number | string)[]) } satisfies Tensor;
      }
      const r: Record<string, unknown> = {};
      for (const [k, y] of Object.entries(o)) r[k] = dec(y);
      return r;
    }
    return x;
  };
  const d = doc as { name: string; meta: Graph["meta"]; outputs: string[]; nodes: unknown[] };
  const g = { name: d.name, meta: d.meta, outputs: d.outputs, nodes: dec(d.nodes) } as Graph;
  for (const n of g.nodes) {
    for (const [k, t] of Object.entries(n)) {
      if (isTensor(t) && t.data.length !== t.shape.reduce((a, b) => a * b, 1)) {
        throw new SnncError("E_WEIGHT", `${t.data.length} values for shape [${t.shape.join(",")}]`, {
          file,
          layer: n.id,
          param: k,
        });
      }
    }
  }
  try {
    return inferShapes(g);
  } catch (e) {
    if (e instanceof SnncError) throw e.withLocation({ file });
    throw e;
  }
}

export function readGraphFile(path: string): Graph {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new SnncError("E_IO", `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      file: path,
    });
  }
  return graphFromJson(text, path);
}

function layerAt(doc: unknown, path: string): string | undefined {
  const m = /^\/nodes\/(\d+)/.exec(path);
  if (!m) return undefined;
  const nodes = (doc as { nodes?: { id?: unknown }[] }).nodes;
  const id = nodes?.[Number(m[1])]?.id;
  return typeof id === "string" ? id : `#${m[1]}`;
}
