/**
 * Multiplying the synaptic current that reaches a neuron by a factor per neuron, exactly, by
 * rewriting the linear layers that produce it (the shared step of lower-gain and lower-thresholds):
 *
 *   conv2d, factor uniform per output channel   → kernel and bias scaled per output channel
 *   conv2d, factor per neuron                   → the conv expanded into per-neuron synapses:
 *                                                 flatten → dense (explicit [in, out]) → reshape
 *   dense                                       → columns and bias scaled per output feature
 *   sumpool                                     → a depthwise conv with the factor as its kernel
 *                                                 (per channel), or expanded (per neuron)
 *   add of currents                             → every term scaled
 *   reshape / flatten of a current              → scaled underneath
 *   delay of a current                          → scaled underneath (a delay is linear, per element)
 *   leaky integrator (a synaptic current)       → its input scaled underneath and its bias scaled
 *                                                 (y' = f·y: decay·y' + gain·(f·x) + f·bias)
 *
 * A producer read by other layers too is copied first, so they keep the unscaled current.
 * Anything else (a current that is not the output of a linear layer) is refused with the reason.
 */
import { convGeometry } from "../../ir/conv-geometry.ts";
import { SnncError } from "../../ir/errors.ts";
import { consumers, freshId } from "../../ir/graph.ts";
import type {
  Conv2DNode,
  DenseNode,
  FlattenNode,
  Graph,
  IRNode,
  LeakyIntegratorNode,
  PoolNode,
  ReshapeNode,
} from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { broadcastTo, size, tensor } from "../../ir/tensor.ts";
import { biasValues, scaleOutputs } from "../../passes/support/linear-scale.ts";
import { compactTensor, perChannel, withOrigin } from "../../passes/support/rewrite.ts";

export interface ScaleOutcome {
  graph: Graph;
  /** The id the neuron now reads (changes when a shared producer was copied). */
  input: string;
  notes: string[];
  /** Synapses added by expanding convolutions (explicit weights minus the kernel taps they replace). */
  expandedSynapses: number;
}

/** Explicit [in, out] matrix of a conv (cross-correlation, HWIO kernel), every output scaled by f[o]. */
export function convToDense(
  n: Conv2DNode,
  inShape: readonly number[],
  f?: Float64Array,
): { weights: Float64Array; outShape: [number, number, number] } {
  const { H, W, C, KH, KW, KI, CO, pads, outH, outW } = convGeometry(inShape, n);
  const O = outH * outW * CO;
  const I = H * W * C;
  const w = new Float64Array(I * O);
  const coPerG = CO / n.groups;
  const k = n.kernel.data;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let co = 0; co < CO; co++) {
        const o = (oy * outW + ox) * CO + co;
        const s = f ? f[o]! : 1;
        const g = Math.floor(co / coPerG);
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * n.strides[0] + ky * n.dilation[0] - pads[0];
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < KW; kx++) {
            const ix = ox * n.strides[1] + kx * n.dilation[1] - pads[2];
            if (ix < 0 || ix >= W) continue;
            for (let kci = 0; kci < KI; kci++) {
              const i = (iy * W + ix) * C + g * KI + kci;
              w[i * O + o] += s * k[((ky * KW + kx) * KI + kci) * CO + co]!;
            }
          }
        }
      }
    }
  }
  return { weights: w, outShape: [outH, outW, CO] };
}

/** A sum-pool as the depthwise conv it is (kernel of ones, one group per channel). */
export function sumpoolAsConv(p: PoolNode, C: number, id = p.id): Conv2DNode {
  const k = new Float64Array(p.pool[0] * p.pool[1] * C).fill(1);
  return {
    id,
    op: "conv2d",
    inputs: [...p.inputs],
    kernel: tensor([p.pool[0], p.pool[1], 1, C], k),
    strides: [...p.strides],
    padding: p.padding,
    dilation: [1, 1],
    groups: C,
    origin: [...(p.origin ?? []), `sumpool '${p.id}' as a depthwise conv`],
  };
}

function nnz(t: Float64Array): number {
  let c = 0;
  for (const v of t) if (v !== 0) c++;
  return c;
}

/**
 * Multiply the current produced by node `id` (as read by `reader`) by `f` (one value per element
 * of its shape). `g` must carry shapes. Returns the new graph and the id `reader` must read.
 */
export function scaleCurrent(
  g: Graph,
  id: string,
  reader: string,
  f: Float64Array,
  why: { layer: string; param: string },
): ScaleOutcome {
  if (f.every((v) => v === 1)) return { graph: g, input: id, notes: [], expandedSynapses: 0 };
  const byId = new Map(g.nodes.map((n) => [n.id, n] as const));
  const n = byId.get(id)!;
  const S = n.shape!;
  const cons = consumers(g);
  const shared = (cons.get(id) ?? []).some((c) => c !== reader) || g.outputs.includes(id);
  const newId = shared ? freshId(g, `${id}_scaled`) : id;
  const C = S[S.length - 1]!;

  /** Put `nodes` where `n` was (copy: right after it); the last one carries `newId`. */
  const place = (nodes: IRNode[], notes: string[], expanded = 0): ScaleOutcome => {
    const out: IRNode[] = [];
    for (const x of g.nodes) {
      if (x.id === id) {
        if (shared) out.push(x);
        out.push(...nodes);
      } else out.push(x.id === reader ? ({ ...x, inputs: x.inputs.map((i) => (i === id ? newId : i)) } as IRNode) : x);
    }
    return { graph: inferShapes({ ...g, nodes: out }), input: newId, notes, expandedSynapses: expanded };
  };

  const expandConv = (conv: Conv2DNode): ScaleOutcome => {
    const inShape = byId.get(conv.inputs[0]!)!.shape!;
    const { weights } = convToDense(conv, inShape, f);
    const b = biasValues(conv);
    const bias = new Float64Array(f.length);
    for (let o = 0; o < f.length; o++) bias[o] = f[o]! * b[o % C]!;
    const flat: FlattenNode = { id: freshId(g, `${conv.id}_flat`), op: "flatten", inputs: [...conv.inputs] };
    const g1 = { ...g, nodes: [...g.nodes, flat] };
    const dense: DenseNode = {
      id: freshId(g1, `${conv.id}_expanded`),
      op: "dense",
      inputs: [flat.id],
      kernel: tensor([size(inShape), f.length], weights),
      bias: tensor([f.length], bias),
      origin: [
        ...(conv.origin ?? []),
        `conv '${conv.id}' expanded to per-neuron synapses (${why.param} of '${why.layer}' varies per neuron)`,
      ],
    };
    const reshape: ReshapeNode = { id: newId, op: "reshape", inputs: [dense.id], target: [...S] };
    const taps = nnz(convToDense(conv, inShape).weights);
    const added = nnz(weights) - taps;
    return place(
      [flat, dense, reshape],
      [
        `conv '${conv.id}' → per-neuron synapses for '${why.layer}' (its ${why.param} varies within a channel): ${nnz(weights)} explicit synapses instead of a shared ${conv.kernel.shape.join("×")} kernel (${taps} synapse uses)`,
      ],
      added,
    );
  };

  switch (n.op) {
    case "conv2d":
    case "dense": {
      const fC = n.op === "dense" ? f : perChannel(f, C);
      if (!fC) return expandConv(n as Conv2DNode);
      const b = biasValues(n);
      const nb = Float64Array.from(b, (v, c) => v * fC[c]!);
      const scaled = withOrigin(scaleOutputs(n, fC, nb, why), `current × ${why.param} of '${why.layer}'`);
      return place([{ ...scaled, id: newId }], []);
    }
    case "sumpool": {
      const fC = perChannel(f, C);
      const conv = sumpoolAsConv(n, C, newId);
      if (!fC) return expandConv({ ...conv, id: n.id });
      const k = new Float64Array(conv.kernel.data.length);
      for (let i = 0; i < k.length; i++) k[i] = fC[i % C]!;
      return place(
        [{ ...conv, kernel: tensor(conv.kernel.shape, k) }],
        [`sum-pool '${n.id}' → depthwise conv with the per-channel ${why.param} of '${why.layer}' as kernel`],
      );
    }
    case "reshape":
    case "flatten":
    case "delay":
    case "li": {
      // reshape/flatten keep the element order; delay and li are linear per element (an li's bias
      // scales too): scale what they read, which their other readers would see as well
      if (shared) {
        throw new SnncError(
          "E_TARGET",
          `cannot scale the current that reaches '${why.layer}' (for its ${why.param}): '${n.id}' (${n.op}) is read by other layers too`,
          { layer: why.layer, param: why.param },
        );
      }
      const r = scaleCurrent(g, n.inputs[0]!, id, f, why);
      if (n.op !== "li") return { ...r, input: id };
      const li = r.graph.nodes.find((x) => x.id === id) as LeakyIntegratorNode;
      const bias = broadcastTo(li.bias, S);
      const scaled: LeakyIntegratorNode = {
        ...li,
        bias: compactTensor(
          Float64Array.from(bias, (v, i) => v * f[i]!),
          S,
        ),
      };
      const graph = { ...r.graph, nodes: r.graph.nodes.map((x) => (x.id === id ? scaled : x)) };
      return { ...r, graph, input: id };
    }
    case "add": {
      let cur = g;
      const notes: string[] = [];
      let expanded = 0;
      const addId = newId;
      // Work on a copy of the add when it is shared, so that the other readers keep the original.
      if (shared) {
        const copy = { ...n, id: addId, inputs: [...n.inputs] } as IRNode;
        const out: IRNode[] = [];
        for (const x of cur.nodes) {
          out.push(x.id === reader ? ({ ...x, inputs: x.inputs.map((i) => (i === id ? addId : i)) } as IRNode) : x);
          if (x.id === id) out.push(copy);
        }
        cur = inferShapes({ ...cur, nodes: out });
      }
      const ins = cur.nodes.find((x) => x.id === addId)!.inputs;
      for (const term of ins) {
        const r = scaleCurrent(cur, term, addId, f, why);
        cur = r.graph;
        notes.push(...r.notes);
        expanded += r.expandedSynapses;
      }
      return { graph: cur, input: addId, notes, expandedSynapses: expanded };
    }
    default:
      throw new SnncError(
        "E_TARGET",
        `cannot scale the current that reaches '${why.layer}' (for its ${why.param}): it comes from '${n.id}' (${n.op}), not from a conv, dense, sum-pool or an add of those`,
        { layer: why.layer, param: why.param },
      );
  }
}
