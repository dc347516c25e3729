/**
 * What an ONNX tensor name stands for while the graph is converted: a constant (initializer,
 * Constant node, or folded from constants) or an activation carried by an IR node.
 *
 * Activations keep their ONNX dims with the batch axis (always 1): [1, C, H, W] is the IR's
 * [H, W, C]; [1, F] is the IR's [F]. A flat activation made by flattening C×H×W carries `perm`:
 * IR feature i holds ONNX feature perm[i] (the IR flattens in H, W, C order, ONNX in C, H, W).
 */
export type DType = "float" | "int" | "bool";

export interface ConstVal {
  kind: "const";
  dtype: DType;
  dims: number[];
  data: Float64Array;
  /** Initializer or producing node's output name (for messages). */
  name: string;
}

export interface ActVal {
  kind: "act";
  /** The IR node that computes it. */
  id: string;
  /** ONNX dims, batch axis first (= 1). */
  dims: number[];
  /** Flat activations only: IR index → ONNX feature index; absent = identity. */
  perm?: Int32Array;
  /** Values are known to be >= 0 (spikes, and pooling / padding / reshaping of spikes). */
  nonNeg: boolean;
}

export type Value = ConstVal | ActVal;

/** The IR shape of an activation: [H, W, C] for [1, C, H, W], [F] for [1, F]. */
export function irShape(a: ActVal): number[] {
  const d = a.dims;
  return d.length === 4 ? [d[2]!, d[3]!, d[1]!] : d.slice(1);
}

/**
 * IR index → ONNX index of a C×H×W tensor flattened: the IR's flatten of [H, W, C] is in
 * (h, w, c) order, ONNX's of [C, H, W] in (c, h, w) order. Undefined when the two agree.
 */
export function flattenPerm(C: number, H: number, W: number): Int32Array | undefined {
  if (C === 1 || H * W === 1) return undefined;
  const p = new Int32Array(C * H * W);
  for (let h = 0; h < H; h++)
    for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) p[(h * W + w) * C + c] = c * H * W + h * W + w;
  return p;
}

export function samePerm(a: Int32Array | undefined, b: Int32Array | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** IR order of per-feature values of a flat activation: out[i] = data[perm[i]]. */
export function permute(data: Float64Array, perm: Int32Array | undefined): Float64Array {
  if (!perm) return new Float64Array(data);
  return Float64Array.from(perm, (j) => data[j]!);
}

/** [C, H, W] values (row-major) → [H, W, C]. */
export function chwToHwc(data: Float64Array, C: number, H: number, W: number): Float64Array {
  const out = new Float64Array(C * H * W);
  for (let c = 0; c < C; c++)
    for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) out[(h * W + w) * C + c] = data[(c * H + h) * W + w]!;
  return out;
}

/** Dims without size-1 axes (to compare parameter shapes that differ only by unit axes). */
export function squeezeDims(dims: readonly number[]): number[] {
  return dims.filter((d) => d !== 1);
}

export function dimsStr(dims: readonly number[]): string {
  return `[${dims.join(",")}]`;
}
