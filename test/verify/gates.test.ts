import assert from "node:assert/strict";
import { test } from "node:test";
import type { Agreement, ArgmaxDisagreement, TieJudgement } from "../../src/verify/agreement.ts";
import {
  applyGates,
  DEFAULT_MIN_ARGMAX_AGREEMENT,
  DEFAULT_MIN_SPIKE_AGREEMENT,
  notATie,
  tiesText,
} from "../../src/verify/gates.ts";

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

/** 8 samples: one disagreement per judgement given (samples 2, 5, 6, in that order), the others agreeing. */
function withDisagreements(judgements: (TieJudgement | undefined)[]): Agreement {
  const a = agreement([["a", 0.99]], [8 - judgements.length, 8]);
  const disagreements: ArgmaxDisagreement[] = judgements.map((j, k) => ({
    sample: [2, 5, 6][k]!,
    floatClass: 1,
    fixedClass: 0,
    ...(j ? { judgement: j } : {}),
  }));
  a.readout = { ...a.readout!, ties: judgements.filter((j) => j?.tie).length, disagreements };
  return a;
}

const tie: TieJudgement = { tie: true, margin: 0.05, bound: 0.12, departures: 2, beyondBound: 0 };

test("a tie within the quantisation bound counts as agreeing; the gate says how many", () => {
  const r = applyGates(withDisagreements([tie]));
  assert.equal(r.ok, true, r.failures.join("; "));
  assert.equal(r.argmaxAgreement, 7 / 8);
  assert.equal(r.argmaxTies, 1);
  assert.equal(tiesText(1), "1 tie within the quantisation bound");
  assert.equal(tiesText(2), "2 ties within the quantisation bound");
  // no judge (a stream measurement): ties absent, 0
  assert.equal(applyGates(agreement([["a", 0.99]], [8, 8])).argmaxTies, 0);
});

test("a disagreement that is not a tie still fails, with the reason", () => {
  const beyond: TieJudgement = {
    tie: false,
    margin: 0.3,
    bound: 0.4,
    departures: 3,
    beyondBound: 1,
    firstBeyond: "'lif1' neuron 4 at step 2: 900.0 from the threshold, rounding bound 80.0 (v units)",
  };
  const r = applyGates(withDisagreements([tie, beyond]));
  assert.equal(r.ok, false);
  assert.equal(r.argmaxTies, 1);
  assert.match(
    r.failures[0]!,
    /argmax agrees on 6\/8 samples and 1 tie within the quantisation bound, below --min-argmax-agreement 100\.00% .*; sample 5 \(float class 1, fixed-point class 0\) is not a tie: 1 departure beyond the rounding bound, first 'lif1' neuron 4 at step 2/,
  );
  // the tie and 6 agreeing reach 7/8
  assert.equal(applyGates(withDisagreements([tie, beyond]), { minArgmaxAgreement: 0.875 }).ok, true);
  assert.equal(applyGates(withDisagreements([tie, beyond]), { minArgmaxAgreement: 0.876 }).ok, false);
});

test("why a disagreement is not a tie: margin beyond the bound, an approximation, not judged", () => {
  const d = (judgement?: TieJudgement): ArgmaxDisagreement => ({ sample: 3, floatClass: 2, fixedClass: 7, judgement });
  assert.equal(
    notATie(d({ tie: false, margin: 0.5, bound: 0.25, departures: 1, beyondBound: 0 })),
    "sample 3 (float class 2, fixed-point class 7) is not a tie: float margin 0.5000 > bound 0.2500",
  );
  assert.match(
    notATie(d({ tie: false, margin: 0.5, bound: 0, departures: 0, beyondBound: 0, inexact: true })),
    /is not a tie: the compiled model approximates the float model$/,
  );
  assert.match(notATie(d()), /sample 3 .* was not judged$/);
  // an unjudged disagreement is never a tie
  const r = applyGates(withDisagreements([undefined]));
  assert.equal(r.ok, false);
  assert.equal(r.argmaxTies, 0);
});
