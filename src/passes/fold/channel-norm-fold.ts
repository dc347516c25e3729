/**
 * The fold shared by fold-bn and fold-tdbn: a per-channel normalisation y = k(c − μ) + β of a
 * synaptic current c (SEMANTICS.md §2). Where the norm goes, in order of preference:
 *
 * 1. its producer is a conv/dense read by nothing else: W' = k·W per output channel,
 *    b' = k(b − μ) + β, and the norm disappears (the producer keeps its id);
 * 2. its producer is a conv/dense that is also read elsewhere (a shared branch, or a graph
 *    output): the norm node becomes a folded copy of that conv/dense, under the norm's id;
 * 3. its producer is anything else that carries a current (add, pooling of a current, pad,
 *    flatten, …): the norm becomes an `affine` node y = k·x + (β − kμ) under the norm's id —
 *    exact, and left for the absorb-affine pass to move into the neighbouring neuron or layer.
 *
 * A norm whose input is not a current (spikes of a neuron, possibly pooled, or the network
 * input) is refused: there is no conv/dense whose output it normalises, and shifting spikes
 * does not commute with the zero padding of the next convolution.
 */
import { SnncError } from "../../ir/errors.ts";
import { consumers } from "../../ir/graph.ts";
import type { AffineNode, BatchNormNode, Graph, IRNode, TdBNNode } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { tensor } from "../../ir/tensor.ts";
import type { PassResult } from "../pass.ts";
import { biasValues, isLinear, scaleOutputs } from "../support/linear-scale.ts";
import { editGraph, soleConsumer, valueKinds, valueSource, withOrigin } from "../support/rewrite.ts";

export type ChannelNorm = BatchNormNode | TdBNNode;

/** The norm's factor f in k = f·γ/sqrt(σ² + ε) (1 for BN, α·V_th for TdBN). */
export type FactorOf<N extends ChannelNorm> = (n: N) => number;

/** k = f·γ/sqrt(σ² + ε) per channel; must be finite (checked by the caller). */
export function channelScale(n: ChannelNorm, f: number): Float64Array {
  const k = new Float64Array(n.gamma.data.length);
  for (let c = 0; c < k.length; c++) k[c] = (f * n.gamma.data[c]!) / Math.sqrt(n.variance.data[c]! + n.epsilon);
  return k;
}

export function foldChannelNorms<N extends ChannelNorm>(
  g0: Graph,
  op: N["op"],
  factorOf: FactorOf<N>,
  formula: string,
): PassResult {
  let g = inferShapes(g0);
  const notes: string[] = [];
  for (;;) {
    const norm = g.nodes.find((n): n is N => n.op === op);
    if (!norm) break;
    g = inferShapes(foldOne(g, norm, channelScale(norm, factorOf(norm)), formula, notes));
  }
  return { graph: g, notes };
}

function foldOne(g: Graph, norm: ChannelNorm, k: Float64Array, formula: string, notes: string[]): Graph {
  const label = `${norm.op === "bn" ? "BN" : "tdBN"} '${norm.id}'`;
  const srcId = norm.inputs[0]!;
  if (valueKinds(g).get(srcId) !== "current") {
    const src = valueSource(g, srcId);
    const where = src.op === "input" ? `the network input '${src.id}'` : `the spikes of '${src.id}'`;
    throw new SnncError(
      "E_FOLD",
      `${label} normalises ${where}, not the current of a conv/dense layer: it cannot be folded exactly (a BN folds only into the conv/dense whose output it normalises, and shifting spikes does not commute with the next layer's zero padding); place it between the conv/dense and the neuron, or use PSPNorm (scale only)`,
      { layer: norm.id },
    );
  }
  const C = k.length;
  for (let c = 0; c < C; c++) {
    if (!Number.isFinite(k[c]!)) {
      throw new SnncError("E_VALUE", `${formula} is ${k[c]} on channel ${c} (out of float64 range): cannot fold`, {
        layer: norm.id,
        param: "gamma",
      });
    }
  }
  const mu = norm.mean.data;
  const beta = norm.beta.data;
  const where = { layer: norm.id, param: "gamma" };
  const byId = new Map(g.nodes.map((n) => [n.id, n] as const));
  const src = byId.get(srcId)!;
  const cons = consumers(g);

  if (isLinear(src)) {
    const b = biasValues(src);
    const nb = new Float64Array(C);
    for (let c = 0; c < C; c++) nb[c] = k[c]! * (b[c]! - mu[c]!) + beta[c]!;
    const folded = scaleOutputs(src, k, nb, where);
    if (soleConsumer(g, src.id, cons) === norm.id) {
      notes.push(
        `${label} folded into '${src.id}': W' = k·W, b' = k(b − μ) + β with ${formula} (${C} channels${negNote(k)})`,
      );
      return editGraph(
        g,
        new Map<string, IRNode | null>([
          [src.id, withOrigin(folded, `${norm.op}:${norm.id}`)],
          [norm.id, null],
        ]),
        new Map([[norm.id, src.id]]),
      );
    }
    const copy = withOrigin({ ...folded, id: norm.id, inputs: [...src.inputs] }, src.id, `${norm.op}:${norm.id}`);
    const others = (cons.get(src.id) ?? []).filter((c) => c !== norm.id);
    const why = others.length ? `also read by ${others.map((o) => `'${o}'`).join(", ")}` : "a graph output";
    notes.push(`${label} folded into a copy of '${src.id}' (which is ${why}); the copy takes the id '${norm.id}'`);
    return editGraph(g, new Map([[norm.id, copy]]));
  }

  const shift = new Float64Array(C);
  for (let c = 0; c < C; c++) shift[c] = beta[c]! - k[c]! * mu[c]!;
  const affine: AffineNode = {
    op: "affine",
    id: norm.id,
    inputs: [srcId],
    scale: tensor([C], k),
    shift: tensor([C], shift),
    origin: [...(norm.origin ?? []), `${norm.op}:${norm.id}`],
  };
  notes.push(
    `${label} reads '${srcId}' (${src.op}, not a conv/dense): rewritten as the exact affine k·x + (β − kμ) for absorb-affine`,
  );
  return editGraph(g, new Map([[norm.id, affine]]));
}

function negNote(k: Float64Array): string {
  let neg = 0;
  let zero = 0;
  for (const v of k) {
    if (v < 0) neg++;
    else if (v === 0) zero++;
  }
  const parts: string[] = [];
  if (neg) parts.push(`${neg} with k < 0`);
  if (zero) parts.push(`${zero} with k = 0 (constant output ${zero === 1 ? "β" : "β per channel"})`);
  return parts.length ? `; ${parts.join(", ")}` : "";
}
