/**
 * Running the fold properties: fixed seed (override with SNNC_FC_SEED), runs per tier (scale with
 * SNNC_FC_RUNS), tallies printed with SNNC_FC_VERBOSE=1.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Graph } from "../../src/ir/nodes.ts";
import { compareGraphs } from "./check.ts";
import { admissible, newTally, Src, type Tally, type Tier } from "./gen.ts";

const SEED = process.env.SNNC_FC_SEED !== undefined ? Number(process.env.SNNC_FC_SEED) : 20240611;
const SCALE = process.env.SNNC_FC_RUNS !== undefined ? Number(process.env.SNNC_FC_RUNS) : 1;

/** Cases per tier; the two tiers together give every pass at least 1000 cases. */
export const RUNS: Record<Tier, number> = { exact: Math.round(600 * SCALE), float: Math.round(400 * SCALE) };

export function checkProperty(tier: Tier, body: (s: Src, tally: Tally) => void): Tally {
  const tally = newTally();
  fc.assert(
    fc.property(fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff })), (seed: number) =>
      body(new Src(seed, tier), tally),
    ),
    { numRuns: RUNS[tier], seed: SEED, maxSkipsPerRun: 100 },
  );
  if (process.env.SNNC_FC_VERBOSE) console.log(`${tier} tier: ${JSON.stringify(tally)}`);
  return tally;
}

export interface RewriteCheck {
  /** Also require equal readouts: bit for bit in the exact tier. */
  exactReadouts?: boolean;
  /** And within this absolute difference in the float tier. */
  floatReadoutTol?: number;
}

/**
 * The property of a rewrite: on `make`'s random models, `rewrite` keeps every spike of the model as
 * written (exact tier: bit for bit, ties included; float tier: wherever the reference's margin
 * exceeds NEAR_TIE, nearer cases discarded and counted).
 */
export function checkRewrite(
  tier: Tier,
  make: (s: Src) => Graph,
  rewrite: (g: Graph) => Graph,
  o: RewriteCheck = {},
): Tally {
  return checkProperty(tier, (s, tally) => {
    const g = make(s);
    const inputs = s.inputs(g, 2);
    const r = compareGraphs(g, rewrite(g), inputs);
    admissible(r, tier, tally);
    assert.equal(r.spikesDiffering, 0, `spikes differ: ${JSON.stringify(r.divergences)}`);
    const diff = r.readoutMaxAbsDiff ?? 0;
    if (tier === "exact" && o.exactReadouts) assert.equal(diff, 0, "readouts differ in the exact tier");
    if (tier === "float" && o.floatReadoutTol !== undefined)
      assert.ok(diff < o.floatReadoutTol, `readouts differ by ${r.readoutMaxAbsDiff}`);
  });
}
