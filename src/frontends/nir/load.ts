/**
 * NIR reader (docs/FORMATS.md, NIR): a `.nir` HDF5 file as nir.write produces it → IR graph.
 *
 *   HDF5 (hdf5-read.ts) → NIR document (nir-doc.ts) → nested graphs inlined (flatten-graph.ts)
 *   → cycles cut and nodes ordered (order.ts) → IR nodes (convert*.ts, discretised by discretise.ts,
 *   channels first → last by layout.ts) → inferShapes
 *
 * NIR holds no number of steps and no encoding: T is the file's `snnc_timesteps` metadata (snnc writes
 * it) or 100, the encoding "spikes" unless the metadata says "direct". Every failure is an SnncError
 * with the file and, where it applies, the node and the dataset.
 */
import { basename } from "node:path";
import { SnncError } from "../../ir/errors.ts";
import type { Graph, ModelMeta } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { convertGraph } from "./convert.ts";
import { checkLoadOptions, DEFAULT_DT, DEFAULT_METHOD, type Discretisation, type LoadOptions } from "./discretise.ts";
import { flattenGraph, type FlatGraph } from "./flatten-graph.ts";
import type { H5Dataset } from "./hdf5-read.ts";
import { readHdf5 } from "./hdf5-read.ts";
import { readNirDoc } from "./nir-doc.ts";
import { orderGraph } from "./order.ts";

export type { LoadOptions } from "./discretise.ts";

/** Steps a NIR model runs when its file does not say (NIR has no notion of T). */
export const DEFAULT_NIR_TIMESTEPS = 100;

export async function loadNirModel(path: string, opts: LoadOptions = {}): Promise<Graph> {
  try {
    checkLoadOptions(opts);
    const doc = readNirDoc(await readHdf5(path));
    const md = doc.graph.metadata;
    const written = writtenDiscretisation(md);
    const d: Discretisation = {
      dt: opts.dt ?? written?.dt ?? DEFAULT_DT,
      method: opts.dtMethod ?? written?.method ?? DEFAULT_METHOD,
    };
    const exact = written !== undefined && written.dt === d.dt && written.method === d.method;
    const flat = flattenGraph(doc.graph);
    const input = theInput(flat);
    const ordered = orderGraph(flat, input, (name) => causalDelay(flat, name, d));
    const meta: ModelMeta = {
      timesteps: intMeta(md.get("snnc_timesteps")) ?? DEFAULT_NIR_TIMESTEPS,
      encoding: md.get("snnc_encoding")?.strings?.[0] === "direct" ? "direct" : "spikes",
      source: `nir${doc.version ? ` ${doc.version}` : ""}:${basename(path)}`,
      timeStep: { dt: d.dt, method: d.method },
    };
    const name = md.get("snnc_name")?.strings?.[0] ?? basename(path).replace(/\.[^.]*$/, "");
    return inferShapes(convertGraph({ flat, ordered, input, d, exact, meta, name }));
  } catch (e) {
    if (e instanceof SnncError) throw e.withLocation({ file: path });
    throw e;
  }
}

function writtenDiscretisation(md: Map<string, H5Dataset>): Discretisation | undefined {
  const dt = md.get("snnc_dt")?.numbers?.[0];
  const method = md.get("snnc_dt_method")?.strings?.[0];
  if (dt === undefined || !(dt > 0) || (method !== "euler" && method !== "exp")) return undefined;
  return { dt, method };
}

function intMeta(d: H5Dataset | undefined): number | undefined {
  const v = d?.numbers?.[0];
  return v !== undefined && Number.isInteger(v) && v >= 1 ? v : undefined;
}

/** The one Input node of the top graph. */
function theInput(g: FlatGraph): string {
  const ins = [...g.nodes.values()].filter((n) => n.type === "Input" && !n.boundary);
  if (ins.length === 0) throw new SnncError("E_FORMAT", "the graph has no Input node");
  if (ins.length > 1)
    throw new SnncError(
      "E_UNSUPPORTED",
      `the graph has ${ins.length} Input nodes (${ins.map((n) => `'${n.name}'`).join(", ")}); snnc models have one input`,
    );
  return ins[0]!.name;
}

/** Is Delay node `name` at least one step everywhere (so that it can close a cycle)? */
function causalDelay(g: FlatGraph, name: string, d: Discretisation): boolean {
  const n = g.nodes.get(name)!;
  const a = n.params.array("delay");
  return a.data.length > 0 && a.data.every((s) => Math.round(s / d.dt) >= 1);
}
