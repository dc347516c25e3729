/** Index arithmetic on constant tensors (row-major), shared by the operators folded at load time. */
import { size } from "../../ir/tensor.ts";
import type { NodeCtx } from "./context.ts";
import type { ConstVal, DType } from "./values.ts";

const stridesOf = (dims: readonly number[]): number[] => {
  const s = new Array<number>(dims.length).fill(1);
  for (let k = dims.length - 2; k >= 0; k--) s[k] = s[k + 1]! * dims[k + 1]!;
  return s;
};

export function make(c: NodeCtx, dtype: DType, dims: number[], data: Float64Array | number[]): ConstVal {
  return { kind: "const", dtype, dims, data: Float64Array.from(data), name: c.node.outputs[0] ?? "" };
}

/** Build an output of `dims` whose element at multi-index idx is read from `src(idx)`. */
export function mapIndex(dims: number[], src: (idx: number[]) => number): Float64Array {
  const n = size(dims);
  const out = new Float64Array(n);
  const idx = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < n; i++) {
    out[i] = src(idx);
    for (let k = dims.length - 1; k >= 0; k--) {
      if (++idx[k]! < dims[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}

export const at = (v: ConstVal, idx: number[]): number => {
  const s = stridesOf(v.dims);
  let o = 0;
  for (let k = 0; k < idx.length; k++) o += idx[k]! * s[k]!;
  return v.data[o]!;
};

export function axis(c: NodeCtx, a: number, rank: number, what = "axis"): number {
  const r = a < 0 ? a + rank : a;
  if (!Number.isInteger(r) || r < 0 || r >= rank)
    c.fail("E_FORMAT", `${what} ${a} is out of range for rank ${rank}`, what);
  return r;
}

export function ints(v: ConstVal): number[] {
  return Array.from(v.data);
}

export function broadcastDims(c: NodeCtx, a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let k = 0; k < r; k++) {
    const x = a[a.length - r + k] ?? 1;
    const y = b[b.length - r + k] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      c.fail("E_SHAPE", `${c.op} inputs [${a.join(",")}] and [${b.join(",")}] do not broadcast`);
    }
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Value of `v` at an index of the broadcast result `dims`. */
export function broadcastAt(v: ConstVal, dims: readonly number[], idx: readonly number[]): number {
  const off = dims.length - v.dims.length;
  return at(
    v,
    v.dims.map((d, k) => (d === 1 ? 0 : idx[off + k]!)),
  );
}
