/**
 * The current reaching a population, read off the lowered float graph as synapses. Through adds it
 * splits into terms (a source activation and the chain of linear ops it passes); each term becomes
 * one real-valued synapse: [flatten|reshape]* dense [reshape] → dense; conv → conv; sum-pool /
 * unpadded avg-pool → depthwise conv; no op → identity; any other chain → its explicit [in, out]
 * matrix (the chain applied to unit inputs). Biases anywhere in the current make the constant part,
 * the current evaluated at zero input (`zeroCurrent`). A delay on the way (NIR Delay, or a
 * recurrent edge) is the term's `delay` in steps; where its steps differ between elements the term
 * splits into one per distinct step count, each masked to its elements (an affine of 0/1 in the
 * chain). A constant current through a delay would be 0 for the first steps: refused. A synapse
 * of one conv or dense shares its weights with the graph (nothing writes either).
 */
import { windowGeometry } from "../../ir/conv-geometry.ts";
import { SnncError } from "../../ir/errors.ts";
import type { AffineNode, Conv2DNode, DelayNode, IRNode, Pads, PoolNode } from "../../ir/nodes.ts";
import { broadcastTo, scalar, size, tensor } from "../../ir/tensor.ts";
import { addAll, conv2d, dense, pad2d, pool } from "../../sim/float-ops.ts";
import type { RealConv, RealDense } from "./synaptic-form.ts";

export interface Term {
  source: string;
  /** Linear ops in application order (source first). */
  chain: IRNode[];
  /** Steps of delay on the way (delay nodes): the term reads the source's output of `delay` steps before. */
  delay: number;
}

const LINEAR_OPS = new Set(["conv2d", "dense", "avgpool", "sumpool", "pad", "flatten", "reshape", "affine"]);

/** The 0/1 mask of the elements of delay `n` that wait `k` steps, as an affine in a chain (the delay's id and shape). */
function delayMask(n: DelayNode, steps: Float64Array, k: number): AffineNode {
  const mask = Float64Array.from(steps, (x) => (x === k ? 1 : 0));
  return { id: n.id, op: "affine", inputs: n.inputs, shape: n.shape, scale: tensor(n.shape!, mask), shift: scalar(0) };
}

/** The terms of the current `id` that reaches population `pop` (`chain`: the ops after `id`, `delay` their steps). */
export function termsOf(byId: Map<string, IRNode>, id: string, chain: IRNode[], pop: string, delay = 0): Term[] {
  const n = byId.get(id)!;
  if (n.op === "neuron" || n.op === "input") return [{ source: n.id, chain, delay }];
  if (n.op === "add") return n.inputs.flatMap((i) => termsOf(byId, i, chain, pop, delay));
  if (LINEAR_OPS.has(n.op)) return termsOf(byId, n.inputs[0]!, [n, ...chain], pop, delay);
  if (n.op === "delay") {
    if (zeroCurrent(byId, n.inputs[0]!).some((v) => v !== 0)) {
      throw new SnncError(
        "E_TARGET",
        `the current of '${pop}' carries a constant (a bias) through delay '${n.id}': it is 0 for the first steps of a sample, which a Lava bias cannot be`,
        { layer: pop },
      );
    }
    const steps = broadcastTo(n.steps, n.shape!);
    const ks = [...new Set(steps)].sort((a, b) => a - b);
    if (ks.length === 1) return termsOf(byId, n.inputs[0]!, chain, pop, delay + ks[0]!);
    return ks.flatMap((k) => termsOf(byId, n.inputs[0]!, [delayMask(n, steps, k), ...chain], pop, delay + k));
  }
  throw new SnncError(
    "E_TARGET",
    `the current of '${pop}' passes through '${n.id}' (${n.op}), which has no synapse form on Loihi`,
    { layer: pop },
  );
}

/** Apply a chain's linear part (biases and shifts only `withBias`) to x of shape `shape`. */
function applyChain(
  chain: IRNode[],
  x: Float64Array,
  shape: number[],
  byId: Map<string, IRNode>,
  withBias: boolean,
): Float64Array {
  let y = x;
  let s = shape;
  for (const n of chain) {
    switch (n.op) {
      case "conv2d":
        y = conv2d(y, s, withBias ? n : { ...n, bias: undefined });
        break;
      case "dense":
        y = dense(y, n.kernel, withBias ? n.bias : undefined);
        break;
      case "avgpool":
        y = pool(y, s, "avg", n.pool, n.strides, n.padding);
        break;
      case "sumpool":
        y = pool(y, s, "sum", n.pool, n.strides, n.padding);
        break;
      case "pad":
        y = pad2d(y, s, n.pads);
        break;
      case "flatten":
      case "reshape":
        break;
      case "affine": {
        const sc = broadcastTo(n.scale, n.shape!);
        const sh = broadcastTo(n.shift, n.shape!);
        y = Float64Array.from(y, (v, i) => sc[i]! * v + (withBias ? sh[i]! : 0));
        break;
      }
      default:
        throw new RangeError(`applyChain: ${n.op}`);
    }
    s = byId.get(n.id)!.shape!;
  }
  return y;
}

/** The current reaching `id` when every source emits 0: the constant (bias) part. */
export function zeroCurrent(byId: Map<string, IRNode>, id: string): Float64Array {
  const n = byId.get(id)!;
  if (n.op === "neuron" || n.op === "input") return new Float64Array(size(n.shape!));
  if (n.op === "add") return addAll(n.inputs.map((i) => zeroCurrent(byId, i)));
  // a delay of a constant: the constant (termsOf refuses a nonzero one)
  if (n.op === "delay") return zeroCurrent(byId, n.inputs[0]!);
  const x = zeroCurrent(byId, n.inputs[0]!);
  return applyChain([n], x, byId.get(n.inputs[0]!)!.shape!, byId, true);
}

type Shape3 = [number, number, number];

/** The zero padding of a pool's window over an [H, W, C] source. */
function poolPads(p: PoolNode, s: number[]): Pads {
  return windowGeometry(s[0]!, s[1]!, { kernel: p.pool, strides: p.strides, dilation: [1, 1], padding: p.padding })
    .pads;
}

/** A depthwise conv of C channels with the same kernel value w everywhere. */
function depthwise(
  src: number[],
  dst: number[],
  k: [number, number],
  w: number,
  strides: [number, number],
  pads: Pads,
): RealConv {
  const C = src[2]!;
  return {
    kind: "conv",
    inShape: src as Shape3,
    outShape: dst as Shape3,
    kernelShape: [k[0], k[1], 1, C],
    kernel: new Float64Array(k[0] * k[1] * C).fill(w),
    strides,
    pads,
    dilation: [1, 1],
    groups: C,
  };
}

function convOf(c: Conv2DNode, src: number[], dst: number[]): RealConv {
  const [kh, kw] = c.kernel.shape as [number, number];
  const pads = windowGeometry(src[0]!, src[1]!, {
    kernel: [kh, kw],
    strides: c.strides,
    dilation: c.dilation,
    padding: c.padding,
  }).pads;
  return {
    kind: "conv",
    inShape: src as Shape3,
    outShape: dst as Shape3,
    kernelShape: c.kernel.shape as [number, number, number, number],
    kernel: c.kernel.data, // shared with the graph: parameters are never written once made
    strides: [...c.strides],
    pads,
    dilation: [...c.dilation],
    groups: c.groups,
  };
}

/** The chain's explicit [in, out] matrix: the chain applied to each unit input. */
function explicitMatrix(t: Term, I: number, O: number, srcShape: number[], byId: Map<string, IRNode>): Float64Array {
  const w = new Float64Array(I * O);
  const e = new Float64Array(I);
  for (let i = 0; i < I; i++) {
    e.fill(0);
    e[i] = 1;
    const y = applyChain(t.chain, e, srcShape, byId, false);
    for (let o = 0; o < O; o++) w[i * O + o] = y[o]!;
  }
  return w;
}

/** One term → one synapse, and how it was made (report). */
export function synapseOf(
  t: Term,
  srcShape: number[],
  dstShape: number[],
  byId: Map<string, IRNode>,
): { syn: RealConv | RealDense; how: string } {
  const ops = t.chain.filter((n) => n.op !== "flatten" && n.op !== "reshape");
  const op = ops.length === 1 ? ops[0]! : undefined;
  const O = size(dstShape);
  const I = size(srcShape);
  const spatial = srcShape.length === 3;
  const alone = t.chain.length === 1;
  if (op?.op === "dense") {
    return { syn: { kind: "dense", inSize: I, outSize: O, weights: op.kernel.data }, how: "dense" };
  }
  if (op?.op === "conv2d" && alone && spatial && dstShape.length === 3) {
    return { syn: convOf(op, srcShape, dstShape), how: "conv" };
  }
  if (
    alone &&
    spatial &&
    (op?.op === "sumpool" || (op?.op === "avgpool" && poolPads(op, srcShape).every((x) => x === 0)))
  ) {
    const w = op.op === "avgpool" ? 1 / (op.pool[0] * op.pool[1]) : 1;
    return {
      syn: depthwise(srcShape, dstShape, op.pool, w, [...op.strides], poolPads(op, srcShape)),
      how: `${op.op === "avgpool" ? "avg" : "sum"}-pool as a depthwise conv`,
    };
  }
  if (ops.length === 0 && I === O) {
    if (spatial && dstShape.length === 3) {
      return {
        syn: depthwise(srcShape, dstShape, [1, 1], 1, [1, 1], [0, 0, 0, 0]),
        how: "identity (1×1 depthwise conv)",
      };
    }
    const w = new Float64Array(I * O);
    for (let i = 0; i < I; i++) w[i * O + i] = 1;
    return { syn: { kind: "dense", inSize: I, outSize: O, weights: w }, how: "identity" };
  }
  return {
    syn: { kind: "dense", inSize: I, outSize: O, weights: explicitMatrix(t, I, O, srcShape, byId) },
    how: `explicit synapses of ${t.chain.map((n) => n.op).join(" → ")}`,
  };
}
