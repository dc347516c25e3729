/**
 * The pass registry and the float pipeline.
 *
 * `PASSES` holds every pass by name (for --list-passes, --dump-ir-after and tests);
 * `FLOAT_PIPELINE` is the ordered list of names that makes every fold valid:
 *
 *   fold-bn, fold-tdbn   BN / tdBN of a current → weights (or an exact affine when the producer
 *                        is not a conv/dense)
 *   fold-psp-bn          PSP-BN scale → the next conv/dense per input channel
 *   absorb-affine        affines left by the BN folds → their producer or their neurons' gain/bias
 *   fold-mpbn            MPBN → thresholds; k < 0 negates the state through the neuron's gain
 *   fold-plif            PLIF → LIF; gain 1/τ_m (and everything gathered on the gain so far)
 *                        → the incoming weights
 *   absorb-gain          the remaining per-channel neuron gains → the incoming weights
 *
 * The order matters: the BN folds run before absorb-affine (they create affines), absorb-affine
 * and fold-mpbn before fold-plif / absorb-gain (they write neuron gains that those then move).
 * Per-step norms (bntt / tebn / tab), neuron schedules and MT planes are left alone by every
 * pass here except fold-mpbn, which folds MT plane thresholds with the rest of the neuron.
 *
 * Extension points: `registerPass` adds a pass to the registry; `insertIntoFloatPipeline`
 * places a registered pass by name before/after another (e.g. split-mt or
 * schedule-temporal-norm after "absorb-gain"); a target's driver appends its own lowering passes
 * to `floatPipeline()`. The anchor `FLOAT_FOLDS_END` names the last fold: everything a later
 * stage inserts after it sees a graph without bn / tdbn / pspnorm / mpbn / plifA.
 * A pass inserted later must accept neurons whose `gain` is not 1 (kept where moving it into
 * weights would not be exact); fold-mpbn refuses neurons that already carry a schedule.
 */
import { SnncError } from "../ir/errors.ts";
import { absorbAffine } from "./fold/absorb-affine.ts";
import { absorbGain } from "./fold/absorb-gain.ts";
import { approxTemporalNorm } from "./temporal/approx-temporal-norm.ts";
import { bnttEarlyExitPass } from "./temporal/bntt-early-exit.ts";
import { foldBn } from "./fold/fold-bn.ts";
import { foldMpbn } from "./fold/fold-mpbn.ts";
import { foldPlif } from "./fold/fold-plif.ts";
import { foldPspBn } from "./fold/fold-psp-bn.ts";
import { foldTdbn } from "./fold/fold-tdbn.ts";
import type { Pass } from "./pass.ts";
import { scheduleTemporalNorm } from "./temporal/schedule-temporal-norm.ts";
import { splitMt } from "./mt/split-mt.ts";

/** Every known pass by name. */
export const PASSES = new Map<string, Pass>();

/** The ordered names of the float pipeline (mutate only through insertIntoFloatPipeline). */
export const FLOAT_PIPELINE: string[] = [];

/** The last pass of the exact folds. */
export const FLOAT_FOLDS_END = "absorb-gain";

export function registerPass(p: Pass): void {
  if (PASSES.has(p.name) && PASSES.get(p.name) !== p) throw new Error(`pass '${p.name}' registered twice`);
  PASSES.set(p.name, p);
}

/** Place a registered pass in the float pipeline before or after an existing one (idempotent). */
export function insertIntoFloatPipeline(name: string, where: { after: string } | { before: string }): void {
  if (!PASSES.has(name)) throw new Error(`insertIntoFloatPipeline: pass '${name}' is not registered`);
  if (FLOAT_PIPELINE.includes(name)) return;
  const anchor = "after" in where ? where.after : where.before;
  const i = FLOAT_PIPELINE.indexOf(anchor);
  if (i < 0) throw new Error(`insertIntoFloatPipeline: no pass '${anchor}' in the float pipeline`);
  FLOAT_PIPELINE.splice("after" in where ? i + 1 : i, 0, name);
}

/** Look a pass up by name; unknown names are a usage error listing the known ones. */
export function passByName(name: string): Pass {
  const p = PASSES.get(name);
  if (!p) throw new SnncError("E_USAGE", `unknown pass '${name}' (known: ${[...PASSES.keys()].join(", ")})`);
  return p;
}

/** The float pipeline as Pass objects, in order (a fresh array: callers may append to it). */
export function floatPipeline(): Pass[] {
  return FLOAT_PIPELINE.map(passByName);
}

for (const p of [foldBn, foldTdbn, foldPspBn, absorbAffine, foldMpbn, foldPlif, absorbGain]) {
  registerPass(p);
  FLOAT_PIPELINE.push(p.name);
}

// Per-step norms go after every fold (schedule-temporal-norm needs MPBN folded); BNTT early exit
// runs just before, while the BNTT γ table is still there (a no-op without --early-exit).
// split-mt (binary-only targets) and approx-temporal-norm (targets without schedules, on request)
// are target lowerings: registered, not in the float pipeline (see split-mt.ts mtLoweringPasses,
// approx-temporal-norm.ts temporalNormPasses).
for (const p of [bnttEarlyExitPass, scheduleTemporalNorm]) {
  registerPass(p);
  FLOAT_PIPELINE.push(p.name);
}
registerPass(splitMt);
registerPass(approxTemporalNorm);
