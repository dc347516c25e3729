/**
 * Stateless tensor operations on flat row-major NHWC activations (no batch), in float64.
 * Integer-valued inputs and weights give exact integer sums below 2^53, so the fixed-point
 * simulator reuses these for synaptic accumulation.
 */
import { convGeometry, windowGeometry } from "../ir/conv-geometry.ts";
import type { Pads } from "../ir/nodes.ts";
import type { Tensor } from "../ir/tensor.ts";

export interface ConvSpec {
  kernel: Tensor; // HWIO [kh, kw, cin/groups, cout]
  bias?: Tensor;
  strides: [number, number];
  padding: "same" | "valid" | Pads;
  dilation: [number, number];
  groups: number;
}

/**
 * Cross-correlation as Keras Conv2D computes it. Zero inputs are skipped (exact: they add 0). With
 * `out`, the result is written there (its earlier content is ignored) instead of a new array.
 */
export function conv2d(x: Float64Array, inShape: readonly number[], spec: ConvSpec, out?: Float64Array): Float64Array {
  const { H, W, C, KH, KW, KI, CO, pads, outH, outW } = convGeometry(inShape, spec);
  if (!out) out = new Float64Array(outH * outW * CO);
  else if (!spec.bias) out.fill(0);
  const k = spec.kernel.data;
  const g = spec.groups;
  const coPerG = CO / g;
  const [sh, sw] = spec.strides;
  const [dh, dw] = spec.dilation;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const obase = (oy * outW + ox) * CO;
      if (spec.bias) for (let co = 0; co < CO; co++) out[obase + co] = spec.bias.data[co]!;
      for (let ky = 0; ky < KH; ky++) {
        const iy = oy * sh + ky * dh - pads[0];
        if (iy < 0 || iy >= H) continue;
        for (let kx = 0; kx < KW; kx++) {
          const ix = ox * sw + kx * dw - pads[2];
          if (ix < 0 || ix >= W) continue;
          const ibase = (iy * W + ix) * C;
          const kbase = (ky * KW + kx) * KI * CO;
          for (let ci = 0; ci < C; ci++) {
            const xv = x[ibase + ci]!;
            if (xv === 0) continue;
            const grp = Math.floor(ci / KI);
            const kci = ci - grp * KI;
            const krow = kbase + kci * CO;
            for (let co = grp * coPerG; co < (grp + 1) * coPerG; co++) out[obase + co] += xv * k[krow + co]!;
          }
        }
      }
    }
  }
  return out;
}

/** y = x W + b with W [in, out]. Zero inputs are skipped. With `out`, written there. */
export function dense(x: Float64Array, kernel: Tensor, bias?: Tensor, out?: Float64Array): Float64Array {
  const [I, O] = kernel.shape as [number, number];
  if (!out) out = bias ? new Float64Array(bias.data) : new Float64Array(O);
  else if (bias) out.set(bias.data);
  else out.fill(0);
  const k = kernel.data;
  for (let i = 0; i < I; i++) {
    const xv = x[i]!;
    if (xv === 0) continue;
    const row = i * O;
    for (let o = 0; o < O; o++) out[o] += xv * k[row + o]!;
  }
  return out;
}

/**
 * Pooling per channel. avg divides by the number of window cells inside the input (TF "same"
 * semantics); max ignores padded cells; sum adds the cells inside the input.
 */
export function pool(
  x: Float64Array,
  inShape: readonly number[],
  kind: "avg" | "max" | "sum",
  size: [number, number],
  strides: [number, number],
  padding: "same" | "valid",
  out?: Float64Array,
): Float64Array {
  const [H, W, C] = inShape as [number, number, number];
  const { pads, outH, outW } = windowGeometry(H, W, { kernel: size, strides, dilation: [1, 1], padding });
  if (!out) out = new Float64Array(outH * outW * C);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let c = 0; c < C; c++) {
        let acc = kind === "max" ? -Infinity : 0;
        let count = 0;
        for (let ky = 0; ky < size[0]; ky++) {
          const iy = oy * strides[0] + ky - pads[0];
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < size[1]; kx++) {
            const ix = ox * strides[1] + kx - pads[2];
            if (ix < 0 || ix >= W) continue;
            const v = x[(iy * W + ix) * C + c]!;
            if (kind === "max") acc = Math.max(v, acc);
            else acc += v;
            count++;
          }
        }
        out[(oy * outW + ox) * C + c] = kind === "avg" ? acc / count : acc;
      }
    }
  }
  return out;
}

/** Zero padding of H and W; pads [top, bottom, left, right]. */
export function pad2d(x: Float64Array, inShape: readonly number[], pads: Pads, out?: Float64Array): Float64Array {
  const [H, W, C] = inShape as [number, number, number];
  const OW = W + pads[2] + pads[3];
  const OH = H + pads[0] + pads[1];
  if (!out) out = new Float64Array(OH * OW * C);
  else out.fill(0);
  for (let y = 0; y < H; y++) {
    out.set(x.subarray(y * W * C, (y + 1) * W * C), ((y + pads[0]) * OW + pads[2]) * C);
  }
  return out;
}

/** Element-wise sum (into `out` when given). */
export function addAll(xs: Float64Array[], out?: Float64Array): Float64Array {
  if (!out) out = new Float64Array(xs[0]!);
  else out.set(xs[0]!);
  for (let j = 1; j < xs.length; j++) {
    const x = xs[j]!;
    for (let i = 0; i < out.length; i++) out[i] += x[i]!;
  }
  return out;
}
