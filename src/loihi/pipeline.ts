/**
 * The pass pipeline of targets "loihi" / "loihi2" / "loihi1", in order:
 *
 *   the float folds          FLOAT_FOLDS (src/passes/float-pipeline.ts)
 *   bntt-early-exit          as on the float target (a no-op without --early-exit)
 *   per-step norms           lower-temporal-norm: BNTT / TEBN / TAB → a per-step gain and bias in
 *                            the neuron's own state (a ProdNeuron gain stage and pulse neurons; needs
 *                            graded spikes), or on request their static approximation
 *                            (approx-temporal-norm, --temporal-norm approx); refused otherwise
 *   lower-neuron-model       checks every neuron has a Lava process of the target (LIF, ATRLIF,
 *                            snnc's MultiThresholdLIF); refuses the rest with the reason
 *   lower-pad                zero padding read only by convs → the convs' padding
 *   lower-pooling            avg-pool → the next conv/dense; max-pool over binary spikes → sum-pool
 *                            + a fire-on-any neuron
 *   lower-conv-padding       asymmetric conv padding → symmetric, with zero taps in the kernel
 *   lower-gain               neuron input gains left by the folds → the incoming synapses
 *   lower-soft-reset         soft reset → ATRLIF's form (compare at half the reset amount)
 *   lower-state-offset       v_reset ≠ 0, thresholds ≤ 0 → a shifted state with a reset to 0
 *   lower-thresholds         per-channel / per-neuron thresholds → one per population
 *
 * MT layers keep their planes: snnc's MultiThresholdLIF emits s_sum as one graded spike
 * (docs/LOIHI-SEEDS.md §3), so split-mt (binary planes) is not run.
 */
import type { Pass } from "../passes/pass.ts";
import { FLOAT_FOLDS } from "../passes/float-pipeline.ts";
import { temporalNormPasses } from "../passes/temporal/approx-temporal-norm.ts";
import { bnttEarlyExitPass } from "../passes/temporal/bntt-early-exit.ts";
import type { TargetSpec } from "../target/target.ts";
import { lowerConvPadding } from "./lower/lower-conv-padding.ts";
import { lowerGain } from "./lower/lower-gain.ts";
import { lowerNeuronModel } from "./lower/lower-neuron-model.ts";
import { lowerPad } from "./lower/lower-pad.ts";
import { lowerPooling } from "./lower/lower-pooling.ts";
import { lowerSoftReset } from "./lower/lower-soft-reset.ts";
import { lowerStateOffset } from "./lower/lower-state-offset.ts";
import { lowerTemporalNorm } from "./lower/lower-temporal-norm.ts";
import { lowerThresholds } from "./lower/lower-thresholds.ts";

/** The Loihi lowerings that follow the folds, in order. */
export const LOIHI_LOWERINGS: readonly Pass[] = Object.freeze([
  lowerNeuronModel,
  lowerPad,
  lowerPooling,
  lowerConvPadding,
  lowerGain,
  lowerSoftReset,
  lowerStateOffset,
  lowerThresholds,
]);

/** How a target lowers BNTT / TEBN / TAB: exactly with a gain stage (graded spikes), approximated on request, or refused. */
function temporalNormLowering(target: TargetSpec, mode: "exact" | "approx" | undefined): readonly Pass[] {
  if (mode !== "approx" && target.features.gradedSpikes) return [lowerTemporalNorm];
  return temporalNormPasses(target.name, { neuronSchedules: false }, mode);
}

/** Every IR pass a compile for `target` runs. */
export function loihiPipeline(target: TargetSpec, opts: { temporalNorm?: "exact" | "approx" }): readonly Pass[] {
  return [...FLOAT_FOLDS, bnttEarlyExitPass, ...temporalNormLowering(target, opts.temporalNorm), ...LOIHI_LOWERINGS];
}
