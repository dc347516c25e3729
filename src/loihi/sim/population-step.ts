/**
 * The neuron step of each population kind of the integer model, behind one interface so that both
 * engines drive every kind the same way: the bit-accurate LIF (lif, integrator, pulse:
 * lif-fixed.ts), Lava's ATRLIF (atrlif-fixed.ts) and snnc's MultiThresholdLIF
 * (multi-threshold-fixed.ts). ATRLIF's current i is kept as `u`; its r as `r`.
 */
import { populationSize, type FixedPopulation } from "../model/integer-model.ts";
import { atrlifFixedStep, atrlifParams, initAtrlifState } from "./atrlif-fixed.ts";
import { initLifState, lifFixedStep, lifParams } from "./lif-fixed.ts";
import { multiThresholdFixedStep, multiThresholdParams } from "./multi-threshold-fixed.ts";

export interface PopulationState {
  u: Int32Array;
  v: Int32Array;
  /** ATRLIF only: the refractory state. */
  r?: Int32Array;
}

export interface PopulationStepper {
  n: number;
  state: PopulationState;
  /**
   * One Lava step (1-based) with input `a`: writes every output into `out` (0 where none), returns
   * how many are not 0 (a step that returns 0 leaves `out` all 0: engine-common.ts reuses it).
   */
  step(a: ArrayLike<number>, n: number, out: Uint8Array): number;
}

export function stepperOf(p: FixedPopulation): PopulationStepper {
  const n = populationSize(p);
  // what every kind's parameters take from the population as it is
  const { du, dv, biasMant, biasExp, resetInterval, resetOffset } = p;
  const common = { du, dv, biasMant, biasExp, resetInterval, resetOffset };
  if (p.kind === "atrlif") {
    const ap = atrlifParams({ ...common, dr: p.dr!, theta0: p.vth, vReset: p.v0 ?? new Int32Array(n) });
    const st = initAtrlifState(ap);
    const state = { u: st.i, v: st.v, r: st.r };
    return { n, state, step: (a, k, out) => atrlifFixedStep(ap, st, a, k, out) };
  }
  if (p.kind === "multi-threshold") {
    const mp = multiThresholdParams({
      ...common,
      thresholds: p.thresholds!,
      resetValue: p.resetValue,
      resetAmount: p.resetAmount,
    });
    const state = initLifState(n, p.v0);
    return { n, state, step: (a, k, out) => multiThresholdFixedStep(mp, state, a, k, out) };
  }
  const lp = lifParams(p);
  const state = initLifState(n, p.v0);
  return { n, state, step: (a, k, out) => lifFixedStep(lp, state, a, k, out) };
}
