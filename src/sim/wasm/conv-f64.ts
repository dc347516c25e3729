/**
 * The float64 reference's conv through the WebAssembly SIMD kernel of conv-f64.wat: the same sums in
 * the same order as `conv2d` in float-ops.ts, so the same results to the bit. One memory per conv
 * and thread (its kernel and bias copied in once, one call's input and output), made at the first
 * step of a conv large enough to pay for the copies; a smaller conv, or one whose memory cannot be
 * had, keeps the JavaScript loop. A graph is not changed while it runs.
 */
import { convGeometry } from "../../ir/conv-geometry.ts";
import type { Tensor } from "../../ir/tensor.ts";
import { instantiate, lazyModule, WasmLayout } from "../../util/wasm-memory.ts";
import type { ConvSpec } from "../float-ops.ts";
import { CONV_F64_WASM } from "./conv-f64-wasm.ts";

/** Multiply-adds of one call (every input nonzero) from which a conv runs in WebAssembly. */
export const SIMD_FROM = 1 << 14;

/** The conv of one input: into `out` (its earlier content ignored), or into a new array. */
export type ConvF64 = (x: Float64Array, out?: Float64Array) => Float64Array;

interface ConvExports {
  conv(g: number, x: number, out: number, K: number, bias: number): void;
}

const convModule = lazyModule(CONV_F64_WASM);

function make(spec: ConvSpec, inShape: readonly number[]): ConvF64 | undefined {
  const { H, W, C, KH, KW, KI, CO, pads, outH, outW } = convGeometry(inShape, spec);
  const lay = new WasmLayout();
  const kAt = lay.take(spec.kernel.data.length, 8);
  const biasAt = lay.take(CO, 8);
  const xAt = lay.take(H * W * C, 8);
  const outAt = lay.take(outH * outW * CO, 8);
  const gAt = lay.take(17);
  const made = instantiate<ConvExports>(convModule, lay);
  if (!made) return undefined;
  const { buffer, exports } = made;
  new Float64Array(buffer, kAt, spec.kernel.data.length).set(spec.kernel.data);
  if (spec.bias) new Float64Array(buffer, biasAt, CO).set(spec.bias.data);
  const [sh, sw] = spec.strides;
  const [dh, dw] = spec.dilation;
  const geometry = [H, W, C, outH, outW, CO, KH, KW, KI, sh, sw, dh, dw, pads[0], pads[2], CO / spec.groups];
  new Int32Array(buffer, gAt, 17).set([...geometry, spec.bias ? 1 : 0]);
  const xView = new Float64Array(buffer, xAt, H * W * C);
  const outView = new Float64Array(buffer, outAt, outH * outW * CO);
  return (x, out) => {
    xView.set(x);
    exports.conv(gAt, xAt, outAt, kAt, biasAt);
    if (!out) return outView.slice();
    out.set(outView);
    return out;
  };
}

/** Per kernel: the convs made of it, by input shape and the rest of the spec. */
const made = new WeakMap<Tensor, Map<string, { spec: ConvSpec; run: ConvF64 | undefined }>>();

/**
 * The WebAssembly form of `conv2d(·, inShape, spec)`, or undefined: for a conv under `from`
 * multiply-adds (SIMD_FROM; tests ask for small ones too), or one whose memory cannot be had.
 */
export function convF64(spec: ConvSpec, inShape: readonly number[], from = SIMD_FROM): ConvF64 | undefined {
  const { KH, KW, KI, CO, outH, outW } = convGeometry(inShape, spec);
  if (outH * outW * CO * KH * KW * KI < from) return undefined;
  const key = JSON.stringify([inShape, spec.strides, spec.dilation, spec.padding, spec.groups]);
  const byKey = made.get(spec.kernel) ?? new Map<string, { spec: ConvSpec; run: ConvF64 | undefined }>();
  made.set(spec.kernel, byKey);
  const hit = byKey.get(key);
  if (hit && hit.spec.bias === spec.bias) return hit.run;
  const run = make(spec, inShape);
  byKey.set(key, { spec, run });
  return run;
}
