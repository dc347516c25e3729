/**
 * Weight planes (src/loihi/model/weight-planes.ts): what Lava computes with the two synapse
 * processes of a connection equals the one synapse the engines run, on random models and payloads.
 * Lava's side is written out here: a Dense accumulates Σ W·payload and applies its exponent with
 * floor; a Conv accumulates the cross-correlation; a relayed high plane receives payload·2^P.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { buildLoihi } from "../../../src/loihi/build.ts";
import type { FixedConnection, FixedModel, Synapse } from "../../../src/loihi/model/integer-model.ts";
import { PLANE_SHIFT, planesOf, splitWeights } from "../../../src/loihi/model/weight-planes.ts";
import { loadTarget } from "../../../src/target/load-target.ts";
import { rangeFor } from "../../../src/loihi/quantize/scales.ts";
import { SnncError } from "../../../src/ir/errors.ts";
import type { Graph } from "../../../src/ir/nodes.ts";
import { ModelBuilder, type Src } from "../../support/gen.ts";
import { checkProperty } from "../../support/property.ts";
import { checkIntegers } from "../../support/integer-runs.ts";
import { forEachConvTerm } from "../../support/conv-taps.ts";

/** Lava's accumulation of one synapse process for one step's payloads (before the << 6 into u). */
function lavaAccumulate(s: Synapse, weightExp: number, x: ArrayLike<number>): number[] {
  let acc: number[];
  if (s.kind === "dense") {
    acc = new Array(s.outSize).fill(0);
    for (let i = 0; i < s.inSize; i++)
      for (let o = 0; o < s.outSize; o++) acc[o]! += s.weights[i * s.outSize + o]! * x[i]!;
  } else if (s.kind === "diagonal") {
    acc = Array.from({ length: s.size }, (_, i) => s.weights[i]! * x[i]!);
  } else {
    const sums = new Array<number>(s.outShape[0] * s.outShape[1] * s.outShape[2]).fill(0);
    forEachConvTerm(s, (j, o, w) => {
      sums[o]! += s.kernel[w]! * x[j]!;
    });
    acc = sums;
  }
  return acc.map((a) => (weightExp >= 0 ? a * 2 ** weightExp : Math.floor(a / 2 ** -weightExp)));
}

test("split: high·2^P + low = w, high = round-half-away(w/2^P), |low| ≤ 2^(P−1)", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -256 * 2 ** PLANE_SHIFT, max: 255 * 2 ** PLANE_SHIFT })), (w) => {
      const { high, low } = splitWeights(w, PLANE_SHIFT);
      for (let i = 0; i < w.length; i++) {
        assert.equal(high[i]! * 2 ** PLANE_SHIFT + low[i]!, w[i]);
        assert.ok(Math.abs(low[i]!) <= 2 ** (PLANE_SHIFT - 1));
        assert.ok(high[i]! >= -256 && high[i]! <= 255);
      }
    }),
  );
});

test("dense planes: floor of each plane's exponent adds up to the one-plane floor, for every exponent e ≥ −P", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: -PLANE_SHIFT, max: 0 }),
      fc.array(fc.integer({ min: -256 * 2 ** PLANE_SHIFT, max: 254 * 2 ** PLANE_SHIFT }), {
        minLength: 30,
        maxLength: 30,
      }),
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }),
      (I, O, e, w, x) => {
        const c: FixedConnection = {
          id: "c",
          from: "a",
          to: "b",
          delay: 0,
          weightExp: e,
          planes: PLANE_SHIFT,
          synapse: { kind: "dense", inSize: I, outSize: O, weights: Int32Array.from(w.slice(0, I * O)) },
          origin: [],
        };
        const want = lavaAccumulate(c.synapse, e, x);
        const got = new Array(O).fill(0);
        for (const pl of planesOf(c)) {
          assert.equal(pl.relay, undefined);
          for (const [o, a] of lavaAccumulate(pl.connection.synapse, pl.connection.weightExp, x).entries()) got[o] += a;
        }
        assert.deepEqual(got, want);
      },
    ),
  );
});

/** A random conv/dense network with a readout: the layers whose weights planes hold. */
function planesModel(s: Src): Graph {
  const m = new ModelBuilder(s);
  let last = s.bool(0.7) ? m.input() : m.flatInput();
  for (let k = 0; k < 2; k++) {
    const lin = m.linear(last);
    last = m.neuron(lin, s.neuronOpts(m.shape(lin)));
  }
  return m.build([last, m.readout(m.linear(last))]);
}

test("property: random models with two weight planes — each plane fits 8 bits, Lava's planes sum to the engines' synapse, engines agree", () => {
  const t = loadTarget("loihi2");
  let split = 0;
  let relayed = 0;
  let refused = 0;
  checkProperty("exact", (s) => {
    const g = planesModel(s);
    let m: FixedModel;
    try {
      m = buildLoihi(g, { target: "loihi2", weightPlanes: 2 }).quant.model;
    } catch (e) {
      if (!(e instanceof SnncError)) throw e;
      refused++;
      return;
    }
    const size = (id: string) =>
      id === m.input.id
        ? m.input.shape.reduce((a, b) => a * b, 1)
        : m.populations.find((p) => p.id === id)!.shape.reduce((a, b) => a * b, 1);
    for (const c of m.connections) {
      if (!c.planes) continue;
      split++;
      const [high, low] = planesOf(c);
      for (const pl of [high!, low!]) {
        const syn = pl.connection.synapse;
        const w = syn.kind === "conv" ? syn.kernel : syn.weights;
        let lo = 0;
        let hi = 0;
        for (const v of w) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
        const [rlo, rhi] = rangeFor(lo, hi, t);
        assert.ok(lo >= rlo && hi <= rhi, `${pl.connection.id}: [${lo}, ${hi}] outside [${rlo}, ${rhi}]`);
        const [eMin, eMax] = t.arithmetic.weightExponentRange;
        if (syn.kind !== "conv") assert.ok(pl.connection.weightExp >= eMin && pl.connection.weightExp <= eMax);
      }
      if (high!.relay) relayed++;
      // a step's payloads: spikes, or graded payloads from the input
      const x = Array.from({ length: size(c.from) }, () => (c.from === m.input.id ? s.int(-3, 5) : s.int(0, 1)));
      const want = lavaAccumulate(c.synapse, c.weightExp, x);
      const got = new Array(want.length).fill(0);
      for (const pl of [high!, low!]) {
        const k = pl.relay ? 2 ** pl.relay.shift : 1;
        const acc = lavaAccumulate(
          pl.connection.synapse,
          pl.connection.weightExp,
          x.map((v) => v * k),
        );
        for (const [o, a] of acc.entries()) got[o] += a;
      }
      assert.deepEqual(got, want, c.id);
    }
    const inputs = s.inputs(g, 2);
    assert.ok(checkIntegers(m, inputs[0]!, inputs[1]!) > 0);
  });
  assert.ok(split > 100, `only ${split} connections in two planes`);
  assert.ok(relayed > 20, `only ${relayed} relayed conv planes`);
  assert.ok(refused < 50, `${refused} refused`);
});
