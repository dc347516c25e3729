/**
 * TensorProto → constant value: every numeric data type ONNX stores, from raw_data (little-endian),
 * the typed fields, or external data (a file next to the model, `location` / `offset` / `length`).
 * Values become float64 exactly (int64 beyond 2^53 keeps only its magnitude).
 */
import { readFileSync } from "node:fs";
import { isAbsolute, join, normalize, sep } from "node:path";
import { SnncError } from "../../ir/errors.ts";
import { size } from "../../ir/tensor.ts";
import type { RawTensor } from "./protobuf.ts";
import type { ConstVal, DType } from "./values.ts";

interface TypeInfo {
  name: string;
  bytes: number;
  dtype: DType;
  /** Which typed field holds the values when there is no raw_data. */
  field: "floatData" | "int32Data" | "int64Data" | "doubleData" | "uint64Data";
  read: (v: DataView, off: number) => number;
  /** Value stored in int32_data (bit patterns for 16-bit floats). */
  fromField?: (x: number) => number;
}

const TYPES: Record<number, TypeInfo> = {
  1: { name: "float32", bytes: 4, dtype: "float", field: "floatData", read: (v, o) => v.getFloat32(o, true) },
  2: { name: "uint8", bytes: 1, dtype: "int", field: "int32Data", read: (v, o) => v.getUint8(o) },
  3: { name: "int8", bytes: 1, dtype: "int", field: "int32Data", read: (v, o) => v.getInt8(o) },
  4: { name: "uint16", bytes: 2, dtype: "int", field: "int32Data", read: (v, o) => v.getUint16(o, true) },
  5: { name: "int16", bytes: 2, dtype: "int", field: "int32Data", read: (v, o) => v.getInt16(o, true) },
  6: { name: "int32", bytes: 4, dtype: "int", field: "int32Data", read: (v, o) => v.getInt32(o, true) },
  7: { name: "int64", bytes: 8, dtype: "int", field: "int64Data", read: (v, o) => Number(v.getBigInt64(o, true)) },
  9: { name: "bool", bytes: 1, dtype: "bool", field: "int32Data", read: (v, o) => (v.getUint8(o) ? 1 : 0) },
  10: {
    name: "float16",
    bytes: 2,
    dtype: "float",
    field: "int32Data",
    read: (v, o) => half(v.getUint16(o, true)),
    fromField: half,
  },
  11: { name: "float64", bytes: 8, dtype: "float", field: "doubleData", read: (v, o) => v.getFloat64(o, true) },
  12: { name: "uint32", bytes: 4, dtype: "int", field: "uint64Data", read: (v, o) => v.getUint32(o, true) },
  13: { name: "uint64", bytes: 8, dtype: "int", field: "uint64Data", read: (v, o) => Number(v.getBigUint64(o, true)) },
  16: {
    name: "bfloat16",
    bytes: 2,
    dtype: "float",
    field: "int32Data",
    read: (v, o) => bfloat(v.getUint16(o, true)),
    fromField: bfloat,
  },
};

/** IEEE binary16 bits → value. */
function half(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function bfloat(b: number): number {
  const v = new DataView(new ArrayBuffer(4));
  v.setUint32(0, (b & 0xffff) << 16);
  return v.getFloat32(0);
}

export function dataTypeName(t: number): string {
  return TYPES[t]?.name ?? `type ${t}`;
}

/** Decode a tensor; `baseDir` is the model's folder (for external data), `what` names it in errors. */
export function decodeTensor(t: RawTensor, baseDir: string, what: string): ConstVal {
  const info = TYPES[t.dataType];
  if (!info) {
    throw new SnncError("E_FORMAT", `${what} has data type ${t.dataType} (supported: numeric and bool tensors)`);
  }
  if (t.segmented) throw new SnncError("E_FORMAT", `${what} is a segmented tensor (not supported)`);
  if (!t.dims.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new SnncError("E_SHAPE", `${what} has invalid dims [${t.dims.join(",")}]`);
  }
  const n = size(t.dims);
  const data = new Float64Array(n);
  const bytes = t.external ? externalBytes(t.external, baseDir, n * info.bytes, what) : t.raw;
  if (bytes && (bytes.length > 0 || n === 0)) {
    if (bytes.length !== n * info.bytes) {
      throw new SnncError(
        "E_WEIGHT",
        `${what}: ${bytes.length} bytes of ${info.name} data, dims [${t.dims.join(",")}] need ${n * info.bytes}`,
      );
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < n; i++) data[i] = info.read(view, i * info.bytes);
  } else {
    const field = t[info.field];
    if (field.length !== n) {
      throw new SnncError(
        "E_WEIGHT",
        `${what}: ${field.length} values of ${info.name} data, dims [${t.dims.join(",")}] need ${n}`,
      );
    }
    for (let i = 0; i < n; i++) data[i] = info.fromField ? info.fromField(field[i]!) : field[i]!;
  }
  return { kind: "const", dtype: info.dtype, dims: [...t.dims], data, name: t.name };
}

function externalBytes(ext: Map<string, string>, baseDir: string, need: number, what: string): Uint8Array {
  const location = ext.get("location");
  if (!location) throw new SnncError("E_FORMAT", `${what} is stored externally but names no 'location'`);
  const rel = normalize(location);
  if (isAbsolute(location) || rel === ".." || rel.startsWith(`..${sep}`)) {
    throw new SnncError("E_FORMAT", `${what}: external data location '${location}' is outside the model's folder`);
  }
  const offset = intKey(ext, "offset", 0, what);
  const length = intKey(ext, "length", need, what);
  if (length !== need) {
    throw new SnncError("E_WEIGHT", `${what}: external data length ${length} bytes, the tensor needs ${need}`);
  }
  let file: Buffer;
  try {
    file = readFileSync(join(baseDir, rel));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SnncError(
      "E_IO",
      `${what}: external data file '${location}' ${code === "ENOENT" ? "not found" : `cannot be read (${code})`}`,
    );
  }
  if (file.length < offset + need) {
    throw new SnncError(
      "E_WEIGHT",
      `${what}: external data file '${location}' holds ${file.length} bytes, the tensor needs ${need} from offset ${offset}`,
    );
  }
  return file.subarray(offset, offset + need);
}

function intKey(ext: Map<string, string>, key: string, dflt: number, what: string): number {
  const v = ext.get(key);
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new SnncError("E_FORMAT", `${what}: external data ${key} '${v}' is invalid`);
  return n;
}
