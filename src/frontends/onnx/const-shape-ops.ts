/**
 * Shape-manipulating operators on constants, as exporters write them around Reshape and Pad:
 * Shape (also of an activation, whose dims are known), Gather, Unsqueeze, Squeeze, Concat,
 * Reshape, Slice, Transpose.
 */
import { size } from "../../ir/tensor.ts";
import { at, axis, ints, make, mapIndex } from "./const-index.ts";
import type { Converter, NodeCtx } from "./context.ts";

export const shape: Converter = (c) => {
  c.arity(1);
  c.attrs.only(["start", "end"]);
  const dims = c.value(0)!.dims;
  const r = dims.length;
  const clamp = (x: number) => Math.min(Math.max(x < 0 ? x + r : x, 0), r);
  const v = dims.slice(clamp(c.attrs.int("start", 0)), clamp(c.attrs.int("end", r)));
  return make(c, "int", [v.length], v);
};

export const gather: Converter = (c) => {
  c.arity(2);
  c.attrs.only(["axis"]);
  const data = c.constant(0, "data");
  const ind = c.constant(1, "indices");
  const ax = axis(c, c.attrs.int("axis", 0), data.dims.length);
  const n = data.dims[ax]!;
  const dims = [...data.dims.slice(0, ax), ...ind.dims, ...data.dims.slice(ax + 1)];
  const out = mapIndex(dims, (idx) => {
    const ii = idx.slice(ax, ax + ind.dims.length);
    let j = at(ind, ii);
    if (j < 0) j += n;
    if (!(j >= 0 && j < n)) c.fail("E_FORMAT", `Gather index ${at(ind, ii)} is out of range for size ${n}`);
    return at(data, [...idx.slice(0, ax), j, ...idx.slice(ax + ind.dims.length)]);
  });
  return make(c, data.dtype, dims, out);
};

export const unsqueeze: Converter = (c) => {
  c.arity(2);
  c.attrs.only([]);
  const data = c.constant(0, "data");
  const rank = data.dims.length + c.constant(1, "axes").data.length;
  const axes = ints(c.constant(1, "axes")).map((a) => axis(c, a, rank, "axes"));
  const dims: number[] = [];
  let k = 0;
  for (let d = 0; d < rank; d++) dims.push(axes.includes(d) ? 1 : data.dims[k++]!);
  return { ...data, dims, name: c.node.outputs[0] ?? "" };
};

export const squeeze: Converter = (c) => {
  c.arity(1, 2);
  c.attrs.only([]);
  const data = c.constant(0, "data");
  const given = c.optConstant(1, "axes");
  const axes = given ? ints(given).map((a) => axis(c, a, data.dims.length, "axes")) : undefined;
  for (const a of axes ?? []) if (data.dims[a] !== 1) c.fail("E_SHAPE", `Squeeze axis ${a} has size ${data.dims[a]}`);
  const dims = data.dims.filter((d, k) => (axes ? !axes.includes(k) : d !== 1));
  return { ...data, dims, name: c.node.outputs[0] ?? "" };
};

export const concat: Converter = (c) => {
  c.attrs.only(["axis"]);
  const parts = c.node.inputs.map((_, i) => c.constant(i, `input ${i}`));
  const first = parts[0];
  if (!first) return c.fail("E_FORMAT", `Concat has no inputs`);
  const ax = axis(c, c.attrs.int("axis"), first.dims.length);
  const dims = [...first.dims];
  dims[ax] = parts.reduce((s, p) => s + p.dims[ax]!, 0);
  const out = mapIndex(dims, (idx) => {
    let j = idx[ax]!;
    for (const p of parts) {
      if (j < p.dims[ax]!) return at(p, [...idx.slice(0, ax), j, ...idx.slice(ax + 1)]);
      j -= p.dims[ax]!;
    }
    return 0;
  });
  return make(c, first.dtype, dims, out);
};

/** Reshape target dims: 0 copies the input size (unless allowzero), one -1 is inferred. */
export function reshapeDims(c: NodeCtx, from: readonly number[], target: number[], allowZero: boolean): number[] {
  const dims = target.map((d, k) => (d === 0 && !allowZero ? from[k]! : d));
  const free = dims.filter((d) => d === -1).length;
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const total = size(from);
  const out = dims.map((d) => (d === -1 ? total / known : d));
  if (free > 1 || size(out) !== total || !out.every((d) => Number.isInteger(d) && d >= 0)) {
    c.fail("E_SHAPE", `cannot reshape [${from.join(",")}] to [${target.join(",")}]`);
  }
  return out;
}

export const reshapeConst: Converter = (c) => {
  const data = c.constant(0, "data");
  const dims = reshapeDims(c, data.dims, ints(c.constant(1, "shape")), c.attrs.int("allowzero", 0) === 1);
  return { ...data, dims, name: c.node.outputs[0] ?? "" };
};

export const slice: Converter = (c) => {
  c.arity(3, 5);
  c.attrs.only([]);
  const data = c.constant(0, "data");
  const r = data.dims.length;
  const starts = ints(c.constant(1, "starts"));
  const ends = ints(c.constant(2, "ends"));
  const axes = c.optConstant(3, "axes")
    ? ints(c.constant(3)).map((a) => axis(c, a, r, "axes"))
    : starts.map((_, k) => k);
  const steps = c.optConstant(4, "steps") ? ints(c.constant(4)) : starts.map(() => 1);
  const begin = data.dims.map(() => 0);
  const step = data.dims.map(() => 1);
  const dims = [...data.dims];
  axes.forEach((a, k) => {
    const n = data.dims[a]!;
    const st = steps[k]!;
    if (!st) c.fail("E_FORMAT", `Slice step 0`);
    const norm = (x: number, lo: number, hi: number) => Math.min(Math.max(x < 0 ? x + n : x, lo), hi);
    const s = st > 0 ? norm(starts[k]!, 0, n) : norm(starts[k]!, -1, n - 1);
    const e = st > 0 ? norm(ends[k]!, 0, n) : norm(ends[k]!, -1, n - 1);
    begin[a] = s;
    step[a] = st;
    dims[a] = Math.max(0, Math.ceil((e - s) / st));
  });
  const out = mapIndex(dims, (idx) =>
    at(
      data,
      idx.map((i, k) => begin[k]! + i * step[k]!),
    ),
  );
  return make(c, data.dtype, dims, out);
};

export const transpose: Converter = (c) => {
  c.arity(1);
  c.attrs.only(["perm"]);
  const data = c.constant(0, "data");
  const r = data.dims.length;
  const perm = c.attrs.ints("perm", [...Array(r).keys()].reverse());
  if (perm.length !== r || new Set(perm).size !== r || !perm.every((p) => p >= 0 && p < r)) {
    c.fail("E_FORMAT", `Transpose perm [${perm.join(",")}] is not a permutation of rank ${r}`, "perm");
  }
  const dims = perm.map((p) => data.dims[p]!);
  const out = mapIndex(dims, (idx) => {
    const src = new Array<number>(r);
    perm.forEach((p, k) => {
      src[p] = idx[k]!;
    });
    return at(data, src);
  });
  return make(c, data.dtype, dims, out);
};
