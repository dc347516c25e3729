/**
 * Random integer models for properties of the engines and placement: 1..4 populations of every
 * kind in a chain with skips, self connections and delays; dense / diagonal / conv synapses (groups,
 * strides, dilation, padding), weight exponents, gain stages; binary or graded input, direct or
 * spike encoded; small and wrap-sized values.
 */
import type {
  ConvSynapse,
  FixedConnection,
  FixedInput,
  FixedModel,
  FixedPopulation,
  Synapse,
} from "../../src/loihi/model/integer-model.ts";
import type { StepInput } from "../../src/sim/reference.ts";
import { conn, pop } from "./fixed-builder.ts";
import { Rng } from "./rng.ts";

type Shape = [number, number, number];

/** A conv from `from` (shape s) with random geometry; its output shape follows. */
function randomConv(r: Rng, s: Shape, big: boolean): ConvSynapse {
  const [H, W, C] = s;
  const groups = C > 1 && r.bool(0.3) ? C : 1;
  const KI = C / groups;
  const CO = groups * r.int(1, 2);
  const kh = r.int(1, Math.min(3, H));
  const kw = r.int(1, Math.min(3, W));
  const dilation: [number, number] = [r.bool(0.2) && H >= 2 * kh ? 2 : 1, r.bool(0.2) && W >= 2 * kw ? 2 : 1];
  const strides: [number, number] = [r.int(1, 2), r.int(1, 2)];
  const pads: [number, number, number, number] = [r.int(0, 1), r.int(0, 1), r.int(0, 1), r.int(0, 1)];
  const OH = Math.floor((H + pads[0] + pads[1] - (kh - 1) * dilation[0] - 1) / strides[0]) + 1;
  const OW = Math.floor((W + pads[2] + pads[3] - (kw - 1) * dilation[1] - 1) / strides[1]) + 1;
  const wmax = big ? 40000 : 120;
  return {
    kind: "conv",
    inShape: s,
    outShape: [OH, OW, CO],
    kernelShape: [kh, kw, KI, CO],
    kernel: Int32Array.from({ length: kh * kw * KI * CO }, () => (r.bool(0.15) ? 0 : r.int(-wmax, wmax))),
    strides,
    pads,
    dilation,
    groups,
  };
}

function randomDense(r: Rng, I: number, O: number, big: boolean): Synapse {
  const wmax = big ? 2 ** 24 : 200;
  return {
    kind: "dense",
    inSize: I,
    outSize: O,
    weights: Int32Array.from({ length: I * O }, () => (r.bool(0.2) ? 0 : r.int(-wmax, wmax))),
  };
}

function randomPopulation(r: Rng, id: string, shape: number[], depth: number, N: number): FixedPopulation {
  const n = shape.reduce((a, b) => a * b, 1);
  const kind = r.pick(["lif", "lif", "lif", "multi-threshold", "atrlif", "integrator"] as const);
  const base: Partial<FixedPopulation> & { depth: number } = {
    depth,
    kind,
    du: r.pick([0, 4095, r.int(0, 4095)]),
    dv: r.pick([0, r.int(0, 4095)]),
    vth: r.int(1, 300),
    biasMant: Int32Array.from({ length: n }, () => r.int(-40, 40)),
    biasExp: r.int(0, 7),
    resetOffset: r.int(0, N),
    resetInterval: r.pick([N, r.int(1, N)]),
  };
  if (r.bool(0.3)) base.v0 = Int32Array.from({ length: n }, () => r.int(-5000, 5000));
  if (kind === "integrator") Object.assign(base, { vth: 131071, readout: { mode: r.pick(["mean", "sum"] as const) } });
  if (kind === "atrlif") {
    const v0 = r.int(-500, 500);
    Object.assign(base, { dr: r.int(0, 4095), v0: new Int32Array(n).fill(v0) });
  }
  if (kind === "multi-threshold") {
    const planes = r.int(1, 4);
    base.thresholds = Array.from({ length: planes }, () => Int32Array.from({ length: n }, () => r.int(-2000, 20000)));
    const reset = r.int(0, 2);
    if (reset === 1) base.resetAmount = Int32Array.from({ length: n }, () => r.int(0, 30000));
    if (reset === 2) base.resetValue = Int32Array.from({ length: n }, () => r.int(-3000, 3000));
  }
  if (kind !== "integrator" && r.bool(0.15)) base.gainStage = { exp: r.int(0, 8) };
  return pop(id, shape, base, N);
}

/** A random model: 1..4 populations in a chain with skips, self connections and delays. */
export function randomFixedModel(seed: number): { m: FixedModel; x: StepInput } {
  const r = new Rng(seed);
  const big = r.bool(0.25);
  const T = r.int(1, 5);
  const conv = r.bool(0.6);
  const inShape: Shape = conv ? [r.int(2, 5), r.int(2, 5), r.int(1, 3)] : [1, 1, r.int(1, 8)];
  const graded = r.bool(0.5);
  const direct = r.bool(0.5);
  const input: FixedInput = {
    id: "in",
    shape: conv ? inShape : [inShape[2]],
    kind: graded ? "graded" : "binary",
    messageBits: graded ? 8 : 0,
    scale: graded ? (big ? 2 ** 16 : 255) : 1,
    min: graded ? (r.bool(0.5) ? 0 : -128) : 0,
    max: graded ? (big ? 2 ** 16 : 255) : 1,
    encoding: direct ? "direct" : "spikes",
  };
  const depthCount = r.int(1, 4);
  const N = T + depthCount + r.int(0, 2);
  const pops: FixedPopulation[] = [];
  const conns: FixedConnection[] = [];
  const shapes = new Map<string, number[]>([["in", input.shape]]);
  let prev = "in";
  let prevShape: number[] = input.shape;
  for (let d = 1; d <= depthCount; d++) {
    const id = `p${d}`;
    let syn: Synapse;
    if (prevShape.length === 3 && r.bool(0.7)) syn = randomConv(r, prevShape as Shape, big);
    else {
      const I = prevShape.reduce((a, b) => a * b, 1);
      syn = randomDense(r, I, r.int(1, 6), big);
    }
    const shape = syn.kind === "conv" ? syn.outShape : syn.kind === "dense" ? [syn.outSize] : [syn.size];
    const p = randomPopulation(r, id, shape, d, N);
    pops.push(p);
    shapes.set(id, shape);
    const n = shape.reduce((a, b) => a * b, 1);
    const port = p.gainStage ? { port: "gated" as const } : {};
    const ex = syn.kind === "dense" ? { weightExp: r.int(-4, 3) } : {};
    conns.push(conn(`${prev}>${id}`, prev, id, syn, { delay: r.pick([0, 0, r.int(0, 3)]), ...ex, ...port }));
    if (p.gainStage) {
      // the gain port: a dense synapse from the previous source (any sign)
      const I = prevShape.reduce((a, b) => a * b, 1);
      conns.push(conn(`${prev}>${id}/gain`, prev, id, randomDense(r, I, n, false), { port: "gain" }));
    }
    if (r.bool(0.25)) {
      conns.push(
        conn(`${id}/self`, id, id, {
          kind: "diagonal",
          size: n,
          weights: Int32Array.from({ length: n }, () => r.int(-300, 300)),
        }),
      );
    }
    if (d > 1 && r.bool(0.3)) {
      // a skip from two layers back (or the input)
      const from = d === 2 ? "in" : `p${d - 2}`;
      const I = shapes.get(from)!.reduce((a, b) => a * b, 1);
      conns.push(conn(`${from}>${id}/skip`, from, id, randomDense(r, I, n, big), { delay: r.int(0, 2), ...port }));
    }
    prev = id;
    prevShape = shape;
  }
  const m: FixedModel = {
    name: "r",
    target: "loihi2",
    timesteps: T,
    runSteps: N,
    input,
    populations: pops,
    connections: conns,
    outputs: [pops[pops.length - 1]!.id],
  };
  const n0 = input.shape.reduce((a, b) => a * b, 1);
  const column = () =>
    Float64Array.from({ length: n0 }, () => {
      if (!graded) return r.bool(0.4) ? 1 : 0;
      return r.bool(0.3) ? 0 : r.uniform(input.min, input.max) / input.scale;
    });
  return { m, x: direct ? column() : Array.from({ length: T }, column) };
}
