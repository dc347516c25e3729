/**
 * Whether a sample on which the integer model's readout argmax differs from the float model's is
 * a tie within the quantisation bound (docs/VERIFY.md, "Ties"). The float model decides class a
 * with readout F, the integer model class b.
 *
 * 1. Replay. The float model (the lowered graph, which computes the model as written exactly) runs
 *    again with every spiking neuron's output imposed to be the integer model's, its reset
 *    following. At every neuron and step it then receives the same spikes and has made the same
 *    decisions as the integer neuron, so rounding alone separates the two membranes: by at most
 *    ε (src/loihi/ties/rounding-bound.ts).
 * 2. Departures. Where the integer decision differs from the float neuron's own decision on that
 *    replay, the departure is within the rounding bound when the float membrane lies within ε of
 *    the threshold: |h − θ|·vScale ≤ ε + 1 (+1: the integer compare's granularity). A departure
 *    beyond it is not rounding (a wrong integer, an engine fault): the sample is not a tie.
 * 3. The bound. The replay's readout F' is the float readout of the integer model's spikes, so the
 *    integer readout differs from it only by its own rounding, at most E per class. The bound is
 *    B = (F_a − F_b) − (F'_a − F'_b) + E_a + E_b, the change the departures make to the float
 *    margin plus the readout's rounding; the sample is a tie when every departure is within the
 *    rounding bound and F_a − F_b ≤ B (that is, F'_a − F'_b ≤ E_a + E_b).
 *
 * The replay stands for the model as written only where the lowered graph computes it exactly:
 * with a static approximation (--temporal-norm approx) the lowered graph's readout differs from
 * the float model's, and no disagreement is a tie.
 */
import type { Graph } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { size } from "../../ir/tensor.ts";
import { simulate, type StepInput } from "../../sim/reference.ts";
import type { TieJudgement } from "../../verify/agreement.ts";
import type { LoihiBuild } from "../build.ts";
import { populationSize, type FixedModel, type FixedPopulation } from "../model/integer-model.ts";
import type { FixedRun } from "../sim/engine-common.ts";
import { accumulate, roundingBounds, type RoundingFacts } from "./rounding-bound.ts";

/** What the judge needs of a Loihi build: the lowered float graph, the integer model, the quantiser's facts. */
export interface TieContext {
  graph: Graph;
  model: FixedModel;
  facts: RoundingFacts;
}

/** The judge's context for build `b` and its integer model `m` (b's, possibly re-timed). */
export function tieContext(b: Pick<LoihiBuild, "graph" | "quant">, m: FixedModel): TieContext {
  return {
    graph: b.graph.nodes.every((n) => n.shape) ? b.graph : inferShapes(b.graph),
    model: m,
    facts: {
      real: new Map(b.quant.realConnections.map((c) => [c.id, c] as const)),
      populations: new Map(b.quant.populations.map((p) => [p.id, p] as const)),
    },
  };
}

/** A spiking layer of the integer model: its copies (a layer split by scale) and, per neuron, the copy that holds it. */
interface Layer {
  id: string;
  copies: FixedPopulation[];
  owner: Int32Array;
}

/** The neurons of p that have a bias or a nonzero synapse (a split layer's copy holds only those). */
function held(m: FixedModel, p: FixedPopulation): Uint8Array {
  const n = populationSize(p);
  const sum = new Float64Array(n);
  for (const c of m.connections) {
    if (c.to !== p.id) continue;
    const from = m.populations.find((q) => q.id === c.from);
    const ones = new Float64Array(from ? populationSize(from) : size(m.input.shape)).fill(1);
    const s = c.synapse;
    accumulate(
      s.kind === "conv" ? { ...s, kernel: s.kernel.map(Math.abs) } : { ...s, weights: s.weights.map(Math.abs) },
      ones,
      sum,
    );
  }
  return Uint8Array.from(sum, (v, i) => (v > 0 || p.biasMant[i] !== 0 ? 1 : 0));
}

function layersOf(m: FixedModel, graph: Graph): Layer[] {
  const sizes = new Map(graph.nodes.filter((n) => n.op === "neuron").map((n) => [n.id, size(n.shape!)] as const));
  const layers = new Map<string, Layer>();
  for (const p of m.populations) {
    if (p.kind === "pulse" || p.kind === "integrator" || sizes.get(p.source) !== populationSize(p)) continue;
    const l = layers.get(p.source) ?? { id: p.source, copies: [], owner: new Int32Array(populationSize(p)) };
    l.copies.push(p);
    layers.set(p.source, l);
  }
  for (const l of layers.values()) {
    if (l.copies.length < 2) continue;
    const h = l.copies.map((p) => held(m, p));
    for (let i = 0; i < l.owner.length; i++)
      l.owner[i] = Math.max(
        0,
        h.findIndex((x) => x[i] === 1),
      );
  }
  return [...layers.values()];
}

/** The integer model's outputs of a layer (copies summed) per reference step, as imposed outputs (neuron → output). */
function imposed(l: Layer, run: FixedRun, T: number): Map<number, number>[] {
  return Array.from({ length: T }, (_, t) => {
    const out = new Map<number, number>();
    for (let i = 0; i < l.owner.length; i++) out.set(i, 0);
    for (const p of l.copies) {
      const o = run.spikes.get(p.id)![t + p.depth];
      if (o) for (let i = 0; i < o.length; i++) if (o[i]) out.set(i, out.get(i)! + o[i]!);
    }
    return out;
  });
}

/**
 * The judgement of one sample: `x` its input, `run` the integer model's time-stepped run (with
 * state), `readout` the readout compared, `F` the float model's readout, a and b the two argmaxes.
 */
export function judgeTie(
  ctx: TieContext,
  x: StepInput,
  run: FixedRun,
  readout: string,
  F: ArrayLike<number>,
  a: number,
  b: number,
): TieJudgement {
  const { graph, model: m, facts } = ctx;
  const T = m.timesteps;
  const margin = F[a]! - F[b]!;
  const F0 = simulate(graph, x, { timesteps: T, record: false }).readouts.get(readout);
  const scale = Math.max(1, ...Array.from(F, Math.abs));
  if (!F0 || Array.from(F, (v, i) => Math.abs(v - F0[i]!)).some((d) => d > 1e-9 * scale))
    return { tie: false, margin, bound: 0, departures: 0, beyondBound: 0, inexact: true };
  const layers = layersOf(m, graph);
  const outs = new Map(layers.map((l) => [l.id, imposed(l, run, T)] as const));
  const departed: { layer: Layer; t: number; i: number }[] = [];
  const byId = new Map(layers.map((l) => [l.id, l] as const));
  const replay = simulate(graph, x, {
    timesteps: T,
    margin: true,
    force: (l, t) => outs.get(l)?.[t],
    onForced: (l, t, i) => departed.push({ layer: byId.get(l)!, t, i }),
  });
  const eps = roundingBounds(m, facts, x, run);
  const beyond = departed
    .map(({ layer, t, i }) => {
      const p = layer.copies[layer.owner[i]!]!;
      const marginV = replay.traces.get(layer.id)!.margin![t]![i]! * p.vScale[i]!;
      return { layer: layer.id, t, i, marginV, eps: eps.get(p.id)![t + p.depth]![i]! };
    })
    .filter((d) => d.marginV > d.eps + 1);
  const Fp = replay.readouts.get(readout)!;
  const ro = m.populations.find((p) => p.kind === "integrator" && p.source === readout)!;
  const div = ro.readout?.mode === "mean" ? T : 1;
  const eRo = eps.get(ro.id)![Math.min(run.steps, ro.depth + T) - 1]!;
  const slack = (eRo[a]! / ro.vScale[a]! + eRo[b]! / ro.vScale[b]!) / div;
  const replayMargin = Fp[a]! - Fp[b]!;
  const first = beyond[0];
  return {
    tie: beyond.length === 0 && replayMargin <= slack,
    margin,
    bound: margin - replayMargin + slack,
    departures: departed.length,
    beyondBound: beyond.length,
    ...(first
      ? {
          firstBeyond: `'${first.layer}' neuron ${first.i} at step ${first.t + 1}: ${first.marginV.toFixed(1)} from the threshold, rounding bound ${first.eps.toFixed(1)} (v units)`,
        }
      : {}),
  };
}
