/**
 * split-mt: a multi-threshold layer (MT-SNN Eq. 10-12, SEMANTICS §4) becomes n+1 binary spike
 * planes that share the layer's one membrane, and every synapse it feeds becomes n+1 parallel
 * binary synapses with the same weights, summed into one current:
 *
 *   Conv(s_sum) = Conv(s_0) + Σ_i Conv(s_i)        (bias added once, on plane 0)
 *
 * The neuron node stays as it is (one membrane, reset driven by s_0, output s_sum); `plane`
 * nodes read its planes (index 0 = s_0 at θ, index i = s_i at θ + Δ_i). A negative Δ_i is a
 * plane that fires below θ and never resets; `ge` firing (MT-SNN's Θ(0) = 1) is the neuron's own
 * compare, so both are exact by construction.
 *
 * Between the layer and its synapses the planes go through copies of the structural ops that
 * are linear in their input: flatten, reshape, pad, avgpool, sumpool. Max-pooling is not linear;
 * it is still exact when the planes reach it directly (through pad / max-pool only) and, in each
 * channel, the n+1 thresholds are ordered the same way at every position: the planes are then
 * the rank planes [s_sum ≥ j] and max(Σ_j r_j) = Σ_j max(r_j). Otherwise it is refused, as is
 * every other reader (neuron, readout, add, norms): those would need the graded s_sum.
 *
 * Graph outputs keep their meaning: the MT neuron still reports s_sum, and a replicated node that
 * is a graph output is kept next to its copies. A target with graded spikes does not need this
 * pass at all (see `mtLowering`).
 */
import { SnncError } from "../../ir/errors.ts";
import { consumers } from "../../ir/graph.ts";
import type { AddNode, Graph, IRNode, NeuronNode, PlaneNode } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { broadcastTo } from "../../ir/tensor.ts";
import type { Pass } from "../pass.ts";
import { fmt, withOrigin } from "../support/rewrite.ts";

/** What a target says about its spikes (targets/<hw>.json `features`). */
export interface SpikeFeatures {
  /** Integer-valued (graded) spike payloads, as Loihi 2 has. */
  gradedSpikes?: boolean;
}

/**
 * How a target lowers MT layers: "graded" (one neuron emits s_sum as a graded spike: no split)
 * or "split" (binary planes, run split-mt).
 */
export type MtLowering = "graded" | "split";

export function mtLowering(features: SpikeFeatures | undefined): MtLowering {
  return features?.gradedSpikes === true ? "graded" : "split";
}

/** The passes a target's lowering runs for MT layers: none with graded spikes, split-mt otherwise. */
export function mtLoweringPasses(features: SpikeFeatures | undefined): Pass[] {
  return mtLowering(features) === "split" ? [splitMt] : [];
}

/** Ops copied once per plane between an MT layer and its synapses (linear in their input). */
const LINEAR_STRUCTURAL = new Set<IRNode["op"]>(["flatten", "reshape", "pad", "avgpool", "sumpool"]);
/** Ops that keep binary rank planes binary and in place ([H,W,C] unchanged per channel). */
const RANK_PRESERVING = new Set<IRNode["op"]>(["pad", "maxpool"]);

export const splitMt: Pass = {
  name: "split-mt",
  description:
    "MT layer → n+1 binary spike planes on one membrane; each conv/dense it feeds → n+1 binary copies summed into one current",
  requires:
    "shapes valid; every reader of an MT layer is a conv2d/dense, directly or through flatten/reshape/pad/avgpool/sumpool (or max-pool on consistently ordered planes)",
  guarantees:
    "every conv2d/dense fed by an MT layer reads one binary spike plane; spikes unchanged (each MT layer still reports s_sum)",
  run: splitMultiThreshold,
};

/** Binary-only lowering of every MT layer of `g` (see the file comment). */
export function splitMultiThreshold(g0: Graph): { graph: Graph; notes: string[] } {
  let g = inferShapes(g0);
  const notes: string[] = [];
  for (const n of g0.nodes) {
    if (n.op !== "neuron" || !n.planeThresholds?.length) continue;
    const r = splitOne(g, n.id);
    g = inferShapes(r.graph);
    notes.push(...r.notes);
  }
  return { graph: g, notes };
}

interface Region {
  /** Replicated structural nodes, in graph order. */
  copied: Set<string>;
  /** conv2d / dense nodes that become n+1 copies plus an add. */
  sinks: Set<string>;
}

function splitOne(g: Graph, id: string): { graph: Graph; notes: string[] } {
  const byId = new Map(g.nodes.map((x) => [x.id, x] as const));
  const n = byId.get(id) as NeuronNode;
  const P = n.planeThresholds!.length + 1;
  const cons = consumers(g);
  const region = findRegion(g, n, byId, cons);
  if (region.sinks.size === 0) {
    return { graph: g, notes: [`MT layer '${id}': no synapse reads it, nothing to split (it still reports s_sum)`] };
  }

  const used = new Set(g.nodes.map((x) => x.id));
  const fresh = (base: string): string => {
    let s = base;
    for (let k = 1; used.has(s); k++) s = `${base}_${k}`;
    used.add(s);
    return s;
  };
  // Original replicated nodes stay only where a graph output still reads them.
  const keep = new Set<string>();
  const wantKept = (x: string): void => {
    if (!region.copied.has(x) || keep.has(x)) return;
    keep.add(x);
    wantKept(byId.get(x)!.inputs[0]!);
  };
  for (const o of g.outputs) wantKept(o);

  const planeIds = Array.from({ length: P }, (_, i) => fresh(`${id}_plane${i}`));
  /** id of a node in the region (or the MT neuron) → its per-plane copies. */
  const copies = new Map<string, string[]>([[id, planeIds]]);
  const nodes: IRNode[] = [];
  const sinkNotes: string[] = [];
  for (const x of g.nodes) {
    if (x.id === id) {
      nodes.push(x);
      planeIds.forEach((pid, i) => {
        nodes.push(
          withOrigin({ id: pid, op: "plane", inputs: [id], index: i } as PlaneNode, `split-mt: plane ${i} of '${id}'`),
        );
      });
    } else if (region.copied.has(x.id)) {
      if (keep.has(x.id)) nodes.push(x);
      const src = copies.get(x.inputs[0]!)!;
      const ids = src.map((_, i) => fresh(`${x.id}_plane${i}`));
      ids.forEach((cid, i) => {
        const c = { ...x, id: cid, inputs: [src[i]!], shape: undefined } as IRNode;
        nodes.push(withOrigin(c, `split-mt: plane ${i} of '${id}'`));
      });
      copies.set(x.id, ids);
    } else if (region.sinks.has(x.id)) {
      if (x.op !== "conv2d" && x.op !== "dense") throw new Error("unreachable");
      const src = copies.get(x.inputs[0]!)!;
      const ids = src.map((_, i) => fresh(`${x.id}_plane${i}`));
      ids.forEach((cid, i) => {
        const c = withOrigin({ ...x, id: cid, inputs: [src[i]!], shape: undefined }, `split-mt: plane ${i} of '${id}'`);
        if (i > 0) delete c.bias;
        nodes.push(c);
      });
      const sum: AddNode = withOrigin(
        { id: x.id, op: "add", inputs: ids, origin: x.origin },
        `split-mt: sum of the ${P} plane currents of '${x.id}'`,
      );
      nodes.push(sum);
      sinkNotes.push(
        `'${x.id}' (${x.op}) → ${P} parallel binary ${x.op} with the same weights (${ids.map((c) => `'${c}'`).join(", ")}; bias on plane 0), summed into '${x.id}'`,
      );
    } else {
      nodes.push(x);
    }
  }

  const deltas = n.deltas;
  const planeDesc = n.planeThresholds!.map((_, i) => {
    const d = deltas?.[i];
    const what = d === undefined ? `plane ${i + 1}` : `plane ${i + 1} (Δ=${fmt(d)})`;
    return d !== undefined && d < 0 ? `${what} fires below θ and never resets` : what;
  });
  const out = [
    `MT layer '${id}': ${P} binary spike planes on one membrane (plane 0 at θ drives the reset; ${planeDesc.join("; ")}); '${id}' still reports s_sum`,
  ];
  for (const c of region.copied)
    out.push(
      `'${c}' (${byId.get(c)!.op}) copied once per plane${keep.has(c) ? "; the original stays for the graph output" : ""}`,
    );
  out.push(...sinkNotes);
  return { graph: { ...g, nodes, outputs: [...g.outputs] }, notes: out };
}

/** Walk from the MT layer through linear structural ops to its synapses; refuse anything else. */
function findRegion(
  g: Graph,
  n: NeuronNode,
  byId: ReadonlyMap<string, IRNode>,
  cons: ReadonlyMap<string, string[]>,
): Region {
  const copied = new Set<string>();
  const sinks = new Set<string>();
  /** Reached only through rank-preserving ops (pad, maxpool) from the layer. */
  const rankPath = new Map<string, boolean>([[n.id, true]]);
  const refuse = (detail: string, param?: string): never => {
    throw new SnncError("E_UNSUPPORTED", detail, { layer: n.id, param });
  };
  const stack = [n.id];
  while (stack.length) {
    const cur = stack.pop()!;
    for (const r of cons.get(cur) ?? []) {
      const x = byId.get(r)!;
      if (x.op === "plane") continue; // an earlier split: left as it is
      const via = cur === n.id ? "" : ` through '${cur}'`;
      if (x.op === "conv2d" || x.op === "dense") {
        sinks.add(r);
        continue;
      }
      if (LINEAR_STRUCTURAL.has(x.op) || x.op === "maxpool") {
        if (x.op === "maxpool") {
          if (!rankPath.get(cur)) {
            refuse(
              `MT layer feeds max-pool '${r}'${via}: after averaging or reshaping, the spike planes are no longer rank planes and max(Σ planes) ≠ Σ max(planes); split-mt cannot lower it exactly (a target with graded spikes keeps s_sum)`,
              "deltas",
            );
          }
          const bad = orderConflict(n);
          if (bad) {
            refuse(
              `MT layer feeds max-pool '${r}'${via}: max(s_0 + Σ s_i) = Σ max(s_i) only when each channel orders its ${n.planeThresholds!.length + 1} thresholds the same way everywhere, but in channel ${bad.channel} ${bad.what} (per-element thresholds); split-mt cannot lower it exactly (a target with graded spikes keeps s_sum)`,
              "deltas",
            );
          }
        }
        if (!copied.has(r)) {
          copied.add(r);
          rankPath.set(r, rankPath.get(cur)! && RANK_PRESERVING.has(x.op));
          stack.push(r);
        }
        continue;
      }
      refuse(
        `MT layer (s_sum = sum of ${n.planeThresholds!.length + 1} spike planes) feeds '${r}' (${x.op})${via}: split-mt lowers only readers that are conv2d/dense synapses, reached directly or through flatten, reshape, pad or pooling; a ${x.op} would need the graded s_sum (use a target with graded spikes, or put a synapse in between)`,
      );
    }
  }
  return {
    copied: new Set(g.nodes.filter((x) => copied.has(x.id)).map((x) => x.id)),
    sinks: new Set(g.nodes.filter((x) => sinks.has(x.id)).map((x) => x.id)),
  };
}

/**
 * The first channel where two of the neuron's compare thresholds (θ and the planes) are ordered
 * differently at two positions (or a schedule scale ≤ 0 could reorder them), or undefined.
 */
export function orderConflict(n: NeuronNode): { channel: number; what: string } | undefined {
  const S = n.shape!;
  const C = S[S.length - 1]!;
  const thr = [n.threshold, ...n.planeThresholds!].map((t) => broadcastTo(t, S));
  for (const [t, sc] of (n.schedule?.thresholdScale ?? []).entries()) {
    const v = broadcastTo(sc, S);
    const i = v.findIndex((x) => !(x > 0));
    if (i >= 0) return { channel: i % C, what: `the schedule scales the thresholds by ${v[i]} at step ${t + 1}` };
  }
  const name = (p: number) => (p === 0 ? "θ" : `plane ${p}`);
  for (let c = 0; c < C; c++) {
    for (let a = 0; a < thr.length; a++) {
      for (let b = a + 1; b < thr.length; b++) {
        let lessAt = -1;
        let moreAt = -1;
        for (let i = c; i < thr[a]!.length; i += C) {
          if (thr[a]![i]! < thr[b]![i]!) lessAt = lessAt < 0 ? i : lessAt;
          else if (thr[a]![i]! > thr[b]![i]!) moreAt = moreAt < 0 ? i : moreAt;
          if (lessAt >= 0 && moreAt >= 0) {
            return {
              channel: c,
              what: `${name(a)} is below ${name(b)} at neuron ${lessAt} but above it at neuron ${moreAt}`,
            };
          }
        }
      }
    }
  }
  return undefined;
}
