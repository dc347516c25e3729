/**
 * NIR's stateless primitives → IR nodes: Affine, Linear (dense, weight [out, in] → kernel [in, out]),
 * Scale (affine), Conv1d / Conv2d (OIHW → HWIO, channels last), SumPool2d / AvgPool2d (a pad node
 * first where NIR pads: PyTorch's zero padding, counted by the average), Flatten, Delay.
 */
import { SnncError } from "../../ir/errors.ts";
import type { Pads } from "../../ir/nodes.ts";
import { shapeStr, size, tensor } from "../../ir/tensor.ts";
import { type ConvertCtx, flatInput, origin } from "./convert-context.ts";
import { irParam, irShape, nirIndexOfIr, type Value } from "./layout.ts";

const loc = (c: ConvertCtx, param?: string) => ({ layer: c.node.name, param });

function denseNode(c: ConvertCtx, withBias: boolean): Value {
  const inN = flatInput(c);
  const w = c.node.params.array("weight");
  if (w.shape.length !== 2 || w.shape[1] !== inN)
    throw new SnncError(
      "E_SHAPE",
      `weight has shape ${shapeStr(w.shape)}, expected [out, ${inN}] for its input`,
      loc(c, "weight"),
    );
  const out = w.shape[0]!;
  const perm = nirIndexOfIr(c.input);
  const k = new Float64Array(inN * out);
  for (let j = 0; j < inN; j++) for (let o = 0; o < out; o++) k[j * out + o] = w.data[o * inN + perm[j]!]!;
  let bias: ReturnType<typeof tensor> | undefined;
  if (withBias) {
    const b = c.node.params.array("bias");
    if (b.data.length !== out)
      throw new SnncError("E_SHAPE", `bias has shape ${shapeStr(b.shape)}, expected [${out}]`, loc(c, "bias"));
    bias = tensor([out], b.data);
  }
  const id = c.fresh(c.node.name);
  c.emit({ op: "dense", id, inputs: [c.input.id], kernel: tensor([inN, out], k), bias, origin: origin(c) });
  return { id, nir: [out], layout: { kind: "flat" } };
}

export const affine = (c: ConvertCtx) => denseNode(c, true);
export const linear = (c: ConvertCtx) => denseNode(c, false);

export function scale(c: ConvertCtx): Value {
  const s = irParam(c.node.params.array("scale"), c.input, "scale", c.node.name);
  const id = c.fresh(c.node.name);
  c.emit({ op: "affine", id, inputs: [c.input.id], scale: s, shift: tensor([], [0]), origin: origin(c) });
  return { ...c.input, id };
}

/** Torch's output length of one spatial axis. */
const outLen = (n: number, padTotal: number, k: number, s: number, d: number) =>
  Math.floor((n + padTotal - d * (k - 1) - 1) / s) + 1;

function convNode(c: ConvertCtx, dims: 1 | 2): Value {
  const p = c.node.params;
  const x = c.input.nir;
  if (x.length !== dims + 1)
    throw new SnncError(
      "E_SHAPE",
      `Conv${dims}d reads a value of shape ${shapeStr(x)}; it takes [C, ${dims === 2 ? "H, W" : "N"}]`,
      loc(c),
    );
  const w = p.array("weight");
  if (w.shape.length !== dims + 2)
    throw new SnncError(
      "E_SHAPE",
      `weight has shape ${shapeStr(w.shape)}, expected ${dims + 2} axes`,
      loc(c, "weight"),
    );
  const [cout, kin] = w.shape as [number, number];
  const ks = dims === 2 ? [w.shape[2]!, w.shape[3]!] : [1, w.shape[2]!];
  const groups = p.ints("groups", 1, 1)[0]!;
  if (kin * groups !== x[0] || cout % groups !== 0)
    throw new SnncError(
      "E_SHAPE",
      `weight ${shapeStr(w.shape)} with ${groups} group(s) does not take ${x[0]} input channels`,
      loc(c, "weight"),
    );
  const one = (key: string, min: number) => {
    const v = p.ints(key, dims, min);
    return (dims === 2 ? v : [1, v[0]!]) as [number, number];
  };
  const strides = one("stride", 1);
  const dilation = one("dilation", 1);
  const spatial = dims === 2 ? [x[1]!, x[2]!] : [1, x[1]!];
  if (p.has("input_shape")) {
    const want = p.ints("input_shape", dims, 1);
    if (want.some((v, i) => v !== x[i + 1]))
      throw new SnncError(
        "E_SHAPE",
        `input_shape [${want}] does not match its input ${shapeStr(x)}`,
        loc(c, "input_shape"),
      );
  }
  const pads = convPads(c, dims, ks, strides, dilation);
  const bias = p.array("bias");
  if (bias.data.length !== cout && bias.data.length !== 1)
    throw new SnncError("E_SHAPE", `bias has shape ${shapeStr(bias.shape)}, expected [${cout}]`, loc(c, "bias"));
  const [kh, kw] = ks as [number, number];
  const k = new Float64Array(kh * kw * kin * cout);
  for (let o = 0; o < cout; o++)
    for (let i = 0; i < kin; i++)
      for (let y = 0; y < kh; y++)
        for (let z = 0; z < kw; z++)
          k[((y * kw + z) * kin + i) * cout + o] = w.data[((o * kin + i) * kh + y) * kw + z]!;
  const b = bias.data.length === 1 ? new Float64Array(cout).fill(bias.data[0]!) : bias.data;
  const id = c.fresh(c.node.name);
  c.emit({
    op: "conv2d",
    id,
    inputs: [c.input.id],
    kernel: tensor([kh, kw, kin, cout], k),
    bias: tensor([cout], b),
    strides,
    padding: pads,
    dilation,
    groups,
    origin: origin(c),
  });
  const oh = outLen(spatial[0]!, pads[0] + pads[1], kh, strides[0], dilation[0]);
  const ow = outLen(spatial[1]!, pads[2] + pads[3], kw, strides[1], dilation[1]);
  if (oh < 1 || ow < 1) throw new SnncError("E_SHAPE", `gives an empty output from ${shapeStr(x)}`, loc(c));
  return { id, nir: dims === 2 ? [cout, oh, ow] : [cout, ow], layout: { kind: "channels" } };
}

/** NIR padding (ints per axis, or "same" / "valid" as PyTorch means them) → explicit pads. */
function convPads(c: ConvertCtx, dims: 1 | 2, ks: number[], strides: number[], dilation: number[]): Pads {
  const p = c.node.params;
  const mode = p.string("padding");
  if (mode === "valid") return [0, 0, 0, 0];
  if (mode === "same") {
    if (strides.some((s) => s !== 1))
      throw new SnncError(
        "E_FORMAT",
        `padding "same" with stride ${strides} (PyTorch allows it with stride 1 only)`,
        loc(c, "padding"),
      );
    const half = (k: number, d: number): [number, number] => {
      const total = d * (k - 1);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    };
    return [...half(ks[0]!, dilation[0]!), ...half(ks[1]!, dilation[1]!)] as Pads;
  }
  if (mode !== undefined)
    throw new SnncError("E_FORMAT", `padding "${mode}" (expected integers, "same" or "valid")`, loc(c, "padding"));
  const v = p.ints("padding", dims, 0);
  const [ph, pw] = dims === 2 ? v : [0, v[0]!];
  return [ph!, ph!, pw!, pw!];
}

export const conv1d = (c: ConvertCtx) => convNode(c, 1);
export const conv2d = (c: ConvertCtx) => convNode(c, 2);

function poolNode(c: ConvertCtx, op: "sumpool" | "avgpool"): Value {
  const p = c.node.params;
  const x = c.input.nir;
  if (x.length !== 3)
    throw new SnncError("E_SHAPE", `${c.node.type} reads a value of shape ${shapeStr(x)}; it takes [C, H, W]`, loc(c));
  const k = p.ints("kernel_size", 2, 1) as [number, number];
  const s = p.ints("stride", 2, 1) as [number, number];
  const pad = p.ints("padding", 2, 0) as [number, number];
  let src = c.input.id;
  if (pad[0] || pad[1]) {
    src = c.fresh(`${c.node.name}:pad`);
    c.emit({
      op: "pad",
      id: src,
      inputs: [c.input.id],
      pads: [pad[0], pad[0], pad[1], pad[1]],
      origin: origin(c, "its zero padding"),
    });
  }
  const oh = outLen(x[1]!, 2 * pad[0], k[0], s[0], 1);
  const ow = outLen(x[2]!, 2 * pad[1], k[1], s[1], 1);
  if (oh < 1 || ow < 1) throw new SnncError("E_SHAPE", `gives an empty output from ${shapeStr(x)}`, loc(c));
  const id = c.fresh(c.node.name);
  c.emit({ op, id, inputs: [src], pool: k, strides: s, padding: "valid", origin: origin(c) });
  return { id, nir: [x[0]!, oh, ow], layout: { kind: "channels" } };
}

export const sumPool2d = (c: ConvertCtx) => poolNode(c, "sumpool");
export const avgPool2d = (c: ConvertCtx) => poolNode(c, "avgpool");

export function flatten(c: ConvertCtx): Value {
  const p = c.node.params;
  const x = c.input.nir;
  if (p.has("input_type")) {
    const want = p.array("input_type").data;
    if (want.length !== x.length || want.some((v, i) => v !== x[i]))
      throw new SnncError(
        "E_SHAPE",
        `input_type [${Array.from(want)}] does not match its input ${shapeStr(x)}`,
        loc(c, "input_type"),
      );
  }
  const r = x.length;
  const dim = (key: string, dflt: number) => {
    const v = p.has(key) ? p.array(key).data[0]! : dflt;
    const n = v < 0 ? r + v : v;
    if (!Number.isInteger(n) || n < 0 || n >= r)
      throw new SnncError("E_FORMAT", `${key} ${v} is outside the ${r} axes of its input ${shapeStr(x)}`, loc(c, key));
    return n;
  };
  const s = dim("start_dim", 0);
  const e = dim("end_dim", -1);
  const out = [...x.slice(0, s), size(x.slice(s, e + 1)), ...x.slice(e + 1)];
  if (out.length === x.length) return c.input; // flattens one axis: nothing changes
  if (out.length !== 1)
    throw new SnncError(
      "E_UNSUPPORTED",
      `flattening ${shapeStr(x)} to ${shapeStr(out)}: snnc flattens to a vector only (start_dim 0, end_dim -1)`,
      loc(c),
    );
  const id = c.fresh(c.node.name);
  c.emit({ op: "flatten", id, inputs: [c.input.id], origin: origin(c) });
  return { id, nir: out, layout: { kind: "flat", perm: nirIndexOfIr(c.input) } };
}

/** Delay in seconds → whole steps of dt. */
export function delaySteps(c: Pick<ConvertCtx, "node" | "d">, v: Value): ReturnType<typeof irParam> {
  const a = c.node.params.array("delay");
  const steps = irParam(a, v, "delay", c.node.name);
  steps.data = steps.data.map((sec, i) => {
    const n = sec / c.d.dt;
    const r = Math.round(n);
    if (sec < 0 || Math.abs(n - r) > 1e-6 * Math.max(1, Math.abs(n)))
      throw new SnncError("E_VALUE", `delay ${sec} s (index ${i}) is not a whole number of steps of dt = ${c.d.dt} s`, {
        layer: c.node.name,
        param: "delay",
      });
    return r;
  });
  return steps;
}

export function delay(c: ConvertCtx): Value {
  const id = c.fresh(c.node.name);
  const v = c.input;
  const steps = delaySteps(c, v);
  c.emit({
    op: "delay",
    id,
    inputs: [v.id],
    steps,
    ...(v.recurrentSource ? { sourceShape: irShape(v.nir) } : {}),
    origin: origin(c, v.recurrentSource ? "closes a cycle: reads its input of earlier steps" : undefined),
  });
  return { id, nir: v.nir, layout: v.layout };
}
