/**
 * Which Lava process runs a neuron layer on a Loihi target (docs/LOIHI-SEEDS.md):
 *
 *   "lif"              hard reset, one threshold: Lava's LIFReset (PyLifResetModelBitAcc)
 *   "atrlif"           soft reset whose compare threshold is half its reset amount (the form
 *                      lower-soft-reset writes): Lava's ATRLIF, zeroed by Lava's Reset processes
 *   "multi-threshold"  MT planes, or a soft reset ATRLIF cannot hold: snnc's MultiThresholdLIF
 *
 * A per-step gain (an unscaled schedule, lower-temporal-norm) adds a ProdNeuron in front of any kind.
 */
import type { NeuronNode } from "../../ir/nodes.ts";
import { broadcastTo } from "../../ir/tensor.ts";

export type LoihiNeuronKind = "lif" | "atrlif" | "multi-threshold";

/**
 * The kind of a neuron layer: a soft reset is ATRLIF's when every finite threshold is positive and
 * half its reset amount (the form lower-soft-reset writes, and lower-thresholds keeps: it gives the
 * ±∞ neurons, which fire never / always whatever the reset, the same amount).
 */
export function loihiNeuronKind(n: NeuronNode): LoihiNeuronKind {
  if (n.planeThresholds?.length) return "multi-threshold";
  if (n.reset === "hard") return "lif";
  const S = n.shape!;
  const th = broadcastTo(n.threshold, S);
  const R = broadcastTo(n.resetAmount, S);
  let finite = 0;
  for (let i = 0; i < th.length; i++) {
    const t = th[i]!;
    if (!Number.isFinite(t)) continue;
    finite++;
    if (!(t > 0 && R[i] === 2 * t)) return "multi-threshold";
  }
  return finite ? "atrlif" : "multi-threshold";
}

/** An unscaled schedule (per-step gain and bias; decay τ and threshold scale 1 at every step), or none. */
export function hasGainSchedule(n: NeuronNode): boolean {
  const s = n.schedule;
  if (!s?.gain) return false;
  return (
    s.decay.every((d) => d.data.every((x) => x === n.decay)) &&
    s.thresholdScale.every((t) => t.data.every((x) => x === 1))
  );
}
