/**
 * Weights stored as they are (float32, int32 or bool, not quantised), decoded without TF.js. A
 * TF.js weight file holds such a weight as its values' little-endian bytes one after the other, and
 * `tf.io.decodeWeights` reads them as a Float32Array, Int32Array or Uint8Array of those bytes (a
 * bool keeps its byte: 2 stays 2); this is the same reading, so the values are the ones TF.js gives
 * (test/frontends/tfjs/weights-plain.test.ts checks it on random manifests). Quantised weights
 * (float16, uint8, uint16) are left to TF.js, whose own formulas define them; loading TF.js costs
 * about 70 ms, most of a small model's compile.
 */

/** The decodable entry of a weight manifest (checked by the caller). */
export interface PlainSpec {
  shape: readonly number[];
  dtype: string;
  quantization?: unknown;
}

/** Whether this module decodes `spec`'s values (otherwise TF.js does). */
export function isPlain(spec: PlainSpec): boolean {
  return (
    spec.quantization === undefined && (spec.dtype === "float32" || spec.dtype === "int32" || spec.dtype === "bool")
  );
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The values of a weight of `count` elements whose bytes start at `bytes[offset]`. */
export function decodePlain(bytes: Uint8Array, offset: number, count: number, dtype: string): Float64Array {
  const out = new Float64Array(count);
  const at = bytes.byteOffset + offset;
  if (dtype === "bool") {
    out.set(bytes.subarray(offset, offset + count));
    return out;
  }
  const wide = dtype === "int32";
  if (LITTLE_ENDIAN && at % 4 === 0) {
    // the bytes are the values' own memory: one conversion of the whole array
    out.set(wide ? new Int32Array(bytes.buffer, at, count) : new Float32Array(bytes.buffer, at, count));
    return out;
  }
  const view = new DataView(bytes.buffer, at, count * 4);
  if (wide) for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
  else for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}
