/**
 * Property: random BNTT / TEBN / TAB layers lowered by schedule-temporal-norm give exactly the
 * spikes of the model as written (norm node unfolded), at every layer, neuron and step.
 *
 * Random: norm kind, T and the steps the norm holds (T or more), conv or dense producer, the
 * chain to the neuron (direct, flatten, average or max pooling), the neuron (IF/LIF/MT-LIF with
 * 1-3 deltas of either sign, gt/ge, hard/soft, v_reset, a gain of either sign, a bias), and the
 * steps actually run (all, or fewer: early exit uses the first entries).
 *
 * "exact" tier: a_t are powers of two and everything else small dyadic rationals, so the
 * rescaled state w = v/a_t is computed without rounding and ties h = θ survive the rewrite
 * (the test requires that ties occurred). "float" tier: real-valued parameters and inputs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Graph, IRNode, NeuronNode } from "../../../src/ir/nodes.ts";
import { scalar, tensor, type Tensor } from "../../../src/ir/tensor.ts";
import { scheduleTemporalNorms } from "../../../src/passes/temporal/schedule-temporal-norm.ts";
import { simulate, type StepInput } from "../../../src/sim/reference.ts";
import * as b from "../../support/ir-builder.ts";
import { Rng } from "../../support/rng.ts";

const SEED = 0x7e_b0_2024;
const RUNS = { exact: 300, float: 250 };
const EPS = 2 ** -10;

type Tier = "exact" | "float";
type Kind = "bntt" | "tebn" | "tab";
type Chain = "direct" | "flatten" | "avgpool" | "maxpool" | "pool-flatten";
const CHAINS: Chain[] = ["direct", "flatten", "avgpool", "maxpool", "pool-flatten"];

const eighths = (r: Rng, lo: number, hi: number) => r.int(Math.ceil(lo * 8), Math.floor(hi * 8)) / 8;
const val = (r: Rng, tier: Tier, lo: number, hi: number) => (tier === "exact" ? eighths(r, lo, hi) : r.uniform(lo, hi));
const arr = <T>(n: number, f: () => T): T[] => Array.from({ length: n }, f);

/** σ² and the matching sqrt(σ² + ε): exact squares of dyadics in the exact tier. */
function variance(r: Rng, tier: Tier): { v: number; sd: number } {
  if (tier === "exact") {
    const sd = r.pick([0.5, 1, 2]);
    return { v: sd * sd - EPS, sd };
  }
  const v = r.uniform(0.2, 2);
  return { v, sd: Math.sqrt(v + EPS) };
}

/** A per-step scale a > 0: a power of two (exact) or a real in [0.3, 3]. */
const scale = (r: Rng, tier: Tier) => (tier === "exact" ? 2 ** r.int(-2, 2) : r.uniform(0.3, 3));

/** n variances σ² and gains γ = a·sqrt(σ² + ε), so that the norm scales by a per-step a (see `scale`). */
function scaledVariances(r: Rng, tier: Tier, n: number): { g: number[]; v: number[] } {
  const g: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = variance(r, tier);
    v.push(s.v);
    g.push(scale(r, tier) * s.sd);
  }
  return { g, v };
}

function norm(kind: Kind, r: Rng, tier: Tier, input: string, Tn: number, C: number): IRNode {
  const base = { timesteps: Tn, epsilon: EPS };
  if (kind === "bntt") {
    const { g, v } = scaledVariances(r, tier, Tn * C);
    return b.bntt("norm", input, {
      ...base,
      gamma: tensor([Tn, C], g),
      mean: tensor(
        [Tn, C],
        arr(Tn * C, () => val(r, tier, -0.5, 0.5)),
      ),
      variance: tensor([Tn, C], v),
    });
  }
  if (kind === "tebn") {
    const { g, v } = scaledVariances(r, tier, C);
    const pShape = r.next() < 0.5 ? [Tn] : [Tn, C];
    const p = tensor(
      pShape,
      arr(
        pShape.reduce((a, b) => a * b, 1),
        () => scale(r, tier),
      ),
    );
    return b.tebn("norm", input, {
      ...base,
      gamma: tensor([C], g),
      beta: tensor(
        [C],
        arr(C, () => val(r, tier, -0.5, 0.5)),
      ),
      mean: tensor(
        [C],
        arr(C, () => val(r, tier, -0.5, 0.5)),
      ),
      variance: tensor([C], v),
      p,
    });
  }
  const { g, v } = scaledVariances(r, tier, Tn * C);
  return b.tab("norm", input, {
    ...base,
    gammaHat: tensor([Tn, C], g),
    betaHat: tensor(
      [Tn, C],
      arr(Tn * C, () => val(r, tier, -0.5, 0.5)),
    ),
    meanAcc: tensor(
      [Tn, C],
      arr(Tn * C, () => val(r, tier, -0.5, 0.5)),
    ),
    varAcc: tensor([Tn, C], v),
  });
}

function neuron(r: Rng, tier: Tier, input: string, shape: number[]): NeuronNode {
  const C = shape[shape.length - 1]!;
  const theta = val(r, tier, 0.25, 1.5);
  const nDeltas = r.pick([0, 0, 1, 2, 3]);
  const perChannel = (f: () => number): Tensor => (r.next() < 0.5 ? scalar(f()) : tensor([C], arr(C, f)));
  return b.neuron("n", input, {
    model: nDeltas ? "MT-LIF" : "LIF",
    decay: tier === "exact" ? r.pick([1, 0.5, 0.75]) : r.uniform(0.3, 1),
    gain: perChannel(() => (tier === "exact" ? r.pick([1, 1, 0.5, 2, -1]) : r.pick([1, -1]) * r.uniform(0.3, 1.5))),
    bias: r.next() < 0.5 ? scalar(0) : perChannel(() => val(r, tier, -0.25, 0.25)),
    fire: r.pick(["gt", "ge"] as const),
    reset: r.pick(["hard", "soft"] as const),
    theta,
    vReset: scalar(r.next() < 0.6 ? 0 : val(r, tier, -0.5, 0.25)),
    planes: nDeltas
      ? arr(nDeltas, () => {
          const d = val(r, tier, -0.75, 1);
          return d === 0 ? 0.5 : d;
        })
      : undefined,
  });
}

interface Case {
  g: Graph;
  inputs: StepInput[];
  run: number;
  chain: Chain;
}

function makeCase(kind: Kind, seed: number, tier: Tier): Case {
  const r = new Rng(seed);
  const T = r.int(1, 6);
  const Tn = T + r.pick([0, 0, 2]);
  const spatial = r.next() < 0.6;
  const chain: Chain = spatial ? r.pick(CHAINS) : "direct";
  const C = r.int(1, 3);
  const nodes: IRNode[] = [];
  const H = 4;
  const Cin = r.int(1, 2);
  const F = r.int(2, 6);
  if (spatial) {
    nodes.push(b.input("x", [H, H, Cin]));
    const k = r.pick([1, 3]);
    nodes.push(
      b.conv(
        "lin",
        "x",
        tensor(
          [k, k, Cin, C],
          arr(k * k * Cin * C, () => val(r, tier, -0.75, 1)),
        ),
        {
          bias:
            r.next() < 0.5
              ? tensor(
                  [C],
                  arr(C, () => val(r, tier, -0.25, 0.5)),
                )
              : undefined,
        },
      ),
    );
  } else {
    nodes.push(b.input("x", [F]));
    nodes.push(
      b.dense(
        "lin",
        "x",
        tensor(
          [F, C],
          arr(F * C, () => val(r, tier, -0.75, 1)),
        ),
        tensor(
          [C],
          arr(C, () => val(r, tier, -0.25, 0.5)),
        ),
      ),
    );
  }
  nodes.push(norm(kind, r, tier, "lin", Tn, C));
  let last = "norm";
  if (chain === "flatten") {
    nodes.push(b.flatten("c1", last));
    last = "c1";
  }
  if (chain === "avgpool" || chain === "maxpool" || chain === "pool-flatten") {
    nodes.push(b.pool("c1", chain === "avgpool" ? "avgpool" : "maxpool", last));
    last = "c1";
  }
  if (chain === "pool-flatten") {
    nodes.push(b.flatten("c2", last));
    last = "c2";
  }
  const shaped = b.model(nodes, { name: "p", T, encoding: "spikes", outputs: [last] });
  const shape = shaped.nodes.find((n) => n.id === last)!.shape!;
  nodes.push(neuron(r, tier, last, shape));
  const flat = shape.length > 1;
  if (flat) nodes.push(b.flatten("flat", "n"));
  const size = shape.reduce((a, b) => a * b, 1);
  nodes.push(
    b.dense(
      "out",
      flat ? "flat" : "n",
      tensor(
        [size, 2],
        arr(size * 2, () => val(r, tier, -0.75, 1)),
      ),
    ),
  );
  nodes.push(b.readout("readout", "out", "sum"));
  const encoding = tier === "exact" || r.next() < 0.5 ? "spikes" : "direct";
  const g = b.graph(nodes, { name: `${kind}-${seed}`, T, encoding });
  const n = spatial ? H * H * Cin : F;
  const run = r.next() < 0.25 && T > 1 ? r.int(1, T - 1) : r.next() < 0.3 ? Tn : T;
  const inputs: StepInput[] = arr<StepInput>(2, () =>
    encoding === "spikes"
      ? arr(Tn, () => Float64Array.from(arr(n, () => (r.next() < 0.5 ? 1 : 0))))
      : Float64Array.from(arr(n, () => r.next())),
  );
  return { g, inputs, run, chain };
}

interface Tally {
  ties: number;
  spikes: number;
  planeSpikes: number;
  chains: Set<Chain>;
  fewer: number;
  more: number;
}

function check(kind: Kind, tier: Tier): Tally {
  const tally: Tally = { ties: 0, spikes: 0, planeSpikes: 0, chains: new Set(), fewer: 0, more: 0 };
  fc.assert(
    fc.property(fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff })), (seed) => {
      const { g, inputs, run, chain } = makeCase(kind, seed, tier);
      const s = scheduleTemporalNorms(g).graph;
      assert.ok(!s.nodes.some((n) => n.op === kind), "the norm survived");
      const n = s.nodes.find((x) => x.id === "n") as NeuronNode;
      assert.equal(n.schedule!.decay.length, (g.nodes.find((x) => x.id === "norm") as { timesteps: number }).timesteps);
      tally.chains.add(chain);
      if (run < g.meta.timesteps) tally.fewer++;
      if (run > g.meta.timesteps) tally.more++;
      for (const x of inputs) {
        const ref = simulate(g, x, { timesteps: run, margin: true });
        const got = simulate(s, x, { timesteps: run });
        const a = ref.traces.get("n")!;
        const b = got.traces.get("n")!;
        for (let t = 0; t < run; t++) {
          assert.deepEqual(b.out[t], a.out[t], `${kind}/${chain}: step ${t + 1} differs (seed ${seed})`);
          for (const m of a.margin![t]!) if (m === 0) tally.ties++;
          for (const v of a.out[t]!) {
            tally.spikes += v;
            if (v > 1) tally.planeSpikes++;
          }
        }
        const ro = ref.readouts.get("readout")!;
        const go = got.readouts.get("readout")!;
        if (tier === "exact") assert.deepEqual(go, ro);
        else
          for (let i = 0; i < ro.length; i++)
            assert.ok(Math.abs(go[i]! - ro[i]!) <= 1e-9 * Math.max(1, Math.abs(ro[i]!)));
      }
    }),
    {
      numRuns: RUNS[tier],
      seed: SEED + ["bntt", "tebn", "tab"].indexOf(kind) * 2 + (tier === "exact" ? 0 : 1),
      includeErrorInReport: true,
    },
  );
  return tally;
}

describe("schedule-temporal-norm property", () => {
  for (const kind of ["bntt", "tebn", "tab"] as const) {
    for (const tier of ["exact", "float"] as const) {
      it(`${kind.toUpperCase()}, ${tier} tier: scheduled spikes equal the unfolded norm's (${RUNS[tier]} random layers)`, () => {
        const t = check(kind, tier);
        assert.ok(t.spikes > 0, "the neurons never fired");
        assert.ok(t.planeSpikes > 0, "no MT plane above s_0 ever fired");
        assert.equal(t.chains.size, CHAINS.length, `chains drawn: ${[...t.chains].join(", ")}`);
        assert.ok(
          t.fewer > 0 && t.more > 0,
          "runs with fewer and with more steps than T (up to the norm's) were drawn",
        );
        if (tier === "exact") assert.ok(t.ties > 0, "the exact tier should hit exact ties h = θ");
      });
    }
  }
});
