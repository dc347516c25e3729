/**
 * The target's rounding of real values to integers: half away from zero (Lava's graded spikes, and
 * every weight, bias and threshold the quantiser makes), exact for every double.
 */

/**
 * a ≥ 0 rounded half up: floor(a + h) with h the largest double below 1/2. With h = 1/2 the sum
 * itself rounds up for a = 1/2 − 2^−54 (0.49999999999999994 gave 1); with h, every a ≥ 0 gets its
 * nearest integer, ties up (a sum k + 1 − 2^−54 rounds to k + 1 from k ≥ 1, where its ulp is
 * coarser, and a = 1/2 gives 1 − 2^−54, a tie that rounds to even: 1). Math.round does the same
 * but is several times slower in the quantiser's loops.
 */
export function roundHalfUpAbs(a: number): number {
  return Math.floor(a + 0.49999999999999994);
}

/** The target's rounding of real values to integers (Lava's graded spikes): half away from zero. */
export function roundHalfAway(x: number): number {
  return x >= 0 ? roundHalfUpAbs(x) : -roundHalfUpAbs(-x);
}
