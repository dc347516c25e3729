/**
 * Property: random soft-reset, multi-threshold and per-step-norm models lower exactly onto Loihi 2
 * (docs/LOIHI-SEEDS.md). For each model, the whole compile (float folds, the Loihi lowerings,
 * quantisation) must
 *   - keep every spike of the model as written in the lowered float graph wherever the reference's
 *     margin is not a near-tie (the threshold scaling is not dyadic: an exact tie may round);
 *   - give an integer model on which both engines agree on every spike, u, v and r;
 *   - run a sample right after another one exactly as from a fresh network in every population's
 *     aligned steps (ATRLIF's Reset processes, the gain stage's pulses, snnc's MultiThresholdLIF
 *     and its state offsets).
 * Soft reset with MPBN reaches both ATRLIF (reset amount > 0) and snnc's own neuron (a negated
 * state: reset amount < 0).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildLoihi } from "../../../src/loihi/build.ts";
import { SnncError } from "../../../src/ir/errors.ts";
import type { Graph } from "../../../src/ir/nodes.ts";
import { scalar, tensor } from "../../../src/ir/tensor.ts";
import * as b from "../../support/ir-builder.ts";
import { addPerStepNorm } from "../../support/per-step-norms.ts";
import { compareGraphs } from "../../support/check.ts";
import { comparedUnlessNearTie, ModelBuilder, type Src, type Tier } from "../../support/gen.ts";
import { checkProperty } from "../../support/property.ts";
import { checkIntegers } from "../../support/integer-runs.ts";

const EPS = 2 ** -10;

/** A neuron layer after `inp`: soft or hard, MT sometimes, MPBN sometimes (thresholds of every sign, negated states). */
function seedNeuron(m: ModelBuilder, inp: string, o: { soft?: boolean; mt?: boolean }): string {
  const s = m.s;
  const S = m.shape(inp);
  const opts = s.neuronOpts(S, { mt: o.mt });
  if (o.soft !== undefined) opts.reset = o.soft ? "soft" : "hard";
  if (s.bool(0.3)) opts.mpbn = s.mpbn(S);
  return m.add(b.neuron(m.id("n"), inp, opts));
}

/** A per-step norm (BNTT / TEBN / TAB, a_t of either sign) between `inp` and what follows. */
function perStepNorm(m: ModelBuilder, inp: string): string {
  const s = m.s;
  const Tn = 5 + s.pick([0, 2]);
  const a = () => (s.bool(0.1) ? -1 : 1) * s.pick([0.5, 1, 2]);
  return addPerStepNorm(m, inp, { kind: s.pick(["bntt", "tebn", "tab"] as const), timesteps: Tn, a });
}

type Kind = "soft" | "mt" | "norm";

/** Two neuron layers and a readout; the construct under test in one or both layers. */
function seedModel(kind: Kind): (s: Src) => Graph {
  return (s) => {
    const m = new ModelBuilder(s);
    let last = s.bool(0.6) ? m.input() : m.flatInput();
    for (let k = 0; k < 2; k++) {
      const lin = m.linear(last);
      const hit = k === 0 || s.bool(0.5);
      const cur = kind === "norm" && hit ? perStepNorm(m, lin) : lin;
      last = seedNeuron(m, cur, {
        soft: kind === "soft" ? hit : s.bool(0.3),
        mt: kind === "mt" ? hit : false,
      });
      // an MT neuron's graded s_sum keeps its planes apart from any plane of another layer: test its readers too
    }
    const out = m.readout(m.linear(last));
    return m.build([last, out]);
  };
}

function property(kind: Kind, tier: Tier) {
  const kinds = new Set<string>();
  let built = 0;
  let refused = 0;
  let compared = 0;
  const tally = checkProperty(tier, (s, t) => {
    const g = seedModel(kind)(s);
    let built1: ReturnType<typeof buildLoihi>;
    try {
      built1 = buildLoihi(g, { target: "loihi2" });
    } catch (e) {
      // what the float pipeline or a Loihi lowering refuses on purpose (e.g. a max pooling of MT output)
      if (!(e instanceof SnncError)) throw e;
      refused++;
      return;
    }
    built++;
    for (const p of built1.quant.model.populations) kinds.add(p.kind + (p.gainStage ? "+gain" : ""));
    const inputs = s.inputs(g, 2);
    // the integers: exact in every case
    assert.ok(checkIntegers(built1.quant.model, inputs[0]!, inputs[1]!) > 0);
    // the lowered float graph: the folds divide by k and lower-thresholds scales by θ_ref/θ', which
    // is not dyadic, so an exact tie h = θ may round either way there: near-ties are not compared
    const r = compareGraphs(g, built1.graph, inputs);
    if (!comparedUnlessNearTie(r, t)) return;
    compared++;
    assert.equal(r.spikesDiffering, 0, `the lowered graph differs: ${JSON.stringify(r.divergences)}`);
  });
  return { tally, kinds, built, refused, compared };
}

for (const kind of ["soft", "mt", "norm"] as const) {
  for (const tier of ["exact", "float"] as const) {
    test(`property (${kind}, ${tier}): random models lower exactly; both engines agree; samples back to back are exact`, () => {
      const { tally, kinds, built, refused, compared } = property(kind, tier);
      assert.ok(built > 0.8 * (built + refused), `only ${built} of ${built + refused} built`);
      assert.ok(compared > built / 2, `the lowered graph compared in only ${compared} of ${built} cases`);
      assert.ok(tally.spikes > 0);
      if (kind === "soft") assert.ok(kinds.has("atrlif") && kinds.has("multi-threshold"), [...kinds].join(", "));
      if (kind === "mt") assert.ok(kinds.has("multi-threshold"), [...kinds].join(", "));
      if (kind === "norm")
        assert.ok(
          [...kinds].some((k) => k.endsWith("+gain")),
          [...kinds].join(", "),
        );
    });
  }
}

test("a hand model: soft reset with a per-step gain (BNTT-like) runs on ATRLIF + ProdNeuron", () => {
  const g = b.model(
    [
      b.input("x", [3]),
      b.dense("d", "x", b.t([3, 2], [0.5, -0.25, 0.75, 0.5, -0.5, 1])),
      b.bntt("bn", "d", {
        timesteps: 3,
        epsilon: EPS,
        gamma: tensor([3, 2], [1, 2, 0.5, 1, 2, 0.5]),
        mean: tensor([3, 2], [0, 0.25, 0, 0, 0.5, 0]),
        variance: tensor([3, 2], new Array(6).fill(1 - EPS)),
      }),
      b.neuron("n", "bn", { reset: "soft", theta: 1, decay: 0.5, bias: scalar(0.125) }),
      b.dense("o", "n", b.t([2, 2], [1, -1, 0.5, 1])),
      b.readout("ro", "o", "sum"),
    ],
    { T: 3, encoding: "spikes" },
  );
  const m = buildLoihi(g, { target: "loihi2" }).quant.model;
  const n = m.populations.find((p) => p.id === "n")!;
  assert.equal(n.kind, "atrlif");
  assert.ok(n.gainStage);
  const into = m.connections.filter((c) => c.to === "n");
  assert.deepEqual(
    into.filter((c) => c.port === "gated").map((c) => c.id),
    ["d"],
  );
  // one gain (its high and low parts) per step from the pulse of that step, and the step's bias beside it
  for (const t of [1, 2, 3]) {
    const gains = into.filter((c) => c.id.startsWith(`n/gain${t}`));
    assert.ok(gains.length >= 1 && gains.every((c) => c.port === "gain" && c.from === `pulse_${t}`), `step ${t}`);
  }
  assert.ok(into.some((c) => c.id.startsWith("n/bias") && c.port === undefined));
  const xs = [0, 1, 2].map((k) => Array.from({ length: 3 }, (_, t) => Float64Array.of((k + t) % 2, 1, t % 2)));
  assert.ok(checkIntegers(m, xs[0]!, xs[1]!) > 0);
});
