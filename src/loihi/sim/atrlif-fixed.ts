/**
 * The integer step of a soft-reset population: Lava's `ATRLIF` process run by its fixed-point model
 * `PyATRLIFModelFixed` (docs/LAVA-FIXED-POINT.md §5), with the threshold adaptation switched off
 * (theta_step = 0, so theta stays theta_0 << 6) and the periodic zeroing of Lava's `Reset` process:
 *
 *   i = sgn(p)·(|p| >> 12), p = i·(4096 − (du + 1));  i = int32(i + int32(a << 6)), wrapped to 24 bit
 *   v = sgn(q)·(|q| >> 12), q = v·(4096 − dv);  v = int32(int32(v + i) + bias);  clip ±(2^23 − 1)
 *   r = sgn(w)·(|w| >> 12), w = r·(4096 − dr)             (no clip: Lava's model has none)
 *   s = v − r ≥ theta;  r += 2·theta where s                (v itself is never reset)
 *
 * so the membrane m = v − r fires on m ≥ theta and then drops by 2·theta: a subtractive reset
 * (docs/LOIHI-SEEDS.md §1). The periodic reset (Lava `Reset` processes) writes i = 0, v = vReset,
 * r = 0 at the end of the step before `resetOffset` (mod `resetInterval`), after that step's
 * spikes: the same schedule as LIFReset's zeroing before the update of step `resetOffset`, and
 * the state read after that step is the reset one, as Lava shows it. The state before step 1 is
 * the reset one too. Both engines call `atrlifFixedStep`; it is the only place this arithmetic is
 * written.
 */
import { decayTrunc, saturate24, scaledBias, wrap24, wrap32 } from "./fixed-arith.ts";

/** Per-population constants of an ATRLIF population. */
export interface AtrlifParams {
  n: number;
  /** 4096 − (du + 1), 4096 − dv, 4096 − dr. */
  iFactor: number;
  vFactor: number;
  rFactor: number;
  /** theta_0 << 6: the compare threshold; a spike adds twice this to r. */
  theta: number;
  /** biasMant << biasExp per neuron (int32). */
  bias: Int32Array;
  /** v after the periodic reset (and before step 1), per neuron. */
  vReset: Int32Array;
  resetInterval: number;
  resetOffset: number;
}

export interface AtrlifState {
  i: Int32Array;
  v: Int32Array;
  r: Int32Array;
}

export interface AtrlifSpec {
  du: number;
  dv: number;
  dr: number;
  /** theta_0 (Lava's 12-bit threshold mantissa). */
  theta0: number;
  biasMant: ArrayLike<number>;
  biasExp: number;
  vReset: ArrayLike<number>;
  resetInterval: number;
  resetOffset: number;
}

export function atrlifParams(s: AtrlifSpec): AtrlifParams {
  return {
    n: s.biasMant.length,
    iFactor: 4096 - (s.du + 1),
    vFactor: 4096 - s.dv,
    rFactor: 4096 - s.dr,
    theta: s.theta0 * 64,
    bias: scaledBias(s.biasMant, s.biasExp),
    vReset: Int32Array.from(s.vReset),
    resetInterval: s.resetInterval,
    resetOffset: s.resetOffset,
  };
}

/** The state before step 1: i = 0, v = vReset, r = 0. */
export function initAtrlifState(p: AtrlifParams): AtrlifState {
  return { i: new Int32Array(p.n), v: new Int32Array(p.vReset), r: new Int32Array(p.n) };
}

/** Does the periodic reset act before the update of Lava step `step`? */
export function resetsAt(step: number, resetOffset: number, resetInterval: number): boolean {
  return (((step - resetOffset) % resetInterval) + resetInterval) % resetInterval === 0;
}

/**
 * One Lava step (1-based) with synaptic input `a`. Mutates `st`; writes 1 into `spikes[k]` for
 * neurons that fired (0 elsewhere); returns the number of spikes.
 */
export function atrlifFixedStep(
  p: AtrlifParams,
  st: AtrlifState,
  a: ArrayLike<number>,
  step: number,
  spikes: Uint8Array,
): number {
  const { i: I, v: V, r: R } = st;
  const th = p.theta;
  let count = 0;
  for (let k = 0; k < p.n; k++) {
    const i = wrap24(wrap32(decayTrunc(I[k]!, p.iFactor) + wrap32(wrap32(a[k]!) * 64)));
    I[k] = i;
    const v = saturate24(wrap32(wrap32(decayTrunc(V[k]!, p.vFactor) + i) + p.bias[k]!));
    V[k] = v;
    let r = wrap32(decayTrunc(R[k]!, p.rFactor));
    if (wrap32(v - r) >= th) {
      r = wrap32(r + 2 * th);
      spikes[k] = 1;
      count++;
    } else spikes[k] = 0;
    R[k] = r;
  }
  if (resetsAt(step + 1, p.resetOffset, p.resetInterval)) {
    I.fill(0);
    V.set(p.vReset);
    R.fill(0);
  }
  return count;
}
