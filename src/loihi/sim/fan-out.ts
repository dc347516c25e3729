/**
 * Fan-out of a synapse: how many synapses leave each source neuron (dense: the target size;
 * diagonal: 1; conv: the output windows that hold the neuron × the output channels of its group).
 * Both engines report synaptic events as Σ over delivered events of the source neuron's fan-out.
 */
import type { Synapse } from "../model/integer-model.ts";

/**
 * For each input coordinate x in [0, size): the output coordinates o (and kernel taps k) with
 * o·stride + k·dilation − pad = x, as flat lists `out`, `tap` delimited by `start[x]..start[x + 1]`.
 */
export function axisPairs(
  size: number,
  outSize: number,
  kernel: number,
  stride: number,
  dilation: number,
  pad: number,
): { start: Int32Array; out: Int32Array; tap: Int32Array } {
  const start = new Int32Array(size + 1);
  const out: number[] = [];
  const tap: number[] = [];
  for (let x = 0; x < size; x++) {
    start[x] = out.length;
    for (let k = 0; k < kernel; k++) {
      const n = x + pad - k * dilation;
      if (n < 0 || n % stride !== 0) continue;
      const o = n / stride;
      if (o >= outSize) continue;
      out.push(o);
      tap.push(k);
    }
  }
  start[size] = out.length;
  return { start, out: Int32Array.from(out), tap: Int32Array.from(tap) };
}

/** Synapses per source neuron of `s` (flat source order). */
export function fanOut(s: Synapse): Int32Array {
  if (s.kind === "dense") return new Int32Array(s.inSize).fill(s.outSize);
  if (s.kind === "diagonal") return new Int32Array(s.size).fill(1);
  const [H, W, C] = s.inShape;
  const [OH, OW, CO] = s.outShape;
  const ys = axisPairs(H, OH, s.kernelShape[0], s.strides[0], s.dilation[0], s.pads[0]);
  const xs = axisPairs(W, OW, s.kernelShape[1], s.strides[1], s.dilation[1], s.pads[2]);
  const coPerG = CO / s.groups;
  const f = new Int32Array(H * W * C);
  for (let iy = 0; iy < H; iy++) {
    const ny = ys.start[iy + 1]! - ys.start[iy]!;
    for (let ix = 0; ix < W; ix++) {
      const n = ny * (xs.start[ix + 1]! - xs.start[ix]!) * coPerG;
      f.fill(n, (iy * W + ix) * C, (iy * W + ix + 1) * C);
    }
  }
  return f;
}
