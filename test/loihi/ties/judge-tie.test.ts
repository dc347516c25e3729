/**
 * The tie judgement (docs/VERIFY.md, "Ties"): plif's sample 7 of verify's default inputs, whose
 * float readout is a near-tie that two rounding departures reverse, is a tie; the same judge on an
 * integer model whose kernel integers are off by 3 finds departures beyond the rounding bound; an
 * approximated compiled graph never yields a tie.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadModel } from "../../../src/frontends/index.ts";
import { randomInputs } from "../../../src/inputs/random-inputs.ts";
import { buildLoihi } from "../../../src/loihi/build.ts";
import type { FixedModel } from "../../../src/loihi/model/integer-model.ts";
import { runFixedStepped } from "../../../src/loihi/sim/run-stepped.ts";
import { judgeTie, tieContext } from "../../../src/loihi/ties/judge-tie.ts";
import { simulate } from "../../../src/sim/reference.ts";
import { argmax } from "../../../src/sim/run-summary.ts";

const g = await loadModel("fixtures/plif/model.json");
const b = buildLoihi(g, { target: "loihi2" });
const x = randomInputs(g, 8, 0)[7]!;
const F = simulate(g, x).readouts.get("readout")!;

function judge(m: FixedModel, ref: Float64Array = F) {
  const run = runFixedStepped(m, x, { state: true });
  const a = argmax(ref);
  const c = argmax(run.readouts.get("readout")!);
  return { a, c, j: judgeTie(tieContext(b, m), x, run, "readout", ref, a, c) };
}

test("plif sample 7: a near-tie reversed by rounding departures is a tie", () => {
  const { a, c, j } = judge(b.quant.model);
  assert.equal(a, 2);
  assert.equal(c, 0);
  assert.equal(j.tie, true);
  assert.equal(j.beyondBound, 0);
  assert.equal(j.departures, 2);
  assert.ok(Math.abs(j.margin - (F[2]! - F[0]!)) < 1e-12);
  assert.ok(j.margin > 0 && j.margin <= j.bound, `${j.margin} ≤ ${j.bound}`);
});

test("integers off by 3 in one kernel: departures beyond the rounding bound, not a tie", () => {
  const m = b.quant.model;
  const conn = m.connections.find((k) => k.id === "conv2")!;
  const s = conn.synapse;
  assert.equal(s.kind, "conv");
  if (s.kind !== "conv") return;
  const bad: FixedModel = {
    ...m,
    connections: m.connections.map((k) =>
      k === conn ? { ...k, synapse: { ...s, kernel: s.kernel.map((w) => w + 3) } } : k,
    ),
  };
  let caught = 0;
  for (const y of randomInputs(g, 8, 0)) {
    const ref = simulate(g, y).readouts.get("readout")!;
    const run = runFixedStepped(bad, y, { state: true });
    const j = judgeTie(tieContext(b, bad), y, run, "readout", ref, argmax(ref), argmax(run.readouts.get("readout")!));
    if (j.beyondBound > 0) {
      caught++;
      assert.equal(j.tie, false);
      assert.match(
        j.firstBeyond ?? "",
        /^'plif2' neuron \d+ at step \d+: [\d.]+ from the threshold, rounding bound [\d.]+ \(v units\)$/,
      );
    }
  }
  // measured: 7 of the 8 samples (the eighth departs nowhere beyond the bound)
  assert.ok(caught >= 6, `${caught} of 8`);
});

test("a float readout the compiled graph does not compute (an approximation): never a tie", () => {
  const shifted = Float64Array.from(F, (v, i) => (i === 2 ? v + 0.01 : v));
  const { j } = judge(b.quant.model, shifted);
  assert.equal(j.tie, false);
  assert.equal(j.inexact, true);
});
