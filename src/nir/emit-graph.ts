/**
 * model.nir: a folded IR graph as the NIR graph nir.write would store (docs/FORMATS.md, NIR).
 *
 *   /version "1.0.0"
 *   /node    type "NIRGraph", nodes/<name>/… (one group per primitive), edges (n, 2) strings,
 *            metadata/{snnc_name, snnc_timesteps, snnc_encoding, snnc_dt, snnc_dt_method}
 *
 * Channels-last IR values become NIR's channels-first ones; every dataset is float64, int64 or a
 * UTF-8 string. What NIR cannot hold (normalisations, max pooling, soft reset, MT neurons, per-step
 * schedules, …) is refused with the layer and the reason: compile folds the model first.
 */
import { isRecurrentEdge } from "../ir/graph.ts";
import { isNormNode, type Graph, type IRNode } from "../ir/nodes.ts";
import { canonicalIndex, type DtMethod, Emission, sameIndex } from "./emit-context.ts";
import * as lin from "./emit-linear.ts";
import { emitLi, emitNeuron, emitReadout } from "./emit-neurons.ts";
import { f64, type H5Tree, i64, str } from "./hdf5-write.ts";

export const NIR_FORMAT_VERSION = "1.0.0";

/** Defaults when the model carries no time step (it was not read from NIR). */
export const DEFAULT_EXPORT_DT = 1e-4;
export const DEFAULT_EXPORT_METHOD: DtMethod = "euler";

export interface NirDocument {
  tree: H5Tree;
  /** IR node id → NIR node name (ids holding '/' are renamed). */
  names: Map<string, string>;
}

export function nirDocument(g: Graph, opts: { file?: string } = {}): NirDocument {
  const ts = g.meta.timeStep;
  const e = new Emission(ts?.dt ?? DEFAULT_EXPORT_DT, ts?.method ?? DEFAULT_EXPORT_METHOD, opts.file);
  const byId = new Map(g.nodes.map((n) => [n.id, n] as const));
  const before = new Set<string>();
  /** Nodes read by a recurrent edge: their elements must be in NIR's order (checked at the end). */
  const recurrentSources = new Set<string>();
  for (const n of g.nodes) {
    const rec = isRecurrentEdge(n, before);
    if (rec) recurrentSources.add(n.inputs[0]!);
    emitNode(e, n, byId, rec);
    before.add(n.id);
  }
  const outs = [...new Set(g.outputs)];
  for (const id of outs) {
    const src = e.source(id);
    if (src.pad) throw e.refuse(byId.get(id)!, "a model output that is padded");
    const name = e.name(outs.length === 1 ? "output" : `output_${id}`);
    e.add(name, { type: str("Output"), shape: i64(src.nir) }, src);
  }
  for (const id of recurrentSources) {
    const n = byId.get(id)!;
    if (!sameIndex(e.source(id).index, canonicalIndex(n.shape!)))
      throw e.refuse(n, "a recurrent edge out of a value whose elements are in flattened channels-first order");
  }
  const names = new Map(g.nodes.map((n) => [n.id, e.name(n.id)] as const));
  const tree: H5Tree = {
    version: str(NIR_FORMAT_VERSION),
    node: {
      type: str("NIRGraph"),
      nodes: e.nodes,
      edges: { kind: "strs", shape: [e.edges.length, 2], data: e.edges.flat() },
      metadata: {
        snnc_name: str(g.name),
        snnc_timesteps: i64([g.meta.timesteps], []),
        snnc_encoding: str(g.meta.encoding),
        snnc_dt: f64([e.dt], []),
        snnc_dt_method: str(e.method),
      },
    },
  };
  return { tree, names };
}

/** An emitter of one kind of node: the node, the graph's nodes by id, and whether it reads a recurrent edge. */
type Emitter<N extends IRNode> = (e: Emission, n: N, byId: Map<string, IRNode>, recurrent: boolean) => void;

/** The emitter of each op NIR can hold (other ops are refused before, or emit nothing). */
const EMITTERS: { [Op in IRNode["op"]]?: Emitter<Extract<IRNode, { op: Op }>> } = {
  input: lin.emitInput,
  conv2d: lin.emitConv,
  dense: lin.emitDense,
  flatten: lin.emitFlatten,
  reshape: lin.emitFlatten,
  avgpool: lin.emitPool,
  maxpool: lin.emitPool,
  sumpool: lin.emitPool,
  pad: lin.emitPad,
  add: lin.emitAdd,
  affine: lin.emitAffine,
  delay: lin.emitDelay,
  neuron: emitNeuron,
  li: emitLi,
  readout: emitReadout,
  plane: (e, n) => {
    throw e.refuse(n, "a spike plane of a multi-threshold neuron");
  },
};

function emitNode(e: Emission, n: IRNode, byId: Map<string, IRNode>, recurrent: boolean): void {
  if (isNormNode(n)) {
    throw e.refuse(
      n,
      `${n.op}: a normalisation (compile --target nir folds BN, tdBN and PSP-BN first; per-step norms cannot be folded into static NIR parameters)`,
    );
  }
  (EMITTERS[n.op] as Emitter<IRNode> | undefined)?.(e, n, byId, recurrent);
}
