/**
 * Per-element operators on activations: Add of two activations → IR add; Add / Sub / Mul / Div
 * with a constant → IR affine (scale, shift); BatchNormalization → IR bn; Identity and Dropout
 * (inference) vanish. Constants follow ONNX broadcasting and become the IR's smallest parameter
 * form: a scalar, one value per channel, or one per element (in the IR's layout).
 */
import { scalar, tensor, type Tensor } from "../../ir/tensor.ts";
import { broadcastAt } from "./const-index.ts";
import type { NodeCtx } from "./context.ts";
import { chwToHwc, dimsStr, irShape, permute, samePerm, type ActVal, type ConstVal } from "./values.ts";

/** The constant `k` broadcast onto activation `a`, as an IR parameter ([], [C] or the IR shape). */
export function ontoActivation(c: NodeCtx, k: ConstVal, a: ActVal): Tensor {
  const ad = a.dims;
  const off = ad.length - k.dims.length;
  if (off < 0 || !k.dims.every((d, i) => d === 1 || d === ad[off + i])) {
    c.fail("E_SHAPE", `constant '${k.name}' ${dimsStr(k.dims)} does not broadcast onto the activation ${dimsStr(ad)}`);
  }
  const full = new Float64Array(ad.reduce((x, y) => x * y, 1));
  const idx = new Array<number>(ad.length).fill(0);
  for (let i = 0; i < full.length; i++) {
    full[i] = broadcastAt(k, ad, idx);
    for (let d = ad.length - 1; d >= 0; d--) {
      if (++idx[d]! < ad[d]!) break;
      idx[d] = 0;
    }
  }
  if (full.every((v) => v === full[0])) return scalar(full[0] ?? 0);
  if (ad.length === 2) return tensor(irShape(a), permute(full, a.perm));
  const [, C, H, W] = ad as [number, number, number, number];
  const perChannel = Array.from({ length: C }, (_, ch) => full[ch * H * W]!);
  if (full.every((v, i) => v === perChannel[Math.floor(i / (H * W))])) return tensor([C], perChannel);
  return tensor([H, W, C], chwToHwc(full, C, H, W));
}

function affine(c: NodeCtx, a: ActVal, scale: Tensor, shift: Tensor): ActVal {
  const nonNeg = a.nonNeg && scale.data.every((v) => v >= 0) && shift.data.every((v) => v >= 0);
  return c.emit({ op: "affine", inputs: [a.id], scale, shift }, [...a.dims], { perm: a.perm, nonNeg });
}

/** (activation, constant) in either order, or two activations. */
function operands(c: NodeCtx): { act: ActVal; k?: ConstVal; other?: ActVal; constFirst: boolean } {
  c.arity(2);
  c.attrs.only([]);
  const x = c.value(0)!;
  const y = c.value(1)!;
  if (x.kind === "act" && y.kind === "act") return { act: x, other: y, constFirst: false };
  if (x.kind === "act") return { act: x, k: y as ConstVal, constFirst: false };
  return { act: y as ActVal, k: x, constFirst: true };
}

function checkKFloat(c: NodeCtx, k: ConstVal): void {
  if (k.data.some((v) => !Number.isFinite(v))) c.fail("E_VALUE", `constant '${k.name}' holds a non-finite value`);
}

function sumOf(c: NodeCtx, a: ActVal, b: ActVal): ActVal {
  if (a.dims.length !== b.dims.length || !a.dims.every((d, i) => d === b.dims[i])) {
    c.fail("E_SHAPE", `${c.op} of activations with different shapes ${dimsStr(a.dims)} and ${dimsStr(b.dims)}`);
  }
  if (!samePerm(a.perm, b.perm)) {
    c.fail("E_FORMAT", `${c.op} of two flattened activations whose features are in different orders`);
  }
  return c.emit({ op: "add", inputs: [a.id, b.id] }, [...a.dims], { perm: a.perm, nonNeg: a.nonNeg && b.nonNeg });
}

export function add(c: NodeCtx): ActVal {
  const { act, k, other } = operands(c);
  if (other) return sumOf(c, act, other);
  checkKFloat(c, k!);
  return affine(c, act, scalar(1), ontoActivation(c, k!, act));
}

export function sub(c: NodeCtx): ActVal {
  const { act, k, other, constFirst } = operands(c);
  if (other) {
    const neg = c.emit({ op: "affine", inputs: [other.id], scale: scalar(-1), shift: scalar(0) }, [...other.dims], {
      perm: other.perm,
      suffix: "_neg",
    });
    return sumOf(c, act, neg);
  }
  checkKFloat(c, k!);
  const t = ontoActivation(c, k!, act);
  if (constFirst) return affine(c, act, scalar(-1), t); // k − x
  return affine(c, act, scalar(1), { shape: t.shape, data: t.data.map((v) => -v) });
}

export function mul(c: NodeCtx): ActVal {
  const { act, k, other } = operands(c);
  if (other) return c.fail("E_FORMAT", `Mul of two activations is not supported (only scaling by a constant)`);
  checkKFloat(c, k!);
  return affine(c, act, ontoActivation(c, k!, act), scalar(0));
}

export function div(c: NodeCtx): ActVal {
  const { act, k, other, constFirst } = operands(c);
  if (other || constFirst) return c.fail("E_FORMAT", `Div is supported only as activation / constant`);
  checkKFloat(c, k!);
  const t = ontoActivation(c, k!, act);
  if (t.data.some((v) => v === 0)) c.fail("E_VALUE", `Div by constant '${k!.name}', which holds 0`);
  return affine(c, act, { shape: t.shape, data: t.data.map((v) => 1 / v) }, scalar(0));
}

/** [C] per-channel (or per-feature) parameter of an activation, in the IR's order. */
export function channelParam(c: NodeCtx, i: number, what: string, a: ActVal): Tensor {
  const C = a.dims[1]!;
  const p = c.param(i, what);
  if (p.data.length !== C || p.dims.filter((d) => d !== 1).length > 1) {
    c.fail("E_WEIGHT", `${what} '${p.name}' has shape ${dimsStr(p.dims)}, expected [${C}] (one per channel)`, what);
  }
  return tensor([C], a.dims.length === 2 ? permute(p.data, a.perm) : p.data);
}

export function batchNorm(c: NodeCtx): ActVal {
  c.arity(5);
  c.attrs.only(["epsilon", "momentum", "training_mode", "spatial"]);
  if (c.attrs.int("training_mode", 0) !== 0) {
    c.fail("E_FORMAT", `BatchNormalization in training mode (export the model in eval mode)`, "training_mode");
  }
  if (c.attrs.int("spatial", 1) !== 1) c.fail("E_FORMAT", `BatchNormalization spatial=0 is not supported`, "spatial");
  const x = c.act(0, "X");
  if (x.dims.length !== 4 && x.dims.length !== 2) c.fail("E_SHAPE", `BatchNormalization of ${dimsStr(x.dims)}`);
  return c.emit(
    {
      op: "bn",
      inputs: [x.id],
      gamma: channelParam(c, 1, "scale", x),
      beta: channelParam(c, 2, "B", x),
      mean: channelParam(c, 3, "input_mean", x),
      variance: channelParam(c, 4, "input_var", x),
      epsilon: c.attrs.float("epsilon", 1e-5),
    },
    [...x.dims],
    { perm: x.perm },
  );
}

export function identity(c: NodeCtx): ActVal {
  c.arity(1);
  c.attrs.only([]);
  return c.act(0, "input");
}

export function dropout(c: NodeCtx): ActVal {
  c.arity(1, 3);
  c.attrs.only(["seed", "ratio", "is_test"]);
  const training = c.optConstant(2, "training_mode");
  if (training?.data[0]) c.fail("E_FORMAT", `Dropout with training_mode true (export in eval mode)`);
  return c.act(0, "data");
}
