/**
 * network.net: the integer model as the HDF5 file lava-dl's `netx.hdf5.Network` loads
 * (docs/LAVA-FIXED-POINT.md).
 *
 *   /layer/0          type "input" (S10, shape (1,)), shape (C,H,W) or (F,)   — no neuron group
 *   /layer/k          type "flatten", shape (F,1,1)     before a dense that reads an [H,W,C] layer
 *   /layer/k          type "dense" | "conv", shape (F,) or (C,H,W)
 *                     neuron/{type "CUBA", vThMant, iDecay, vDecay}  (int64 scalars)
 *                     weight  int32, dense (out, in), conv (out, in/groups, kH, kW) cross-correlation
 *                     bias    int32 bias mantissa (netx fixes bias_exp = 6): (C,) per channel or (F,);
 *                             per neuron on a conv in netx's (W,H,C) order
 *                     conv:   stride, padding, dilation (H,W) int64, groups int64 scalar
 * Only datasets (netx reads no attributes). Never `neuron/messageBits` (a CUBA layer with it hangs
 * Lava). A dense after flatten reads torch (C,H,W) order; the first layer reads the host's input
 * in Lava's (W,H,C) order (conv) or (C,H,W) order (dense after flatten).
 *
 * netx maps CUBA → LIF(vth = vThMant, du = iDecay − 1, dv = vDecay, bias_exp = 6); it cannot carry
 * a weight exponent, delays, graded-input width or reset schedule: the first two must be absent
 * (`netxCheck`), the last two are arguments of `netx.hdf5.Network(...)`, written to network.lava.json.
 *
 * The file is encoded here (src/util/hdf5-encode.ts: HDF5's original layout, no timestamps), so the
 * same model gives the same bytes.
 */
import {
  populationSize,
  type ConvSynapse,
  type DenseSynapse,
  type FixedConnection,
  type FixedModel,
  type FixedPopulation,
} from "../model/integer-model.ts";
import { netxCheck } from "../quantize/netx-constraints.ts";
import { type H5Group, h5Group, hdf5FileBytes } from "../../util/hdf5-encode.ts";

/** NHWC [H,W,C] → torch (C,H,W) shape; flat stays (F,). */
function torchShape(shape: number[]): number[] {
  return shape.length === 3 ? [shape[2]!, shape[0]!, shape[1]!] : [shape.reduce((a, b) => a * b, 1)];
}

/** Dense (out, in) with `in` in the order netx feeds it (torch CHW after flatten, else flat). */
function denseWeights(s: DenseSynapse, srcShape: number[], chw: boolean): Int32Array {
  const I = s.inSize;
  const O = s.outSize;
  const out = new Int32Array(O * I);
  const [H, W, C] = srcShape as [number, number, number];
  for (let i = 0; i < I; i++) {
    let j = i;
    if (chw) {
      const c = i % C;
      const x = Math.floor(i / C) % W;
      const y = Math.floor(i / (C * W));
      j = (c * H + y) * W + x;
    }
    for (let o = 0; o < O; o++) out[o * I + j] = s.weights[i * O + o]!;
  }
  return out;
}

/** HWIO [kh, kw, ki, co] → torch (co, ki, kh, kw). */
function convWeights(s: ConvSynapse): Int32Array {
  const [KH, KW, KI, CO] = s.kernelShape;
  const out = new Int32Array(s.kernel.length);
  for (let ky = 0; ky < KH; ky++)
    for (let kx = 0; kx < KW; kx++)
      for (let ki = 0; ki < KI; ki++)
        for (let co = 0; co < CO; co++) {
          out[((co * KI + ki) * KH + ky) * KW + kx] = s.kernel[((ky * KW + kx) * KI + ki) * CO + co]!;
        }
  return out;
}

/**
 * Bias mantissa: a dense layer is flat (F,) in its own output order; a conv layer per channel (C,)
 * when uniform over space, else per neuron in netx's (W,H,C) order.
 */
function biasData(p: FixedPopulation, conv: boolean): { data: Int32Array; shape: number[] } | undefined {
  const b = p.biasMant;
  if (b.every((v) => v === 0)) return undefined;
  if (!conv || p.shape.length !== 3) return { data: new Int32Array(b), shape: [b.length] };
  const [H, W, C] = p.shape as [number, number, number];
  let uniform = true;
  for (let i = C; i < b.length && uniform; i++) if (b[i] !== b[i % C]) uniform = false;
  if (uniform) return { data: b.slice(0, C), shape: [C] };
  const out = new Int32Array(b.length);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) for (let c = 0; c < C; c++) out[(x * H + y) * C + c] = b[(y * W + x) * C + c]!;
  return { data: out, shape: [W, H, C] };
}

const i64 = (xs: number[]) => BigInt64Array.from(xs.map((x) => BigInt(x)));

/** The HDF5 tree of `m`'s netx file; every array in it is its own (fresh, none shared). */
export function netxTree(m: FixedModel): H5Group {
  const root = h5Group();
  const layers = h5Group();
  root.children.set("layer", layers);
  const type = (g: H5Group, value: string) =>
    g.children.set("type", { kind: "fixed-string", size: 10, data: [value], shape: [1] });
  const data = (g: H5Group, name: string, d: Int32Array | BigInt64Array, shape: number[]) =>
    g.children.set(name, { kind: "int", data: d, shape });
  const next = () => {
    const g = h5Group();
    layers.children.set(String(layers.children.size), g);
    return g;
  };
  const l0 = next();
  type(l0, "input");
  data(l0, "shape", i64(torchShape(m.input.shape)), [torchShape(m.input.shape).length]);
  let srcShape = m.input.shape;
  // Is the previous netx layer spatial ((C,H,W): the input or a conv)? A dense layer's output is flat.
  let src3d = m.input.shape.length === 3;
  for (const p of m.populations) {
    const c = m.connections.find((x) => x.to === p.id) as FixedConnection;
    if (c.synapse.kind === "dense" && src3d) {
      const fl = next();
      type(fl, "flatten");
      data(fl, "shape", i64([srcShape.reduce((a, b) => a * b, 1), 1, 1]), [3]);
    }
    const l = next();
    if (c.synapse.kind === "dense") {
      type(l, "dense");
      data(l, "shape", i64([populationSize(p)]), [1]);
    } else {
      type(l, "conv");
      data(l, "shape", i64(torchShape(p.shape)), [3]);
    }
    const n = h5Group();
    l.children.set("neuron", n);
    type(n, "CUBA");
    data(n, "vThMant", i64([p.vth]), []);
    data(n, "iDecay", i64([p.du + 1]), []);
    data(n, "vDecay", i64([p.dv]), []);
    if (c.synapse.kind === "diagonal") throw new RangeError(`netx: '${c.id}' has no netx form`);
    if (c.synapse.kind === "dense") {
      data(l, "weight", denseWeights(c.synapse, srcShape, src3d), [c.synapse.outSize, c.synapse.inSize]);
    } else {
      const s = c.synapse;
      const [KH, KW, KI, CO] = s.kernelShape;
      data(l, "weight", convWeights(s), [CO, KI, KH, KW]);
      data(l, "stride", i64(s.strides), [2]);
      data(l, "padding", i64([s.pads[0], s.pads[2]]), [2]);
      data(l, "dilation", i64(s.dilation), [2]);
      data(l, "groups", i64([s.groups]), []);
    }
    const b = biasData(p, c.synapse.kind === "conv");
    if (b) data(l, "bias", b.data, b.shape);
    srcShape = p.shape;
    src3d = c.synapse.kind === "conv";
  }
  return root;
}

/** The bytes of network.net. Throws (RangeError) when `netxCheck` fails. */
export function writeNetx(m: FixedModel): Uint8Array {
  const chk = netxCheck(m);
  if (!chk.ok) throw new RangeError(`network.net cannot express this model: ${chk.reason}`);
  return hdf5FileBytes(netxTree(m));
}
