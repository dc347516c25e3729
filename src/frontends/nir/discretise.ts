/**
 * NIR's neurons are differential equations; the IR steps in discrete time. For a leaky state
 * τ·dv/dt = (v_leak − v) + R·I with the input held over a step of dt seconds:
 *
 *   "euler" (default)  v[t] = (1 − dt/τ)·v[t−1] + (dt/τ)·(R·I[t] + v_leak)     forward Euler, as snnTorch,
 *                      Norse and the Braille models of the NIR paper step it (snnTorch exports τ = dt/(1−β),
 *                      R = τ/dt with dt = 1e-4 s, which gives back β and a unit input gain exactly)
 *   "exp"              v[t] = e^(−dt/τ)·v[t−1] + (1 − e^(−dt/τ))·(R·I[t] + v_leak)  exact for piecewise-constant
 *                      input (the reference traces of the NIR paper)
 *
 * so decay = 1 − k and the input gain is k·R, the bias k·v_leak, with k = dt/τ or 1 − e^(−dt/τ).
 * CubaLIF / CubaLI step their synaptic current first, τ_syn·dI/dt = −I + w_in·S, the same way, and the
 * membrane then uses the current of the same step. I and IF have no time constant: v[t] = v[t−1] + R·I[t]
 * (the step is the unit of time, as Sinabs writes r = 1); dt does not enter.
 *
 * The default dt is 1e-4 s (the step of snnTorch's NIR export and of the NIR paper); `--dt` and
 * `--dt-method` choose others. A file written by snnc states its dt and method in the graph metadata,
 * and these become the defaults when it is read back.
 */
import { SnncError } from "../../ir/errors.ts";

export type DtMethod = "euler" | "exp";

export interface LoadOptions {
  /** Time step in seconds for NIR's continuous-time parameters. */
  dt?: number;
  dtMethod?: DtMethod;
}

export const DEFAULT_DT = 1e-4;
export const DEFAULT_METHOD: DtMethod = "euler";

export interface Discretisation {
  dt: number;
  method: DtMethod;
}

/**
 * The fraction k of the way to the target a state moves in one step (decay = 1 − k), per value of τ.
 * Euler needs dt ≤ τ (k ≤ 1); k = 1 is a state without memory.
 */
export function stepFraction(
  tau: Float64Array,
  d: Discretisation,
  where: { layer: string; param: string },
): Float64Array {
  return Float64Array.from(tau, (t, i) => {
    if (!(t > 0)) throw new SnncError("E_VALUE", `time constant ${t} at index ${i} must be positive`, where);
    const r = d.dt / t;
    if (d.method === "exp") return -Math.expm1(-r);
    if (r > 1)
      throw new SnncError(
        "E_VALUE",
        `time constant ${t} s at index ${i} is shorter than the step dt = ${d.dt} s: forward Euler would overshoot (decay ${1 - r} < 0); use a smaller --dt or --dt-method exp`,
        where,
      );
    return r;
  });
}

/** The user's options, checked. */
export function checkLoadOptions(o: LoadOptions): void {
  if (o.dt !== undefined && !(Number.isFinite(o.dt) && o.dt > 0))
    throw new SnncError("E_USAGE", `--dt must be a positive number of seconds, got ${o.dt}`);
  if (o.dtMethod !== undefined && o.dtMethod !== "euler" && o.dtMethod !== "exp")
    throw new SnncError("E_USAGE", `--dt-method must be euler or exp, got '${o.dtMethod}'`);
}

/** Parse the CLI strings of --dt / --dt-method. */
export function parseLoadOptions(o: { dt?: string; dtMethod?: string }): LoadOptions {
  const out: LoadOptions = {};
  if (o.dt !== undefined) {
    const dt = Number(o.dt);
    if (o.dt.trim() === "" || !(Number.isFinite(dt) && dt > 0))
      throw new SnncError("E_USAGE", `--dt must be a positive number of seconds, got '${o.dt}'`);
    out.dt = dt;
  }
  if (o.dtMethod !== undefined) {
    if (o.dtMethod !== "euler" && o.dtMethod !== "exp")
      throw new SnncError("E_USAGE", `--dt-method must be euler or exp, got '${o.dtMethod}'`);
    out.dtMethod = o.dtMethod;
  }
  return out;
}
