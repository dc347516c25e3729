import { mulberry32 } from "../../src/util/prng.ts";

export { mulberry32 };

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** Uniform in [lo, hi), rounded to a float32. */
  uniform(lo: number, hi: number): number {
    return Math.fround(lo + (hi - lo) * this.next());
  }
  array(n: number, lo: number, hi: number): number[] {
    return Array.from({ length: n }, () => this.uniform(lo, hi));
  }
  /** Multiples of 1/256 in [0, 1]: exact in every float format, like an 8-bit image. */
  pixels(n: number): number[] {
    return Array.from({ length: n }, () => Math.floor(this.next() * 257) / 256);
  }
}
