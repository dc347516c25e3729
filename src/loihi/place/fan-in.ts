/**
 * What placement needs of one connection, computed from its weights and geometry without listing
 * its synapses one by one (a conv's synapses are its kernel repeated at every output position:
 * listing them is quadratic in the layer size): the stored synapses of every target neuron (its
 * nonzero weights), the source neurons a target neuron or a range of them reads (as bits of a
 * bitset over the source's flat index: input axons), and the cores a source neuron's targets sit
 * on (output axons). Work is linear in weights + neurons × kernel taps.
 */
import type { FixedConnection } from "../model/integer-model.ts";
import { axisPairs } from "../sim/fan-out.ts";

export interface ConnectionFanIn {
  from: string;
  to: string;
  /** Source neurons. */
  srcSize: number;
  /** Stored synapses (nonzero weights) into each target neuron. */
  synapses: Int32Array;
  /** Source neurons of target neuron o not yet in `bits`; with `mark`, also sets them. */
  newSources(o: number, bits: Int32Array, mark: boolean): number;
  /** Sets in `bits` the source neurons of target neurons [start, end). */
  markRange(start: number, end: number, bits: Int32Array): void;
  /**
   * Calls `visit` with the core of every target of source neuron j (repeats possible), given the
   * targets' cores `where` (nondecreasing) and `runEnd[o]`: the end of the run of equal cores holding o.
   */
  targetCores(j: number, where: Int32Array, runEnd: Int32Array, visit: (core: number) => void): void;
}

/** Tests and sets bit j; true when it was not set. */
function setBit(bits: Int32Array, j: number): boolean {
  const w = j >>> 5;
  const b = 1 << (j & 31);
  if (bits[w]! & b) return false;
  bits[w] = bits[w]! | b;
  return true;
}

/** True when bit j is not set in `bits`; with `mark`, also sets it. */
function isNew(bits: Int32Array, j: number, mark: boolean): boolean {
  return mark ? setBit(bits, j) : !(bits[j >>> 5]! & (1 << (j & 31)));
}

/** ORs the `nbits`-bit mask (whole words, unused high bits 0) into `bits` at bit offset `off`. */
function orBits(bits: Int32Array, off: number, mask: Int32Array): void {
  const w = off >>> 5;
  const sh = off & 31;
  for (let m = 0; m < mask.length; m++) {
    const v = mask[m]!;
    if (v === 0) continue;
    bits[w + m] = bits[w + m]! | (v << sh);
    if (sh !== 0) {
      const hi = v >>> (32 - sh);
      if (hi !== 0) bits[w + m + 1] = bits[w + m + 1]! | hi;
    }
  }
}

/** Number of set bits of a 32-bit word. */
export function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

type Synapse<K extends FixedConnection["synapse"]["kind"]> = Extract<FixedConnection["synapse"], { kind: K }>;
/** What a connection's synapse alone determines (a ConnectionFanIn without its ends). */
type SynapseFanIn = Omit<ConnectionFanIn, "from" | "to">;

function denseFanIn(s: Synapse<"dense">, n: number): SynapseFanIn {
  const { inSize: I, outSize: O, weights: W } = s;
  const synapses = new Int32Array(n);
  for (let i = 0; i < I; i++) for (let o = 0; o < O; o++) if (W[i * O + o] !== 0) synapses[o]!++;
  // column-compressed nonzeros, made when first asked for (per-neuron input axons only): the
  // sources of target o are rows[start[o]..start[o + 1])
  let start: Int32Array | undefined;
  let rows: Int32Array | undefined;
  const columns = () => {
    start = new Int32Array(O + 1);
    for (let o = 0; o < O; o++) start[o + 1] = start[o]! + synapses[o]!;
    rows = new Int32Array(start[O]!);
    const fill = start.slice(0, O);
    for (let i = 0; i < I; i++) for (let o = 0; o < O; o++) if (W[i * O + o] !== 0) rows[fill[o]!++] = i;
    return { start, rows };
  };
  return {
    srcSize: I,
    synapses,
    newSources(o, bits, mark) {
      const { start: st, rows: rs } = start && rows ? { start, rows } : columns();
      let add = 0;
      for (let r = st[o]!; r < st[o + 1]!; r++) if (isNew(bits, rs[r]!, mark)) add++;
      return add;
    },
    markRange(a, b, bits) {
      // source i is read by [a, b) when any of its weights there is nonzero
      for (let i = 0; i < I; i++) {
        const row = i * O;
        for (let o = a; o < b; o++)
          if (W[row + o] !== 0) {
            setBit(bits, i);
            break;
          }
      }
    },
    targetCores(j, where, runEnd, visit) {
      // one visit per run of targets on one core that holds a nonzero weight from j
      const row = j * O;
      for (let o = 0; o < O; ) {
        const end = runEnd[o]!;
        for (let q = o; q < end; q++)
          if (W[row + q] !== 0) {
            visit(where[o]!);
            break;
          }
        o = end;
      }
    },
  };
}

function diagonalFanIn(s: Synapse<"diagonal">, n: number): SynapseFanIn {
  const W = s.weights;
  const synapses = Int32Array.from(W, (w) => (w !== 0 ? 1 : 0));
  return {
    srcSize: n,
    synapses,
    newSources(o, bits, mark) {
      return W[o] !== 0 && isNew(bits, o, mark) ? 1 : 0;
    },
    markRange(a, b, bits) {
      for (let o = a; o < b; o++) if (W[o] !== 0) setBit(bits, o);
    },
    targetCores(j, where, _runEnd, visit) {
      if (W[j] !== 0) visit(where[j]!);
    },
  };
}

export function connectionFanIn(c: FixedConnection, n: number): ConnectionFanIn {
  const s = c.synapse;
  const f = s.kind === "dense" ? denseFanIn(s, n) : s.kind === "diagonal" ? diagonalFanIn(s, n) : convFanIn(s, n);
  return { from: c.from, to: c.to, ...f };
}

function convFanIn(s: Synapse<"conv">, n: number): SynapseFanIn {
  const [H, W, C] = s.inShape;
  const [OH, OW, CO] = s.outShape;
  const [KH, KW, KI] = s.kernelShape;
  const K = s.kernel;
  const coPerG = CO / s.groups;
  const taps = KH * KW;
  // nz[t·CO + co]: nonzero kernel entries of tap t into output channel co
  const nz = new Int32Array(taps * CO);
  for (let t = 0; t < taps; t++)
    for (let k = 0; k < KI; k++) {
      const p = (t * KI + k) * CO;
      for (let co = 0; co < CO; co++) if (K[p + co] !== 0) nz[t * CO + co]!++;
    }
  // on: bit co of row t·KI + k (rows of CW words) set where K[t, k, co] ≠ 0 (1/32 of the kernel's
  // size); made when axons are first counted (a placement that needs only synapses never does)
  const CW = (CO + 31) >>> 5;
  let onBits: Int32Array | undefined;
  const onOf = (): Int32Array => {
    if (onBits) return onBits;
    const on = new Int32Array(taps * KI * CW);
    for (let r = 0; r < taps * KI; r++)
      for (let co = 0; co < CO; co++)
        if (K[r * CO + co] !== 0) on[r * CW + (co >>> 5)] = on[r * CW + (co >>> 5)]! | (1 << (co & 31));
    onBits = on;
    return on;
  };
  /** Does tap t from input channel k reach any output channel of [a, b)? */
  const anyIn = (t: number, k: number, a: number, b: number) => {
    if (b <= a) return false;
    const on = onOf();
    const r = (t * KI + k) * CW;
    const wa = a >>> 5;
    const wb = (b - 1) >>> 5;
    const lo = -1 << (a & 31);
    const hi = -1 >>> (31 - ((b - 1) & 31));
    if (wa === wb) return (on[r + wa]! & lo & hi) !== 0;
    if ((on[r + wa]! & lo) !== 0 || (on[r + wb]! & hi) !== 0) return true;
    for (let w = wa + 1; w < wb; w++) if (on[r + w] !== 0) return true;
    return false;
  };
  // input rows / columns of each output row / column: iy = oy·sh + ky·dh − pt
  const inY = (oy: number, ky: number) => oy * s.strides[0] + ky * s.dilation[0] - s.pads[0];
  const inX = (ox: number, kx: number) => ox * s.strides[1] + kx * s.dilation[1] - s.pads[2];
  /** Calls `visit` with every tap t = ky·KW + kx of output pixel (oy, ox) that reads inside the input, at (iy, ix). */
  const eachTap = (oy: number, ox: number, visit: (t: number, iy: number, ix: number) => void): void => {
    for (let ky = 0; ky < KH; ky++) {
      const iy = inY(oy, ky);
      if (iy < 0 || iy >= H) continue;
      for (let kx = 0; kx < KW; kx++) {
        const ix = inX(ox, kx);
        if (ix >= 0 && ix < W) visit(ky * KW + kx, iy, ix);
      }
    }
  };
  const synapses = new Int32Array(n);
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      const base = (oy * OW + ox) * CO;
      eachTap(oy, ox, (t) => {
        for (let co = 0; co < CO; co++) synapses[base + co]! += nz[t * CO + co]!;
      });
    }
  }
  const words = (C + 31) >>> 5;
  /** The channels (bits over C) tap t reaches from output channels [a, b). */
  const chans = (t: number, a: number, b: number, out: Int32Array): Int32Array => {
    out.fill(0);
    for (let g = Math.floor(a / coPerG); g * coPerG < b; g++) {
      const lo = Math.max(a, g * coPerG);
      const hi = Math.min(b, (g + 1) * coPerG);
      for (let k = 0; k < KI; k++) {
        const ci = g * KI + k;
        if (anyIn(t, k, lo, hi)) out[ci >>> 5] = out[ci >>> 5]! | (1 << (ci & 31));
      }
    }
    return out;
  };
  let fullBits: Int32Array[] | undefined;
  const full = (t: number): Int32Array => {
    fullBits ??= Array.from({ length: taps }, (_, u) => chans(u, 0, CO, new Int32Array(words)));
    return fullBits[t]!;
  };
  const part = new Int32Array(words);
  const ys = axisPairs(H, OH, KH, s.strides[0], s.dilation[0], s.pads[0]);
  const xs = axisPairs(W, OW, KW, s.strides[1], s.dilation[1], s.pads[2]);
  return {
    srcSize: H * W * C,
    synapses,
    newSources(o, bits, mark) {
      const co = o % CO;
      const pix = (o - co) / CO;
      const ox = pix % OW;
      const oy = (pix - ox) / OW;
      const g = Math.floor(co / coPerG);
      let add = 0;
      eachTap(oy, ox, (t, iy, ix) => {
        for (let k = 0; k < KI; k++) {
          if (K[(t * KI + k) * CO + co] === 0) continue;
          if (isNew(bits, (iy * W + ix) * C + g * KI + k, mark)) add++;
        }
      });
      return add;
    },
    markRange(a, b, bits) {
      for (let pix = Math.floor(a / CO); pix * CO < b; pix++) {
        const lo = Math.max(a, pix * CO) - pix * CO;
        const hi = Math.min(b, (pix + 1) * CO) - pix * CO;
        const ox = pix % OW;
        const oy = (pix - ox) / OW;
        eachTap(oy, ox, (t, iy, ix) =>
          orBits(bits, (iy * W + ix) * C, lo === 0 && hi === CO ? full(t) : chans(t, lo, hi, part)),
        );
      }
    },
    targetCores(j, where, runEnd, visit) {
      const ci = j % C;
      const p = (j - ci) / C;
      const ix = p % W;
      const iy = (p - ix) / W;
      const g = Math.floor(ci / KI);
      const k = ci - g * KI;
      const c0 = g * coPerG;
      for (let a = ys.start[iy]!; a < ys.start[iy + 1]!; a++) {
        for (let b = xs.start[ix]!; b < xs.start[ix + 1]!; b++) {
          const t = ys.tap[a]! * KW + xs.tap[b]!;
          const base = (ys.out[a]! * OW + xs.out[b]!) * CO;
          // the block's targets lie on a run of cores (where is nondecreasing): each core's part of it
          for (let lo = c0; lo < c0 + coPerG; ) {
            const hi = Math.min(c0 + coPerG, runEnd[base + lo]! - base);
            if (anyIn(t, k, lo, hi)) visit(where[base + lo]!);
            lo = hi;
          }
        }
      }
    },
  };
}
