/**
 * Whether a model needs weight planes (../model/weight-planes.ts) when the user leaves the choice to
 * snnc (`--weight-planes auto`, the default). Each rounded weight is off by up to half a unit, as a
 * uniform error; a neuron receiving k of them a step gathers a random walk of about 0.5·√k units a
 * step, over its membrane's memory H = min(T, 1 / (1 − τ)) steps (an IF neuron without leak keeps
 * everything for the whole run). Against its threshold vth (in the same units):
 *
 *   drift = 0.5·√k·H / vth
 *
 * Where a population whose scale its 8-bit weights limit drifts by more than one threshold, the
 * spikes depend on rounding, and two planes (15-bit weights) are chosen. On the shipped fixtures the
 * drift is 0.2 at most except for Sinabs' IF CNN over 100 steps (5.2; 95.4% spike agreement with
 * 8-bit weights, 99.7% with planes: docs/LOIHI-TARGET.md, "Weight planes").
 */
import type { PopulationQuant } from "./quantize-types.ts";

/** Drift (in thresholds) above which weight planes are chosen. */
export const DRIFT_LIMIT = 1;

export interface Drift {
  population: string;
  drift: number;
  /** Synapses into a neuron, on average. */
  fanIn: number;
  /** Steps the membrane remembers. */
  horizon: number;
}

/** The weight-limited spiking population that drifts most, or undefined when none does. */
export function largestDrift(populations: readonly PopulationQuant[], T: number): Drift | undefined {
  let worst: Drift | undefined;
  for (const p of populations) {
    if (p.kind !== "lif" && p.kind !== "atrlif") continue;
    if (!(p.vth > 0) || !p.limitedBy.startsWith("weights of")) continue;
    const fanIn = p.connections.reduce((a, c) => a + c.synapses, 0) / Math.max(1, p.neurons);
    const horizon = Math.min(T, p.tauQ < 1 ? 1 / (1 - p.tauQ) : Infinity);
    const drift = (0.5 * Math.sqrt(fanIn) * horizon) / p.vth;
    if (!worst || drift > worst.drift) worst = { population: p.id, drift, fanIn, horizon };
  }
  return worst;
}

/** The note the report gives when planes were chosen for this drift. */
export function planesNote(d: Drift): string {
  return `weight planes chosen: 8-bit weights limit the scale of '${d.population}', whose neurons gather the rounding of ${d.fanIn.toFixed(0)} weights over ${d.horizon.toFixed(0)} steps (≈ ${d.drift.toFixed(1)} thresholds); --weight-planes 1 keeps 8-bit weights and network.net`;
}
