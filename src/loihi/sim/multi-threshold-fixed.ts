/**
 * The integer step of snnc's own Lava process `MultiThresholdLIF` (written next to
 * network.lava.json as a Python AbstractProcess with a fixed-point PyLoihiProcessModel, for the
 * constructs no open Lava process expresses: docs/LOIHI-SEEDS.md §3). Its arithmetic is that of
 * `PyLifResetModelBitAcc` up to the voltage, then n + 1 compares of the one membrane, with every
 * threshold given per neuron in voltage units (any sign):
 *
 *   u, v, the periodic zeroing and the saturation as Lava's LIF (lif-fixed.ts)
 *   s_0 = v > thresholds[0][i]                     the base plane: it alone resets
 *   s_k = v > thresholds[k][i]   (k = 1..n)         the other planes
 *   output s_0 + Σ s_k                              a graded spike (binary when n = 0)
 *   where s_0: hard reset v = resetValue[i] (0 when absent); soft reset v = clip(v − resetAmount[i])
 */
import { decayTrunc, saturate24, scaledBias, wrap24, wrap32 } from "./fixed-arith.ts";
import { resetsAt } from "./atrlif-fixed.ts";

export interface MultiThresholdParams {
  n: number;
  uFactor: number;
  vFactor: number;
  /** [0]: the base plane's threshold per neuron, [k]: plane k's (spike iff v > it). */
  thresholds: Int32Array[];
  /** Hard reset: v after a base spike, per neuron (absent: 0). */
  resetValue?: Int32Array;
  /** Soft reset: what a base spike subtracts from v, per neuron (then resetValue is unused). */
  resetAmount?: Int32Array;
  bias: Int32Array;
  resetInterval: number;
  resetOffset: number;
}

export interface MultiThresholdSpec {
  du: number;
  dv: number;
  thresholds: Int32Array[];
  resetValue?: Int32Array;
  resetAmount?: Int32Array;
  biasMant: ArrayLike<number>;
  biasExp: number;
  resetInterval: number;
  resetOffset: number;
}

export function multiThresholdParams(s: MultiThresholdSpec): MultiThresholdParams {
  const n = s.biasMant.length;
  const bias = scaledBias(s.biasMant, s.biasExp);
  if (!s.thresholds.length) throw new RangeError("a multi-threshold population needs at least its base threshold");
  for (const t of [...s.thresholds, s.resetValue, s.resetAmount])
    if (t && t.length !== n) throw new RangeError(`${t.length} per-neuron values for ${n} neurons`);
  return {
    n,
    uFactor: 4096 - (s.du + 1),
    vFactor: 4096 - s.dv,
    thresholds: s.thresholds,
    resetValue: s.resetValue,
    resetAmount: s.resetAmount,
    bias,
    resetInterval: s.resetInterval,
    resetOffset: s.resetOffset,
  };
}

/**
 * One Lava step (1-based) with synaptic input `a`; `st.u`, `st.v` are mutated. Writes each
 * neuron's output (s_sum) into `out` and returns the number of neurons whose output is not 0.
 */
export function multiThresholdFixedStep(
  p: MultiThresholdParams,
  st: { u: Int32Array; v: Int32Array },
  a: ArrayLike<number>,
  step: number,
  out: Uint8Array,
): number {
  const { u: U, v: V } = st;
  if (resetsAt(step, p.resetOffset, p.resetInterval)) {
    U.fill(0);
    V.fill(0);
  }
  const [base, ...planes] = p.thresholds as [Int32Array, ...Int32Array[]];
  const { resetValue: RV, resetAmount: RA } = p;
  let count = 0;
  for (let k = 0; k < p.n; k++) {
    const u = wrap24(wrap32(decayTrunc(U[k]!, p.uFactor) + wrap32(wrap32(a[k]!) * 64)));
    U[k] = u;
    let v = saturate24(wrap32(wrap32(decayTrunc(V[k]!, p.vFactor) + u) + p.bias[k]!));
    const s0 = v > base[k]!;
    let sum = s0 ? 1 : 0;
    for (const pl of planes) if (v > pl[k]!) sum++;
    out[k] = sum;
    if (sum) count++;
    if (s0) v = RA ? saturate24(v - RA[k]!) : RV ? RV[k]! : 0;
    V[k] = v;
  }
  return count;
}
