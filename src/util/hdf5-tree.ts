/**
 * An HDF5 file's groups and datasets as plain data, as the readers hand them to a frontend:
 * numbers as float64, strings as JS strings, a group's children sorted by name.
 */

export interface H5Dataset {
  kind: "dataset";
  /** The dataset's path in the file, for messages. */
  path: string;
  /** HDF5 type as h5wasm names it (e.g. "<f", "<d", "<q", "S", "S8"), for messages. */
  dtype: string;
  shape: number[];
  /** Numbers (row-major, float64) or strings. */
  numbers?: Float64Array;
  strings?: string[];
}

export interface H5Group {
  kind: "group";
  path: string;
  children: Map<string, H5Group | H5Dataset>;
}

/** The child path of `name` in the group at `path`. */
export const childPath = (path: string, name: string): string => (path === "/" ? `/${name}` : `${path}/${name}`);
