/**
 * The float64 steps of the non-spiking nodes that keep state across steps: the leaky integrator
 * (`li`, y[t] = decay·y[t−1] + gain·x[t] + bias) and the delay (`delay`, y[t] = x[t − steps]).
 * The one place where their semantics (nodes.ts) is computed.
 */
import type { DelayNode, LeakyIntegratorNode } from "../ir/nodes.ts";
import { broadcastTo, size } from "../ir/tensor.ts";

export interface LiState {
  decay: Float64Array;
  gain: Float64Array;
  bias: Float64Array;
  /** y[t−1] (0 before the first step). */
  y: Float64Array;
}

export function initLi(n: LeakyIntegratorNode, shape: readonly number[]): LiState {
  return {
    decay: broadcastTo(n.decay, shape),
    gain: broadcastTo(n.gain, shape),
    bias: broadcastTo(n.bias, shape),
    y: new Float64Array(size(shape)),
  };
}

/** One step: returns y[t] (a new array) and keeps it as the state. */
export function liStep(st: LiState, x: Float64Array): Float64Array {
  const y = new Float64Array(st.y.length);
  for (let i = 0; i < y.length; i++) y[i] = st.decay[i]! * st.y[i]! + st.gain[i]! * x[i]! + st.bias[i]!;
  st.y = y;
  return y;
}

export interface DelayState {
  steps: Int32Array;
  /** The source's values of the last `ring.length` steps; entry t % ring.length holds step t. */
  ring: Float64Array[];
}

export function initDelay(n: DelayNode, shape: readonly number[]): DelayState {
  const steps = Int32Array.from(broadcastTo(n.steps, shape));
  let max = 0;
  for (const d of steps) max = Math.max(max, d);
  return { steps, ring: Array.from({ length: Math.max(max, 1) }, () => new Float64Array(steps.length)) };
}

/**
 * y[t] at 0-based step t. `now` is the source's value at step t, needed only where a step count is
 * 0 (a delay on a recurrent edge has none and is called before its source is computed).
 */
export function delayOutput(st: DelayState, t: number, now: Float64Array | undefined): Float64Array {
  const y = new Float64Array(st.steps.length);
  const R = st.ring.length;
  for (let i = 0; i < y.length; i++) {
    const d = st.steps[i]!;
    if (d === 0) y[i] = now![i]!;
    else if (t >= d) y[i] = st.ring[(t - d) % R]![i]!;
  }
  return y;
}

/** After every node of step t has run: remember the source's value of step t. */
export function delayRecord(st: DelayState, t: number, source: Float64Array): void {
  st.ring[t % st.ring.length]!.set(source);
}
