/**
 * Conv, Gemm and MatMul → IR conv2d / dense. ONNX weights are OIHW and [out, in] (Gemm with
 * transB) or [in, out]; the IR wants HWIO and [in, out], rows in the IR's feature order (a dense
 * after flattening C×H×W reads its rows through the activation's `perm`, see values.ts).
 */
import type { Pads } from "../../ir/nodes.ts";
import { windowGeometry } from "../../ir/conv-geometry.ts";
import { tensor, type Tensor } from "../../ir/tensor.ts";
import type { NodeCtx } from "./context.ts";
import { dimsStr, type ActVal, type ConstVal } from "./values.ts";

/** ONNX `pads` [top, left, bottom, right] (or auto_pad) → the IR's padding for a 2-D window. */
export function windowPadding(
  c: NodeCtx,
  inHW: [number, number],
  kernel: [number, number],
  strides: [number, number],
  dilation: [number, number],
): "same" | "valid" | Pads {
  const auto = c.attrs.oneOf("auto_pad", ["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"], "NOTSET");
  if (auto !== "NOTSET" && c.attrs.has("pads")) c.fail("E_FORMAT", `both auto_pad ${auto} and pads are given`, "pads");
  if (auto === "VALID") return "valid";
  if (auto === "SAME_UPPER") return "same";
  if (auto === "SAME_LOWER") {
    // As SAME_UPPER with the odd cell at the start.
    const [t, b, l, r] = windowGeometry(inHW[0], inHW[1], { kernel, strides, dilation, padding: "same" }).pads;
    return [b, t, r, l];
  }
  const p = c.attrs.ints("pads", [0, 0, 0, 0]);
  if (p.length !== 4 || !p.every((x) => Number.isInteger(x) && x >= 0)) {
    c.fail("E_FORMAT", `pads [${p.join(",")}] must be 4 non-negative integers (2-D operators only)`, "pads");
  }
  const pads: Pads = [p[0]!, p[2]!, p[1]!, p[3]!];
  return pads.every((x) => x === 0) ? "valid" : pads;
}

/** Output [H, W] of a window op, or an error naming the op when it is empty. */
export function windowOut(
  c: NodeCtx,
  inHW: [number, number],
  w: {
    kernel: [number, number];
    strides: [number, number];
    dilation: [number, number];
    padding: "same" | "valid" | Pads;
  },
): [number, number] {
  const g = windowGeometry(inHW[0], inHW[1], w);
  if (!(g.outH > 0 && g.outW > 0)) {
    c.fail(
      "E_SHAPE",
      `window ${w.kernel.join("x")} does not fit the input ${inHW.join("x")} (output ${g.outH}x${g.outW})`,
    );
  }
  return [g.outH, g.outW];
}

function spatialInput(c: NodeCtx): ActVal {
  const x = c.act(0, "X");
  if (x.dims.length !== 4) c.fail("E_SHAPE", `${c.op} needs an NCHW input, got ${dimsStr(x.dims)}`);
  return x;
}

export function conv(c: NodeCtx): ActVal {
  c.arity(2, 3);
  c.attrs.only(["auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"]);
  const x = spatialInput(c);
  const [, C, H, W] = x.dims as [number, number, number, number];
  const w = c.param(1, "W");
  if (w.dims.length !== 4)
    c.fail("E_WEIGHT", `Conv weight '${w.name}' has shape ${dimsStr(w.dims)}, expected OIHW`, "W");
  const [O, I, KH, KW] = w.dims as [number, number, number, number];
  const groups = c.attrs.int("group", 1);
  if (!(groups >= 1 && C % groups === 0 && O % groups === 0)) {
    c.fail("E_SHAPE", `group ${groups} does not divide ${C} input / ${O} output channels`, "group");
  }
  if (I * groups !== C) {
    c.fail(
      "E_SHAPE",
      `Conv weight '${w.name}' ${dimsStr(w.dims)} expects ${I * groups} input channels, the input has ${C}`,
    );
  }
  const ks = c.attrs.ints("kernel_shape", [KH, KW]);
  if (ks[0] !== KH || ks[1] !== KW || ks.length !== 2) {
    c.fail("E_SHAPE", `kernel_shape [${ks.join(",")}] does not match the weight ${dimsStr(w.dims)}`, "kernel_shape");
  }
  const strides = c.attrs.pair("strides", [1, 1]);
  const dilation = c.attrs.pair("dilations", [1, 1]);
  const padding = windowPadding(c, [H, W], [KH, KW], strides, dilation);
  const [oh, ow] = windowOut(c, [H, W], { kernel: [KH, KW], strides, dilation, padding });
  // OIHW → HWIO
  const k = tensor([KH, KW, I, O]);
  for (let o = 0; o < O; o++)
    for (let i = 0; i < I; i++)
      for (let y = 0; y < KH; y++)
        for (let z = 0; z < KW; z++) k.data[((y * KW + z) * I + i) * O + o] = w.data[((o * I + i) * KH + y) * KW + z]!;
  const b = c.optParam(2, "B", [O]);
  const body = { op: "conv2d" as const, inputs: [x.id], kernel: k, strides, padding, dilation, groups };
  return c.emit(b ? { ...body, bias: tensor([O], b.data) } : body, [1, O, oh, ow]);
}

/** A flat activation [1, F] (the batch axis first). */
function flatInput(c: NodeCtx, what: string): ActVal {
  const a = c.act(0, what);
  if (a.dims.length !== 2) {
    c.fail(
      "E_SHAPE",
      `${c.op} input ${what} is ${dimsStr(a.dims)}; a flat [batch, features] input is needed (Flatten first)`,
    );
  }
  return a;
}

/** IR dense kernel [F, O] from a weight read as w(f, o) in ONNX feature order. */
function denseKernel(a: ActVal, F: number, O: number, w: (f: number, o: number) => number): Tensor {
  const k = tensor([F, O]);
  for (let i = 0; i < F; i++) {
    const f = a.perm ? a.perm[i]! : i;
    for (let o = 0; o < O; o++) k.data[i * O + o] = w(f, o);
  }
  return k;
}

export function gemm(c: NodeCtx): ActVal {
  c.arity(2, 3);
  c.attrs.only(["alpha", "beta", "transA", "transB"]);
  if (c.value(0)?.kind === "const") c.fail("E_FORMAT", `Gemm with a constant A and an activation B is not supported`);
  if (c.attrs.int("transA", 0) !== 0) {
    c.fail("E_FORMAT", `Gemm transA=1 on the activation is not supported (it would move the batch axis)`, "transA");
  }
  const a = flatInput(c, "A");
  const F = a.dims[1]!;
  const b = c.param(1, "B");
  if (b.dims.length !== 2) c.fail("E_WEIGHT", `Gemm B '${b.name}' has shape ${dimsStr(b.dims)}, expected 2-D`, "B");
  const transB = c.attrs.int("transB", 0) !== 0;
  const [bk, O] = transB ? [b.dims[1]!, b.dims[0]!] : [b.dims[0]!, b.dims[1]!];
  if (bk !== F) {
    c.fail(
      "E_SHAPE",
      `Gemm B '${b.name}' ${dimsStr(b.dims)}${transB ? " (transB)" : ""} takes ${bk} features, A has ${F}`,
    );
  }
  const alpha = c.attrs.float("alpha", 1);
  const beta = c.attrs.float("beta", 1);
  const kernel = denseKernel(a, F, O, (f, o) => alpha * b.data[transB ? o * F + f : f * O + o]!);
  const cv = c.optParam(2, "C");
  const body = { op: "dense" as const, inputs: [a.id], kernel };
  if (!cv) return c.emit(body, [1, O]);
  return c.emit(
    {
      ...body,
      bias: tensor(
        [O],
        gemmBias(c, cv, O).map((v) => beta * v),
      ),
    },
    [1, O],
  );
}

/** Gemm's C broadcast onto [1, O]: a scalar, [O], [1, O] or [1, 1]. */
function gemmBias(c: NodeCtx, cv: ConstVal, O: number): Float64Array {
  const d = cv.dims;
  const ok =
    cv.data.length === 1
      ? d.length <= 2
      : cv.data.length === O && ((d.length === 1 && d[0] === O) || (d.length === 2 && d[0] === 1 && d[1] === O));
  if (!ok)
    c.fail("E_WEIGHT", `Gemm C '${cv.name}' has shape ${dimsStr(d)}, which does not broadcast onto [1,${O}]`, "C");
  return cv.data.length === 1 ? new Float64Array(O).fill(cv.data[0]!) : new Float64Array(cv.data);
}

export function matmul(c: NodeCtx): ActVal {
  c.arity(2);
  c.attrs.only([]);
  if (c.value(0)?.kind === "const") c.fail("E_FORMAT", `MatMul with a constant A and an activation B is not supported`);
  const a = flatInput(c, "A");
  const F = a.dims[1]!;
  const b = c.param(1, "B");
  if (b.dims.length !== 2 || b.dims[0] !== F) {
    c.fail(
      "E_SHAPE",
      `MatMul B '${b.name}' has shape ${dimsStr(b.dims)}, expected [${F}, out] for A ${dimsStr(a.dims)}`,
    );
  }
  const O = b.dims[1]!;
  return c.emit({ op: "dense", inputs: [a.id], kernel: denseKernel(a, F, O, (f, o) => b.data[f * O + o]!) }, [1, O]);
}
