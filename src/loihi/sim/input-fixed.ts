/**
 * Input columns of the integer model: a float sample (or one per step) → integer payloads.
 * Binary inputs must be 0/1 spikes; graded inputs are round-half-away-from-zero(x · scale)
 * clipped to the payload range (Lava's graded-spike rounding).
 */
import { SnncError } from "../../ir/errors.ts";
import type { FixedInput } from "../model/integer-model.ts";
import { roundHalfAway } from "../model/rounding.ts";
import type { StepInput } from "../../sim/reference.ts";

/** One float vector → payloads. */
export function quantizeColumn(inp: FixedInput, x: Float64Array): Int32Array {
  const n = inp.shape.reduce((a, b) => a * b, 1);
  if (x.length !== n)
    throw new SnncError(
      "E_USAGE",
      `input has ${x.length} values, the model's input [${inp.shape.join(",")}] needs ${n}`,
    );
  const q = new Int32Array(n);
  if (inp.kind === "binary") {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      if (v !== 0 && v !== 1) {
        throw new SnncError(
          "E_VALUE",
          `input value ${v} at index ${i} is not a spike (0 or 1): this target takes binary input spikes`,
          { layer: inp.id },
        );
      }
      q[i] = v;
    }
    return q;
  }
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) throw new SnncError("E_VALUE", `input value ${v} at index ${i}`, { layer: inp.id });
    const r = roundHalfAway(v * inp.scale);
    q[i] = r < inp.min ? inp.min : Math.min(r, inp.max);
  }
  return q;
}

/** The T input columns (column t is presented at Lava step t + 1). */
export function inputColumns(inp: FixedInput, x: StepInput, T: number): Int32Array[] {
  if (Array.isArray(x)) {
    if (x.length < T) throw new SnncError("E_USAGE", `input has ${x.length} steps, the run needs ${T}`);
    return x.slice(0, T).map((c) => quantizeColumn(inp, c));
  }
  const q = quantizeColumn(inp, x);
  return Array.from({ length: T }, () => q);
}

/** Checks every sample as `inputColumns` takes it; a refusal names the sample (SnncError.sample). */
export function checkInputs(inp: FixedInput, inputs: readonly StepInput[], T: number): void {
  for (const [k, x] of inputs.entries()) {
    try {
      inputColumns(inp, x, T);
    } catch (e) {
      throw e instanceof SnncError ? e.withLocation({ sample: k }) : e;
    }
  }
}
