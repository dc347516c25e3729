/**
 * Random small models for the property tests, in two tiers:
 *
 * - "exact": every parameter and input is a dyadic rational with few bits (multiples of 1/8,
 *   sqrt(σ²+ε) a power of two, decays 1/4..1) and, where a fold divides by a scale, that scale is
 *   ± a power of two. Then every float64 operation of both the reference and the folded model is
 *   exact, so the two must agree on every spike with no tolerance at all — including exact ties
 *   h = θ, which this tier produces on purpose (it checks that gt/ge survive every fold).
 * - "float": generic reals (i/999983 scaled), so rounding differs between the reference and the
 *   folded model by a few ulps. A spike can then only flip where the reference's margin |m − θ|
 *   is that small: cases with a reference margin below NEAR_TIE are discarded (fc.pre) and
 *   counted, every other case must agree exactly.
 */
import fc from "fast-check";
import type { Graph, IRNode, MPBN } from "../../src/ir/nodes.ts";
import { inputNode } from "../../src/ir/graph.ts";
import { inferShapes } from "../../src/ir/shapes.ts";
import { size, tensor, type Tensor } from "../../src/ir/tensor.ts";
import type { StepInput } from "../../src/sim/reference.ts";
import { NEAR_TIE } from "../../src/verify/compare.ts";
import type { VerifyReport } from "../../src/verify/report.ts";
import * as b from "./ir-builder.ts";
import { Rng } from "./rng.ts";

export type Tier = "exact" | "float";

const N = 999983; // a prime: i/N is not dyadic, so float-tier arithmetic rounds

export class Src extends Rng {
  /** `seed` drives the tests' seeded stream (rng.ts); fast-check supplies and reports the seed. */
  constructor(
    seed: number,
    readonly tier: Tier,
  ) {
    super(seed);
  }

  /** A real in [−m, m]: multiples of 1/8 (exact tier) or i/N·m (float tier). */
  real(m: number): number {
    return this.tier === "exact" ? this.int(-Math.round(m * 8), Math.round(m * 8)) / 8 : (this.int(-N, N) / N) * m;
  }

  /** A real in [lo, hi]. */
  range(lo: number, hi: number): number {
    return this.tier === "exact"
      ? lo + this.int(0, Math.round((hi - lo) * 8)) / 8
      : lo + ((hi - lo) * this.int(0, N)) / N;
  }

  array(n: number, m: number): Float64Array {
    return Float64Array.from({ length: n }, () => this.real(m));
  }

  tensor(shape: number[], m: number): Tensor {
    return tensor(shape, this.array(size(shape), m));
  }

  /** Inputs: analog in [0, 1] (multiples of 1/4 in the exact tier) or binary spikes per step. */
  inputs(g: Graph, count: number): StepInput[] {
    const n = size(inputNode(g).inputShape);
    const out: StepInput[] = [];
    for (let k = 0; k < count; k++) {
      if (g.meta.encoding === "spikes") {
        out.push(
          Array.from({ length: g.meta.timesteps }, () =>
            Float64Array.from({ length: n }, () => (this.bool(0.4) ? 1 : 0)),
          ),
        );
      } else if (this.tier === "exact") {
        out.push(Float64Array.from({ length: n }, () => this.int(0, 4) / 4));
      } else {
        out.push(Float64Array.from({ length: n }, () => this.int(0, N) / N));
      }
    }
    return out;
  }

  /**
   * BN-style statistics for C channels with γ of every sign including 0. `pow2`: in the exact
   * tier k = γ/sqrt(σ²+ε) is 0 or ± a power of two (for folds that divide by k or scale an average).
   */
  norm(
    C: number,
    o: { pow2?: boolean } = {},
  ): { gamma: Tensor; beta: Tensor; mean: Tensor; variance: Tensor; epsilon: number; k: Float64Array } {
    const gamma = new Float64Array(C);
    const variance = new Float64Array(C);
    let epsilon: number;
    if (this.tier === "exact") {
      epsilon = 1 / 256;
      const gs = o.pow2
        ? [0, 0.5, -0.5, 1, -1, 2, -2]
        : [0, 0.25, -0.25, 0.5, -0.5, 0.75, -0.75, 1, -1, 1.5, -1.5, 2, -2];
      for (let c = 0; c < C; c++) {
        gamma[c] = this.pick(gs);
        const s = this.pick([0.5, 1, 2]);
        variance[c] = s * s - epsilon;
      }
    } else {
      epsilon = this.pick([1e-5, 1e-3]);
      for (let c = 0; c < C; c++) {
        gamma[c] = this.bool(0.15) ? 0 : this.real(2);
        variance[c] = this.range(0.05, 3);
      }
    }
    const k = gamma.map((g, c) => g / Math.sqrt(variance[c]! + epsilon));
    return {
      gamma: tensor([C], gamma),
      beta: tensor([C], this.array(C, 1)),
      mean: tensor([C], this.array(C, 1)),
      variance: tensor([C], variance),
      epsilon,
      k,
    };
  }

  /**
   * MPBN over a layer of shape S, per channel or per element, with k = γ/sqrt(σ²+ε) of every sign
   * and 0 (in the exact tier 0 or ± a power of two).
   */
  mpbn(S: number[]): MPBN {
    const mode = this.pick(["channel", "element"] as const);
    const count = mode === "channel" ? S[S.length - 1]! : size(S);
    const p = this.norm(count, { pow2: true });
    const shape = mode === "channel" ? [count] : S;
    return {
      mode,
      gamma: tensor(shape, p.gamma.data),
      beta: tensor(shape, p.beta.data),
      mean: tensor(shape, p.mean.data),
      variance: tensor(shape, p.variance.data),
      epsilon: p.epsilon,
    };
  }

  /** Random neuron settings: gt/ge, hard/soft, decay, θ (scalar or per channel), v_reset ≠ 0 sometimes, MT planes. */
  neuronOpts(shape: number[], o: { mt?: boolean } = {}): b.NeuronOpts {
    const C = shape[shape.length - 1]!;
    const theta = this.tier === "exact" ? this.pick([0.25, 0.5, 0.75, 1, 1.25, 1.5, 2]) : this.range(0.1, 2);
    const decay = this.tier === "exact" ? this.pick([0.25, 0.5, 0.75, 1]) : this.bool(0.25) ? 1 : this.range(0.05, 1);
    const perChannel = this.bool(0.2);
    const threshold = perChannel
      ? tensor(
          [C],
          Float64Array.from({ length: C }, () => theta + this.range(0, 1)),
        )
      : tensor([], [theta]);
    const soft = this.bool();
    const vReset = !soft && this.bool(0.4) ? this.real(0.5) : 0;
    const opts: b.NeuronOpts = {
      theta,
      decay: decay > 0 ? decay : 0.25,
      fire: this.bool() ? "ge" : "gt",
      reset: soft ? "soft" : "hard",
      threshold,
      vReset: tensor([], [vReset]),
      resetAmount: threshold,
    };
    if (o.mt && this.bool(0.5)) {
      const n = this.int(1, 3);
      const deltas = Array.from({ length: n }, () => this.real(0.75) || 0.25);
      opts.model = "MT-LIF";
      opts.deltas = deltas;
      opts.planeThresholds = deltas.map((d) =>
        tensor(
          threshold.shape,
          threshold.data.map((v) => v + d),
        ),
      );
    }
    return opts;
  }
}

/** A graph under construction that knows the shape of every node added so far. */
export class ModelBuilder {
  readonly nodes: IRNode[] = [];
  private shapes = new Map<string, number[]>();
  private count = 0;

  constructor(readonly s: Src) {}

  shape(id: string): number[] {
    return this.shapes.get(id)!;
  }

  id(base: string): string {
    return `${base}${++this.count}`;
  }

  add<T extends IRNode>(n: T): string {
    this.nodes.push(n);
    const g = inferShapes({
      name: "gen",
      meta: { timesteps: 1, encoding: "direct" },
      nodes: this.nodes,
      outputs: [n.id],
    });
    for (const x of g.nodes) this.shapes.set(x.id, x.shape!);
    return n.id;
  }

  input(): string {
    const s = this.s;
    return this.add(b.input("x", [s.int(2, 4), s.int(2, 4), s.int(1, 2)]));
  }

  flatInput(): string {
    return this.add(b.input("x", [this.s.int(2, 8)]));
  }

  /** A conv (random kernel 1..3, same/valid, stride 1..2, bias or not) with `cout` outputs. */
  conv(inp: string, cout = this.s.int(1, 3), o: { same?: boolean } = {}): string {
    const s = this.s;
    const [H, W, C] = this.shape(inp) as [number, number, number];
    const kh = s.int(1, Math.min(3, H));
    const kw = s.int(1, Math.min(3, W));
    return this.add(
      b.conv(this.id("conv"), inp, s.tensor([kh, kw, C, cout], 1), {
        bias: s.bool(0.7) ? s.tensor([cout], 0.5) : undefined,
        padding: o.same ? "same" : s.pick(["same", "valid"] as const),
        strides: o.same ? [1, 1] : [s.int(1, 2), s.int(1, 2)],
      }),
    );
  }

  dense(inp: string, out = this.s.int(1, 4)): string {
    const I = this.shape(inp)[0]!;
    return this.add(
      b.dense(
        this.id("dense"),
        inp,
        this.s.tensor([I, out], 1),
        this.s.bool(0.7) ? this.s.tensor([out], 0.5) : undefined,
      ),
    );
  }

  /** conv, or flatten + dense, on a spatial input; dense on a flat one. */
  linear(inp: string): string {
    if (this.shape(inp).length === 1) return this.dense(inp);
    return this.s.bool(0.7) ? this.conv(inp) : this.dense(this.add(b.flatten(this.id("flat"), inp)));
  }

  /** Two same-padded convs with 1..3 outputs each, added. */
  residual(inp: string): string {
    const C = this.s.int(1, 3);
    return this.add(b.add(this.id("add"), this.conv(inp, C, { same: true }), this.conv(inp, C, { same: true })));
  }

  neuron(inp: string, o: b.NeuronOpts = {}): string {
    return this.add(b.neuron(this.id("n"), inp, { ...this.s.neuronOpts(this.shape(inp), { mt: true }), ...o }));
  }

  pool(inp: string, op: "avgpool" | "maxpool" | "sumpool"): string {
    const [H, W] = this.shape(inp) as [number, number, number];
    const padding = H < 2 || W < 2 ? "same" : this.s.pick(["same", "valid"] as const);
    return this.add(b.pool(this.id(op), op, inp, [2, 2], [this.s.int(1, 2), this.s.int(1, 2)], padding));
  }

  readout(inp: string): string {
    return this.add(b.readout(this.id("out"), inp, this.s.pick(["mean", "sum"] as const)));
  }

  build(outputs?: string[]): Graph {
    const T = this.s.int(2, 5);
    return inferShapes({
      name: "gen",
      meta: { timesteps: T, encoding: this.s.bool(0.3) ? "spikes" : "direct" },
      nodes: this.nodes,
      outputs: outputs ?? [this.nodes[this.nodes.length - 1]!.id],
    });
  }
}

/** Tallies of a property run, printed by the tests (how many near-ties were discarded, spikes seen). */
export interface Tally {
  cases: number;
  nearTieSkips: number;
  spikes: number;
  exactTies: number;
}

export function newTally(): Tally {
  return { cases: 0, nearTieSkips: 0, spikes: 0, exactTies: 0 };
}

/**
 * The property shared by every pass: the folded model fires exactly the reference's spikes.
 * Float tier: a reference margin below NEAR_TIE makes the case inadmissible (fc.pre).
 */
/**
 * A lowering compared in either tier (its scalings are not dyadic, so an exact tie may round either
 * way): counts the case and its spikes; false for a case with a reference margin below NEAR_TIE
 * (counted as skipped), which is then not compared.
 */
export function comparedUnlessNearTie(r: VerifyReport, tally: Tally): boolean {
  tally.cases++;
  for (const l of r.perLayer) tally.spikes += l.refSpikes;
  if (r.minMargin !== null && r.minMargin < NEAR_TIE) {
    tally.nearTieSkips++;
    return false;
  }
  return true;
}

export function admissible(r: VerifyReport, tier: Tier, tally: Tally): void {
  tally.cases++;
  for (const l of r.perLayer) tally.spikes += l.refSpikes;
  if (r.minMargin === 0) tally.exactTies++;
  if (tier === "float" && r.minMargin !== null && r.minMargin < NEAR_TIE) {
    tally.nearTieSkips++;
    fc.pre(false);
  }
}
