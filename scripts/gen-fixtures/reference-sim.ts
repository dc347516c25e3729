/**
 * A small float64 time-stepped evaluator of IR graphs, used only by the fixture generator to
 * calibrate thresholds and to check that every spiking layer of a fixture fires some but not all
 * of the time. It follows SEMANTICS.md §1-§2 directly (norms unfolded); it is not the compiler's
 * simulator.
 */
import { windowGeometry } from "../../src/ir/conv-geometry.ts";
import type { Graph, IRNode, NeuronNode } from "../../src/ir/nodes.ts";
import { paramAt, size } from "../../src/ir/tensor.ts";

export interface LayerTrace {
  /** Neuron layers: the compared value m(h) of every neuron at every step (flattened, step-major). */
  compared: Float64Array;
  /** Output spikes (s_sum) summed over neurons, per step. */
  spikesPerStep: number[];
  neurons: number;
  /** The largest possible count per step (neurons × (1 + planes)). */
  capacity: number;
}

export function simulate(g: Graph, input: Float64Array, steps = g.meta.timesteps): Map<string, LayerTrace> {
  const shape = new Map(g.nodes.map((n) => [n.id, n.shape!]));
  const state = new Map<string, Float64Array>();
  const traces = new Map<string, LayerTrace>();
  for (const n of g.nodes) {
    if (n.op !== "neuron") continue;
    const N = size(n.shape!);
    state.set(n.id, new Float64Array(N));
    traces.set(n.id, {
      compared: new Float64Array(N * steps),
      spikesPerStep: [],
      neurons: N,
      capacity: N * (1 + (n.planeThresholds?.length ?? 0)),
    });
  }
  for (let t = 0; t < steps; t++) {
    const val = new Map<string, Float64Array>();
    for (const n of g.nodes) {
      const ins = n.inputs.map((i) => val.get(i)!);
      const inShape = n.inputs.length ? shape.get(n.inputs[0]!)! : [];
      val.set(n.id, evalNode(n, ins, inShape, n.shape!, t, input, state, traces));
    }
  }
  return traces;
}

function evalNode(
  n: IRNode,
  ins: Float64Array[],
  inShape: number[],
  outShape: number[],
  t: number,
  input: Float64Array,
  state: Map<string, Float64Array>,
  traces: Map<string, LayerTrace>,
): Float64Array {
  const x = ins[0]!;
  const C = outShape[outShape.length - 1]!;
  const out = new Float64Array(size(outShape));
  switch (n.op) {
    case "input":
      return input;
    case "flatten":
    case "reshape":
      return x;
    case "add":
      for (const a of ins) for (let i = 0; i < out.length; i++) out[i] += a[i]!;
      return out;
    case "dense": {
      const [fin, fout] = n.kernel.shape as [number, number];
      for (let o = 0; o < fout; o++) {
        let s = n.bias ? n.bias.data[o]! : 0;
        for (let i = 0; i < fin; i++) s += x[i]! * n.kernel.data[i * fout + o]!;
        out[o] = s;
      }
      return out;
    }
    case "conv2d": {
      const [H, W, Cin] = inShape as [number, number, number];
      const [kh, kw, kin, cout] = n.kernel.shape as [number, number, number, number];
      const geo = windowGeometry(H, W, {
        kernel: [kh, kw],
        strides: n.strides,
        dilation: n.dilation,
        padding: n.padding,
      });
      const perGroupOut = cout / n.groups;
      for (let oy = 0; oy < geo.outH; oy++)
        for (let ox = 0; ox < geo.outW; ox++)
          for (let co = 0; co < cout; co++) {
            const g = Math.floor(co / perGroupOut);
            let s = n.bias ? n.bias.data[co]! : 0;
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++) {
                const iy = oy * n.strides[0] - geo.pads[0] + ky * n.dilation[0];
                const ix = ox * n.strides[1] - geo.pads[2] + kx * n.dilation[1];
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                for (let ci = 0; ci < kin; ci++) {
                  s += x[(iy * W + ix) * Cin + g * kin + ci]! * n.kernel.data[((ky * kw + kx) * kin + ci) * cout + co]!;
                }
              }
            out[(oy * geo.outW + ox) * cout + co] = s;
          }
      return out;
    }
    case "avgpool":
    case "maxpool":
    case "sumpool": {
      const [H, W] = inShape as [number, number, number];
      const geo = windowGeometry(H, W, { kernel: n.pool, strides: n.strides, dilation: [1, 1], padding: n.padding });
      for (let oy = 0; oy < geo.outH; oy++)
        for (let ox = 0; ox < geo.outW; ox++)
          for (let c = 0; c < C; c++) {
            let s = n.op === "maxpool" ? -Infinity : 0;
            let k = 0;
            for (let py = 0; py < n.pool[0]; py++)
              for (let px = 0; px < n.pool[1]; px++) {
                const iy = oy * n.strides[0] - geo.pads[0] + py;
                const ix = ox * n.strides[1] - geo.pads[2] + px;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                const v = x[(iy * W + ix) * C + c]!;
                s = n.op === "maxpool" ? Math.max(s, v) : s + v;
                k++;
              }
            out[(oy * geo.outW + ox) * C + c] = n.op === "avgpool" ? s / k : s;
          }
      return out;
    }
    case "pad": {
      const [H, W] = inShape as [number, number, number];
      const W2 = outShape[1]!;
      for (let y = 0; y < H; y++)
        for (let xx = 0; xx < W; xx++)
          for (let c = 0; c < C; c++) {
            out[((y + n.pads[0]) * W2 + xx + n.pads[2]) * C + c] = x[(y * W + xx) * C + c]!;
          }
      return out;
    }
    case "affine":
      for (let i = 0; i < out.length; i++) out[i] = paramAt(n.scale, i) * x[i]! + paramAt(n.shift, i);
      return out;
    case "bn":
    case "tdbn": {
      const scale = n.op === "tdbn" ? n.alpha * n.vth : 1;
      for (let i = 0; i < out.length; i++) {
        const c = i % C;
        out[i] =
          (n.gamma.data[c]! * scale * (x[i]! - n.mean.data[c]!)) / Math.sqrt(n.variance.data[c]! + n.epsilon) +
          n.beta.data[c]!;
      }
      return out;
    }
    case "bntt":
      for (let i = 0; i < out.length; i++) {
        const j = t * C + (i % C);
        out[i] = (n.gamma.data[j]! * (x[i]! - n.mean.data[j]!)) / Math.sqrt(n.variance.data[j]! + n.epsilon);
      }
      return out;
    case "tebn":
      for (let i = 0; i < out.length; i++) {
        const c = i % C;
        const p = n.p.shape.length === 1 ? n.p.data[t]! : n.p.data[t * C + c]!;
        out[i] =
          p *
          ((n.gamma.data[c]! * (x[i]! - n.mean.data[c]!)) / Math.sqrt(n.variance.data[c]! + n.epsilon) +
            n.beta.data[c]!);
      }
      return out;
    case "tab":
      for (let i = 0; i < out.length; i++) {
        const j = t * C + (i % C);
        out[i] =
          (n.gammaHat.data[j]! * (x[i]! - n.meanAcc.data[j]!)) / Math.sqrt(n.varAcc.data[j]! + n.epsilon) +
          n.betaHat.data[j]!;
      }
      return out;
    case "pspnorm":
      if (n.mode !== "bn") throw new Error("PSP-LN is not an inference-time layer");
      for (let i = 0; i < out.length; i++) {
        const c = i % C;
        out[i] = (n.gamma!.data[c]! * x[i]!) / Math.sqrt(n.sqMean!.data[c]! + n.lambda);
      }
      return out;
    case "readout":
      return x;
    case "neuron":
      return neuronStep(n, x, t, state.get(n.id)!, traces.get(n.id)!);
    case "plane":
      throw new Error("spike planes are written by split-mt, never by a frontend");
    case "li":
    case "delay":
      throw new Error(`${n.op} nodes come from NIR files, never from the fixture generator`);
  }
}

function neuronStep(n: NeuronNode, c: Float64Array, t: number, v: Float64Array, trace: LayerTrace): Float64Array {
  const out = new Float64Array(v.length);
  const cmp = n.fire === "gt" ? (a: number, b: number) => a > b : (a: number, b: number) => a >= b;
  let count = 0;
  for (let i = 0; i < v.length; i++) {
    const h = n.decay * v[i]! + paramAt(n.gain, i) * c[i]! + paramAt(n.bias, i);
    let m = h;
    if (n.mpbn) {
      const k = paramAt(n.mpbn.gamma, i) / Math.sqrt(paramAt(n.mpbn.variance, i) + n.mpbn.epsilon);
      m = k * (h - paramAt(n.mpbn.mean, i)) + paramAt(n.mpbn.beta, i);
    }
    trace.compared[t * v.length + i] = m;
    const s0 = cmp(m, paramAt(n.threshold, i)) ? 1 : 0;
    let s = s0;
    for (const p of n.planeThresholds ?? []) s += cmp(m, paramAt(p, i)) ? 1 : 0;
    v[i] = n.reset === "hard" ? h * (1 - s0) + paramAt(n.vReset, i) * s0 : h - paramAt(n.resetAmount, i) * s0;
    out[i] = s;
    count += s;
  }
  trace.spikesPerStep.push(count);
  return out;
}
