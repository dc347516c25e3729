/**
 * Pooling, Pad, Flatten and Reshape on activations → IR pool / pad / flatten / reshape.
 * Pooling with explicit pads is mapped only where the IR's form is exact (see README.md):
 * AveragePool counting pads (torch's default, or the Pad + AveragePool pair torch writes) is a
 * zero pad + valid pool; pads that match "same" are "same"; MaxPool pads on non-negative input
 * (spikes) are a zero pad + valid pool.
 */
import { windowGeometry } from "../../ir/conv-geometry.ts";
import type { Pads } from "../../ir/nodes.ts";
import { reshapeDims } from "./const-shape-ops.ts";
import type { NodeCtx } from "./context.ts";
import { windowOut, windowPadding } from "./linear-ops.ts";
import { dimsStr, flattenPerm, samePerm, type ActVal } from "./values.ts";

function spatial(c: NodeCtx): ActVal {
  const x = c.act(0, "X");
  if (x.dims.length !== 4) c.fail("E_SHAPE", `${c.op} needs an NCHW input, got ${dimsStr(x.dims)}`);
  return x;
}

function pool(c: NodeCtx, kind: "avg" | "max"): ActVal {
  c.arity(1);
  const extra = kind === "avg" ? ["count_include_pad"] : ["storage_order"];
  c.attrs.only(["auto_pad", "ceil_mode", "kernel_shape", "pads", "strides", "dilations", ...extra]);
  const x = spatial(c);
  const [, C, H, W] = x.dims as [number, number, number, number];
  const kernel = c.attrs.pair("kernel_shape", [0, 0]);
  const strides = c.attrs.pair("strides", [1, 1]);
  const dil = c.attrs.pair("dilations", [1, 1]);
  if (dil[0] !== 1 || dil[1] !== 1)
    c.fail("E_FORMAT", `pooling dilations [${dil.join(",")}] are not supported`, "dilations");
  const padding = windowPadding(c, [H, W], kernel, strides, [1, 1]);
  const win = { kernel, strides, dilation: [1, 1] as [number, number] };
  let [oh, ow] = windowOut(c, [H, W], { ...win, padding });
  if (c.attrs.int("ceil_mode", 0) === 1) {
    const pads = windowGeometry(H, W, { ...win, padding }).pads;
    const ceilOut = (n: number, p: number, k: number, s: number) => Math.ceil((n + p - k) / s) + 1;
    if (
      ceilOut(H, pads[0] + pads[1], kernel[0], strides[0]) !== oh ||
      ceilOut(W, pads[2] + pads[3], kernel[1], strides[1]) !== ow
    ) {
      c.fail("E_FORMAT", `ceil_mode=1 changes the output size here (not supported; use ceil_mode=0)`, "ceil_mode");
    }
  }
  const op = kind === "avg" ? ("avgpool" as const) : ("maxpool" as const);
  const emitPool = (input: ActVal, pad: "same" | "valid") => {
    [oh, ow] = windowOut(c, [input.dims[2]!, input.dims[3]!], { ...win, padding: pad });
    return c.emit({ op, inputs: [input.id], pool: kernel, strides, padding: pad }, [1, C, oh, ow], {
      nonNeg: x.nonNeg,
    });
  };
  if (padding === "valid" || padding === "same") {
    const countPads = kind === "avg" && c.attrs.int("count_include_pad", 0) === 1;
    if (padding === "same" && countPads) return padThenPool(c, x, samePads(H, W, win), emitPool);
    return emitPool(x, padding);
  }
  if (kind === "avg" && c.attrs.int("count_include_pad", 0) === 1) return padThenPool(c, x, padding, emitPool);
  const same = samePads(H, W, win);
  if (padding.every((p, k) => p === same[k])) return emitPool(x, "same");
  if (kind === "max" && x.nonNeg) return padThenPool(c, x, padding, emitPool);
  return c.fail(
    "E_FORMAT",
    kind === "avg"
      ? `AveragePool pads [${padding.join(",")}] without count_include_pad are exact only where they equal TF "same" padding [${same.join(",")}]`
      : `MaxPool pads [${padding.join(",")}] on an input that may be negative are exact only where they equal TF "same" padding [${same.join(",")}]`,
    "pads",
  );
}

function samePads(H: number, W: number, win: { kernel: [number, number]; strides: [number, number] }): Pads {
  return windowGeometry(H, W, { ...win, dilation: [1, 1], padding: "same" }).pads;
}

function padThenPool(c: NodeCtx, x: ActVal, pads: Pads, emitPool: (a: ActVal, p: "valid") => ActVal): ActVal {
  const [, C, H, W] = x.dims as [number, number, number, number];
  const padded = c.emit({ op: "pad", inputs: [x.id], pads }, [1, C, H + pads[0] + pads[1], W + pads[2] + pads[3]], {
    nonNeg: x.nonNeg,
    suffix: "_pad",
  });
  return emitPool(padded, "valid");
}

export const averagePool = (c: NodeCtx) => pool(c, "avg");
export const maxPool = (c: NodeCtx) => pool(c, "max");

function globalPool(c: NodeCtx, op: "avgpool" | "maxpool"): ActVal {
  c.arity(1);
  c.attrs.only([]);
  const x = spatial(c);
  const [, C, H, W] = x.dims as [number, number, number, number];
  return c.emit({ op, inputs: [x.id], pool: [H, W], strides: [H, W], padding: "valid" }, [1, C, 1, 1], {
    nonNeg: x.nonNeg,
  });
}

export const globalAveragePool = (c: NodeCtx) => globalPool(c, "avgpool");
export const globalMaxPool = (c: NodeCtx) => globalPool(c, "maxpool");

export function pad(c: NodeCtx): ActVal {
  c.arity(2, 4);
  c.attrs.only(["mode"]);
  const mode = c.attrs.string("mode", "constant");
  if (mode !== "constant") c.fail("E_FORMAT", `Pad mode "${mode}" is not supported (zero padding only)`, "mode");
  const x = c.act(0, "data");
  const r = x.dims.length;
  const p = Array.from(c.constant(1, "pads").data);
  const value = c.optConstant(2, "constant_value");
  if (value?.data.some((v) => v !== 0)) {
    c.fail("E_FORMAT", `Pad constant_value ${value!.data[0]} is not supported (zero padding only)`, "constant_value");
  }
  const axesV = c.optConstant(3, "axes");
  const axes = axesV ? Array.from(axesV.data, (a) => (a < 0 ? a + r : a)) : [...Array(r).keys()];
  if (p.length !== 2 * axes.length)
    c.fail("E_FORMAT", `Pad pads has ${p.length} values for ${axes.length} axes`, "pads");
  const full = new Array<number>(2 * r).fill(0);
  axes.forEach((a, k) => {
    full[a] = p[k]!;
    full[a + r] = p[k + axes.length]!;
  });
  if (full.some((v) => !Number.isInteger(v) || v < 0)) {
    c.fail("E_FORMAT", `Pad pads [${p.join(",")}] must be non-negative (cropping is not supported)`, "pads");
  }
  if (full.every((v) => v === 0)) return x;
  if (r !== 4 || full[0] || full[1] || full[4] || full[5]) {
    c.fail(
      "E_FORMAT",
      `Pad of ${dimsStr(x.dims)} by [${p.join(",")}]: only H and W of an NCHW tensor can be padded`,
      "pads",
    );
  }
  const pads: Pads = [full[2]!, full[6]!, full[3]!, full[7]!];
  const [, C, H, W] = x.dims as [number, number, number, number];
  return c.emit({ op: "pad", inputs: [x.id], pads }, [1, C, H + pads[0] + pads[1], W + pads[2] + pads[3]], {
    nonNeg: x.nonNeg,
  });
}

/** [1, C, H, W] → [1, C·H·W] in the IR's flatten (H, W, C order) with the matching perm. */
function flattenAct(c: NodeCtx, x: ActVal): ActVal {
  const [, C, H, W] = x.dims as [number, number, number, number];
  const perm = flattenPerm(C, H, W);
  return c.emit({ op: "flatten", inputs: [x.id] }, [1, C * H * W], { perm, nonNeg: x.nonNeg });
}

export function flatten(c: NodeCtx): ActVal {
  c.arity(1);
  c.attrs.only(["axis"]);
  const x = c.act(0, "input");
  const axis = c.attrs.int("axis", 1);
  const ax = axis < 0 ? axis + x.dims.length : axis;
  if (ax !== 0 && ax !== 1) {
    c.fail("E_FORMAT", `Flatten axis ${axis} would fold features into the batch axis (axis 1 only)`, "axis");
  }
  if (x.dims.length === 2) return x;
  if (x.dims.length !== 4) c.fail("E_SHAPE", `Flatten of a rank-${x.dims.length} input is not supported`);
  return flattenAct(c, x);
}

export function reshape(c: NodeCtx): ActVal {
  c.arity(2);
  c.attrs.only(["allowzero"]);
  const x = c.act(0, "data");
  const target = reshapeDims(c, x.dims, Array.from(c.constant(1, "shape").data), c.attrs.int("allowzero", 0) === 1);
  if (target[0] !== 1) {
    c.fail("E_FORMAT", `Reshape to ${dimsStr(target)} changes the batch axis (snnc runs one sample: [1, ...])`);
  }
  if (target.length === x.dims.length && target.every((d, k) => d === x.dims[k])) return x;
  if (x.dims.length === 4 && target.length === 2) return flattenAct(c, x);
  if (x.dims.length === 2 && target.length === 4) {
    const [, C, H, W] = target as [number, number, number, number];
    if (samePerm(x.perm, flattenPerm(C, H, W))) {
      return c.emit({ op: "reshape", inputs: [x.id], target: [H, W, C] }, target, { nonNeg: x.nonNeg });
    }
    c.fail(
      "E_FORMAT",
      `Reshape of ${dimsStr(x.dims)} to ${dimsStr(target)} would reorder features (the IR keeps channels last); only the inverse of a Flatten of the same shape is supported`,
    );
  }
  return c.fail("E_FORMAT", `Reshape of ${dimsStr(x.dims)} to ${dimsStr(target)} is not supported (flattening only)`);
}
