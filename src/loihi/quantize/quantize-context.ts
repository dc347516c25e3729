/**
 * The state one quantisation shares between its steps: the synaptic form and target it works on,
 * the input as the integers will see it, the connections made so far and the report's lines.
 */
import type { FixedConnection, FixedInput, IntWeights, Synapse } from "../model/integer-model.ts";
import { PLANE_SHIFT } from "../model/weight-planes.ts";
import type { TargetSpec } from "../../target/target.ts";
import type { QuantizeOptions } from "./quantize-types.ts";
import type { RealConnection, RealPopulation, RealSynapse, SynapticForm } from "./synaptic-form.ts";

export interface QuantContext {
  sf: SynapticForm;
  t: TargetSpec;
  opts: QuantizeOptions;
  /** Reference steps T. */
  T: number;
  /** Lava steps per sample: T + the deepest population's depth. */
  runSteps: number;
  /** The input as the integers see it (analog input balancing may still narrow its payloads). */
  input: FixedInput;
  /** The integer connections made so far, in the model's order. */
  connections: FixedConnection[];
  warnings: string[];
  notes: string[];
  /**
   * Weights already made integers, by their real weights: readers of a population split by scale
   * read each copy through the same synapse at the same scale, and get the same integers (one array).
   */
  integers?: WeakMap<Float64Array, QuantizedWeights[]>;
  /**
   * A population's largest one-step |input| per unit of g over these connections, as threshold
   * precision measured it before the scale is chosen (split-scales.ts, scales.ts).
   */
  stepInputs?: WeakMap<RealPopulation, { conns: readonly RealConnection[]; value: number }>;
}

/** One real weight array's integers at one scale g, payload scale·2^e k and plane shift P, with their statistics. */
export interface QuantizedWeights {
  g: number;
  k: number;
  P: number;
  q: IntWeights;
  /** The integer synapse made of q for each real synapse over the weights. */
  synapses: Map<RealSynapse, Synapse>;
  clipped: number;
  maxAbsInt: number;
  errMax: number;
  nz: number;
  outsideOne: boolean;
}

/** Integer payload per unit of the source's activation (the input's scale; 1 for spikes). */
export function payloadScale(ctx: QuantContext, id: string): number {
  return id === ctx.sf.inputId ? ctx.input.scale : 1;
}

/** The source's largest |payload|: 1 for spikes, the number of thresholds for an MT layer's s_sum. */
export function payloadMax(ctx: QuantContext, id: string): number {
  if (id === ctx.sf.inputId) return Math.max(Math.abs(ctx.input.min), ctx.input.max);
  return ctx.sf.populations.find((p) => p.id === id)?.thresholds?.length ?? 1;
}

/** Weight exponent 0 (Lava's conv ignores it; netx cannot carry it), or the connection's own choice. */
export function fixedExponent(ctx: QuantContext, c: RealConnection): boolean {
  return c.synapse.kind === "conv" || ctx.opts.netx;
}

export function isPulse(ctx: QuantContext, id: string): boolean {
  return ctx.sf.pulses.some((x) => x.id === id);
}

/** The largest bias mantissa of the target. */
export function biasMantissaMax(t: TargetSpec): number {
  return 2 ** (t.arithmetic.biasMantissaBits - 1) - 1;
}

/** The shift between c's weight planes when it may take two (weight-planes.ts), else 0. */
export function planeShift(ctx: QuantContext, c: RealConnection): number {
  const splittable = c.synapse.kind !== "diagonal" && !c.port && !isPulse(ctx, c.from);
  return ctx.opts.weightPlanes && splittable ? PLANE_SHIFT : 0;
}
