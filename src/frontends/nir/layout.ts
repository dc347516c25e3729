/**
 * NIR's layout (channels first: [C, H, W] images, [C, N] 1-d signals, [N] vectors) against the IR's
 * (channels last: [H, W, C], [1, N, C], [N]).
 *
 * A value of the converted graph remembers the NIR shape it stands for and how its IR elements map
 * to NIR's: channels first ↔ last, or, after a Flatten of a channels-last value, a permutation of
 * a flat vector (the IR flattens H, W, C in that order, NIR flattens C, H, W). Every per-element
 * parameter (neuron parameters, Scale, Delay, the columns of an Affine) is read through it.
 */
import { SnncError } from "../../ir/errors.ts";
import { broadcastTo, shapeStr, size, tensor, type Tensor } from "../../ir/tensor.ts";
import type { NirArray } from "./nir-doc.ts";

export type Layout =
  /** IR [N] = NIR [N]; `perm[j]` = the NIR index of IR element j (absent: the identity). */
  | { kind: "flat"; perm?: Int32Array }
  /** IR [H, W, C] or [1, N, C] = NIR [C, H, W] or [C, N]. */
  | { kind: "channels" };

/** A value of the graph being built: the IR node that computes it and what it is in NIR terms. */
export interface Value {
  id: string;
  nir: number[];
  layout: Layout;
  /** `id` is computed later in the step order: read across a cut edge (a Delay's recurrent input). */
  recurrentSource?: boolean;
}

/** The IR shape of a NIR shape (canonical layout). */
export function irShape(nir: readonly number[]): number[] {
  if (nir.length === 1) return [nir[0]!];
  if (nir.length === 2) return [1, nir[1]!, nir[0]!];
  if (nir.length === 3) return [nir[1]!, nir[2]!, nir[0]!];
  throw new SnncError(
    "E_UNSUPPORTED",
    `a value of shape ${shapeStr(nir)}: snnc holds vectors [N], 1-d signals [C, N] and images [C, H, W]`,
  );
}

export function canonicalLayout(nir: readonly number[]): Layout {
  return nir.length === 1 ? { kind: "flat" } : { kind: "channels" };
}

export function sameLayout(a: Layout, b: Layout): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "channels") return true;
  const pa = a.perm;
  const pb = (b as { perm?: Int32Array }).perm;
  if (!pa || !pb) return !pa && !pb;
  return pa.length === pb.length && pa.every((x, i) => x === pb[i]);
}

/** For each IR element (row-major IR order), its NIR flat index. */
export function nirIndexOfIr(v: Pick<Value, "nir" | "layout">): Int32Array {
  const n = size(v.nir);
  const idx = new Int32Array(n);
  if (v.layout.kind === "flat") {
    for (let j = 0; j < n; j++) idx[j] = v.layout.perm ? v.layout.perm[j]! : j;
    return idx;
  }
  const C = v.nir[0]!;
  const spatial = n / C; // H·W (or N)
  for (let s = 0; s < spatial; s++) for (let c = 0; c < C; c++) idx[s * C + c] = c * spatial + s;
  return idx;
}

/**
 * A per-element NIR parameter as an IR tensor, in the smallest exact broadcast form: [] when every
 * value is equal, [C] when values only vary by channel (channels layout), else the full IR shape.
 * The parameter must have the value's NIR shape, or hold one value.
 */
export function irParam(a: NirArray, v: Value, param: string, layer: string): Tensor {
  const n = size(v.nir);
  if (a.data.length === 1) return tensor([], [a.data[0]!]);
  const sameShape = a.shape.length === v.nir.length && a.shape.every((d, i) => d === v.nir[i]);
  if (!sameShape)
    throw new SnncError(
      "E_SHAPE",
      `dataset '${param}' has shape ${shapeStr(a.shape)}, its input has shape ${shapeStr(v.nir)} (one value per neuron, or one for all)`,
      { layer, param },
    );
  return compact(permuted(a.data, v), irShape(v.nir), v.layout, n);
}

/** A per-element NIR parameter as one value per IR element (IR order). */
export function irValues(a: NirArray, v: Value, param: string, layer: string): Float64Array {
  return broadcastTo(irParam(a, v, param, layer), irShape(v.nir));
}

/** NIR-ordered values → IR order. */
export function permuted(data: Float64Array, v: Pick<Value, "nir" | "layout">): Float64Array {
  const idx = nirIndexOfIr(v);
  return Float64Array.from(idx, (k) => data[k]!);
}

/** IR-ordered values (one per element of `v`) in the smallest exact broadcast form. */
export function compactIr(ir: Float64Array, v: Pick<Value, "nir" | "layout">): Tensor {
  return compact(ir, irShape(v.nir), v.layout, ir.length);
}

/** The smallest broadcast form that gives back every value bit for bit (−0 and 0 are told apart). */
function compact(ir: Float64Array, shape: number[], layout: Layout, n: number): Tensor {
  if (ir.every((x) => Object.is(x, ir[0]))) return tensor([], [ir[0]!]);
  if (layout.kind === "channels") {
    const C = shape[shape.length - 1]!;
    let perChannel = true;
    for (let i = C; i < n && perChannel; i++) if (!Object.is(ir[i], ir[i % C])) perChannel = false;
    if (perChannel) return tensor([C], ir.subarray(0, C));
  }
  return tensor(shape, ir);
}
