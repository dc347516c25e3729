/**
 * State offsets in integers: pulse neurons fire once per sample at their phase; the initial state,
 * the self-recurrent reset value and the warm-up inhibition are what the quantiser says they are;
 * and the integer model is exact for every sample — a sample run right after another one fires
 * exactly as it does from a fresh network, which fails without the warm-up inhibition (the
 * self-recurrent synapse would carry a warm-up spike into the first aligned step) and, at depth 1,
 * without the initial v. Both engines agree bit for bit throughout.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { buildLoihi } from "../../../src/loihi/build.ts";
import { loadModel } from "../../../src/frontends/index.ts";
import { SnncError } from "../../../src/ir/errors.ts";
import {
  LAVA,
  pulsePopulation,
  type DenseSynapse,
  type DiagonalSynapse,
  type FixedModel,
} from "../../../src/loihi/model/integer-model.ts";
import type { Graph } from "../../../src/ir/nodes.ts";
import { scalar, tensor } from "../../../src/ir/tensor.ts";
import { randomInputs } from "../../../src/inputs/random-inputs.ts";
import { runFixedEvent } from "../../../src/loihi/sim/run-event.ts";
import { runFixedStepped } from "../../../src/loihi/sim/run-stepped.ts";
import type { StepInput } from "../../../src/sim/reference.ts";
import { binaryInput, fixedModel } from "../../support/fixed-builder.ts";
import { offsetLayers } from "../../support/folded-graphs.ts";
import { Src } from "../../support/gen.ts";
import { dense, input, model, neuron, readout } from "../../support/ir-builder.ts";
import { offsetModel } from "../../support/offset-models.ts";
import { afterAnother } from "../../support/integer-runs.ts";

test("a pulse neuron fires exactly at the steps ≡ phase (mod runSteps), from the first sample on", () => {
  const R = 7;
  const pulses = [0, 1, 3, 6].map((k) => pulsePopulation(`p${k}`, k, R));
  const m = fixedModel(binaryInput([1]), pulses, [], 2, R);
  for (const run of [
    runFixedStepped(m, [Float64Array.of(0), Float64Array.of(0)], { steps: 3 * R }),
    runFixedEvent(m, [Float64Array.of(0), Float64Array.of(0)], { steps: 3 * R }),
  ]) {
    for (const p of pulses) {
      const fired = run.spikes.get(p.id)!.flatMap((s, n) => (s[0] ? [n + 1] : []));
      const k = p.phase === 0 ? R : p.phase!;
      assert.deepEqual(fired, [k, k + R, k + 2 * R], `${run.engine} ${p.id}`);
    }
  }
  assert.deepEqual(
    [pulses[2]!.vth, pulses[2]!.v0![0], pulses[2]!.resetOffset, pulses[2]!.biasMant[0]! << pulses[2]!.biasExp],
    [R - 1, 64 * (R - 3), 4, 64],
  );
  assert.throws(() => pulsePopulation("x", R, R), RangeError);
});

/**
 * Every LIF population in its real window (steps d + 1 .. d + T): spikes, u and v of sample B run
 * right after sample A vs sample B from a fresh network (the integer dynamics are deterministic from
 * the zeroing at step d + 1 on, so these agree bit for bit unless something of A leaks into B).
 */
function backToBack(m: FixedModel, A: StepInput, B: StepInput): { differing: number; compared: number } {
  const { R, T, two, seq, both, alone } = afterAnother(m, A, B);
  const bothEv = runFixedEvent(two, seq, { state: true });
  let differing = 0;
  let compared = 0;
  for (const p of m.populations) {
    const same =
      JSON.stringify(bothEv.v!.get(p.id)) === JSON.stringify(both.v!.get(p.id)) &&
      JSON.stringify(bothEv.spikes.get(p.id)) === JSON.stringify(both.spikes.get(p.id));
    assert.ok(same, `the two engines differ on '${p.id}'`);
    if (p.kind !== "lif") continue;
    for (let s = p.depth + 1; s <= p.depth + T; s++) {
      for (const [x, y] of [
        [both.spikes, alone.spikes],
        [both.u!, alone.u!],
        [both.v!, alone.v!],
      ] as const) {
        const a = x.get(p.id)![R + s - 1]!;
        const b = y.get(p.id)![s - 1]!;
        for (let i = 0; i < a.length; i++) {
          compared++;
          if (a[i] !== b[i]) differing++;
        }
      }
    }
  }
  return { differing, compared };
}

function pairs(
  g: Graph,
  m: FixedModel,
  count: number,
  seed: number,
  f: (m: FixedModel, a: StepInput, b: StepInput) => { differing: number; compared: number },
) {
  const xs = randomInputs(g, count + 1, seed);
  let differing = 0;
  for (let k = 0; k < count; k++) differing += f(m, xs[k]!, xs[k + 1]!).differing;
  return differing;
}

test("the quantised offset: init from the pulse at step d, self weight τ·R, inhibition ≥ what the sources and bias can add, within u's range", () => {
  const g = offsetLayers();
  const b = buildLoihi(g, { target: "loihi2" });
  const m = b.quant.model;
  assert.deepEqual(
    m.populations.map((p) => [p.id, p.kind]),
    [
      ["pulse_0", "pulse"],
      ["pulse_1", "pulse"],
      ["pulse_2", "pulse"],
      ["lif1", "lif"],
      ["lif2", "lif"],
      ["ro", "integrator"],
    ],
  );
  const conns = (to: string) =>
    m.connections.filter((c) => c.to === to).map((c) => `${c.id}:${c.from}:${c.synapse.kind}`);
  assert.deepEqual(conns("lif1"), [
    "c1:in:conv",
    "lif1/self:lif1:diagonal",
    "lif1/init:pulse_1:dense",
    "lif1/inhibit:pulse_0:dense",
  ]);
  // 72 inputs can add more than one 8-bit weight << 7 holds: the inhibition is split over parallel groups
  assert.deepEqual(conns("lif2"), [
    "d2:lif1:dense",
    "lif2/self:lif2:diagonal",
    "lif2/init:pulse_2:dense",
    "lif2/inhibit1:pulse_1:dense",
    "lif2/inhibit2:pulse_1:dense",
    "lif2/inhibit3:pulse_1:dense",
  ]);
  // lif2: X_i ≥ Σ positive weights of its population sources (d2 and the self weight) + ⌈bias/64⌉, on the self-recurrent neurons only
  const p2 = m.populations.find((p) => p.id === "lif2")!;
  const d2 = m.connections.find((c) => c.id === "d2")!;
  const self = m.connections.find((c) => c.id === "lif2/self")!;
  const inh = m.connections.filter((c) => c.id.startsWith("lif2/inhibit"));
  const sw = (self.synapse as DiagonalSynapse).weights;
  for (let o = 0; o < 3; o++) {
    let pos = 0;
    let neg = 0;
    const dw = (d2.synapse as DenseSynapse).weights;
    for (let i = 0; i < 72; i++) {
      const x = dw[i * 3 + o]! * 2 ** d2.weightExp;
      if (x > 0) pos += x;
      else neg += x;
    }
    const s = sw[o]! * 2 ** self.weightExp;
    const X = -inh.reduce((a, c) => a + (c.synapse as DenseSynapse).weights[o]! * 2 ** c.weightExp, 0);
    const bias = p2.biasMant[o]! * 2 ** p2.biasExp;
    if (sw[o] === 0) assert.ok(X === 0, `neuron ${o}: no self weight, no inhibition`);
    else {
      assert.ok(X >= pos + Math.max(s, 0) + Math.ceil(bias / 64), `neuron ${o}: X = ${X}`);
      assert.ok(X - neg - Math.min(s, 0) <= LAVA.uWrap / 64 - 1, `neuron ${o}: X − min = ${X - neg} wraps u`);
    }
  }
  const o2 = b.quant.offsets.find((o) => o.id === "lif2")!;
  assert.equal(o2.init!.pulse, "pulse_2");
  assert.ok(o2.inhibit!.headroom >= 0);
  assert.equal(o2.inhibit!.connections, 3);
  // the first aligned step of lif2 is step 3: the pulse of step 2 brings τ·δ there
  assert.equal(m.populations.find((p) => p.id === "pulse_2")!.phase, 2);
});

test("exact for every sample: back to back equals fresh, on both engines; without the warm-up inhibition it is not", async () => {
  for (const g of [
    offsetLayers(),
    await loadModel("fixtures/mpbn-channel/model.json"),
    await loadModel("fixtures/mpbn-element/model.json"),
  ]) {
    const m = buildLoihi(g, { target: "loihi2" }).quant.model;
    assert.equal(pairs(g, m, 4, 3, backToBack), 0, `${g.name}: a sample after another fires differently`);
    const noInhibit = { ...m, connections: m.connections.filter((c) => !c.id.includes("/inhibit")) };
    assert.ok(pairs(g, noInhibit, 4, 3, backToBack) > 0, `${g.name}: without the inhibition the check should fail`);
  }
  // plif: v_reset ≠ 0 with θ − v_reset > 0 needs no self-recurrence, so no inhibition either
  const plif = await loadModel("fixtures/plif/model.json");
  const mp = buildLoihi(plif, { target: "loihi2" }).quant.model;
  assert.ok(!mp.connections.some((c) => c.from === c.to || c.id.includes("/inhibit")));
  assert.equal(pairs(plif, mp, 3, 5, backToBack), 0);
});

test("depth 1: an initial v holds the neurons whose bias alone would fire at step 1 of the first sample", () => {
  // τ = 0.25 and θ = −2 in channel 1: δ = 2.6, bias δ(1 − τ) = 1.95 > θ' = 0.6
  const g = offsetLayers(0.25, -2);
  const b = buildLoihi(g, { target: "loihi2" });
  const m = b.quant.model;
  const p1 = m.populations.find((p) => p.id === "lif1")!;
  const o1 = b.quant.offsets.find((o) => o.id === "lif1")!;
  assert.ok(o1.firstStepV0 > 0 && p1.v0, "some neurons need an initial v");
  const f = 4096 - p1.dv;
  for (let i = 0; i < p1.v0!.length; i++) {
    const bias = p1.biasMant[i]! * 2 ** p1.biasExp;
    const v0: number = p1.v0![i]!;
    const decayed: number = v0 < 0 ? -Math.floor((-v0 * f) / 4096) : 0;
    assert.ok(decayed + bias <= p1.vth * 64, `neuron ${i}: step 1 would fire`);
    if (v0 !== 0) assert.ok(bias > p1.vth * 64);
  }
  assert.equal(pairs(g, m, 4, 7, backToBack), 0);
  // without the initial v the first sample starts from a warm-up spike: a fresh run differs from a run after a sample
  const noV0: FixedModel = {
    ...m,
    populations: m.populations.map((p) => (p.id === "lif1" ? { ...p, v0: undefined } : p)),
  };
  assert.ok(pairs(g, noV0, 4, 7, backToBack) > 0, "without the initial v the check should fail");
  // the report says so
  assert.match(b.quant.notes.join("\n"), /state offsets: 'lif1', 'lif2'/);
});

test("an initial v that cannot hold the first step is refused with the reason", () => {
  // τ → 0: dv = 4095, the leak leaves 1/4096 of any initial v, and the bias alone is far above the threshold
  const g = model(
    [
      input("in", [2]),
      dense("d", "in", tensor([2, 1], [0.01, 0.02])),
      neuron("l", "d", { theta: scalar(-3), decay: 0.0001 }),
      dense("o", "l", tensor([1, 1], [1])),
      readout("ro", "o"),
    ],
    { name: "tiny-tau", T: 3, encoding: "spikes" },
  );
  assert.throws(
    () => buildLoihi(g, { target: "loihi2" }),
    (e: unknown) =>
      e instanceof SnncError &&
      e.code === "E_TARGET" &&
      e.layer === "l" &&
      /its bias alone .* crosses the threshold .* no initial v within 24 bits holds it below/.test(e.message) &&
      !e.message.includes("\n"),
  );
});

test("property: random models with offsets of every kind run exactly back to back, both engines agreeing", () => {
  let offsets = 0;
  let inhibited = 0;
  fc.assert(
    fc.property(fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff })), (seed) => {
      const s = new Src(seed, "float");
      const g = offsetModel(s);
      let b: ReturnType<typeof buildLoihi>;
      try {
        b = buildLoihi(g, { target: "loihi2" });
      } catch (e) {
        // the one refusal of this path: an initial v out of 24 bits (τ near 0 with a large bias)
        assert.ok(e instanceof SnncError && /no initial v within 24 bits/.test(e.message), String(e));
        return;
      }
      const m = b.quant.model;
      offsets += b.quant.offsets.length;
      inhibited += b.quant.offsets.filter((o) => o.inhibit).length;
      assert.equal(pairs(g, m, 2, seed % 1000, backToBack), 0, "a sample after another fires differently");
    }),
    { numRuns: 200, seed: 7 },
  );
  assert.ok(offsets > 100 && inhibited > 40, `offsets ${offsets}, inhibited ${inhibited}`);
});
