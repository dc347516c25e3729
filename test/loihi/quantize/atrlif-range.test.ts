/**
 * The reachable range of ATRLIF populations (src/loihi/quantize/atrlif-range.ts, docs/LOIHI-SEEDS.md
 * §1 "Ranges") and the gain stage's shift (gain-stage.ts):
 *   - by hand: a soft-reset layer behind a BNTT whose v bound sets g; the integer walk's ends are
 *     exactly the v of the all-ones and all-zeros inputs, and they use most of the 24 bits;
 *   - property: on random soft-reset and per-step-norm models, whatever the input (random, all
 *     ones, all zeros, two samples back to back), every i, v and r an ATRLIF population reaches in
 *     the integer run lies within the walk's bounds, and the quantiser leaves no bound broken;
 *   - a conv behind a gain stage: its weights fill their range, the input keeps its full width,
 *     and the integers stay exact.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { SnncError } from "../../../src/ir/errors.ts";
import type { Graph } from "../../../src/ir/nodes.ts";
import { size, tensor } from "../../../src/ir/tensor.ts";
import { buildLoihi } from "../../../src/loihi/build.ts";
import { LAVA, type FixedModel } from "../../../src/loihi/model/integer-model.ts";
import { atrlifIntegerRange, modelSources } from "../../../src/loihi/quantize/atrlif-range.ts";
import { runFixedEvent } from "../../../src/loihi/sim/run-event.ts";
import { runFixedStepped } from "../../../src/loihi/sim/run-stepped.ts";
import type { StepInput } from "../../../src/sim/reference.ts";
import { inputNode } from "../../../src/ir/graph.ts";
import { measureAgreement } from "../../../src/verify/agreement.ts";
import { integerRuns } from "../../../src/loihi/run.ts";
import * as b from "../../support/ir-builder.ts";
import { ModelBuilder, type Src } from "../../support/gen.ts";
import { checkProperty } from "../../support/property.ts";
import { Rng } from "../../support/rng.ts";

const EPS = 2 ** -10;

/**
 * 6 input spikes → dense (weights ≥ 0) → BNTT (T = 4, gains > 0 falling) → soft reset (θ = 1, τ) →
 * readout. No static bias rises after the aligned steps, so v's extremes fall on steps the run
 * records (the last step of a window is recorded after the periodic reset).
 */
function bnttSoft(decay: number): Graph {
  const r = new Rng(5);
  return b.model(
    [
      b.input("x", [6]),
      b.dense("d", "x", b.uniform(r, [6, 3], 0.5, 2)),
      b.bntt("bn", "d", {
        timesteps: 4,
        epsilon: EPS,
        gamma: tensor([4, 3], [3, 2, 2.5, 2, 1.5, 1, 1, 0.5, 1, 0.25, 0.5, 0.125]),
        mean: tensor([4, 3], new Array(12).fill(0.25)),
        variance: tensor([4, 3], new Array(12).fill(1 - EPS)),
      }),
      b.neuron("n", "bn", { reset: "soft", theta: 1, decay }),
      b.dense("o", "n", b.t([3, 2], [1, -1, 0.5, 1, -0.5, 0.25])),
      b.readout("ro", "o", "sum"),
    ],
    { T: 4, encoding: "spikes" },
  );
}

/** Two samples back to back (the second starts at step runSteps + 1). */
function backToBack(m: FixedModel, a: StepInput, c: StepInput) {
  const T = m.timesteps;
  const cols = (x: StepInput) => (Array.isArray(x) ? x.slice(0, T) : Array.from({ length: T }, () => x));
  const n = size(m.input.shape);
  const two: FixedModel = { ...m, timesteps: m.runSteps + T, runSteps: 2 * m.runSteps };
  return { two, seq: [...cols(a), ...Array.from({ length: m.runSteps - T }, () => new Float64Array(n)), ...cols(c)] };
}

/** Per ATRLIF population: the walk and the extremes of i, v, r over the runs (both engines checked equal). */
function reached(m: FixedModel, inputs: StepInput[][]) {
  const out = new Map<
    string,
    { range: ReturnType<typeof atrlifIntegerRange>; i: number; vLo: number; vHi: number; r: number; rLo: number }
  >();
  const pops = m.populations.filter((p) => p.kind === "atrlif");
  for (const p of pops) {
    const range = atrlifIntegerRange(
      p,
      m.connections.filter((c) => c.to === p.id),
      m.runSteps,
      modelSources(m),
    );
    out.set(p.id, { range, i: 0, vLo: 0, vHi: 0, r: 0, rLo: 0 });
  }
  for (const [a, c] of inputs) {
    const { two, seq } = backToBack(m, a!, c!);
    const st = runFixedStepped(two, seq, { state: true });
    const ev = runFixedEvent(two, seq, { state: true });
    assert.deepEqual(ev.v, st.v, "the engines differ on v");
    for (const p of pops) {
      const o = out.get(p.id)!;
      for (const [k, v] of st.v!.get(p.id)!.entries()) {
        for (const x of v) [o.vLo, o.vHi] = [Math.min(o.vLo, x), Math.max(o.vHi, x)];
        for (const x of st.u!.get(p.id)![k]!) o.i = Math.max(o.i, Math.abs(x));
        for (const x of st.r!.get(p.id)![k]!) [o.r, o.rLo] = [Math.max(o.r, x), Math.min(o.rLo, x)];
      }
    }
  }
  return out;
}

const ones = (g: Graph) => Float64Array.from({ length: size(inputNode(g).inputShape) }, () => 1);
const zeros = (g: Graph) => new Float64Array(size(inputNode(g).inputShape));

test("by hand: the v bound over the run sets g, and the all-ones and all-zeros inputs reach the walk's ends exactly", () => {
  for (const decay of [1, 0.75]) {
    const g = bnttSoft(decay);
    const built = buildLoihi(g, { target: "loihi2" });
    const q = built.quant;
    const n = q.populations.find((p) => p.id === "n")!;
    assert.equal(n.kind, "atrlif");
    assert.match(n.limitedBy, /^ATRLIF v over the run/, `τ = ${decay}`);
    assert.deepEqual(q.warnings, []);
    const m = q.model;
    const r = reached(m, [
      [ones(g), ones(g)],
      [zeros(g), zeros(g)],
    ]).get("n")!;
    assert.deepEqual(r.range.problems, []);
    // the upper end: every weight ≥ 0 and every gain > 0, so all ones is the largest input at every step
    assert.equal(r.vHi, r.range.vHi, `τ = ${decay}`);
    assert.equal(r.vLo, r.range.vLo, `τ = ${decay}`);
    // and it is close to what 24 bits hold (not a loose bound)
    assert.ok(r.range.vHi > 0.9 * LAVA.vMax && r.range.vHi <= LAVA.vMax, `${r.range.vHi}`);
  }
});

/** Two layers, a soft reset in one or both, a per-step norm before some. */
function randomSoft(s: Src): Graph {
  const m = new ModelBuilder(s);
  let last = s.bool(0.6) ? m.input() : m.flatInput();
  for (let k = 0; k < 2; k++) {
    let cur = m.linear(last);
    if (s.bool(0.5)) {
      const S = m.shape(cur);
      const C = S[S.length - 1]!;
      const Tn = 5; // the model's T is 2..5: a norm may hold more steps than it runs
      const gm = Float64Array.from({ length: Tn * C }, () => (s.bool(0.1) ? -1 : 1) * s.pick([0.25, 1, 4]));
      cur = m.add(
        b.bntt(m.id("norm"), cur, {
          timesteps: Tn,
          epsilon: EPS,
          gamma: tensor([Tn, C], gm),
          mean: s.tensor([Tn, C], 0.5),
          variance: tensor([Tn, C], new Array(Tn * C).fill(1 - EPS)),
        }),
      );
    }
    const opts = s.neuronOpts(m.shape(cur));
    if (k === 0 || s.bool(0.6)) opts.reset = "soft";
    last = m.add(b.neuron(m.id("n"), cur, opts));
  }
  return m.build([last, m.readout(m.linear(last))]);
}

for (const tier of ["exact", "float"] as const) {
  test(`property (${tier}): every i, v, r an ATRLIF population reaches lies within its walk; no bound is broken`, () => {
    let pops = 0;
    let tight = 0;
    checkProperty(tier, (s) => {
      const g = randomSoft(s);
      let m: FixedModel;
      try {
        m = buildLoihi(g, { target: "loihi2" }).quant.model;
      } catch (e) {
        if (!(e instanceof SnncError)) throw e;
        return;
      }
      const rnd = s.inputs(g, 4);
      const seen = reached(m, [
        [rnd[0]!, rnd[1]!],
        [rnd[2]!, rnd[3]!],
        [ones(g), ones(g)],
        [zeros(g), ones(g)],
      ]);
      for (const [id, r] of seen) {
        pops++;
        assert.deepEqual(r.range.problems, [], id);
        assert.ok(
          r.vHi <= r.range.vHi && r.vLo >= r.range.vLo,
          `${id}: v in ${r.vLo}..${r.vHi}, walk ${r.range.vLo}..${r.range.vHi}`,
        );
        assert.ok(r.i <= r.range.iAbs, `${id}: |i| ${r.i} > ${r.range.iAbs}`);
        assert.ok(r.rLo >= 0 && r.r <= r.range.rHi, `${id}: r up to ${r.r} > ${r.range.rHi}`);
        if (r.vHi === r.range.vHi || r.vLo === r.range.vLo) tight++;
      }
    });
    assert.ok(pops > 100, `only ${pops} ATRLIF populations`);
    // some walks are attained exactly by one of these inputs (the bound is not loose by construction)
    assert.ok(tight > 0, "no walk end was reached");
  });
}

test("a conv behind a gain stage: weights fill their range at g·2^s, the input keeps 8 bits, the integers agree with float", () => {
  const r = new Rng(11);
  const C = 4;
  const T = 4;
  const g = b.model(
    [
      b.input("x", [6, 6, 1]),
      b.conv("c", "x", b.uniform(r, [3, 3, 1, C], -0.5, 0.5)),
      b.bntt("bn", "c", {
        timesteps: T,
        epsilon: EPS,
        gamma: b.uniform(r, [T, C], 0.5, 2),
        mean: b.uniform(r, [T, C], -0.1, 0.1),
        variance: tensor([T, C], new Array(T * C).fill(1 - EPS)),
      }),
      b.neuron("n", "bn", { reset: "soft", theta: 0.25, decay: 0.75 }),
      b.flatten("f", "n"),
      b.dense("o", "f", b.uniform(r, [36 * C, 3], -1, 1)),
      b.readout("ro", "o", "sum"),
    ],
    { T, encoding: "direct" },
  );
  const built = buildLoihi(g, { target: "loihi2" });
  const q = built.quant;
  assert.equal(q.model.input.max, 255);
  const gs = q.gains.find((x) => x.id === "n")!;
  assert.ok(gs.shift > 0, `s = ${gs.shift}`);
  assert.equal(q.model.populations.find((p) => p.id === "n")!.gainStage!.exp, gs.exp);
  const conv = q.populations.find((p) => p.id === "n")!.connections.find((c) => c.id === "c")!;
  assert.ok(conv.maxAbsInt > 127 && conv.maxAbsInt <= 256, `max |w| ${conv.maxAbsInt}`);
  assert.ok(gs.cMax * gs.aMax < 2 ** 31);
  assert.deepEqual(q.warnings, []);
  const rr = new Rng(3);
  const inputs = Array.from({ length: 8 }, () => Float64Array.from({ length: 36 }, () => rr.uniform(0, 1)));
  const ag = measureAgreement(g, integerRuns(q.model, inputs), inputs);
  assert.ok(ag.spikeAgreement > 0.99, `${ag.spikeAgreement}`);
});
