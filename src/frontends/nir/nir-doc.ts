/**
 * The NIR document inside the HDF5 file, as nir.write lays it out:
 *
 *   /version                  string
 *   /node                     the top NIRGraph: type "NIRGraph", nodes/<name>/..., edges (n, 2) strings,
 *                             metadata/<key> (optional)
 *   nodes/<name>              type "<Primitive>" and its parameters as datasets; a nested graph is
 *                             another NIRGraph group
 *
 * Only structure is checked here (types known, groups and edges well formed); parameters are read
 * on demand through `NirParams`, which names the node and the dataset in every error.
 */
import { SnncError } from "../../ir/errors.ts";
import type { H5Dataset, H5Group } from "./hdf5-read.ts";

export const PRIMITIVES = [
  "Input",
  "Output",
  "Affine",
  "Linear",
  "Scale",
  "Conv1d",
  "Conv2d",
  "SumPool2d",
  "AvgPool2d",
  "Flatten",
  "Delay",
  "Threshold",
  "I",
  "IF",
  "LI",
  "LIF",
  "CubaLI",
  "CubaLIF",
] as const;
export type NirPrimitive = (typeof PRIMITIVES)[number];

export interface NirNode {
  kind: "node";
  /** Full name: nested graphs prefix their nodes' names with "<graph>.". */
  name: string;
  type: NirPrimitive;
  params: NirParams;
}

export interface NirGraphDoc {
  kind: "graph";
  /** Full name ("" for the top graph). */
  name: string;
  nodes: Map<string, NirNode | NirGraphDoc>;
  /** Edges as written, names local to this graph. */
  edges: [string, string][];
  metadata: Map<string, H5Dataset>;
}

export interface NirFile {
  version?: string;
  graph: NirGraphDoc;
}

const fail = (detail: string, layer?: string, param?: string) =>
  new SnncError("E_FORMAT", detail, { layer: layer || undefined, param });

/** The NIR graph of an HDF5 tree. */
export function readNirDoc(root: H5Group): NirFile {
  const top = root.children.get("node");
  if (top?.kind !== "group") throw fail("no group '/node': not a NIR file (nir.write stores the graph under /node)");
  const v = root.children.get("version");
  const version = v?.kind === "dataset" ? v.strings?.[0] : undefined;
  const graph = readGraph(top, "");
  return { version, graph };
}

function typeOf(g: H5Group, name: string): string {
  const t = g.children.get("type");
  if (t?.kind !== "dataset" || !t.strings || t.strings.length !== 1)
    throw fail(`has no string dataset 'type' (every NIR node names its primitive)`, name, "type");
  return t.strings[0]!;
}

function readGraph(g: H5Group, name: string): NirGraphDoc {
  const type = typeOf(g, name || "node");
  if (type !== "NIRGraph") {
    throw fail(`the top node is a '${type}', not a NIRGraph`, name || "node", "type");
  }
  const nodesGroup = g.children.get("nodes");
  if (nodesGroup?.kind !== "group") throw fail("NIRGraph has no group 'nodes'", name || "node", "nodes");
  const nodes = new Map<string, NirNode | NirGraphDoc>();
  for (const [local, child] of nodesGroup.children) {
    const full = name ? `${name}.${local}` : local;
    if (child.kind !== "group") throw fail(`'nodes/${local}' is a dataset, not a node group`, full);
    const t = typeOf(child, full);
    if (t === "NIRGraph") nodes.set(local, readGraph(child, full));
    else if ((PRIMITIVES as readonly string[]).includes(t))
      nodes.set(local, { kind: "node", name: full, type: t as NirPrimitive, params: new NirParams(child, full) });
    else
      throw fail(
        `node type '${t}' is not a NIR primitive snnc reads (known: ${[...PRIMITIVES, "NIRGraph"].join(", ")})`,
        full,
        "type",
      );
  }
  return { kind: "graph", name, nodes, edges: readEdges(g, name || "node"), metadata: readMetadata(g) };
}

function readEdges(g: H5Group, where: string): [string, string][] {
  const e = g.children.get("edges");
  if (e?.kind !== "dataset") throw fail("NIRGraph has no dataset 'edges'", where, "edges");
  const s = e.strings;
  const empty = e.shape.length === 1 && e.shape[0] === 0;
  if (empty) return [];
  if (!s || e.shape.length !== 2 || e.shape[1] !== 2 || s.length !== e.shape[0]! * 2)
    throw fail(`'edges' must be an (n, 2) array of node names, found ${e.dtype} of shape [${e.shape}]`, where, "edges");
  const out: [string, string][] = [];
  for (let i = 0; i < s.length; i += 2) out.push([s[i]!, s[i + 1]!]);
  return out;
}

function readMetadata(g: H5Group): Map<string, H5Dataset> {
  const m = g.children.get("metadata");
  const out = new Map<string, H5Dataset>();
  if (m?.kind !== "group") return out;
  for (const [k, v] of m.children) if (v.kind === "dataset") out.set(k, v);
  return out;
}

/** A numeric parameter: row-major float64 values with the dataset's shape. */
export interface NirArray {
  shape: number[];
  data: Float64Array;
}

/** The datasets of one node, read with the node's name and the dataset's key in every error. */
export class NirParams {
  readonly metadata: Map<string, H5Dataset>;

  constructor(
    private readonly g: H5Group,
    readonly node: string,
  ) {
    this.metadata = readMetadata(g);
  }

  has(key: string): boolean {
    return this.g.children.get(key)?.kind === "dataset";
  }

  private dataset(key: string): H5Dataset {
    const d = this.g.children.get(key);
    if (d?.kind !== "dataset")
      throw new SnncError("E_WEIGHT", `dataset '${key}' is missing`, { layer: this.node, param: key });
    return d;
  }

  /** A numeric dataset, every value finite (`infinite`: ±Infinity allowed, as for a threshold). */
  array(key: string, infinite = false): NirArray {
    const d = this.dataset(key);
    if (!d.numbers)
      throw new SnncError("E_WEIGHT", `dataset '${key}' holds ${d.dtype}, not numbers`, {
        layer: this.node,
        param: key,
      });
    const i = d.numbers.findIndex((x) => (infinite ? Number.isNaN(x) : !Number.isFinite(x)));
    if (i >= 0)
      throw new SnncError(
        "E_VALUE",
        `${d.numbers[i]} at index ${i} (parameters must be ${infinite ? "numbers" : "finite"})`,
        {
          layer: this.node,
          param: key,
        },
      );
    return { shape: d.shape, data: d.numbers };
  }

  optionalArray(key: string): NirArray | undefined {
    return this.has(key) ? this.array(key) : undefined;
  }

  /** A string dataset (scalar), or undefined when the dataset holds numbers. */
  string(key: string): string | undefined {
    const d = this.dataset(key);
    return d.strings?.length === 1 ? d.strings[0] : undefined;
  }

  /** Integers: a scalar broadcast to `n` values, or exactly `n` values. */
  ints(key: string, n: number, min = 0): number[] {
    const a = this.array(key);
    const vals = a.data.length === 1 ? Array.from({ length: n }, () => a.data[0]!) : Array.from(a.data);
    if (vals.length !== n || vals.some((v) => !Number.isInteger(v) || v < min)) {
      throw new SnncError(
        "E_FORMAT",
        `dataset '${key}' holds [${Array.from(a.data).join(", ")}], expected ${n === 1 ? "an integer" : `1 or ${n} integers`} ≥ ${min}`,
        { layer: this.node, param: key },
      );
    }
    return vals;
  }
}
