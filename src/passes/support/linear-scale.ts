/**
 * Rewriting the parameters of a linear layer (conv2d / dense): scaling its output channels
 * (what a fold into the producer does) or its input channels (what a fold into the consumer
 * does). Both return a new node with new tensors; the input node is untouched.
 */
import { SnncError } from "../../ir/errors.ts";
import type { Conv2DNode, DenseNode, IRNode } from "../../ir/nodes.ts";
import { tensor, tensorOf, type Tensor } from "../../ir/tensor.ts";

export type LinearNode = Conv2DNode | DenseNode;

export function isLinear(n: IRNode | undefined): n is LinearNode {
  return n !== undefined && (n.op === "conv2d" || n.op === "dense");
}

/** Number of output channels (Cout of a conv, output features of a dense). */
export function outChannels(n: LinearNode): number {
  return n.kernel.shape[n.kernel.shape.length - 1]!;
}

/** The layer's bias as one value per output channel (zeros when it has none). */
export function biasValues(n: LinearNode): Float64Array {
  return n.bias ? new Float64Array(n.bias.data) : new Float64Array(outChannels(n));
}

/**
 * W'[…, o] = scale[o] · W[…, o] and b' = `bias` (the caller computes the new bias, so that each
 * fold can use its own formula). `what` names the fold for error messages.
 */
export function scaleOutputs(
  n: LinearNode,
  scale: Float64Array,
  bias: Float64Array,
  what: { layer: string; param: string },
): LinearNode {
  const CO = outChannels(n);
  if (scale.length !== CO || bias.length !== CO)
    throw new RangeError(`scaleOutputs: ${scale.length}/${bias.length} values for ${CO} channels`);
  const k = new Float64Array(n.kernel.data.length);
  const src = n.kernel.data;
  for (let b = 0; b < k.length; b += CO) for (let o = 0; o < CO; o++) k[b + o] = src[b + o]! * scale[o]!;
  return {
    ...n,
    kernel: checked(tensorOf(n.kernel.shape, k), what, n.id),
    bias: checked(tensor([CO], bias), what, n.id),
  };
}

/**
 * Multiply every weight by the scale of the input it reads: conv — `scale` per input channel
 * (length C_in, groups respected); dense — `scale` per input feature (length of its input).
 */
export function scaleInputs(n: LinearNode, scale: Float64Array, what: { layer: string; param: string }): LinearNode {
  const src = n.kernel.data;
  const k = new Float64Array(src.length);
  if (n.op === "dense") {
    const [I, O] = n.kernel.shape as [number, number];
    if (scale.length !== I) throw new RangeError(`scaleInputs: ${scale.length} values for ${I} inputs`);
    for (let i = 0; i < I; i++) for (let o = 0; o < O; o++) k[i * O + o] = src[i * O + o]! * scale[i]!;
  } else {
    const [, , KI, CO] = n.kernel.shape as [number, number, number, number];
    const coPerG = CO / n.groups;
    if (scale.length !== KI * n.groups)
      throw new RangeError(`scaleInputs: ${scale.length} values for ${KI * n.groups} input channels`);
    for (let idx = 0; idx < src.length; idx++) {
      const co = idx % CO;
      const kci = Math.floor(idx / CO) % KI;
      const ci = Math.floor(co / coPerG) * KI + kci;
      k[idx] = src[idx]! * scale[ci]!;
    }
  }
  return { ...n, kernel: checked(tensorOf(n.kernel.shape, k), what, n.id) };
}

/** Folded parameters must stay finite: name the folded layer and parameter when they do not. */
function checked(t: Tensor, what: { layer: string; param: string }, into: string): Tensor {
  for (let i = 0; i < t.data.length; i++) {
    if (!Number.isFinite(t.data[i]!)) {
      throw new SnncError(
        "E_VALUE",
        `folding into '${into}' gives a non-finite weight (${t.data[i]} at index ${i}); the normalisation's scale is out of float64 range`,
        what,
      );
    }
  }
  return t;
}
