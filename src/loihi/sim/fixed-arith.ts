/**
 * The integer operations Lava's fixed-point neuron models share (docs/LAVA-FIXED-POINT.md §1):
 * the decay by a 12-bit factor with truncation toward zero, the one-time 24-bit wrap of a current,
 * the saturation of a voltage, int32 wrap-around. Exact on JavaScript numbers (|x| < 2^53).
 */

const TWO32 = 2 ** 32;
const TWO31 = 2 ** 31;
const W24 = 2 ** 23;

/** Two's-complement int32 wrap of an exact integer. */
export function wrap32(x: number): number {
  if (x >= -TWO31 && x < TWO31) return x;
  const r = ((x % TWO32) + TWO32) % TWO32;
  return r >= TWO31 ? r - TWO32 : r;
}

/** Signed wrap to `bits` bits (Lava's signed_clamp: (x + 2^(b−1)) mod 2^b − 2^(b−1)). */
export function wrapSigned(x: number, bits: number): number {
  const base = 2 ** bits;
  const half = base / 2;
  if (x >= -half && x < half) return x;
  const r = (((x + half) % base) + base) % base;
  return r - half;
}

/**
 * dst[o] += sums[o] wrapped to signed 24 bit, for a conv kernel's int32 sums (exact modulo 2^32):
 * the wrap of an int32 is the sign extension of its low 24 bits, (s << 8) >> 8, which is
 * wrapSigned(s, 24) without its branches.
 */
export function addWrapped24(dst: Float64Array, sums: Int32Array): void {
  for (let o = 0; o < sums.length; o++) dst[o] += (sums[o]! << 8) >> 8;
}

/** The bias of `n` neurons (default: one per mantissa), biasMant << biasExp wrapped to int32. */
export function scaledBias(biasMant: ArrayLike<number>, biasExp: number, n = biasMant.length): Int32Array {
  const bias = new Int32Array(n);
  const m = 2 ** biasExp;
  for (let i = 0; i < bias.length; i++) bias[i] = wrap32(biasMant[i]! * m);
  return bias;
}

/** sgn(x·f)·(|x·f| >> 12): a decay by f/4096 with truncation toward zero (int64 product in Lava). */
export function decayTrunc(x: number, f: number): number {
  const p = x * f;
  return p >= 0 ? Math.floor(p / 4096) : -Math.floor(-p / 4096);
}

/** Lava's current wrap, applied once: x > 2^23 → x − 2^24, x ≤ −2^23 → x + 2^24. */
export function wrap24(x: number): number {
  if (x > W24) return x - 2 * W24;
  if (x <= -W24) return x + 2 * W24;
  return x;
}

/** Lava's voltage saturation to ±(2^23 − 1). */
export function saturate24(x: number): number {
  const m = W24 - 1;
  return Math.min(m, Math.max(x, -m));
}

/** Arithmetic shift right of an int32 (numpy's `>>` on signed integers: floor division by 2^e). */
export function shiftRight(x: number, e: number): number {
  return e <= 0 ? wrap32(x * 2 ** -e) : Math.floor(x / 2 ** e);
}
