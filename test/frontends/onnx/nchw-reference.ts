/**
 * An independent NCHW evaluator of the standard operators, written from the ONNX operator
 * definitions (float64, batch 1, no layout tricks): the oracle for the reader's NCHW → NHWC
 * conversion. Tensors are { c, h, w, data } with data in C, H, W order.
 */
export interface Chw {
  c: number;
  h: number;
  w: number;
  data: Float64Array;
}

const at = (x: Chw, c: number, y: number, z: number) => x.data[(c * x.h + y) * x.w + z]!;

export interface ConvRef {
  /** [O][I/groups][KH][KW] flat. */
  weight: Float64Array;
  out: number;
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** ONNX order: top, left, bottom, right. */
  pads: [number, number, number, number];
  groups: number;
  bias?: Float64Array;
}

export function conv(x: Chw, p: ConvRef): Chw {
  const [KH, KW] = p.kernel;
  const [sh, sw] = p.strides;
  const [dh, dw] = p.dilations;
  const [pt, pl, pb, pr] = p.pads;
  const oh = Math.floor((x.h + pt + pb - ((KH - 1) * dh + 1)) / sh) + 1;
  const ow = Math.floor((x.w + pl + pr - ((KW - 1) * dw + 1)) / sw) + 1;
  const I = x.c / p.groups;
  const perGroup = p.out / p.groups;
  const data = new Float64Array(p.out * oh * ow);
  for (let o = 0; o < p.out; o++) {
    const g = Math.floor(o / perGroup);
    for (let y = 0; y < oh; y++) {
      for (let z = 0; z < ow; z++) {
        let s = p.bias ? p.bias[o]! : 0;
        for (let i = 0; i < I; i++) {
          for (let ky = 0; ky < KH; ky++) {
            for (let kx = 0; kx < KW; kx++) {
              const iy = y * sh + ky * dh - pt;
              const ix = z * sw + kx * dw - pl;
              if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) continue;
              s += at(x, g * I + i, iy, ix) * p.weight[((o * I + i) * KH + ky) * KW + kx]!;
            }
          }
        }
        data[(o * oh + y) * ow + z] = s;
      }
    }
  }
  return { c: p.out, h: oh, w: ow, data };
}

/** SAME_UPPER pads (extra cell at the end) in ONNX order [top, left, bottom, right]. */
export function sameUpper(h: number, w: number, k: [number, number], s: [number, number], d: [number, number]) {
  const one = (n: number, kk: number, ss: number, dd: number) => {
    const out = Math.ceil(n / ss);
    const total = Math.max((out - 1) * ss + (kk - 1) * dd + 1 - n, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  };
  const [t, b] = one(h, k[0], s[0], d[0]);
  const [l, r] = one(w, k[1], s[1], d[1]);
  return [t!, l!, b!, r!] as [number, number, number, number];
}

export function batchNorm(x: Chw, g: number[], b: number[], m: number[], v: number[], eps: number): Chw {
  const data = x.data.map((val, i) => {
    const c = Math.floor(i / (x.h * x.w));
    return ((val - m[c]!) / Math.sqrt(v[c]! + eps)) * g[c]! + b[c]!;
  });
  return { ...x, data };
}

export function pool(
  x: Chw,
  kind: "avg" | "max",
  k: [number, number],
  s: [number, number],
  pads: [number, number, number, number],
  countPad: boolean,
): Chw {
  const [pt, pl, pb, pr] = pads;
  const oh = Math.floor((x.h + pt + pb - k[0]) / s[0]) + 1;
  const ow = Math.floor((x.w + pl + pr - k[1]) / s[1]) + 1;
  const data = new Float64Array(x.c * oh * ow);
  for (let c = 0; c < x.c; c++) {
    for (let y = 0; y < oh; y++) {
      for (let z = 0; z < ow; z++) {
        let acc = kind === "max" ? -Infinity : 0;
        let n = 0;
        for (let ky = 0; ky < k[0]; ky++) {
          for (let kx = 0; kx < k[1]; kx++) {
            const iy = y * s[0] + ky - pt;
            const ix = z * s[1] + kx - pl;
            if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) continue;
            const v = at(x, c, iy, ix);
            acc = kind === "max" ? Math.max(acc, v) : acc + v;
            n++;
          }
        }
        data[(c * oh + y) * ow + z] = kind === "max" ? acc : acc / (countPad ? k[0] * k[1] : n);
      }
    }
  }
  return { c: x.c, h: oh, w: ow, data };
}

/** y = alpha · a · B' + beta · C, B' = Bᵀ with transB; a is the C, H, W flattening. */
export function gemm(
  a: Float64Array,
  B: Float64Array,
  O: number,
  transB: boolean,
  alpha: number,
  beta: number,
  C?: Float64Array,
) {
  const F = a.length;
  const y = new Float64Array(O);
  for (let o = 0; o < O; o++) {
    let s = 0;
    for (let f = 0; f < F; f++) s += a[f]! * B[transB ? o * F + f : f * O + o]!;
    y[o] = alpha * s + (C ? beta * C[C.length === 1 ? 0 : o]! : 0);
  }
  return y;
}

/** C, H, W values → the IR's H, W, C order. */
export function toHwc(x: Chw): Float64Array {
  const out = new Float64Array(x.data.length);
  for (let c = 0; c < x.c; c++)
    for (let y = 0; y < x.h; y++) for (let z = 0; z < x.w; z++) out[(y * x.w + z) * x.c + c] = at(x, c, y, z);
  return out;
}
