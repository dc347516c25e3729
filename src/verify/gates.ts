/**
 * The agreement gates of `verify` on a fixed-point target: what a CI pipeline relies on besides the
 * two integer engines agreeing. A deployed model passes when
 *   - its readout argmax equals the float model's on at least `minArgmaxAgreement` of the samples
 *     (default: every sample), a sample that is a tie within the quantisation bound counting as
 *     agreeing (the target judges it: src/loihi/ties/judge-tie.ts, docs/VERIFY.md "Ties"), and
 *   - its spike agreement with the float model as written, over all compared layers, reaches
 *     `minSpikeAgreement` (default DEFAULT_MIN_SPIKE_AGREEMENT), and
 *   - no weight was clipped to the target's range by the quantiser (a clipped weight is not the
 *     trained weight, whatever the agreement on the samples verified).
 * A failing gate names the layer that agrees least, where quantisation lost the most.
 */
import type { Agreement, ArgmaxDisagreement } from "./agreement.ts";

/**
 * Default spike agreement a fixed-point model must reach. The shipped models that compile exactly
 * measure 0.954 to 1 on loihi2 (docs/VERIFY.md has the table); the static approximations of per-step
 * norms, which are not exact, measure 0.798 (TEBN) and 0.852 (TAB). 0.93 separates the two with a
 * margin on both sides.
 */
export const DEFAULT_MIN_SPIKE_AGREEMENT = 0.93;
/** Default share of samples whose readout argmax must agree: all of them. */
export const DEFAULT_MIN_ARGMAX_AGREEMENT = 1;

export interface GateOptions {
  minSpikeAgreement?: number;
  minArgmaxAgreement?: number;
  /** Weights the quantiser clipped, per synapse group (fixed-point targets). */
  clipped?: readonly { id: string; clipped: number }[];
}

export interface GateResult {
  ok: boolean;
  minSpikeAgreement: number;
  minArgmaxAgreement: number;
  spikeAgreement: number;
  /** Share of samples whose readout argmax agrees (null without a readout). */
  argmaxAgreement: number | null;
  /** Samples whose argmax differs but that are ties within the quantisation bound: the gate counts them as agreeing. */
  argmaxTies: number;
  /** The compared layer with the lowest spike agreement (null when no layer was compared). */
  weakestLayer: { layer: string; agreement: number } | null;
  /** Weights clipped to the target's range by the quantiser (0 when none). */
  clippedWeights: number;
  /** One line per failed gate (empty when ok). */
  failures: string[];
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** "1 tie within the quantisation bound", "2 ties …". */
export function tiesText(n: number): string {
  return `${n} tie${n === 1 ? "" : "s"} within the quantisation bound`;
}

const num = (x: number) => x.toPrecision(4);

/** Why a sample whose argmax differs is not a tie, in a few words. */
export function notATie(d: ArgmaxDisagreement): string {
  const j = d.judgement;
  const what = `sample ${d.sample} (float class ${d.floatClass}, fixed-point class ${d.fixedClass})`;
  if (!j) return `${what} was not judged`;
  if (j.inexact) return `${what} is not a tie: the compiled model approximates the float model`;
  if (j.beyondBound > 0)
    return `${what} is not a tie: ${j.beyondBound} departure${j.beyondBound === 1 ? "" : "s"} beyond the rounding bound, first ${j.firstBeyond}`;
  return `${what} is not a tie: float margin ${num(j.margin)} > bound ${num(j.bound)}`;
}

export function applyGates(a: Agreement, opts: GateOptions = {}): GateResult {
  const minSpikeAgreement = opts.minSpikeAgreement ?? DEFAULT_MIN_SPIKE_AGREEMENT;
  const minArgmaxAgreement = opts.minArgmaxAgreement ?? DEFAULT_MIN_ARGMAX_AGREEMENT;
  const weakest = a.perLayer.reduce<Agreement["perLayer"][number] | null>(
    (w, l) => (w === null || l.agreement < w.agreement ? l : w),
    null,
  );
  const weakestLayer = weakest ? { layer: weakest.layer, agreement: weakest.agreement } : null;
  const argmaxAgreement = a.readout ? a.readout.argmaxAgree / Math.max(1, a.readout.samples) : null;
  const argmaxTies = a.readout?.ties ?? 0;
  const failures: string[] = [];
  if (a.spikeAgreement < minSpikeAgreement) {
    const where = weakestLayer ? `; lowest in layer '${weakestLayer.layer}' (${pct(weakestLayer.agreement)})` : "";
    failures.push(
      `spike agreement with the float model ${pct(a.spikeAgreement)} is below --min-spike-agreement ${pct(minSpikeAgreement)}${where}`,
    );
  }
  const counted = a.readout ? (a.readout.argmaxAgree + argmaxTies) / Math.max(1, a.readout.samples) : null;
  if (a.readout && counted !== null && counted < minArgmaxAgreement) {
    const where = weakestLayer
      ? ` (layer agreeing least: '${weakestLayer.layer}', ${pct(weakestLayer.agreement)})`
      : "";
    const ties = argmaxTies ? ` and ${tiesText(argmaxTies)}` : "";
    const first = a.readout.disagreements?.find((d) => !d.judgement?.tie);
    failures.push(
      `readout '${a.readout.id}' argmax agrees on ${a.readout.argmaxAgree}/${a.readout.samples} samples${ties}, below --min-argmax-agreement ${pct(minArgmaxAgreement)}${where}${first ? `; ${notATie(first)}` : ""}`,
    );
  }
  const clipped = (opts.clipped ?? []).filter((c) => c.clipped > 0);
  const clippedWeights = clipped.reduce((n, c) => n + c.clipped, 0);
  if (clippedWeights > 0) {
    const where = clipped.map((c) => `${c.clipped} in '${c.id}'`).join(", ");
    failures.push(
      `${clippedWeights} weight(s) clipped to the target's range (${where}): the deployed weights are not the trained ones`,
    );
  }
  return {
    ok: failures.length === 0,
    minSpikeAgreement,
    minArgmaxAgreement,
    spikeAgreement: a.spikeAgreement,
    argmaxAgreement,
    argmaxTies,
    weakestLayer,
    clippedWeights,
    failures,
  };
}
