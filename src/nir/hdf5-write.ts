/**
 * An in-memory tree of groups and datasets → the bytes of an HDF5 file (src/util/hdf5-encode.ts,
 * the layout h5py writes). Every dataset has an explicit type: float64, int64 or a variable-length
 * UTF-8 string (what h5py gives back as bytes, as nir.read expects). The same tree gives the same
 * bytes.
 */
import { type H5Group, h5Group, hdf5FileBytes } from "../util/hdf5-encode.ts";

export type H5Value =
  | { kind: "f64"; shape: number[]; data: Float64Array }
  | { kind: "i64"; shape: number[]; data: number[] }
  | { kind: "str"; value: string }
  | { kind: "strs"; shape: number[]; data: string[] };

export interface H5Tree {
  [name: string]: H5Tree | H5Value;
}

export const f64 = (data: ArrayLike<number>, shape: number[] = [data.length]): H5Value => ({
  kind: "f64",
  shape,
  data: Float64Array.from(data),
});
export const i64 = (data: number[], shape: number[] = [data.length]): H5Value => ({ kind: "i64", shape, data });
export const str = (value: string): H5Value => ({ kind: "str", value });

function isValue(v: H5Tree | H5Value): v is H5Value {
  return typeof (v as H5Value).kind === "string" && ["f64", "i64", "str", "strs"].includes((v as H5Value).kind);
}

function toGroup(tree: H5Tree): H5Group {
  const g = h5Group();
  for (const [name, v] of Object.entries(tree)) {
    if (!isValue(v)) {
      g.children.set(name, toGroup(v));
      continue;
    }
    switch (v.kind) {
      case "f64":
        g.children.set(name, { kind: "float", data: v.data, shape: v.shape });
        break;
      case "i64":
        g.children.set(name, { kind: "int", data: BigInt64Array.from(v.data, (x) => BigInt(x)), shape: v.shape });
        break;
      case "str":
        g.children.set(name, { kind: "string", data: [v.value], shape: [] });
        break;
      case "strs":
        g.children.set(name, { kind: "string", data: v.data, shape: v.shape });
        break;
    }
  }
  return g;
}

/** The bytes of the HDF5 file holding `tree`. */
export function hdf5Bytes(tree: H5Tree): Uint8Array {
  return hdf5FileBytes(toGroup(tree));
}
