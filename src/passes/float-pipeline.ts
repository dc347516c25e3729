/**
 * The float pipeline: the exact folds, then the per-step norms, in the order that makes each valid.
 *
 *   fold-bn, fold-tdbn   BN / tdBN of a current → weights (or an exact affine when the producer
 *                        is not a conv/dense)
 *   fold-psp-bn          PSP-BN scale → the next conv/dense per input channel
 *   absorb-affine        affines left by the BN folds → their producer or their neurons' gain/bias
 *   fold-mpbn            MPBN → thresholds; k < 0 negates the state through the neuron's gain
 *   fold-plif            PLIF → LIF; gain 1/τ_m (and everything gathered on the gain so far)
 *                        → the incoming weights
 *   absorb-gain          the remaining per-channel neuron gains → the incoming weights
 *   bntt-early-exit      BNTT early exit (a no-op without --early-exit), while the BNTT γ table is
 *                        still there
 *   schedule-temporal-norm  BNTT / TEBN / TAB → exact per-step neuron schedules (needs MPBN folded)
 *
 * The order matters: the BN folds run before absorb-affine (they create affines), absorb-affine
 * and fold-mpbn before fold-plif / absorb-gain (they write neuron gains that those then move).
 * Per-step norms (bntt / tebn / tab), neuron schedules and MT planes are left alone by every
 * fold except fold-mpbn, which folds MT plane thresholds with the rest of the neuron. After
 * `FLOAT_FOLDS` the graph holds no bn / tdbn / pspnorm / mpbn / plifA; a pass placed after them
 * must accept neurons whose `gain` is not 1 (kept where moving it into weights would not be exact).
 *
 * A target builds its own list from these (see src/loihi/pipeline.ts): the folds, then its own
 * handling of per-step norms (temporal/approx-temporal-norm.ts `temporalNormPasses`), then its
 * lowerings. split-mt (mt/split-mt.ts, chosen by `mtLoweringPasses` for targets without graded
 * spikes) is a pass that no pipeline runs today: it is kept for the MT lowering of such a target.
 */
import { absorbAffine } from "./fold/absorb-affine.ts";
import { absorbGain } from "./fold/absorb-gain.ts";
import { foldBn } from "./fold/fold-bn.ts";
import { foldMpbn } from "./fold/fold-mpbn.ts";
import { foldPlif } from "./fold/fold-plif.ts";
import { foldPspBn } from "./fold/fold-psp-bn.ts";
import { foldTdbn } from "./fold/fold-tdbn.ts";
import type { Pass } from "./pass.ts";
import { bnttEarlyExitPass } from "./temporal/bntt-early-exit.ts";
import { scheduleTemporalNorm } from "./temporal/schedule-temporal-norm.ts";

/** The exact folds of every training-only construct, in order. */
export const FLOAT_FOLDS: readonly Pass[] = Object.freeze([
  foldBn,
  foldTdbn,
  foldPspBn,
  absorbAffine,
  foldMpbn,
  foldPlif,
  absorbGain,
]);

/** What target "float" runs: the folds, BNTT early exit, exact per-step schedules. */
export const FLOAT_PIPELINE: readonly Pass[] = Object.freeze([...FLOAT_FOLDS, bnttEarlyExitPass, scheduleTemporalNorm]);
