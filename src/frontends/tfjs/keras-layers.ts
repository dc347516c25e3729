/** Standard Keras layers (FORMATS.md §1) → IR nodes. Layout NHWC as in Keras. */
import { SnncError } from "../../ir/errors.ts";
import type { Pads } from "../../ir/nodes.ts";
import { filled } from "../../ir/tensor.ts";
import { describe, type Json } from "./config.ts";
import type { Converted, LayerCtx } from "./layer-context.ts";
import { declaredBatchShape } from "./topology.ts";

const base = (c: LayerCtx) => ({ id: c.name, inputs: [...c.inputs], origin: [`tfjs:${c.spec.className} '${c.name}'`] });

export function inputLayer(c: LayerCtx): Converted {
  const shape = declaredBatchShape(c.cfg.raw);
  if (shape === undefined)
    throw new SnncError(
      "E_FORMAT",
      `InputLayer declares no shape ('batch_input_shape', 'batch_shape' or 'input_shape')`,
    );
  if (!Array.isArray(shape) || shape.length < 2)
    throw new SnncError("E_FORMAT", `input shape ${describe(shape)} is not [batch, ...dims]`, {
      param: "batch_input_shape",
    });
  // Drop the batch axis, and the time axis of models built with TimeDistributed.
  let dims: Json[] = shape.slice(1);
  if (c.timeAxis) {
    if (dims.length < 2)
      throw new SnncError(
        "E_FORMAT",
        `input shape ${describe(shape)} has no time axis, but the model uses TimeDistributed`,
        { param: "batch_input_shape" },
      );
    dims = dims.slice(1);
  }
  if (!dims.every((d) => typeof d === "number" && Number.isInteger(d) && d > 0)) {
    throw new SnncError(
      "E_FORMAT",
      `input shape ${describe(shape)} has an unknown or invalid dimension (snnc needs fixed sizes)`,
      { param: "batch_input_shape" },
    );
  }
  return { ...base(c), op: "input", inputShape: dims as number[] };
}

export function conv2d(c: LayerCtx): Converted {
  const cfg = c.cfg;
  cfg.channelsLast();
  cfg.linearActivation();
  const filters = cfg.int("filters");
  const [kh, kw] = cfg.pair("kernel_size");
  const strides = cfg.pair("strides", [1, 1]);
  const dilation = cfg.pair("dilation_rate", [1, 1]);
  const padding = cfg.oneOf("padding", ["same", "valid"], "valid");
  const groups = cfg.int("groups", 1);
  const kernel = c.shapedWeight("kernel", [kh, kw, null, filters], `HWIO: kernel_size ${kh}x${kw}, filters ${filters}`);
  const bias = cfg.bool("use_bias", true) ? c.shapedWeight("bias", [filters], `filters ${filters}`) : undefined;
  return { ...base(c), op: "conv2d", kernel, bias, strides, padding, dilation, groups };
}

export function dense(c: LayerCtx): Converted {
  c.cfg.linearActivation();
  const units = c.cfg.int("units");
  const kernel = c.shapedWeight("kernel", [null, units], `[in, units], units ${units}`);
  const bias = c.cfg.bool("use_bias", true) ? c.shapedWeight("bias", [units], `units ${units}`) : undefined;
  return { ...base(c), op: "dense", kernel, bias };
}

/** Keras `axis` of a norm layer must name the channel (last) axis. */
function lastAxisOnly(c: LayerCtx, dflt: number): void {
  const raw = c.cfg.raw.axis ?? dflt;
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length !== 1 || typeof list[0] !== "number" || !Number.isInteger(list[0])) {
    throw new SnncError(
      "E_UNSUPPORTED",
      `axis ${describe(raw)} is not supported (normalisation over the last axis only)`,
      { param: "axis" },
    );
  }
  const axis = list[0];
  if (axis === -1) return;
  const input = c.inputs[0]!;
  // Keras counts the batch axis (and the time axis of an unwrapped layer in a time-axis model).
  const extra = 1 + (c.timeAxis && !c.wrapped ? 1 : 0);
  c.after((shapeOf) => {
    const rank = shapeOf(input).length + extra;
    if (axis !== rank - 1) {
      throw new SnncError(
        "E_UNSUPPORTED",
        `axis ${axis} is not the last axis (${rank - 1}, or -1) of its rank-${rank} input: only channel-last normalisation is supported`,
        { param: "axis" },
      );
    }
  });
}

export function batchNorm(c: LayerCtx): Converted {
  lastAxisOnly(c, -1);
  const epsilon = c.cfg.number("epsilon", 1e-3);
  const mean = c.shapedWeight("moving_mean", [null]);
  const C = mean.shape[0]!;
  const variance = c.shapedWeight("moving_variance", [C], `${C} channels as moving_mean`);
  const gamma = c.cfg.bool("scale", true)
    ? c.shapedWeight("gamma", [C], `${C} channels as moving_mean`)
    : filled([C], 1);
  const beta = c.cfg.bool("center", true)
    ? c.shapedWeight("beta", [C], `${C} channels as moving_mean`)
    : filled([C], 0);
  return { ...base(c), op: "bn", gamma, beta, mean, variance, epsilon };
}

function pool(c: LayerCtx, op: "avgpool" | "maxpool"): Converted {
  c.cfg.channelsLast();
  const p = c.cfg.pair("pool_size", [2, 2]);
  const strides = c.cfg.pair("strides", p);
  const padding = c.cfg.oneOf("padding", ["same", "valid"], "valid");
  return { ...base(c), op, pool: p, strides, padding };
}

export const avgPool = (c: LayerCtx) => pool(c, "avgpool");
export const maxPool = (c: LayerCtx) => pool(c, "maxpool");

function perStepOnly(c: LayerCtx, what: string): void {
  if (c.timeAxis && !c.wrapped) {
    throw new SnncError(
      "E_UNSUPPORTED",
      `${what} outside TimeDistributed would mix the time axis into the features; wrap it in TimeDistributed`,
    );
  }
}

export function flatten(c: LayerCtx): Converted {
  c.cfg.channelsLast();
  perStepOnly(c, "Flatten");
  return { ...base(c), op: "flatten" };
}

export function reshape(c: LayerCtx): Converted {
  perStepOnly(c, "Reshape");
  const raw = c.cfg.raw.target_shape;
  if (
    !Array.isArray(raw) ||
    raw.length === 0 ||
    !raw.every((d) => d === null || (typeof d === "number" && Number.isInteger(d) && (d > 0 || d === -1)))
  ) {
    throw new SnncError(
      "E_FORMAT",
      `config 'target_shape' must be a list of sizes (-1 for one free axis), got ${describe(raw)}`,
      { param: "target_shape" },
    );
  }
  const target = raw.map((d) => (d === null ? -1 : (d as number)));
  return { ...base(c), op: "reshape", target };
}

export function zeroPadding(c: LayerCtx): Converted {
  c.cfg.channelsLast();
  const raw = c.cfg.raw.padding ?? 1;
  const nonNeg = (v: Json | undefined): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
  let pads: Pads | undefined;
  if (nonNeg(raw)) pads = [raw, raw, raw, raw];
  else if (Array.isArray(raw) && raw.length === 2 && nonNeg(raw[0]) && nonNeg(raw[1]))
    pads = [raw[0], raw[0], raw[1], raw[1]];
  else if (
    Array.isArray(raw) &&
    raw.length === 2 &&
    raw.every((p) => Array.isArray(p) && p.length === 2 && nonNeg(p[0]) && nonNeg(p[1]))
  ) {
    const [h, w] = raw as [number[], number[]];
    pads = [h[0]!, h[1]!, w[0]!, w[1]!];
  }
  if (!pads)
    throw new SnncError(
      "E_FORMAT",
      `config 'padding' must be n, [h, w] or [[top, bottom], [left, right]], got ${describe(raw)}`,
      { param: "padding" },
    );
  return { ...base(c), op: "pad", pads };
}

export function add(c: LayerCtx): Converted {
  if (c.inputs.length < 2) throw new SnncError("E_SHAPE", `Add needs at least 2 inputs, got ${c.inputs.length}`);
  return { ...base(c), op: "add" };
}

/** Dropout is the identity at inference: the layer disappears, its consumers read its input. */
export function dropout(c: LayerCtx): Converted {
  if (c.inputs.length !== 1) throw new SnncError("E_SHAPE", `Dropout takes 1 input, got ${c.inputs.length}`);
  return { alias: c.inputs[0]! };
}
