/** The one seeded random stream of the tests (mulberry32, src/util/prng.ts) and the inputs drawn from it. */
import { mulberry32 } from "../../src/util/prng.ts";

export class Rng {
  /** The next value, uniform in [0, 1). */
  readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }

  /** A real in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
}

/** `count` samples of T steps of n binary inputs, each 1 with probability `rate`. */
export function spikeInputs(n: number, T: number, count: number, seed: number, rate = 0.5): Float64Array[][] {
  const r = new Rng(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: T }, () => Float64Array.from({ length: n }, () => (r.bool(rate) ? 1 : 0))),
  );
}

/** `count` samples of n analog inputs, uniform in [0, 1). */
export function analogInputs(n: number, count: number, seed: number): Float64Array[] {
  const r = new Rng(seed);
  return Array.from({ length: count }, () => Float64Array.from({ length: n }, () => r.next()));
}
