/**
 * The model's input as the integers see it: binary spikes (one column per step), or an analog
 * sample sent as graded spikes of the target's message width, q = round(x·scale) clipped to the
 * payload range, the same sample at every step. Analog input needs graded spikes (Loihi 2).
 */
import { SnncError } from "../../ir/errors.ts";
import type { StepInput } from "../../sim/reference.ts";
import type { TargetSpec } from "../../target/target.ts";
import { fmt } from "../../passes/support/rewrite.ts";
import type { FixedInput } from "../model/integer-model.ts";
import type { QuantContext } from "./quantize-context.ts";
import type { QuantizeOptions } from "./quantize-types.ts";
import { chooseScale, minMax, rangeFor, weightsOf } from "./scales.ts";
import type { RealConnection, SynapticForm } from "./synaptic-form.ts";

/** Analog input range from calibration samples (default [0, 1]). */
export function inputRangeOf(calibration: StepInput[] | undefined): { range: number; signed: boolean } {
  let m = 0;
  let neg = false;
  for (const s of calibration ?? []) {
    for (const x of Array.isArray(s) ? s : [s]) {
      for (const v of x) {
        m = Math.max(m, Math.abs(v));
        if (v < 0) neg = true;
      }
    }
  }
  return { range: m > 0 ? m : 1, signed: neg };
}

/** The input of the integer model: spikes as they are, analog values over the full payload range. */
export function fixedInput(
  sf: SynapticForm,
  t: TargetSpec,
  encoding: "direct" | "spikes",
  opts: QuantizeOptions,
  notes: string[],
): FixedInput {
  if (encoding === "spikes") {
    notes.push(`input '${sf.inputId}': binary spikes, one column per step`);
    return {
      id: sf.inputId,
      shape: sf.inputShape,
      kind: "binary",
      messageBits: 0,
      scale: 1,
      min: 0,
      max: 1,
      encoding: "spikes",
    };
  }
  const bits = t.arithmetic.inputMessageBits;
  if (!t.features.gradedSpikes || bits === 0) {
    throw new SnncError(
      "E_TARGET",
      `the model's input is analog (direct encoding) and ${t.name} takes binary spikes only (no graded spikes): encode the input as spikes (encoding "spikes") or compile for loihi2`,
      { layer: sf.inputId },
    );
  }
  const range = opts.inputRange ?? 1;
  if (!(range > 0) || !Number.isFinite(range))
    throw new SnncError("E_USAGE", `input range ${range} must be a positive number`);
  const signed = opts.inputSigned ?? false;
  const qmax = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return {
    id: sf.inputId,
    shape: sf.inputShape,
    kind: "graded",
    messageBits: bits,
    scale: qmax / range,
    min: signed ? -qmax : 0,
    max: qmax,
    encoding: "direct",
  };
}

/**
 * Analog input: when the one layer reading it is limited by something other than those weights
 * (typically its bias, 13 bits at exponent 6 under netx), split the precision between payload
 * levels L and weight levels K/L evenly (L ≈ √K), instead of full-width payloads and coarse
 * weights. Narrows `ctx.input` in place. Not when a gain stage reads it: its shift gives the
 * weights their own scale (gain-stage.ts), and the payloads keep their full width.
 */
export function balanceAnalogInput(ctx: QuantContext, incoming: Map<string, RealConnection[]>): void {
  const input = ctx.input;
  const readers = ctx.sf.connections.filter((c) => c.from === ctx.sf.inputId);
  if (input.kind !== "graded" || readers.length !== 1) return;
  const c = readers[0]!;
  if (c.port === "gated") return;
  const p = ctx.sf.populations.find((x) => x.id === c.to)!;
  const first = chooseScale(ctx, p, incoming.get(p.id)!);
  if (!(first.g > 0) || first.limitedBy === `weights of '${c.id}'`) return;
  const free = chooseScale(ctx, p, incoming.get(p.id)!, c.id);
  const [lo, hi] = minMax(weightsOf(c.synapse));
  const range = rangeFor(lo, hi, ctx.t);
  const qmax = Math.max(input.max, -input.min);
  const xr = qmax / input.scale; // the analog range
  // payload levels L give weights w_int = g·w·xr/L: L ≥ Lmin keeps them in range; L = √(g·xr·max|w|) balances both
  const Lmin = Math.ceil(free.g * xr * Math.max(hi > 0 ? hi / range[1] : 0, lo < 0 ? lo / range[0] : 0));
  const L = Math.min(qmax, Math.max(Lmin, 1, Math.floor(Math.sqrt(free.g * xr * Math.max(hi, -lo)))));
  if (L < qmax) {
    input.scale = L / xr;
    input.max = L;
    if (input.min < 0) input.min = -L;
  }
}

/** The report's line on an analog input: its range, where it came from, its payloads. */
export function analogInputNote(ctx: QuantContext): void {
  const input = ctx.input;
  if (input.kind !== "graded") return;
  const xr = Math.max(input.max, -input.min) / input.scale;
  const from =
    ctx.opts.inputRangeFrom === "calibration"
      ? "from the calibration inputs"
      : "assumed: no calibration inputs were given";
  ctx.notes.push(
    `input '${ctx.sf.inputId}': analog x in [${input.min < 0 ? fmt(-xr) : 0}, ${fmt(xr)}] (${from}), as ${input.messageBits}-bit graded spikes q = round(x·${fmt(input.scale)}), clipped to [${input.min}, ${input.max}] (${input.max - input.min + 1} levels), the same sample at each of the ${ctx.T} steps`,
  );
}
