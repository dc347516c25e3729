/**
 * The conv synapses of an integer model run by the WebAssembly SIMD kernels of conv-kernels.wat.
 * One memory per model (and thread) holds every conv kernel of the model, copied in once (as int16
 * when every weight fits, as Loihi's 9-bit ones do: half the fresh memory to copy them into, and a
 * first write to a page costs more than the copy; else as int32), each synapse's int32 sums and
 * geometry, and the scratch of one call (its events, or its nonzero inputs). A call returns the
 * synapse's sums, wrapped modulo 2^32: exact modulo 2^24, which is all the 24-bit wrap of a conv's
 * sum reads, whatever the payloads.
 *
 * The model is not changed once built (as the event-driven engine's compiled synapses assume): its
 * kernels are read when its memory is made. A model whose memory cannot be had (over 4 GB, or
 * refused) gets none, and the engines keep their JavaScript loops for it.
 */
import type { ConvSynapse, FixedModel, IntWeights } from "../../model/integer-model.ts";
import { axisPairs } from "../fan-out.ts";
import { CONV_KERNELS_WASM } from "./conv-kernels-wasm.ts";
import { instantiate, lazyModule, WasmLayout } from "../../../util/wasm-memory.ts";

interface KernelExports {
  convScatter(g: number, idx: number, val: number, count: number, acc: number, K: number): void;
  convGather(g: number, first: number, nz: number, nzv: number, acc: number, K: number): void;
}

/** One conv synapse's calls. The returned sums stay valid until the next call on the same model. */
export interface ConvKernel {
  /** The sums of events idx/val[first .. count) (in neuron order), each adding its kernel slice. */
  scatter(idx: Int32Array, val: Int32Array, first: number, count: number): Int32Array;
  /** The sums of the whole input x, gathered per output pixel from its nonzero values. */
  gather(x: Int32Array | Uint8Array): Int32Array;
}

const kernelModule = lazyModule(CONV_KERNELS_WASM);

interface Placed {
  s: ConvSynapse;
  /** The kernel is held as int16. */
  narrow: boolean;
  K: number;
  acc: number;
  scatterGeom: number;
  gatherGeom: number;
  tables: Int32Array[];
  tableAt: number[];
}

/** Whether every weight is an int16 (an Int16Array's are). */
function fitsInt16(k: IntWeights): boolean {
  if (k instanceof Int16Array) return true;
  for (let i = 0; i < k.length; i++) if (k[i]! < -32768 || k[i]! > 32767) return false;
  return true;
}

function place(s: ConvSynapse, lay: WasmLayout): Placed {
  const narrow = fitsInt16(s.kernel);
  const [H, W] = s.inShape;
  const [OH, OW] = s.outShape;
  const [KH, KW] = s.kernelShape;
  const ys = axisPairs(H, OH, KH, s.strides[0], s.dilation[0], s.pads[0]);
  const xs = axisPairs(W, OW, KW, s.strides[1], s.dilation[1], s.pads[2]);
  // y pairs pre-multiplied: output row offsets oy·OW, kernel row offsets ky·KW
  const tables = [ys.start, ys.out.map((o) => o * OW), ys.tap.map((k) => k * KW), xs.start, xs.out, xs.tap];
  return {
    s,
    narrow,
    K: lay.take(s.kernel.length, narrow ? 2 : 4),
    acc: lay.take(OH * OW * s.outShape[2]),
    scatterGeom: lay.take(12),
    gatherGeom: lay.take(16),
    tables,
    tableAt: tables.map((t) => lay.take(t.length)),
  };
}

function kernelsOf(model: FixedModel): Map<ConvSynapse, ConvKernel> | undefined {
  const convs = [...new Set(model.connections.map((c) => c.synapse))].filter(
    (s): s is ConvSynapse => s.kind === "conv",
  );
  if (convs.length === 0) return new Map();
  const lay = new WasmLayout();
  const placed = convs.map((s) => place(s, lay));
  const maxIn = Math.max(...convs.map((s) => s.inShape[0] * s.inShape[1] * s.inShape[2]));
  const maxPixels = Math.max(...convs.map((s) => s.inShape[0] * s.inShape[1]));
  const idxAt = lay.take(maxIn);
  const valAt = lay.take(maxIn);
  const firstAt = lay.take(maxPixels + 1);
  const made = instantiate<KernelExports>(kernelModule, lay);
  if (!made) return undefined;
  const { exports } = made;
  const buf = made.buffer;
  const words = (at: number, n: number) => new Int32Array(buf, at, n);
  const idxView = words(idxAt, maxIn);
  const valView = words(valAt, maxIn);
  const firstView = words(firstAt, maxPixels + 1);
  const out = new Map<ConvSynapse, ConvKernel>();
  for (const p of placed) {
    const { s } = p;
    const [H, W, C] = s.inShape;
    const [OH, OW, CO] = s.outShape;
    const [KH, KW, KI] = s.kernelShape;
    const coPerG = CO / s.groups;
    (p.narrow ? new Int16Array(buf, p.K, s.kernel.length) : words(p.K, s.kernel.length)).set(s.kernel);
    const ks = p.narrow ? 1 : 2;
    for (const [i, t] of p.tables.entries()) words(p.tableAt[i]!, t.length).set(t);
    words(p.scatterGeom, 12).set([C, W, CO, KI, coPerG, ...p.tableAt, ks]);
    const [sh, sw] = s.strides;
    const [dh, dw] = s.dilation;
    words(p.gatherGeom, 16).set([H, W, OH, OW, CO, KH, KW, KI, sh, sw, dh, dw, s.pads[0], s.pads[2], coPerG, ks]);
    const acc = words(p.acc, OH * OW * CO);
    out.set(s, {
      scatter(idx, val, first, count) {
        const n = Math.max(0, count - first);
        idxView.set(idx.subarray(first, first + n));
        valView.set(val.subarray(first, first + n));
        acc.fill(0);
        exports.convScatter(p.scatterGeom, idxAt, valAt, n, p.acc, p.K);
        return acc;
      },
      gather(x) {
        // the nonzero channels of each pixel (idx: channel, val: value), delimited by first[]
        let n = 0;
        for (let px = 0, base = 0; px < H * W; px++, base += C) {
          firstView[px] = n;
          for (let c = 0; c < C; c++) {
            const v = x[base + c]!;
            if (v !== 0) {
              idxView[n] = c;
              valView[n++] = v;
            }
          }
        }
        firstView[H * W] = n;
        acc.fill(0);
        exports.convGather(p.gatherGeom, firstAt, idxAt, valAt, p.acc, p.K);
        return acc;
      },
    });
  }
  return out;
}

const byModel = new WeakMap<FixedModel, Map<ConvSynapse, ConvKernel> | null>();

/**
 * The SIMD kernels of `model`'s conv synapses, made at the first call for the model in this
 * thread; undefined when the model's memory cannot be had.
 */
export function convKernels(model: FixedModel): ReadonlyMap<ConvSynapse, ConvKernel> | undefined {
  let k = byModel.get(model);
  if (k === undefined) {
    k = kernelsOf(model) ?? null;
    byModel.set(model, k);
  }
  return k ?? undefined;
}
