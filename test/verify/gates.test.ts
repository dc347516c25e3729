import assert from "node:assert/strict";
import { test } from "node:test";
import type { Agreement } from "../../src/verify/agreement.ts";
import { applyGates, DEFAULT_MIN_ARGMAX_AGREEMENT, DEFAULT_MIN_SPIKE_AGREEMENT } from "../../src/verify/gates.ts";

function agreement(layers: [string, number][], argmax: [number, number] | null): Agreement {
  const perLayer = layers.map(([layer, a]) => ({
    layer,
    latency: 1,
    neurons: 10,
    spikesCompared: 1000,
    spikesDiffering: Math.round(1000 * (1 - a)),
    agreement: a,
    refSpikes: 100,
    fixedSpikes: 100,
  }));
  const cmp = perLayer.reduce((s, l) => s + l.spikesCompared, 0);
  const dif = perLayer.reduce((s, l) => s + l.spikesDiffering, 0);
  return {
    samples: argmax?.[1] ?? 8,
    perLayer,
    spikeAgreement: 1 - dif / cmp,
    readout: argmax ? { id: "readout", argmaxAgree: argmax[0], samples: argmax[1], maxAbsDiff: 0.1 } : null,
  };
}

test("defaults: every sample's argmax, and the documented spike agreement", () => {
  assert.equal(DEFAULT_MIN_ARGMAX_AGREEMENT, 1);
  const ok = applyGates(
    agreement(
      [
        ["a", 0.99],
        ["b", 0.97],
      ],
      [8, 8],
    ),
  );
  assert.equal(ok.ok, true);
  assert.deepEqual(ok.failures, []);
  assert.equal(ok.weakestLayer?.layer, "b");
  const low = applyGates(agreement([["a", DEFAULT_MIN_SPIKE_AGREEMENT - 0.01]], [8, 8]));
  assert.equal(low.ok, false);
  assert.match(low.failures[0]!, /lowest in layer 'a'/);
});

test("one sample's argmax differing fails the default argmax gate, naming the weakest layer", () => {
  const r = applyGates(
    agreement(
      [
        ["a", 0.999],
        ["b", 0.98],
      ],
      [7, 8],
    ),
  );
  assert.equal(r.ok, false);
  assert.equal(r.argmaxAgreement, 7 / 8);
  assert.equal(r.failures.length, 1);
  assert.match(r.failures[0]!, /argmax agrees on 7\/8 samples, below --min-argmax-agreement 100\.00% .*'b'/);
  assert.equal(applyGates(agreement([["a", 0.999]], [7, 8]), { minArgmaxAgreement: 0.875 }).ok, true);
});

test("without a readout only the spike gate applies; both gates can fail together", () => {
  assert.equal(applyGates(agreement([["a", 0.99]], null)).argmaxAgreement, null);
  assert.equal(applyGates(agreement([["a", 0.99]], null)).ok, true);
  const both = applyGates(agreement([["a", 0.5]], [0, 8]));
  assert.equal(both.failures.length, 2);
});

test("a clipped weight fails verify whatever the agreement, naming the synapse group", () => {
  const a = agreement([["a", 1]], [8, 8]);
  assert.equal(applyGates(a, { clipped: [{ id: "conv1", clipped: 0 }] }).ok, true);
  const r = applyGates(a, {
    clipped: [
      { id: "conv1", clipped: 2 },
      { id: "dense", clipped: 0 },
    ],
  });
  assert.equal(r.ok, false);
  assert.equal(r.clippedWeights, 2);
  assert.match(r.failures[0]!, /2 weight\(s\) clipped to the target's range \(2 in 'conv1'\)/);
});
