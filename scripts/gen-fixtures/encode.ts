/**
 * Weight encodings for the fixtures. float32 goes through TF.js's own `tf.io.encodeWeights`;
 * float16 and uint8/uint16 are what tensorflowjs_converter writes (TF.js only decodes them):
 *  - float16: IEEE 754 binary16, round to nearest even (numpy `astype(float16)`),
 *  - uintN: affine `v = q·scale + min`, range nudged so that 0 is exact when covered
 *    (tensorflowjs/quantization.py, computed here in float64), q rounded half to even.
 */
import * as tf from "@tensorflow/tfjs";

export interface WeightDef {
  name: string;
  shape: number[];
  values: number[];
}

export type Storage = "float32" | "float16" | "uint8" | "uint16";

export interface Encoded {
  data: Uint8Array;
  specs: tf.io.WeightsManifestEntry[];
}

tf.enableProdMode();

export async function encodeWeights(ws: WeightDef[], storage: Storage): Promise<Encoded> {
  if (storage === "float32") {
    const tensors = ws.map((w) => ({ name: w.name, tensor: tf.tensor(w.values, w.shape, "float32") }));
    const { data, specs } = await tf.io.encodeWeights(tensors);
    for (const t of tensors) t.tensor.dispose();
    return { data: new Uint8Array(data), specs };
  }
  const parts: Uint8Array[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const w of ws) {
    const f32 = Float32Array.from(w.values);
    if (storage === "float16") {
      const q = new Uint16Array(f32.length);
      for (let i = 0; i < f32.length; i++) q[i] = toFloat16Bits(f32[i]!);
      parts.push(new Uint8Array(q.buffer));
      specs.push({ name: w.name, shape: w.shape, dtype: "float32", quantization: { dtype: "float16" } });
    } else {
      const { q, min, scale } = quantizeAffine(f32, storage === "uint8" ? 255 : 65535);
      const bytes = storage === "uint8" ? Uint8Array.from(q) : new Uint8Array(Uint16Array.from(q).buffer);
      parts.push(bytes);
      specs.push({ name: w.name, shape: w.shape, dtype: "float32", quantization: { dtype: storage, min, scale } });
    }
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  const data = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    data.set(p, o);
    o += p.length;
  }
  return { data, specs };
}

/** Round half to even, as numpy's `np.round`. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function quantizeAffine(data: Float32Array, quantMax: number): { q: number[]; min: number; scale: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo === hi) return { q: Array.from(data, () => 0), min: lo, scale: 1 };
  const scale = (hi - lo) / quantMax;
  let min = lo;
  let max = hi;
  if (lo <= 0 && 0 <= hi) {
    const zero = roundHalfEven((0 - lo) / scale);
    min = -zero * scale;
    max = quantMax * scale + min;
  }
  const q = Array.from(data, (v) => roundHalfEven((Math.min(Math.max(v, min), max) - min) / scale));
  return { q, min, scale };
}

/** IEEE 754 binary16 bits of a float32 value, round to nearest even. */
export function toFloat16Bits(value: number): number {
  const f = new Float32Array([value]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → Inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow → ±0
    mant |= 0x800000; // implicit bit
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m; // may round up into the smallest normal, which is the right encoding
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && m & 1)) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

/** Split a byte stream into shards of at most `maxBytes` (as the converter does, at any byte). */
export function shard(data: Uint8Array, maxBytes: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < data.length; o += maxBytes) out.push(data.slice(o, Math.min(o + maxBytes, data.length)));
  return out.length ? out : [new Uint8Array(0)];
}
