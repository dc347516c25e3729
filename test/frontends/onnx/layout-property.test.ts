/**
 * Property: for random small NCHW graphs (Conv with any pads / strides / dilations / groups /
 * auto_pad, BatchNormalization, pooling incl. count_include_pad and the Pad + AveragePool pair,
 * scaling by constants, Flatten or Reshape, then Gemm (transB, alpha, beta, bias shapes) or
 * MatMul), the IR the ONNX reader builds computes what an independent NCHW evaluator of the
 * ONNX definitions computes: the conv output (transposed to H, W, C) and the final features
 * (the dense after flattening, whose rows the reader reorders), to float64 rounding.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { toGraph } from "../../../src/frontends/onnx/graph.ts";
import { decodeModel } from "../../../src/frontends/onnx/protobuf.ts";
import { simulate } from "../../../src/sim/reference.ts";
import { f32Tensor, i64Tensor, modelBytes, type NodeSpec } from "./onnx-build.ts";
import * as ref from "./nchw-reference.ts";

/** Small deterministic generator for weights (values are float32-exact so ONNX stores them as drawn). */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return Math.fround(((s >>> 0) / 2 ** 32) * 2 - 1);
  };
}

const arb = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  C: fc.integer({ min: 1, max: 3 }),
  H: fc.integer({ min: 3, max: 7 }),
  W: fc.integer({ min: 3, max: 7 }),
  cout: fc.integer({ min: 1, max: 4 }),
  k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  s: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  pads: fc.tuple(...[0, 1, 2, 3].map(() => fc.integer({ min: 0, max: 2 }))),
  padMode: fc.constantFrom("explicit", "SAME_UPPER", "VALID"),
  grouped: fc.boolean(),
  bias: fc.boolean(),
  bn: fc.boolean(),
  pool: fc.constantFrom("none", "avg", "avg-count-pad", "pad-then-avg", "max"),
  scale: fc.constantFrom("none", "mul-channel", "add-scalar", "div-scalar", "sub-from-const"),
  head: fc.constantFrom("flatten-gemm", "reshape-gemm", "matmul"),
  O: fc.integer({ min: 1, max: 4 }),
  transB: fc.boolean(),
  alpha: fc.constantFrom(1, 0.5, 2),
  beta: fc.constantFrom(1, 0.25),
  cShape: fc.constantFrom("none", "O", "1xO", "scalar"),
});

type Case = typeof arb extends fc.Arbitrary<infer T> ? T : never;

function build(p: Case) {
  const r = rng(p.seed);
  const vals = (n: number) => Array.from({ length: n }, r);
  const nodes: NodeSpec[] = [];
  const inits = [];
  const x: ref.Chw = { c: p.C, h: p.H, w: p.W, data: Float64Array.from(vals(p.C * p.H * p.W)) };
  // Conv (kernel shrunk where it would not fit).
  const groups = p.grouped && p.cout % p.C === 0 ? p.C : 1;
  let [kh, kw] = p.k;
  let [dh, dw] = p.d;
  let pads: [number, number, number, number] =
    p.padMode === "explicit" ? (p.pads as [number, number, number, number]) : [0, 0, 0, 0];
  if (p.padMode === "SAME_UPPER") pads = ref.sameUpper(p.H, p.W, [kh, kw], p.s as [number, number], [dh, dw]);
  if ((kh - 1) * dh + 1 > p.H + pads[0] + pads[2]) [kh, dh] = [Math.min(kh, p.H), 1];
  if ((kw - 1) * dw + 1 > p.W + pads[1] + pads[3]) [kw, dw] = [Math.min(kw, p.W), 1];
  if (p.padMode === "SAME_UPPER") pads = ref.sameUpper(p.H, p.W, [kh, kw], p.s as [number, number], [dh, dw]);
  const I = p.C / groups;
  const convP: ref.ConvRef = {
    weight: Float64Array.from(vals(p.cout * I * kh * kw)),
    out: p.cout,
    kernel: [kh, kw],
    strides: p.s as [number, number],
    dilations: [dh, dw],
    pads,
    groups,
    bias: p.bias ? Float64Array.from(vals(p.cout)) : undefined,
  };
  inits.push(f32Tensor("w", [p.cout, I, kh, kw], convP.weight));
  if (convP.bias) inits.push(f32Tensor("b", [p.cout], convP.bias));
  const convAttrs: NodeSpec["attrs"] = {
    strides: { ints: [...p.s] },
    dilations: { ints: [dh, dw] },
    group: { i: groups },
  };
  if (p.padMode === "explicit") convAttrs.pads = { ints: pads };
  else convAttrs.auto_pad = { s: p.padMode };
  nodes.push({ op: "Conv", inputs: ["x", "w", ...(convP.bias ? ["b"] : [])], outputs: ["conv"], attrs: convAttrs });
  const convOut = ref.conv(x, convP);
  let y = convOut;
  let last = "conv";
  if (p.bn) {
    const [g, b, m] = [vals(p.cout), vals(p.cout), vals(p.cout)];
    const v = vals(p.cout).map((q) => Math.fround(q + 1.5));
    inits.push(
      f32Tensor("g", [p.cout], g),
      f32Tensor("bb", [p.cout], b),
      f32Tensor("m", [p.cout], m),
      f32Tensor("v", [p.cout], v),
    );
    nodes.push({
      op: "BatchNormalization",
      inputs: [last, "g", "bb", "m", "v"],
      outputs: ["bn"],
      attrs: { epsilon: { f: 0.001 } },
    });
    y = ref.batchNorm(y, g, b, m, v, Math.fround(0.001));
    last = "bn";
  }
  if (p.pool !== "none" && y.h >= 3 && y.w >= 3) {
    const k: [number, number] = [2, 2];
    const st: [number, number] = [1 + (p.seed % 2), 1 + ((p.seed >> 1) % 2)];
    const z4: [number, number, number, number] = [0, 0, 0, 0];
    const ones: [number, number, number, number] = [1, 1, 1, 1];
    if (p.pool === "pad-then-avg") {
      inits.push(i64Tensor("pp", [8], [0, 0, 1, 1, 0, 0, 1, 1]));
      nodes.push({ op: "Pad", inputs: [last, "pp"], outputs: ["padded"], attrs: { mode: { s: "constant" } } });
      nodes.push({
        op: "AveragePool",
        inputs: ["padded"],
        outputs: ["pool"],
        attrs: { kernel_shape: { ints: k }, strides: { ints: st } },
      });
      y = ref.pool(y, "avg", k, st, ones, true);
    } else {
      const countPad = p.pool === "avg-count-pad";
      const attrs: NodeSpec["attrs"] = { kernel_shape: { ints: k }, strides: { ints: st } };
      if (countPad) Object.assign(attrs, { pads: { ints: ones }, count_include_pad: { i: 1 } });
      nodes.push({ op: p.pool === "max" ? "MaxPool" : "AveragePool", inputs: [last], outputs: ["pool"], attrs });
      y = ref.pool(y, p.pool === "max" ? "max" : "avg", k, st, countPad ? ones : z4, countPad);
    }
    last = "pool";
  }
  if (p.scale !== "none") {
    const kc = p.scale === "mul-channel" ? vals(y.c) : [Math.fround(0.75)];
    inits.push(f32Tensor("k", p.scale === "mul-channel" ? [y.c, 1, 1] : [], kc));
    const op = { "mul-channel": "Mul", "add-scalar": "Add", "div-scalar": "Div", "sub-from-const": "Sub" }[p.scale];
    const ins = p.scale === "sub-from-const" ? ["k", last] : [last, "k"];
    nodes.push({ op, inputs: ins, outputs: ["scaled"] });
    const hw = y.h * y.w;
    const f = (v: number, i: number) => {
      const q = kc[p.scale === "mul-channel" ? Math.floor(i / hw) : 0]!;
      return p.scale === "mul-channel"
        ? v * q
        : p.scale === "add-scalar"
          ? v + q
          : p.scale === "div-scalar"
            ? v / q
            : q - v;
    };
    y = { ...y, data: y.data.map(f) };
    last = "scaled";
  }
  const F = y.c * y.h * y.w;
  if (p.head === "reshape-gemm") {
    inits.push(i64Tensor("shape", [2], [1, -1]));
    nodes.push({ op: "Reshape", inputs: [last, "shape"], outputs: ["flat"] });
  } else nodes.push({ op: "Flatten", inputs: [last], outputs: ["flat"], attrs: { axis: { i: 1 } } });
  const B = Float64Array.from(vals(F * p.O));
  let out: Float64Array;
  if (p.head === "matmul") {
    inits.push(f32Tensor("B", [F, p.O], B));
    nodes.push({ op: "MatMul", inputs: ["flat", "B"], outputs: ["y"] });
    out = ref.gemm(y.data, B, p.O, false, 1, 1);
  } else {
    inits.push(f32Tensor("B", p.transB ? [p.O, F] : [F, p.O], B));
    const cDims = { none: [], O: [p.O], "1xO": [1, p.O], scalar: [] }[p.cShape];
    const C = p.cShape === "none" ? undefined : Float64Array.from(vals(p.cShape === "scalar" ? 1 : p.O));
    if (C) inits.push(f32Tensor("C", cDims, C));
    const attrs = { transB: { i: p.transB ? 1 : 0 }, alpha: { f: p.alpha }, beta: { f: p.beta } };
    nodes.push({ op: "Gemm", inputs: ["flat", "B", ...(C ? ["C"] : [])], outputs: ["y"], attrs });
    out = ref.gemm(y.data, B, p.O, p.transB, p.alpha, p.beta, C);
  }
  const bytes = modelBytes({
    input: { name: "x", dims: ["N", p.C, p.H, p.W] },
    outputs: [{ name: "y" }],
    nodes,
    initializers: inits,
  });
  return { bytes, input: ref.toHwc(x), convOut: ref.toHwc(convOut), out };
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    assert.ok(Math.abs(a - e) <= 1e-9 * (1 + Math.abs(e)), `${what}[${i}]: snnc ${a}, NCHW reference ${e}`);
  }
}

test("random Conv/BN/pool/scale/Flatten/Gemm graphs compute what the NCHW definitions compute", () => {
  fc.assert(
    fc.property(arb, (p) => {
      const b = build(p);
      const g = toGraph(decodeModel(b.bytes), { timesteps: 1, encoding: "direct" }, "p", ".");
      const r = simulate(g, b.input, { all: true });
      close(r.traces.get("conv")!.out[0]!, b.convOut, "conv output");
      close(r.traces.get("y")!.out[0]!, b.out, "output");
    }),
    { numRuns: 300 },
  );
});
