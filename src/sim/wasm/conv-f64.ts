/**
 * The float64 reference's convs through the WebAssembly SIMD kernel of conv-f64.wat: the same sums
 * in the same order as `conv2d` in float-ops.ts, so the same results to the bit. One memory per
 * graph (and thread) holds every conv of it large enough to pay for the copies (its kernel and bias,
 * copied in once, and one call's input and output), made at the graph's first run; a smaller conv,
 * or every conv of a graph whose memory cannot be had, keeps the JavaScript loop. A graph is not
 * changed once it runs.
 */
import { convGeometry } from "../../ir/conv-geometry.ts";
import type { IRNode } from "../../ir/nodes.ts";
import { instantiate, lazyModule, WasmLayout } from "../../util/wasm-memory.ts";
import type { ConvSpec } from "../float-ops.ts";
import { CONV_F64_WASM } from "./conv-f64-wasm.ts";

/** Multiply-adds of one call (every input nonzero) from which a conv runs in WebAssembly. */
export const SIMD_FROM = 1 << 14;

/** The conv of one input: into `out` (its earlier content ignored), or into a new array. */
export type ConvF64 = (x: Float64Array, out?: Float64Array) => Float64Array;

/** A conv to lay out: its spec and its input's shape. */
export interface ConvCall {
  spec: ConvSpec;
  inShape: readonly number[];
}

interface ConvExports {
  conv(g: number, x: number, out: number, K: number, bias: number): void;
}

const convModule = lazyModule(CONV_F64_WASM);

/** The WebAssembly form of each of `convs` (in order), all in one memory; undefined when it cannot be had. */
export function convsF64(convs: readonly ConvCall[]): ConvF64[] | undefined {
  if (convs.length === 0) return [];
  const lay = new WasmLayout();
  const placed = convs.map(({ spec, inShape }) => {
    const geo = convGeometry(inShape, spec);
    const { H, W, C, CO, outH, outW } = geo;
    return {
      spec,
      geo,
      kAt: lay.take(spec.kernel.data.length, 8),
      biasAt: lay.take(CO, 8),
      xAt: lay.take(H * W * C, 8),
      outAt: lay.take(outH * outW * CO, 8),
      gAt: lay.take(17),
    };
  });
  const made = instantiate<ConvExports>(convModule, lay);
  if (!made) return undefined;
  const { buffer, exports } = made;
  return placed.map(({ spec, geo, kAt, biasAt, xAt, outAt, gAt }): ConvF64 => {
    const { H, W, C, KH, KW, KI, CO, pads, outH, outW } = geo;
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
  });
}

/** Multiply-adds of one call of a conv, every input nonzero. */
export function convWork({ spec, inShape }: ConvCall): number {
  const { KH, KW, KI, CO, outH, outW } = convGeometry(inShape, spec);
  return outH * outW * CO * KH * KW * KI;
}

/** Per graph (its node list, which copies of a graph share): its large convs' WebAssembly forms. */
const byGraph = new WeakMap<readonly IRNode[], ReadonlyMap<IRNode, ConvF64>>();

/**
 * The WebAssembly form of every conv of SIMD_FROM multiply-adds or more in `nodes` (`inShapeOf`:
 * each node's input shape), made at the first call for the node list in this thread; empty when
 * the memory cannot be had.
 */
export function graphConvs(
  nodes: readonly IRNode[],
  inShapeOf: (n: IRNode) => readonly number[],
): ReadonlyMap<IRNode, ConvF64> {
  let convs = byGraph.get(nodes);
  if (!convs) {
    const large = nodes.filter(
      (n): n is Extract<IRNode, { op: "conv2d" }> =>
        n.op === "conv2d" && convWork({ spec: n, inShape: inShapeOf(n) }) >= SIMD_FROM,
    );
    const made = convsF64(large.map((n) => ({ spec: n, inShape: inShapeOf(n) })));
    convs = new Map(made ? large.map((n, i) => [n, made[i]!] as const) : []);
    byGraph.set(nodes, convs);
  }
  return convs;
}
