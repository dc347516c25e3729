/**
 * The sizes snnc accepts, in one place (documented in docs/ROBUSTNESS.md). Readers check every
 * count, size and exponent they take from a file against these before anything is allocated, so
 * a value beyond them is a one-line error (exit 3), never a crash or a run without end.
 *
 * Why these numbers: the reference simulator and the target engines keep every spike of every
 * layer at every step in memory, and the compiler simulates the model to measure agreement, so the
 * work of one sample grows with T × neurons; the limits keep one sample of the largest accepted
 * model within about 1 GB and the shipped fixtures at their largest T within seconds.
 */
import { SnncError } from "./errors.ts";
import type { IRNode } from "./nodes.ts";

export const LIMITS = Object.freeze({
  /** Time steps T of a model, of `--timesteps`, of a spike-encoded input. */
  timesteps: 1000,
  /** Elements of one layer's output (neurons of a layer), also of a padded layer input. */
  layerElements: 2 ** 20,
  /** T × all neuron-layer elements of a model: what one simulated sample keeps per recorded value. */
  neuronSteps: 2 ** 25,
  /** Elements of one parameter tensor (a kernel, a per-neuron threshold, …). */
  parameterElements: 2 ** 26,
  /** Kernel and pool sizes, strides, dilations, paddings, and a window's dilated extent (k − 1)·d + 1. */
  window: 1024,
  /** Samples in one command's inputs (files, `--random`). */
  samples: 10_000,
  /** Bytes of a model file, an input file, or all weight shards of a model together. */
  fileBytes: 1024 * 1024 * 1024,
  /** Characters of a JSON text snnc parses (a model.json, a .snnc.json, a JSON input). */
  jsonBytes: 256 * 1024 * 1024,
});

/** The error for a value past a limit: exit 3, one line, the limit stated. */
export function limitError(what: string, value: number, limit: number, param?: string, unit = ""): SnncError {
  return new SnncError("E_VALUE", `${what} ${fmt(value)}${unit} is above snnc's limit of ${fmt(limit)}${unit}`, {
    param,
  });
}

function fmt(n: number): string {
  return String(n);
}

/** `value` must be an integer in [min, max]; `what` names it in the error. */
export function checkCount(value: number, what: string, min: number, max: number, param?: string): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min)
    throw new SnncError("E_VALUE", `${what} must be an integer ≥ ${min}, got ${value}`, { param });
  if (value > max) throw limitError(what, value, max, param);
}

export function checkTimesteps(T: number, what = "timesteps"): void {
  checkCount(T, what, 1, LIMITS.timesteps, "timesteps");
}

/** A node's output shape: positive integer axes, at most `layerElements` elements. */
export function checkLayerShape(shape: readonly number[], what = "output"): void {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 1)
      throw new SnncError("E_SHAPE", `${what} shape [${shape.join(",")}] has an axis that is not a positive integer`);
    n *= d;
  }
  if (n > LIMITS.layerElements)
    throw limitError(`${what} [${shape.join("×")}] has`, n, LIMITS.layerElements, undefined, " elements");
}

/** Sizes, strides and dilations of a window op, and its dilated extent; pads [t, b, l, r] when resolved. */
export function checkWindow(
  kernel: readonly number[],
  strides: readonly number[],
  dilation: readonly number[],
  pads?: readonly number[],
  kernelParam = "kernel_size",
): void {
  for (const [values, param] of [
    [kernel, kernelParam],
    [strides, "strides"],
    [dilation, "dilation_rate"],
  ] as const) {
    for (const v of values) checkCount(v, param, 1, LIMITS.window, param);
  }
  for (let i = 0; i < kernel.length; i++) {
    const extent = (kernel[i]! - 1) * (dilation[i] ?? 1) + 1;
    if (extent > LIMITS.window) throw limitError("dilated window extent", extent, LIMITS.window, "dilation_rate");
  }
  for (const p of pads ?? []) checkCount(p, "padding", 0, LIMITS.window, "padding");
}

/** Elements of all neuron layers (nodes must carry their shapes). */
export function neuronElements(nodes: readonly IRNode[]): number {
  let n = 0;
  for (const x of nodes) if (x.op === "neuron" && x.shape) n += x.shape.reduce((a, d) => a * d, 1);
  return n;
}

/** T × neurons of one sample (what the simulators keep per recorded value). */
export function checkNeuronSteps(T: number, neurons: number): void {
  if (T * neurons > LIMITS.neuronSteps)
    throw limitError(
      `T × neurons = ${T} × ${neurons} =`,
      T * neurons,
      LIMITS.neuronSteps,
      "timesteps",
      " neuron-steps",
    );
}

/** A file's size against what snnc reads (before it is read). */
export function checkFileBytes(bytes: number, what: string, limit: number = LIMITS.fileBytes): void {
  if (bytes > limit) throw limitError(`${what} has`, bytes, limit, undefined, " bytes");
}
