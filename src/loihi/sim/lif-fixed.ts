/**
 * THE integer neuron step of the Loihi-family targets, bit for bit Lava's `PyLifModelBitAcc`
 * (and `PyLifResetModelBitAcc` when the population has a reset schedule), docs/LAVA-FIXED-POINT.md §1:
 *
 *   u = sgn(p)·(|p| >> 12), p = u·(4096 − (du + 1))    (int64 product, truncation toward 0)
 *   u = int32(u + int32(a << 6));  u > 2^23 → u − 2^24,  u ≤ −2^23 → u + 2^24   (one wrap, as Lava)
 *   v = sgn(q)·(|q| >> 12), q = v·(4096 − dv);  v = int32(int32(v + u) + bias);  clip ±(2^23 − 1)
 *   s = v > vth << 6;  v[s] = 0
 *
 * Both simulator engines (time-stepped and event-driven) call `lifFixedStep`; it is the only
 * place this arithmetic is written.
 */
import { LAVA, populationSize, type FixedPopulation } from "../model/integer-model.ts";
import { scaledBias } from "./fixed-arith.ts";

/** Per-population constants, computed once per run. */
export interface LifParams {
  n: number;
  /** 4096 − (du + 1) and 4096 − dv. */
  uFactor: number;
  vFactor: number;
  /** vth << 6. */
  vthEff: number;
  /** biasMant << biasExp per neuron (int32). */
  bias: Int32Array;
  resetInterval: number;
  resetOffset: number;
}

export interface LifState {
  u: Int32Array;
  v: Int32Array;
}

export function lifParams(p: FixedPopulation): LifParams {
  const n = populationSize(p);
  return {
    n,
    uFactor: LAVA.decayUnity - (p.du + 1),
    vFactor: LAVA.decayUnity - p.dv,
    vthEff: p.vth * 2 ** LAVA.vthShift,
    bias: scaledBias(p.biasMant, p.biasExp, n),
    resetInterval: p.resetInterval,
    resetOffset: p.resetOffset,
  };
}

/** u = 0, v = v0 (0 when absent): the state before step 1. */
export function initLifState(n: number, v0?: Int32Array): LifState {
  return { u: new Int32Array(n), v: v0 ? new Int32Array(v0) : new Int32Array(n) };
}

/**
 * One Lava step `step` (1-based, Lava's time_step) of a population with synaptic input `a`
 * (the int32 sum of the accumulations of its incoming connections). Mutates `st`; writes 1 into
 * `spikes[i]` for neurons that fired (and 0 elsewhere); returns the number of spikes.
 */
export function lifFixedStep(
  p: LifParams,
  st: LifState,
  a: ArrayLike<number>,
  step: number,
  spikes: Uint8Array,
): number {
  const { u: U, v: V } = st;
  if ((((step - p.resetOffset) % p.resetInterval) + p.resetInterval) % p.resetInterval === 0) {
    U.fill(0);
    V.fill(0);
  }
  const uf = p.uFactor;
  const vf = p.vFactor;
  const vth = p.vthEff;
  const bias = p.bias;
  const shift = LAVA.actShift;
  const W = LAVA.uWrap;
  const VM = LAVA.vMax;
  let count = 0;
  // Int32 arithmetic as JavaScript's bitwise operators do it (ToInt32: modulo 2^32, exact on the
  // integers here): x | 0 is wrap32(x); a << 6 is wrap32(wrap32(a)·64); and for |x| < 2^31 and a
  // factor in 0..4096, (x·f) / 4096 | 0 is the truncation toward zero of decayTrunc (the product and
  // the division by 2^12 are exact in float64). The factors are 4096 − (du + 1) and 4096 − dv, du
  // and dv in 0..4095 (checkFixedModel).
  for (let i = 0; i < p.n; i++) {
    let u = (((U[i]! * uf) / 4096) | 0) + (a[i]! << shift);
    u |= 0;
    if (u > W) u -= 2 * W;
    else if (u <= -W) u += 2 * W;
    U[i] = u;
    let v = ((((V[i]! * vf) / 4096) | 0) + u) | 0;
    v = (v + bias[i]!) | 0;
    if (v > VM) v = VM;
    else if (v < -VM) v = -VM;
    if (v > vth) {
      spikes[i] = 1;
      V[i] = 0;
      count++;
    } else {
      spikes[i] = 0;
      V[i] = v;
    }
  }
  return count;
}
