/**
 * The time-stepped engine of the integer model, the reference the event-driven engine is checked
 * against: at every Lava step each connection computes its whole accumulation from the source's
 * output vector, a conv by gathering each target's kernel window (the event-driven engine scatters
 * each event through tables compiled per synapse instead; a self-recurrent connection reads the
 * population's own previous output), then every population takes one lif-fixed step.
 *
 * An input that is 0 adds nothing (its products are 0, and the sum of integer products is exact in
 * float64 whatever is left out), so it is not multiplied in; a source that put out nothing at the
 * step a connection reads leaves the connection out altogether (0 wraps to 0). In a deep network
 * most connections are idle at most steps: layer k receives spikes only in the T steps its input
 * takes to pass the k layers before it (in a ResNet-19 sample, 72 of 437 population steps had a
 * spike).
 */
import {
  populationSize,
  type ConvSynapse,
  type DenseSynapse,
  type DiagonalSynapse,
  type FixedModel,
} from "../model/integer-model.ts";
import type { StepInput } from "../../sim/reference.ts";
import {
  clearInputs,
  finishInputs,
  finishRun,
  portBuffer,
  prepareRun,
  recordStep,
  stepPopulation,
  weightExpShift,
  type FixedRun,
  type FixedRunOptions,
} from "./engine-common.ts";
import { fanOut } from "./fan-out.ts";
import type { PopulationStepper } from "./population-step.ts";
import { addWrapped24, wrap32, wrapSigned } from "./fixed-arith.ts";
import { convKernels } from "./wasm/conv-kernels.ts";

/** acc[o] = Σ_i x[i]·W[i][o]. */
function denseAll(s: DenseSynapse, x: Int32Array | Uint8Array, acc: Float64Array, everyInput: boolean): void {
  const { inSize: I, outSize: O, weights: W } = s;
  for (let i = 0; i < I; i++) {
    const xi = x[i]!;
    if (xi === 0 && !everyInput) continue;
    const row = i * O;
    if (xi === 1) for (let o = 0; o < O; o++) acc[o] += W[row + o]!;
    else for (let o = 0; o < O; o++) acc[o] += xi * W[row + o]!;
  }
}

/** acc[i] = x[i]·W[i]. */
function diagonalAll(s: DiagonalSynapse, x: Int32Array | Uint8Array, acc: Float64Array): void {
  const W = s.weights;
  for (let i = 0; i < s.size; i++) acc[i] += x[i]! * W[i]!;
}

/** A conv synapse's shapes, strides, dilation and padding, by name. */
function convDims(s: ConvSynapse) {
  const [H, W, C] = s.inShape;
  const [OH, OW, CO] = s.outShape;
  const [KH, KW, KI] = s.kernelShape;
  const [sh, sw] = s.strides;
  const [dh, dw] = s.dilation;
  const [pt, , pl] = s.pads;
  return { H, W, C, OH, OW, CO, KH, KW, KI, sh, sw, dh, dw, pt, pl, coPerG: CO / s.groups };
}

/** The channels that are not 0 of each of `pixels` pixels of C channels: nz[first[p] .. first[p + 1]]. */
function nonzeroChannels(x: Int32Array | Uint8Array, pixels: number, C: number): { first: Int32Array; nz: Int32Array } {
  const first = new Int32Array(pixels + 1);
  let count = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) count++;
  const nz = new Int32Array(count);
  count = 0;
  for (let p = 0; p < pixels; p++) {
    first[p] = count;
    for (let c = 0; c < C; c++) if (x[p * C + c] !== 0) nz[count++] = c;
  }
  first[pixels] = count;
  return { first, nz };
}

/**
 * Cross-correlation gathered per output pixel: for each kernel tap, the input pixel's channels that
 * are not 0 (listed once per call) each add their kernel row over the output channels of their
 * group (a binary spike, 1, adds the row as it is: no multiply). Every sum is of integer products,
 * exact in float64 in any order.
 */
function convAll(s: ConvSynapse, x: Int32Array | Uint8Array, acc: Float64Array): void {
  const { H, W, C, OH, OW, CO, KH, KW, KI, sh, sw, dh, dw, pt, pl, coPerG } = convDims(s);
  const K = s.kernel;
  const { first, nz } = nonzeroChannels(x, H * W, C);
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      const obase = (oy * OW + ox) * CO;
      for (let ky = 0; ky < KH; ky++) {
        const iy = oy * sh + ky * dh - pt;
        if (iy < 0 || iy >= H) continue;
        for (let kx = 0; kx < KW; kx++) {
          const ix = ox * sw + kx * dw - pl;
          if (ix < 0 || ix >= W) continue;
          const p = iy * W + ix;
          const tap = (ky * KW + kx) * KI;
          for (let j = first[p]!; j < first[p + 1]!; j++) {
            const c = nz[j]!;
            const g = Math.floor(c / KI);
            const xv = x[p * C + c]!;
            const krow = (tap + c - g * KI) * CO;
            const co0 = g * coPerG;
            const stop = obase + co0 + coPerG;
            // one index per array, stepped together (faster in V8 than obase + co)
            if (xv === 1) for (let o = obase + co0, k = krow + co0; o < stop; o++, k++) acc[o] += K[k]!;
            else for (let o = obase + co0, k = krow + co0; o < stop; o++, k++) acc[o] += xv * K[k]!;
          }
        }
      }
    }
  }
}

/** Cross-correlation gathered per output neuron over its kernel taps, every input multiplied in (the dense form). */
function convAllDense(s: ConvSynapse, x: Int32Array | Uint8Array, acc: Float64Array): void {
  const { H, W, C, OH, OW, CO, KH, KW, KI, sh, sw, dh, dw, pt, pl, coPerG } = convDims(s);
  const K = s.kernel;
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      for (let co = 0; co < CO; co++) {
        const g = Math.floor(co / coPerG);
        let sum = 0;
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * sh + ky * dh - pt;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < KW; kx++) {
            const ix = ox * sw + kx * dw - pl;
            if (ix < 0 || ix >= W) continue;
            for (let k = 0; k < KI; k++) {
              sum += x[(iy * W + ix) * C + g * KI + k]! * K[((ky * KW + kx) * KI + k) * CO + co]!;
            }
          }
        }
        acc[(oy * OW + ox) * CO + co] = sum;
      }
    }
  }
}

export interface SteppedRunOptions extends FixedRunOptions {
  /**
   * Every connection at every step, every input multiplied in: nothing left out for being 0. The
   * plainest form of the engine, the same results; a witness for the others in tests, and the
   * dense time-stepping bench/engines.ts compares the event-driven engine with.
   */
  dense?: boolean;
  /** Called after each step n (from 1) with every population's stepper (model order), its state that step's. */
  onStep?: (n: number, steppers: readonly PopulationStepper[]) => void;
}

export function runFixedStepped(model: FixedModel, input: StepInput, opts: SteppedRunOptions = {}): FixedRun {
  const prep = prepareRun(model, input, opts);
  const { steps, columns, pops } = prep;
  const T = model.timesteps;
  const n0 = columns[0]!.length;
  const zeros = new Int32Array(n0);
  // outputs[id][n % R] = the source's output at Lava step n (n = 0: nothing yet); R covers the longest delay.
  const R = prep.maxDelay + 2;
  const outputs = new Map<string, (Int32Array | Uint8Array)[]>();
  outputs.set(model.input.id, [zeros]);
  for (const pp of pops) outputs.set(pp.pop.id, [new Uint8Array(populationSize(pp.pop))]);
  const scratch = new Map<string, Float64Array>();
  const fans = new Map<string, Int32Array>();
  for (const c of model.connections) {
    scratch.set(c.id, new Float64Array(populationSize(pops.find((p) => p.pop.id === c.to)!.pop)));
    fans.set(c.id, fanOut(c.synapse));
  }
  const { stats } = prep;
  const simd = opts.simd === false || opts.dense ? undefined : convKernels(model);
  const steppers = pops.map((pp) => pp.stepper);
  for (let n = 1; n <= steps; n++) {
    outputs.get(model.input.id)![n % R] = n - 1 < T ? columns[n - 1]! : zeros;
    for (const pp of pops) {
      clearInputs(pp);
      for (const c of pp.incoming) {
        const src = n - 1 - c.delay;
        if (src < 1) continue;
        const x = outputs.get(c.from)![src % R]!;
        const fan = fans.get(c.id)!;
        // without a branch on each input (spikes are random: it would mispredict)
        let syn = 0;
        let nonzero = 0;
        for (let i = 0; i < x.length; i++) {
          const on = +(x[i] !== 0);
          nonzero += on;
          syn += on * fan[i]!;
        }
        if (nonzero === 0 && !opts.dense) continue;
        stats.synapticEvents += syn;
        if (c.from === model.input.id) stats.inputSynapticEvents += syn;
        const dst = portBuffer(pp, c);
        const kernel = c.synapse.kind === "conv" ? simd?.get(c.synapse) : undefined;
        if (kernel) {
          addWrapped24(dst, kernel.gather(x));
          continue;
        }
        const acc = scratch.get(c.id)!;
        acc.fill(0);
        if (c.synapse.kind === "dense" || c.synapse.kind === "diagonal") {
          if (c.synapse.kind === "dense") denseAll(c.synapse, x, acc, !!opts.dense);
          else diagonalAll(c.synapse, x, acc);
          for (let o = 0; o < acc.length; o++) dst[o] += wrap32(weightExpShift(acc[o]!, c.weightExp));
        } else {
          if (opts.dense) convAllDense(c.synapse, x, acc);
          else convAll(c.synapse, x, acc);
          for (let o = 0; o < acc.length; o++) dst[o] += wrapSigned(acc[o]!, 24);
        }
      }
      finishInputs(pp);
    }
    for (const pp of pops) {
      const { out, count } = stepPopulation(pp, n);
      stats.spikes += count;
      outputs.get(pp.pop.id)![n % R] = out;
      recordStep(pp, n, out, prep.record);
    }
    opts.onStep?.(n, steppers);
  }
  return finishRun("stepped", prep);
}
