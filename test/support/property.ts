/**
 * Running the fold properties: fixed seed (override with SNNC_FC_SEED), runs per tier (scale with
 * SNNC_FC_RUNS), tallies printed with SNNC_FC_VERBOSE=1.
 */
import fc from "fast-check";
import { newTally, Src, type Tally, type Tier } from "./gen.ts";

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
