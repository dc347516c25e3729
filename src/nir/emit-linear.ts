/**
 * The IR's stateless nodes as NIR primitives: input → Input, conv2d → Conv2d (HWIO → OIHW; padding
 * that is not the same on both sides becomes symmetric with zero kernel rows added, which computes
 * the same), dense → Affine / Linear (columns in NIR's order of its input), flatten → Flatten,
 * sumpool / avgpool → SumPool2d / AvgPool2d, pad → the padding of the conv or pooling that reads it,
 * add → several edges into each reader (NIR sums a node's inputs), affine → Scale, delay → Delay
 * (or, on a recurrent edge of one step out of a neuron, a plain edge: NIR readers delay a cycle there).
 */
import { convGeometry, windowGeometry } from "../ir/conv-geometry.ts";
import type { AffineNode, Conv2DNode, DelayNode, DenseNode, InputNode, IRNode, Pads, PoolNode } from "../ir/nodes.ts";
import { broadcastTo, size } from "../ir/tensor.ts";
import { f64, type H5Tree, i64, str } from "./hdf5-write.ts";
import { canonicalIndex, type Emission, nirParam, nirShape, type Source } from "./emit-context.ts";

const inShape = (byId: Map<string, IRNode>, n: IRNode) => byId.get(n.inputs[0]!)!.shape!;

export function emitInput(e: Emission, n: InputNode): void {
  const name = e.name(n.id);
  const nir = nirShape(n.shape!);
  e.add(name, { type: str("Input"), shape: i64(nir) });
  e.sources.set(n.id, { names: [name], nir, index: canonicalIndex(n.shape!) });
}

/** Pads of the IR pad before a conv/pool plus its own. */
function totalPads(src: Source, own: Pads): Pads {
  const p = src.pad ?? [0, 0, 0, 0];
  return [p[0] + own[0], p[1] + own[1], p[2] + own[2], p[3] + own[3]];
}

function spatialIn(src: Source): [number, number] {
  return [src.nir[1]! - (src.pad ? src.pad[0] + src.pad[1] : 0), src.nir[2]! - (src.pad ? src.pad[2] + src.pad[3] : 0)];
}

export function emitConv(e: Emission, n: Conv2DNode, byId: Map<string, IRNode>): void {
  const src = e.source(n.inputs[0]!);
  const S = inShape(byId, n);
  const { KH: kh, KW: kw, KI: kin, CO: cout, pads: own } = convGeometry(S, n);
  const pads = totalPads(src, own);
  // Symmetric padding P per axis with extra zero kernel rows/columns where the two sides differ.
  const ext = (a: number, b: number, d: number, axis: string): [number, number, number] => {
    const diff = Math.abs(a - b);
    if (diff % d !== 0)
      throw e.refuse(n, `padding ${a}/${b} on the ${axis} axis with dilation ${d} differs by no whole tap`, "padding");
    return [Math.max(a, b), a < b ? diff / d : 0, a > b ? diff / d : 0]; // P, taps before, taps after
  };
  const [ph, hb, ha] = ext(pads[0], pads[1], n.dilation[0], "height");
  const [pw, wb, wa] = ext(pads[2], pads[3], n.dilation[1], "width");
  const KH = kh + hb + ha;
  const KW = kw + wb + wa;
  const w = new Float64Array(cout * kin * KH * KW);
  for (let o = 0; o < cout; o++)
    for (let i = 0; i < kin; i++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++)
          w[((o * kin + i) * KH + y + hb) * KW + x + wb] = n.kernel.data[((y * kw + x) * kin + i) * cout + o]!;
  const name = e.name(n.id);
  e.add(
    name,
    {
      type: str("Conv2d"),
      weight: f64(w, [cout, kin, KH, KW]),
      bias: f64(n.bias ? n.bias.data : new Float64Array(cout)),
      stride: i64([...n.strides]),
      padding: i64([ph, pw]),
      dilation: i64([...n.dilation]),
      groups: i64([n.groups], []),
      input_shape: i64(spatialIn(src)),
    },
    { ...src, pad: undefined },
  );
  e.sources.set(n.id, { names: [name], nir: nirShape(n.shape!), index: canonicalIndex(n.shape!) });
}

export function emitDense(e: Emission, n: DenseNode): void {
  const src = e.source(n.inputs[0]!);
  if (src.pad) throw e.refuse(n, "a dense layer reads a padded value");
  const [I, O] = n.kernel.shape as [number, number];
  const w = new Float64Array(O * I);
  for (let j = 0; j < I; j++) for (let o = 0; o < O; o++) w[o * I + src.index[j]!] = n.kernel.data[j * O + o]!;
  const name = e.name(n.id);
  const node: H5Tree = n.bias
    ? { type: str("Affine"), weight: f64(w, [O, I]), bias: f64(n.bias.data) }
    : { type: str("Linear"), weight: f64(w, [O, I]) };
  e.add(name, node, src);
  e.sources.set(n.id, { names: [name], nir: [O], index: canonicalIndex([O]) });
}

/** flatten, or a reshape to a vector (the same element order). */
export function emitFlatten(e: Emission, n: IRNode): void {
  const src = e.source(n.inputs[0]!);
  if (src.pad) throw e.refuse(n, "flatten of a padded value");
  if (n.shape!.length !== 1) throw e.refuse(n, `reshape to [${n.shape}]: NIR has no reshape`);
  if (src.nir.length === 1) {
    e.sources.set(n.id, src); // a vector stays a vector
    return;
  }
  const name = e.name(n.id);
  e.add(name, { type: str("Flatten"), start_dim: i64([0], []), end_dim: i64([-1], []), input_type: i64(src.nir) }, src);
  e.sources.set(n.id, { names: [name], nir: [size(src.nir)], index: src.index });
}

export function emitPool(e: Emission, n: PoolNode, byId: Map<string, IRNode>): void {
  if (n.op === "maxpool") throw e.refuse(n, "max pooling: NIR has sum and average pooling only");
  const src = e.source(n.inputs[0]!);
  const S = inShape(byId, n);
  const own = windowGeometry(S[0]!, S[1]!, {
    kernel: n.pool,
    strides: n.strides,
    dilation: [1, 1],
    padding: n.padding,
  });
  if (n.op === "avgpool" && own.pads.some((p) => p > 0))
    throw e.refuse(
      n,
      "average pooling over padded windows averages the cells inside the input only; NIR's AvgPool2d counts the padding",
      "padding",
    );
  const pads = totalPads(src, own.pads);
  if (pads[0] !== pads[1] || pads[2] !== pads[3])
    throw e.refuse(n, `pooling with padding [${pads}] that differs between sides`, "padding");
  const name = e.name(n.id);
  e.add(
    name,
    {
      type: str(n.op === "sumpool" ? "SumPool2d" : "AvgPool2d"),
      kernel_size: i64([...n.pool]),
      stride: i64([...n.strides]),
      padding: i64([pads[0], pads[2]]),
    },
    { ...src, pad: undefined },
  );
  e.sources.set(n.id, { names: [name], nir: nirShape(n.shape!), index: canonicalIndex(n.shape!) });
}

/** A pad is applied by the conv or pooling that reads it; anything else reading it is refused there. */
export function emitPad(e: Emission, n: IRNode & { pads: Pads }): void {
  const src = e.source(n.inputs[0]!);
  const p = src.pad ?? [0, 0, 0, 0];
  const pad: Pads = [p[0] + n.pads[0], p[1] + n.pads[1], p[2] + n.pads[2], p[3] + n.pads[3]];
  e.sources.set(n.id, { ...src, nir: nirShape(n.shape!), pad });
}

export function emitAdd(e: Emission, n: IRNode): void {
  const srcs = n.inputs.map((i) => e.source(i));
  const a = srcs[0]!;
  for (const b of srcs) {
    if (b.pad || !a.index.every((x, i) => x === b.index[i]))
      throw e.refuse(n, "an add of values whose elements are in different NIR orders (or padded)");
  }
  e.sources.set(n.id, { ...a, names: srcs.flatMap((s) => s.names) });
}

export function emitAffine(e: Emission, n: AffineNode): void {
  const src = e.source(n.inputs[0]!);
  if (broadcastTo(n.shift, n.shape!).some((v) => v !== 0))
    throw e.refuse(n, "an affine with a shift: NIR's Scale multiplies only", "shift");
  const name = e.name(n.id);
  e.add(name, { type: str("Scale"), scale: nirParam(n.scale, n.shape!, src) }, src);
  e.sources.set(n.id, { ...src, names: [name] });
}

/**
 * A delay on a forward edge, or on a recurrent edge of more than one step or out of a non-neuron:
 * a NIR Delay of steps·dt seconds. A one-step recurrent edge out of a neuron: a plain edge.
 */
export function emitDelay(e: Emission, n: DelayNode, byId: Map<string, IRNode>, recurrent: boolean): void {
  const from = byId.get(n.inputs[0]!)!;
  const steps = broadcastTo(n.steps, n.shape!);
  const index = canonicalIndex(n.shape!);
  const nir = nirShape(n.shape!);
  if (recurrent && from.op === "neuron" && steps.every((s) => s === 1)) {
    e.sources.set(n.id, { names: [e.name(from.id)], nir, index });
    return;
  }
  const src = recurrent ? { names: [e.name(from.id)], nir, index } : e.source(n.inputs[0]!);
  if (src.pad) throw e.refuse(n, "a delay of a padded value");
  const name = e.name(n.id);
  const sec = steps.map((s) => s * e.dt);
  e.add(name, { type: str("Delay"), delay: nirParam({ shape: n.shape!, data: sec }, n.shape!, src) }, src);
  e.sources.set(n.id, { ...src, names: [name] });
}
