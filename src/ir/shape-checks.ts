/** The checks shape inference makes of parameters: each failure names the parameter. */
import { SnncError } from "./errors.ts";
import type { IRNode } from "./nodes.ts";
import { broadcastable, firstNonFinite, shapeStr, type Tensor } from "./tensor.ts";

export function need(
  cond: boolean,
  msg: string,
  param?: string,
  code: "E_SHAPE" | "E_WEIGHT" = "E_SHAPE",
): asserts cond {
  if (!cond) throw new SnncError(code, msg, { param });
}

export function arity(n: IRNode, ins: number[][], k: number): void {
  need(ins.length === k, `${n.op} takes ${k} input${k === 1 ? "" : "s"}, got ${ins.length}`);
}

/**
 * Parameter arrays found finite. Parameters are never written once made (a pass makes new ones), so
 * each array is scanned once however often shape inference runs over the graphs that hold it.
 */
const knownFinite = new WeakSet<Float64Array>();

export function finite(t: Tensor, param: string): void {
  if (knownFinite.has(t.data)) return;
  const i = firstNonFinite(t);
  if (i >= 0) throw new SnncError("E_VALUE", `${t.data[i]} at index ${i} (parameters must be finite)`, { param });
  knownFinite.add(t.data);
}

export function finiteNum(v: number, param: string): void {
  if (!Number.isFinite(v)) throw new SnncError("E_VALUE", `${v} (parameters must be finite)`, { param });
}

/** A parameter whose shape must broadcast onto `s`. */
export function broadcastsOnto(t: Tensor, s: number[], param: string): void {
  need(
    broadcastable(t.shape, s),
    `shape ${shapeStr(t.shape)} does not broadcast onto ${shapeStr(s)}`,
    param,
    "E_WEIGHT",
  );
}

export function channelParam(t: Tensor, c: number, param: string): void {
  need(
    t.shape.length === 1 && t.shape[0] === c,
    `shape ${shapeStr(t.shape)} does not match ${c} channels`,
    param,
    "E_WEIGHT",
  );
  finite(t, param);
}

export function stepChannelParam(t: Tensor, T: number, c: number, param: string): void {
  need(
    t.shape.length === 2 && t.shape[0] === T && t.shape[1] === c,
    `shape ${shapeStr(t.shape)}, expected [${T},${c}] (timesteps, channels)`,
    param,
    "E_WEIGHT",
  );
  finite(t, param);
}

export function variance(t: Tensor, eps: number, param: string): void {
  for (let i = 0; i < t.data.length; i++) {
    if (!(t.data[i]! + eps > 0)) {
      throw new SnncError("E_VALUE", `variance ${t.data[i]} at index ${i} gives σ²+ε = ${t.data[i]! + eps} <= 0`, {
        param,
      });
    }
  }
}

export function spatial(s: number[], what: string): [number, number, number] {
  need(s.length === 3, `${what} needs an [H,W,C] input, got ${shapeStr(s)}`);
  return [s[0]!, s[1]!, s[2]!];
}

export function positive(s: number[], what: string): number[] {
  need(
    s.every((d) => Number.isInteger(d) && d > 0),
    `${what} gives an empty or invalid output ${shapeStr(s)}`,
  );
  return s;
}
