/**
 * The integer step of snnc's own Lava process `MultiThresholdLIF` (written next to
 * network.lava.json as a Python AbstractProcess with a fixed-point PyLoihiProcessModel, for the
 * constructs no open Lava process expresses: docs/LOIHI-SEEDS.md §3). Its arithmetic is that of
 * `PyLifResetModelBitAcc` up to the voltage, then n + 1 compares of the one membrane:
 *
 *   u, v, the periodic zeroing and the saturation as Lava's LIF (lif-fixed.ts)
 *   s_0 = v > vth << 6                              the base plane: it alone resets
 *   s_k = v > planes[k − 1]      (k = 1..n)         per neuron, in voltage units, any sign
 *   output s_0 + Σ s_k                              a graded spike (binary when n = 0)
 *   hard reset: v = 0 where s_0;  soft reset: v = clip(v − resetAmount) where s_0
 */
import { decayTrunc, saturate24, wrap24, wrap32 } from "./fixed-arith.ts";
import { resetsAt } from "./atrlif-fixed.ts";

export interface MultiThresholdParams {
  n: number;
  uFactor: number;
  vFactor: number;
  /** vth << 6. */
  vthEff: number;
  /** Plane k's compare threshold per neuron (v > planes[k][i]). */
  planes: Int32Array[];
  /** Soft reset: what a base spike subtracts from v, per neuron; absent: reset to 0. */
  resetAmount?: Int32Array;
  bias: Int32Array;
  resetInterval: number;
  resetOffset: number;
}

export interface MultiThresholdSpec {
  du: number;
  dv: number;
  vth: number;
  planes: Int32Array[];
  resetAmount?: Int32Array;
  biasMant: ArrayLike<number>;
  biasExp: number;
  resetInterval: number;
  resetOffset: number;
}

export function multiThresholdParams(s: MultiThresholdSpec): MultiThresholdParams {
  const n = s.biasMant.length;
  const bias = new Int32Array(n);
  for (let k = 0; k < n; k++) bias[k] = wrap32(s.biasMant[k]! * 2 ** s.biasExp);
  for (const p of s.planes)
    if (p.length !== n) throw new RangeError(`a plane has ${p.length} thresholds for ${n} neurons`);
  if (s.resetAmount && s.resetAmount.length !== n)
    throw new RangeError(`${s.resetAmount.length} reset amounts for ${n} neurons`);
  return {
    n,
    uFactor: 4096 - (s.du + 1),
    vFactor: 4096 - s.dv,
    vthEff: s.vth * 64,
    planes: s.planes,
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
  const planes = p.planes;
  const R = p.resetAmount;
  let count = 0;
  for (let k = 0; k < p.n; k++) {
    const u = wrap24(wrap32(decayTrunc(U[k]!, p.uFactor) + wrap32(wrap32(a[k]!) * 64)));
    U[k] = u;
    let v = saturate24(wrap32(wrap32(decayTrunc(V[k]!, p.vFactor) + u) + p.bias[k]!));
    const s0 = v > p.vthEff;
    let sum = s0 ? 1 : 0;
    for (const pl of planes) if (v > pl[k]!) sum++;
    out[k] = sum;
    if (sum) count++;
    if (s0) v = R ? saturate24(v - R[k]!) : 0;
    V[k] = v;
  }
  return count;
}
