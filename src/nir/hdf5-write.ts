/**
 * An in-memory tree of groups and datasets → the bytes of an HDF5 file (h5wasm, loaded on first use).
 * Every dataset has an explicit type: float64, int64 or a variable-length UTF-8 string (what h5py
 * gives back as bytes, as nir.read expects). Groups and datasets are written in the tree's order
 * and the clock HDF5 may stamp into object headers is pinned while the synchronous write runs, so
 * the same tree gives the same bytes.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

type Lib = typeof import("h5wasm/node")["default"];
type Group = ReturnType<InstanceType<Lib["File"]>["create_group"]>;

function writeTree(g: Group, tree: H5Tree): void {
  for (const [name, v] of Object.entries(tree)) {
    if (!isValue(v)) {
      writeTree(g.create_group(name), v);
      continue;
    }
    switch (v.kind) {
      case "f64":
        g.create_dataset({ name, data: v.data, shape: v.shape, dtype: "<d" });
        break;
      case "i64":
        g.create_dataset({ name, data: BigInt64Array.from(v.data, (x) => BigInt(x)), shape: v.shape, dtype: "<q" });
        break;
      case "str":
        g.create_dataset({ name, data: v.value });
        break;
      case "strs":
        g.create_dataset({ name, data: v.data, shape: v.shape });
        break;
    }
  }
}

/** The bytes of the HDF5 file holding `tree` (written to a fresh temporary folder, read back, removed). */
export async function hdf5Bytes(tree: H5Tree): Promise<Uint8Array> {
  const lib = (await import("h5wasm/node")).default;
  const mod = await lib.ready;
  const dir = mkdtempSync(join(tmpdir(), "snnc-nir-"));
  const path = join(dir, "model.nir");
  const realNow = Date.now;
  try {
    Date.now = () => 0;
    mod.activate_throwing_error_handler(); // HDF5's errors as exceptions, never printed
    try {
      const f = new lib.File(path, "w");
      try {
        writeTree(f as unknown as Group, tree);
      } finally {
        f.close();
      }
    } finally {
      mod.deactivate_throwing_error_handler();
      Date.now = realNow;
    }
    return new Uint8Array(readFileSync(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
