/**
 * NIR files for tests, built in TypeScript (CI has no Python): a tree of groups and datasets laid out as
 * nir.write lays it out, written with snnc's own HDF5 writer into a private temporary folder.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { f64, type H5Tree, type H5Value, hdf5Bytes, i64, str } from "../../../src/nir/hdf5-write.ts";
import { FIXTURES, tempDir } from "../../support/model-files.ts";

export { f64, i64, str, type H5Tree };

export const PAPER = join(FIXTURES, "nir-paper");
export const SNNTORCH = join(FIXTURES, "nir-snntorch");

export const edges = (pairs: [string, string][]): H5Value => ({
  kind: "strs",
  shape: [pairs.length, 2],
  data: pairs.flat(),
});

export function graph(nodes: H5Tree, pairs: [string, string][], metadata?: H5Tree): H5Tree {
  return { type: str("NIRGraph"), nodes, edges: edges(pairs), ...(metadata ? { metadata } : {}) };
}

/** Writes `top` as /node of a NIR file (with /version) and returns its path. */
export async function writeNir(top: H5Tree, name = "model.nir"): Promise<string> {
  const p = join(await tempDir(), name);
  await writeFile(p, hdf5Bytes({ version: str("1.0.0"), node: top }));
  return p;
}

const rowMajor = (m: number[][]) => f64(m.flat(), [m.length, m[0]!.length]);

export const nir = {
  input: (shape: number[]): H5Tree => ({ type: str("Input"), shape: i64(shape) }),
  output: (shape: number[]): H5Tree => ({ type: str("Output"), shape: i64(shape) }),
  affine: (w: number[][], b: number[]): H5Tree => ({ type: str("Affine"), weight: rowMajor(w), bias: f64(b) }),
  linear: (w: number[][]): H5Tree => ({ type: str("Linear"), weight: rowMajor(w) }),
  ifNeuron: (n: number, theta = 1, r = 1): H5Tree => ({
    type: str("IF"),
    r: f64(new Array(n).fill(r)),
    v_threshold: f64(new Array(n).fill(theta)),
  }),
  lif: (n: number, o: { tau?: number; r?: number; leak?: number; theta?: number; reset?: number } = {}): H5Tree => ({
    type: str("LIF"),
    tau: f64(new Array(n).fill(o.tau ?? 1e-3)),
    r: f64(new Array(n).fill(o.r ?? 1)),
    v_leak: f64(new Array(n).fill(o.leak ?? 0)),
    v_threshold: f64(new Array(n).fill(o.theta ?? 1)),
    ...(o.reset !== undefined ? { v_reset: f64(new Array(n).fill(o.reset)) } : {}),
  }),
};

/** Flat channels-first (NIR) index of every element of an IR value of shape `ir`, in IR order. */
export function nirIndexOf(ir: readonly number[]): Int32Array {
  const n = ir.reduce((a, b) => a * b, 1);
  const idx = new Int32Array(n);
  if (ir.length === 1) return idx.map((_, j) => j);
  const C = ir[ir.length - 1]!;
  const S = n / C;
  for (let s = 0; s < S; s++) for (let c = 0; c < C; c++) idx[s * C + c] = c * S + s;
  return idx;
}

/** NIR-ordered values → the IR order of shape `ir`. */
export function toIrOrder(nirValues: ArrayLike<number>, ir: readonly number[]): Float64Array {
  return Float64Array.from(nirIndexOf(ir), (k) => nirValues[k]!);
}

/** The input pattern of the reference runs: x[t][i] = ((7t + 3i) mod 11) < 3, i the channels-first index. */
export function patternInput(T: number, irShape: readonly number[]): Float64Array[] {
  const idx = nirIndexOf(irShape);
  return Array.from({ length: T }, (_, t) => Float64Array.from(idx, (i) => ((t * 7 + i * 3) % 11 < 3 ? 1 : 0)));
}
