/**
 * Operators evaluated at load time because their inputs are constants, as exporters write them
 * for shapes, paddings and weight transposes (Constant, Shape of an activation, Gather, Concat,
 * Reshape, Slice, Transpose, Cast, arithmetic on constants, …). They never reach the IR.
 */
import { size } from "../../ir/tensor.ts";
import { broadcastAt, broadcastDims, ints, make, mapIndex } from "./const-index.ts";
import * as sh from "./const-shape-ops.ts";
import type { Converter, NodeCtx } from "./context.ts";
import type { ConstVal, DType } from "./values.ts";

export function constant(c: NodeCtx): ConstVal {
  c.arity(0);
  const a = c.attrs;
  a.only(["value", "value_float", "value_floats", "value_int", "value_ints"]);
  const t = a.tensor("value", c.env.baseDir);
  if (t) return { ...t, name: c.node.outputs[0] ?? "" };
  if (a.has("value_float")) return make(c, "float", [], [a.float("value_float")]);
  if (a.has("value_floats")) {
    const v = a.floats("value_floats");
    return make(c, "float", [v.length], v);
  }
  if (a.has("value_int")) return make(c, "int", [], [a.int("value_int")]);
  if (a.has("value_ints")) {
    const v = a.ints("value_ints");
    return make(c, "int", [v.length], v);
  }
  return c.fail("E_FORMAT", `Constant has no value attribute snnc can read (value, value_float(s), value_int(s))`);
}

const constantOfShape: Converter = (c) => {
  c.arity(1);
  c.attrs.only(["value"]);
  const dims = ints(c.constant(0, "shape"));
  const v = c.attrs.tensor("value", c.env.baseDir);
  const out = new Float64Array(size(dims)).fill(v ? v.data[0]! : 0);
  return make(c, v?.dtype ?? "float", dims, out);
};

const CAST: Record<number, [DType, (x: number) => number]> = {
  1: ["float", Math.fround],
  11: ["float", (x) => x],
  6: ["int", Math.trunc],
  7: ["int", Math.trunc],
  9: ["bool", (x) => (x !== 0 ? 1 : 0)],
};

const cast: Converter = (c) => {
  c.arity(1);
  c.attrs.only(["to", "saturate"]);
  const data = c.constant(0, "input");
  const to = c.attrs.int("to");
  const rule = CAST[to];
  if (!rule) return c.fail("E_FORMAT", `Cast of a constant to data type ${to} is not supported`, "to");
  return make(c, rule[0], [...data.dims], data.data.map(rule[1]));
};

function binary(f: (x: number, y: number, int: boolean) => number): Converter {
  return (c) => {
    c.arity(2);
    c.attrs.only([]);
    const a = c.constant(0, "A");
    const b = c.constant(1, "B");
    const dims = broadcastDims(c, a.dims, b.dims);
    const int = a.dtype !== "float" && b.dtype !== "float";
    const out = mapIndex(dims, (idx) => f(broadcastAt(a, dims, idx), broadcastAt(b, dims, idx), int));
    return make(c, int ? "int" : "float", dims, out);
  };
}

const unary =
  (f: (x: number) => number): Converter =>
  (c) => {
    c.arity(1);
    c.attrs.only([]);
    const a = c.constant(0, "X");
    return make(c, a.dtype, [...a.dims], a.data.map(f));
  };

/** Evaluated when every input is a constant (Shape: whatever its input). */
export const CONST_OPS: Readonly<Record<string, Converter>> = {
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Shape: sh.shape,
  Gather: sh.gather,
  Unsqueeze: sh.unsqueeze,
  Squeeze: sh.squeeze,
  Concat: sh.concat,
  Reshape: sh.reshapeConst,
  Slice: sh.slice,
  Transpose: sh.transpose,
  Cast: cast,
  Identity: (c) => ({ ...c.constant(0, "input"), name: c.node.outputs[0] ?? "" }),
  Add: binary((x, y) => x + y),
  Sub: binary((x, y) => x - y),
  Mul: binary((x, y) => x * y),
  Div: binary((x, y, int) => (int ? Math.trunc(x / y) : x / y)),
  Neg: unary((x) => -x),
  Sqrt: unary(Math.sqrt),
  Reciprocal: unary((x) => 1 / x),
};
