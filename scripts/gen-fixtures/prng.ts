/** mulberry32: a tiny seeded PRNG, so fixtures are byte-identical on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
