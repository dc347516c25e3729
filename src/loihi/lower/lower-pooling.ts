/**
 * lower-pooling: pooling layers become synapses and neurons, exactly.
 *
 * Average pooling is linear, so it folds into the next linear layer:
 *   avgpool → [flatten | reshape]* → dense:  W'[x, o] = Σ_{windows p ∋ x} W[p, o] / |p ∩ input|
 *     (exact for every padding: each window's own divisor goes into the weights)
 *   avgpool → conv: one conv on the pooling's input, stride s_conv·s_pool, kernel
 *     K'[ky·d·s_pool + j] = K[ky] / (p_h·p_w), padding scaled by s_pool — exact only where no
 *     pooling window is padded and the windows tile the input (p ≤ s_pool, no leftover rows or
 *     columns) and the geometry reproduces the conv's output size; otherwise the pair is expanded
 *     into explicit per-neuron synapses (flatten → dense → reshape) and the report says so.
 * An average pool read by anything else is left for the quantiser (a current like any other).
 *
 * Max pooling over binary spikes is "any spike in the window": a sum-pool followed by a
 * fire-on-any neuron (IF, threshold 0.5, hard reset: v is 0 after every step, so it fires iff
 * the window sum ≥ 1). The neuron takes the max-pool's id, so readers are unchanged. Its
 * input must be binary (a single-threshold neuron or spike-encoded input, through zero padding);
 * over an MT neuron's integer s_sum it is the sum of the max pools of its ranks [s_sum ≥ k]
 * (mt-max-pool.ts); max over real values is refused.
 */
import { windowGeometry } from "../../ir/conv-geometry.ts";
import { SnncError } from "../../ir/errors.ts";
import { consumers, freshId } from "../../ir/graph.ts";
import type {
  Conv2DNode,
  DenseNode,
  FlattenNode,
  Graph,
  IRNode,
  NeuronNode,
  PadNode,
  PoolNode,
  ReshapeNode,
} from "../../ir/nodes.ts";
import { rankedMaxPool } from "./mt-max-pool.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { scalar, size, tensor, tensorOf } from "../../ir/tensor.ts";
import { conv2d, pool } from "../../sim/float-ops.ts";
import type { Pass } from "../../passes/pass.ts";
import { editGraph, withOrigin } from "../../passes/support/rewrite.ts";

export const lowerPooling: Pass = {
  name: "lower-pooling",
  description:
    "avg-pool → folded into the next conv/dense; max-pool over binary spikes → sum-pool + fire-on-any neuron",
  requires: "shapes valid; max-pools read binary spikes",
  guarantees: "no maxpool; no avgpool read by a conv/dense; spikes unchanged",
  run: lowerPools,
};

/** Is `id`'s output binary spikes (through zero padding)? */
function binarySource(g: Graph, id: string): { ok: boolean; what: string } {
  const byId = new Map(g.nodes.map((n) => [n.id, n] as const));
  let n = byId.get(id)!;
  while (n.op === "pad") n = byId.get(n.inputs[0]!)!;
  if (n.op === "neuron")
    return n.planeThresholds?.length
      ? { ok: false, what: `multi-threshold neuron '${n.id}' (s_sum)` }
      : { ok: true, what: "" };
  if (n.op === "input")
    return g.meta.encoding === "spikes"
      ? { ok: true, what: "" }
      : { ok: false, what: "the analog (direct-encoded) input" };
  return { ok: false, what: `'${n.id}' (${n.op})` };
}

/** The fire-on-any neuron that follows a sum-pool over binary spikes. */
function anySpikeNeuron(id: string, input: string, origin: string[]): NeuronNode {
  return {
    id,
    op: "neuron",
    inputs: [input],
    model: "IF",
    decay: 1,
    gain: scalar(1),
    bias: scalar(0),
    fire: "gt",
    reset: "hard",
    threshold: scalar(0.5),
    vReset: scalar(0),
    resetAmount: scalar(0.5),
    vThreshold: 0.5,
    origin,
  };
}

/** avgpool (input [H,W,C]) folded into a dense reading its flattened output. */
export function avgIntoDense(a: PoolNode, inShape: readonly number[], d: DenseNode): Float64Array {
  const [H, W, C] = inShape as [number, number, number];
  const { pads, outH, outW } = windowGeometry(H, W, {
    kernel: a.pool,
    strides: a.strides,
    dilation: [1, 1],
    padding: a.padding,
  });
  const O = d.kernel.shape[1]!;
  const k = d.kernel.data;
  const out = new Float64Array(H * W * C * O);
  const share = new Float64Array(C * O);
  for (let py = 0; py < outH; py++) {
    for (let px = 0; px < outW; px++) {
      const cells: [number, number][] = [];
      for (let jy = 0; jy < a.pool[0]; jy++) {
        const iy = py * a.strides[0] + jy - pads[0];
        if (iy < 0 || iy >= H) continue;
        for (let jx = 0; jx < a.pool[1]; jx++) {
          const ix = px * a.strides[1] + jx - pads[2];
          if (ix >= 0 && ix < W) cells.push([iy, ix]);
        }
      }
      // the window's C·O weights, each divided by its cell count (once), into every cell's C·O rows
      const n = cells.length;
      const from = (py * outW + px) * C * O;
      for (let j = 0; j < C * O; j++) share[j] = k[from + j]! / n;
      for (const [iy, ix] of cells) {
        const to = (iy * W + ix) * C * O;
        for (let j = 0; j < C * O; j++) out[to + j] += share[j]!;
      }
    }
  }
  return out;
}

/** avgpool → conv as one conv on the pooling's input, or undefined when that is not exact. */
export function avgIntoConv(
  a: PoolNode,
  inShape: readonly number[],
  k: Conv2DNode,
  pooledShape: readonly number[],
  outShape: readonly number[],
): Conv2DNode | undefined {
  const [H, W] = inShape as [number, number, number];
  const ap = windowGeometry(H, W, { kernel: a.pool, strides: a.strides, dilation: [1, 1], padding: a.padding });
  if (ap.pads.some((p) => p !== 0)) return undefined;
  const [ph, pw] = a.pool;
  const [sph, spw] = a.strides;
  if (ph > sph || pw > spw || H > ap.outH * sph || W > ap.outW * spw) return undefined;
  const [KH, KW, KI, CO] = k.kernel.shape as [number, number, number, number];
  const [HP, WP] = pooledShape as [number, number, number];
  const kp = windowGeometry(HP, WP, {
    kernel: [KH, KW],
    strides: k.strides,
    dilation: k.dilation,
    padding: k.padding,
  }).pads;
  const KH2 = (KH - 1) * k.dilation[0] * sph + ph;
  const KW2 = (KW - 1) * k.dilation[1] * spw + pw;
  const S: [number, number] = [k.strides[0] * sph, k.strides[1] * spw];
  const [OH, OW] = outShape as [number, number, number];
  const top = kp[0] * sph;
  const left = kp[2] * spw;
  const bottom = (OH - 1) * S[0] + KH2 - top - H;
  const right = (OW - 1) * S[1] + KW2 - left - W;
  if (bottom < 0 || right < 0) return undefined;
  const kern = new Float64Array(KH2 * KW2 * KI * CO);
  const area = ph * pw;
  for (let ky = 0; ky < KH; ky++) {
    for (let kx = 0; kx < KW; kx++) {
      for (let jy = 0; jy < ph; jy++) {
        for (let jx = 0; jx < pw; jx++) {
          const my = ky * k.dilation[0] * sph + jy;
          const mx = kx * k.dilation[1] * spw + jx;
          for (let i = 0; i < KI * CO; i++)
            kern[(my * KW2 + mx) * KI * CO + i] += k.kernel.data[(ky * KW + kx) * KI * CO + i]! / area;
        }
      }
    }
  }
  const conv: Conv2DNode = {
    ...k,
    inputs: [...a.inputs],
    kernel: tensorOf([KH2, KW2, KI, CO], kern),
    strides: S,
    padding: [top, bottom, left, right],
    dilation: [1, 1],
  };
  const geo = windowGeometry(H, W, { kernel: [KH2, KW2], strides: S, dilation: [1, 1], padding: conv.padding });
  return geo.outH === OH && geo.outW === OW ? conv : undefined;
}

/** The explicit [in, out] matrix of conv(avgpool(x)) without bias, by applying both to unit inputs. */
function probeAvgConv(
  a: PoolNode,
  inShape: readonly number[],
  k: Conv2DNode,
  pooledShape: readonly number[],
): Float64Array {
  const I = size(inShape);
  const spec = { ...k, bias: undefined };
  let O = 0;
  let out = new Float64Array(0);
  const e = new Float64Array(I);
  for (let i = 0; i < I; i++) {
    e.fill(0);
    e[i] = 1;
    const y = conv2d(pool(e, inShape, "avg", a.pool, a.strides, a.padding), pooledShape, spec);
    if (i === 0) {
      O = y.length;
      out = new Float64Array(I * O);
    }
    out.set(y, i * O);
  }
  return out;
}

/** Max pools over an MT neuron's s_sum (through pads) → the sum of max pools over its ranks (mt-max-pool.ts). */
function expandMtMaxPools(g0: Graph, notes: string[]): Graph {
  let g = inferShapes(g0);
  for (const m0 of g0.nodes) {
    if (m0.op !== "maxpool") continue;
    const byId = new Map(g.nodes.map((n) => [n.id, n] as const));
    const pads: PadNode[] = [];
    let n = byId.get(m0.inputs[0]!)!;
    while (n.op === "pad") {
      pads.unshift(n);
      n = byId.get(n.inputs[0]!)!;
    }
    if (n.op !== "neuron" || !n.planeThresholds?.length) continue;
    const r = rankedMaxPool(g, byId.get(m0.id) as PoolNode, n, pads);
    const cons = consumers(g);
    // the pads only this max pool read go with it
    const gone = new Set(pads.filter((p) => (cons.get(p.id) ?? []).length === 1).map((p) => p.id));
    const nodes: IRNode[] = [];
    for (const x of g.nodes) {
      if (gone.has(x.id)) continue;
      nodes.push(...(x.id === m0.id ? r.nodes : [x]));
    }
    g = inferShapes({ ...g, nodes });
    notes.push(r.note);
  }
  return g;
}

export function lowerPools(g0: Graph): { graph: Graph; notes: string[] } {
  const notes: string[] = [];
  let g = expandMtMaxPools(g0, notes);
  // Max pooling over binary spikes → sum-pool + fire-on-any neuron.
  for (const m0 of [...g.nodes]) {
    if (m0.op !== "maxpool") continue;
    const m = g.nodes.find((n) => n.id === m0.id) as PoolNode;
    const src = binarySource(g, m.inputs[0]!);
    if (!src.ok) {
      throw new SnncError(
        "E_TARGET",
        `max-pooling over ${src.what} is not expressible on Loihi: only max over binary spikes (any spike in the window) is a neuron`,
        { layer: m.id },
      );
    }
    const sumId = freshId(g, `${m.id}_sum`);
    const sum: PoolNode = {
      ...m,
      id: sumId,
      op: "sumpool",
      origin: [...(m.origin ?? []), `max-pool '${m.id}' over binary spikes: sum`],
    };
    const any = anySpikeNeuron(m.id, sumId, [
      ...(m.origin ?? []),
      `max-pool '${m.id}' over binary spikes: fires iff the window holds a spike`,
    ]);
    const nodes: IRNode[] = [];
    for (const n of g.nodes) nodes.push(...(n.id === m.id ? [sum, any] : [n]));
    g = inferShapes({ ...g, nodes });
    notes.push(
      `max-pool '${m.id}' ${m.pool.join("×")} → sum-pool '${sumId}' + fire-on-any neuron '${m.id}' (IF, θ 0.5): exact over binary spikes, one more synaptic step`,
    );
  }
  // Average pooling → the next linear layer.
  for (const a0 of g0.nodes) {
    if (a0.op !== "avgpool") continue;
    const byId = new Map(g.nodes.map((n) => [n.id, n] as const));
    const a = byId.get(a0.id) as PoolNode;
    const cons = consumers(g);
    if (g.outputs.includes(a.id)) continue;
    const inShape = byId.get(a.inputs[0]!)!.shape!;
    const readers = cons.get(a.id) ?? [];
    const repl = new Map<string, IRNode | null>();
    const extra: IRNode[] = [];
    let folded = 0;
    for (const r of readers) {
      // follow flatten / reshape (each read only by the next) to the linear layer
      const chain: IRNode[] = [];
      let cur = byId.get(r)!;
      while (
        (cur.op === "flatten" || cur.op === "reshape") &&
        (cons.get(cur.id) ?? []).length === 1 &&
        !g.outputs.includes(cur.id)
      ) {
        chain.push(cur);
        cur = byId.get(cons.get(cur.id)![0]!)!;
      }
      if (cur.op === "dense") {
        let flat: string;
        if (inShape.length === 1) flat = a.inputs[0]!;
        else {
          const f: FlattenNode = {
            id: freshId({ ...g, nodes: [...g.nodes, ...extra] }, `${a.id}_flat`),
            op: "flatten",
            inputs: [...a.inputs],
          };
          extra.push(f);
          flat = f.id;
        }
        const w = avgIntoDense(a, inShape, cur);
        repl.set(
          cur.id,
          withOrigin(
            { ...cur, inputs: [flat], kernel: tensorOf([size(inShape), cur.kernel.shape[1]!], w) },
            `avg-pool '${a.id}' folded into the weights`,
          ),
        );
        for (const c of chain) repl.set(c.id, null);
        notes.push(
          `avg-pool '${a.id}' ${a.pool.join("×")} → dense '${cur.id}' weights (${size(inShape)} inputs; exact, each window's own divisor)`,
        );
        folded++;
      } else if (cur.op === "conv2d" && chain.length === 0) {
        const pooled = a.shape!;
        const conv = avgIntoConv(a, inShape, cur, pooled, cur.shape!);
        if (conv) {
          repl.set(cur.id, withOrigin(conv, `avg-pool '${a.id}' folded into the kernel`));
          notes.push(
            `avg-pool '${a.id}' ${a.pool.join("×")} → conv '${cur.id}' kernel ${conv.kernel.shape.slice(0, 2).join("×")}, stride ${conv.strides.join("×")}, padding [${(conv.padding as number[]).join(", ")}] (exact: no padded window)`,
          );
        } else {
          const base = { ...g, nodes: [...g.nodes, ...extra] };
          const f: FlattenNode = { id: freshId(base, `${a.id}_flat`), op: "flatten", inputs: [...a.inputs] };
          const dId = freshId({ ...base, nodes: [...base.nodes, f] }, `${cur.id}_expanded`);
          const w = probeAvgConv(a, inShape, cur, pooled);
          const O = size(cur.shape!);
          const CO = cur.shape![2]!;
          const b = cur.bias ? Float64Array.from({ length: O }, (_, o) => cur.bias!.data[o % CO]!) : undefined;
          const d: DenseNode = {
            id: dId,
            op: "dense",
            inputs: [f.id],
            kernel: tensorOf([size(inShape), O], w),
            bias: b ? tensor([O], b) : undefined,
            origin: [...(cur.origin ?? []), `avg-pool '${a.id}' + conv '${cur.id}' as explicit synapses`],
          };
          const rs: ReshapeNode = { id: cur.id, op: "reshape", inputs: [dId], target: [...cur.shape!] };
          extra.push(f, d);
          repl.set(cur.id, rs);
          let nz = 0;
          for (const v of w) if (v !== 0) nz++;
          notes.push(
            `avg-pool '${a.id}' + conv '${cur.id}' → ${nz} explicit synapses (the pooling windows do not tile the input or are padded, so no single conv is exact)`,
          );
        }
        folded++;
      }
    }
    if (folded === 0) continue;
    const left = readers.length - folded;
    if (left === 0) repl.set(a.id, null);
    // insert the new nodes right after the avg-pool's input so that order stays topological
    const nodes: IRNode[] = [];
    for (const n of g.nodes) {
      const r = repl.has(n.id) ? repl.get(n.id) : n;
      if (r) nodes.push(r);
      if (n.id === a.inputs[0]) nodes.push(...extra);
    }
    g = inferShapes(editGraph({ ...g, nodes }, new Map()));
  }
  return { graph: g, notes };
}
