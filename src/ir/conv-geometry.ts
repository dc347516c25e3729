/** Output sizes and paddings of windowed ops (conv, pooling), as TensorFlow resolves them. */
import type { Pads } from "./nodes.ts";

export interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilation: [number, number];
  padding: "same" | "valid" | Pads;
}

/** Resolved pads [top, bottom, left, right] and output [H, W] for an input [H, W]. */
export function windowGeometry(inH: number, inW: number, w: Window): { pads: Pads; outH: number; outW: number } {
  const effH = (w.kernel[0] - 1) * w.dilation[0] + 1;
  const effW = (w.kernel[1] - 1) * w.dilation[1] + 1;
  if (w.padding === "valid") {
    return {
      pads: [0, 0, 0, 0],
      outH: Math.floor((inH - effH) / w.strides[0]) + 1,
      outW: Math.floor((inW - effW) / w.strides[1]) + 1,
    };
  }
  if (w.padding === "same") {
    const outH = Math.ceil(inH / w.strides[0]);
    const outW = Math.ceil(inW / w.strides[1]);
    const ph = Math.max((outH - 1) * w.strides[0] + effH - inH, 0);
    const pw = Math.max((outW - 1) * w.strides[1] + effW - inW, 0);
    const top = Math.floor(ph / 2);
    const left = Math.floor(pw / 2);
    return { pads: [top, ph - top, left, pw - left], outH, outW };
  }
  const [t, b, l, r] = w.padding;
  return {
    pads: [t, b, l, r],
    outH: Math.floor((inH + t + b - effH) / w.strides[0]) + 1,
    outW: Math.floor((inW + l + r - effW) / w.strides[1]) + 1,
  };
}

/** What a conv's geometry depends on: its HWIO kernel's shape, strides, dilation and padding. */
export interface ConvWindow {
  kernel: { shape: readonly number[] };
  strides: [number, number];
  dilation: [number, number];
  padding: "same" | "valid" | Pads;
}

/**
 * A conv on an input [H, W, C]: the input sizes, the kernel's [KH, KW, KI, CO] (KI input channels
 * per group, CO outputs), the resolved pads and the output [outH, outW].
 */
export function convGeometry(inShape: readonly number[], c: ConvWindow) {
  const [H, W, C] = inShape as [number, number, number];
  const [KH, KW, KI, CO] = c.kernel.shape as [number, number, number, number];
  const geo = windowGeometry(H, W, { kernel: [KH, KW], strides: c.strides, dilation: c.dilation, padding: c.padding });
  return { H, W, C, KH, KW, KI, CO, ...geo };
}
