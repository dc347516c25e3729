/**
 * The float reference's conv in WebAssembly SIMD (src/sim/wasm/conv-f64.ts) gives the JavaScript
 * loop's results to the bit (every value compared with Object.is: -0, NaN and infinities included)
 * on random convs: padding "same", "valid" or explicit, strides, dilation, groups, with and without
 * bias, output channels per group odd and even (so that the two-lane loop and its tail both run),
 * inputs with zeros, signs and the odd non-finite value; into a new array and into a reused one.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Pads } from "../../src/ir/nodes.ts";
import { type ConvSpec, conv2d } from "../../src/sim/float-ops.ts";
import { convsF64, graphConvs, SIMD_FROM } from "../../src/sim/wasm/conv-f64.ts";
import type { IRNode } from "../../src/ir/nodes.ts";
import { Rng } from "../support/rng.ts";

function randomConv(r: Rng): { spec: ConvSpec; inShape: number[] } {
  const groups = r.pick([1, 1, 2, 4]);
  const KI = r.int(1, 6);
  const coPerG = r.int(1, 19);
  const CO = groups * coPerG;
  const kh = r.int(1, 3);
  const kw = r.int(1, 3);
  const H = r.int(kh * 2, 12);
  const W = r.int(kw * 2, 12);
  const padding: ConvSpec["padding"] = r.pick<ConvSpec["padding"]>([
    "same",
    "valid",
    [r.int(0, 2), r.int(0, 2), r.int(0, 2), r.int(0, 2)] as Pads,
  ]);
  const value = () => (r.bool(0.02) ? r.pick([Number.NaN, Infinity, -Infinity]) : r.uniform(-2, 2));
  const spec: ConvSpec = {
    kernel: { shape: [kh, kw, KI, CO], data: Float64Array.from({ length: kh * kw * KI * CO }, value) },
    strides: [r.int(1, 2), r.int(1, 2)],
    dilation: [1, 1],
    padding,
    groups,
  };
  if (r.bool(0.2) && padding === "valid") spec.dilation = [r.int(1, 2), r.int(1, 2)];
  if (r.bool()) spec.bias = { shape: [CO], data: Float64Array.from({ length: CO }, value) };
  return { spec, inShape: [H, W, groups * KI] };
}

function sameBits(a: Float64Array, b: Float64Array, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${what}: [${i}] ${a[i]} vs ${b[i]}`);
}

test("property: the WebAssembly conv equals the JavaScript loop to the bit (300 random convs)", () => {
  fc.assert(
    fc.property(fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff })), (seed) => {
      const r = new Rng(seed);
      const { spec, inShape } = randomConv(r);
      const simd = convsF64([{ spec, inShape }])![0]!;
      const n = inShape[0]! * inShape[1]! * inShape[2]!;
      for (let k = 0; k < 2; k++) {
        const x = Float64Array.from({ length: n }, () =>
          r.bool(0.4) ? r.pick([0, 0, -0]) : r.bool(0.01) ? Number.NaN : r.uniform(-3, 3),
        );
        const want = conv2d(x, inShape, spec);
        sameBits(simd(x), want, `new array (seed ${seed})`);
        const reused = new Float64Array(want.length).fill(7);
        sameBits(
          simd(x, reused),
          conv2d(x, inShape, spec, new Float64Array(want.length).fill(7)),
          `reused (seed ${seed})`,
        );
      }
    }),
    { numRuns: 300, seed: 33 },
  );
});

test("a graph's convs of SIMD_FROM multiply-adds or more share one memory, made once per node list", () => {
  const conv = (id: string, KI: number, CO: number): IRNode =>
    ({
      id,
      op: "conv2d",
      inputs: ["x"],
      kernel: { shape: [3, 3, KI, CO], data: new Float64Array(9 * KI * CO).fill(0.25) },
      strides: [1, 1],
      dilation: [1, 1],
      padding: "same",
      groups: 1,
    }) as IRNode;
  const small = conv("small", 1, 1); // 16·16·9 multiply-adds
  const large = conv("large", 16, 16); // 16·16·16·9·16
  assert.ok(16 * 16 * 9 < SIMD_FROM && 16 * 16 * 16 * 9 * 16 >= SIMD_FROM);
  const nodes = [small, large];
  const inShape = (n: IRNode) => [16, 16, n.id === "small" ? 1 : 16];
  const convs = graphConvs(nodes, inShape);
  assert.deepEqual([...convs.keys()], [large]);
  assert.equal(graphConvs(nodes, inShape), convs, "made once per node list");
  const x = Float64Array.from({ length: 16 * 16 * 16 }, (_, i) => (i % 5) - 2);
  sameBits(convs.get(large)!(x), conv2d(x, [16, 16, 16], large as ConvSpec), "the large conv");
});
