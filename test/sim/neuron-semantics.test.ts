/**
 * SEMANTICS.md §1, row by row: spike trains computed by hand (in the comments), with currents that
 * are exact binary fractions so that every intermediate value is exact in float64.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { simulate } from "../../src/sim/reference.ts";
import type { Graph } from "../../src/ir/nodes.ts";
import * as b from "../support/ir-builder.ts";

function spikes(spec: b.NeuronOpts, currents: number[]): number[] {
  const g = b.singleNeuronGraph(1, currents.length, spec);
  const r = simulate(g, b.steps(currents), { membrane: true });
  return r.traces.get("n")!.out.map((o) => o[0]!);
}

function membrane(spec: b.NeuronOpts, currents: number[]): number[] {
  const g = b.singleNeuronGraph(1, currents.length, spec);
  return simulate(g, b.steps(currents), { membrane: true })
    .traces.get("n")!
    .h!.map((o) => o[0]!);
}

test("IF, fire >, hard reset: h = v + c; equality does not fire", () => {
  // h: 0.5, 1.0 (=θ, no), 1.5 (fire → 0), 1.0 (no), 1.25 (fire)
  assert.deepEqual(spikes({ theta: 1 }, [0.5, 0.5, 0.5, 1.0, 0.25]), [0, 0, 1, 0, 1]);
  assert.deepEqual(membrane({ theta: 1 }, [0.5, 0.5, 0.5, 1.0, 0.25]), [0.5, 1.0, 1.5, 1.0, 1.25]);
});

test("IF, fire >=, hard reset: equality fires (MT-SNN Θ(0) = 1)", () => {
  // h: 0.5, 1.0 (fire → 0), 0.5, 1.5 (fire → 0), 0.25
  assert.deepEqual(spikes({ theta: 1, fire: "ge" }, [0.5, 0.5, 0.5, 1.0, 0.25]), [0, 1, 0, 1, 0]);
});

test("IF, soft reset subtracts θ (BNTT)", () => {
  // h: 0.75, 1.5 (fire, v = 0.5), 1.25 (fire, v = 0.25), 1.0 (no)
  assert.deepEqual(spikes({ theta: 1, reset: "soft" }, [0.75, 0.75, 0.75, 0.75]), [0, 1, 1, 0]);
  assert.deepEqual(membrane({ theta: 1, reset: "soft" }, [0.75, 0.75, 0.75, 0.75]), [0.75, 1.5, 1.25, 1.0]);
});

test("LIF, h = τ v + c, fire > and >=", () => {
  // τ = 0.5, θ = 1. gt: h 1 (no), 0.5+1 = 1.5 (fire → 0), 1 (no), 0.5+0.5 = 1 (no)
  assert.deepEqual(spikes({ decay: 0.5, theta: 1 }, [1, 1, 1, 0.5]), [0, 1, 0, 0]);
  // ge: h 1 (fire → 0), 1 (fire), 1 (fire), 0.5 (no)
  assert.deepEqual(spikes({ decay: 0.5, theta: 1, fire: "ge" }, [1, 1, 1, 0.5]), [1, 1, 1, 0]);
});

test("LIF soft reset: the leak acts on the reduced membrane", () => {
  // τ = 0.5, θ = 1: h 1.5 (fire, v = 0.5), 0.25+1 = 1.25 (fire, v = 0.25), 0.125+0.5 = 0.625
  assert.deepEqual(membrane({ decay: 0.5, reset: "soft" }, [1.5, 1, 0.5]), [1.5, 1.25, 0.625]);
  assert.deepEqual(spikes({ decay: 0.5, reset: "soft" }, [1.5, 1, 0.5]), [1, 1, 0]);
});

test("hard reset to v_reset ≠ 0; the leak decays toward 0, not toward v_reset", () => {
  // τ = 0.5, v_reset = 0.25: h 1.5 (fire, v = 0.25), 0.125+0.5 = 0.625, 0.3125+1 = 1.3125 (fire)
  assert.deepEqual(membrane({ decay: 0.5, vReset: 0.25 }, [1.5, 0.5, 1]), [1.5, 0.625, 1.3125]);
  assert.deepEqual(spikes({ decay: 0.5, vReset: 0.25 }, [1.5, 0.5, 1]), [1, 0, 1]);
});

test("PLIF (a = 0, τ_m = 2): h = (1 − 1/τ_m) v + c/τ_m + v_reset/τ_m", () => {
  // decay 0.5, gain 0.5. v_reset 0: h 1 (no), 0.5+1 = 1.5 (fire → 0), 1 (no)
  const plif = { model: "PLIF" as const, decay: 0.5, gain: 0.5 };
  assert.deepEqual(spikes({ ...plif }, [2, 2, 2]), [0, 1, 0]);
  // v_reset 0.5 adds the bias 0.25: h 1.25 (fire → 0.5), 0.25+1+0.25 = 1.5 (fire → 0.5), 0.25+0+0.25 = 0.5
  assert.deepEqual(membrane({ ...plif, vReset: 0.5, bias: 0.25 }, [2, 2, 0]), [1.25, 1.5, 0.5]);
  assert.deepEqual(spikes({ ...plif, vReset: 0.5, bias: 0.25 }, [2, 2, 0]), [1, 1, 0]);
});

test("MT-LIF: s_sum = s_0 + Σ s_i, reset driven by s_0 only, negative Δ fires below θ", () => {
  // θ = 1, Δ = [0.5, −0.5], IF, gt. Planes compare h > 1, h > 1.5, h > 0.5.
  // h: 0.75 → planes (0,0,1) = 1, no reset; 0.75+1 = 1.75 → (1,1,1) = 3, reset 0;
  //    1.25 → (1,0,1) = 2, reset 0; 0.25 → 0
  assert.deepEqual(spikes({ theta: 1, planes: [0.5, -0.5] }, [0.75, 1, 1.25, 0.25]), [1, 3, 2, 0]);
  // >=: h 0.5 → (0,0,1) = 1; 0.5+0.5 = 1 → (1,0,1) = 2, reset; 1.5 → (1,1,1) = 3
  assert.deepEqual(spikes({ theta: 1, planes: [0.5, -0.5], fire: "ge" }, [0.5, 0.5, 1.5]), [1, 2, 3]);
});

test("MPBN on a neuron: fire iff k(h − μ) + β ⋈ θ, reset uses the raw membrane", () => {
  // γ = 2, σ² + ε = 1 (σ² = 1 − 1e-5 is not exact; use ε = 0, σ² = 1 → k = 2), μ = 0.5, β = 0.25, θ = 1.
  // fire iff 2(h − 0.5) + 0.25 > 1 ⇔ h > 0.875. IF, hard reset.
  // h: 0.5 (no), 1.0 (fire → 0), 0.875 (= boundary, no), 0.875+0.125 = 1.0 (fire)
  const mpbn = {
    mode: "channel" as const,
    gamma: b.tensor([1], [2]),
    beta: b.tensor([1], [0.25]),
    mean: b.tensor([1], [0.5]),
    variance: b.tensor([1], [1]),
    epsilon: 0,
  };
  assert.deepEqual(spikes({ theta: 1, mpbn }, [0.5, 0.5, 0.875, 0.125]), [0, 1, 0, 1]);
  // soft reset subtracts the configured θ = 1 from the raw membrane: h 1.0 (fire → 0), ...
  assert.deepEqual(membrane({ theta: 1, mpbn, reset: "soft" }, [1, 0.5, 0.5]), [1, 0.5, 1.0]);
});

function readoutGraph(mode: "mean" | "sum", T: number): Graph {
  return b.graph(
    [
      b.input("in", [2]),
      b.dense("fc", "in", b.tensor([2, 1], [1, 2]), b.tensor([1], [0.5])),
      b.readout("ro", "fc", mode),
    ],
    { name: "ro", T, encoding: "spikes" },
  );
}

test("Readout: o = (1/T) Σ_t c[t] (mean) or Σ_t c[t] (sum), never fires", () => {
  // c[t] = x0 + 2 x1 + 0.5: steps (1,0) → 1.5, (0,1) → 2.5, (1,1) → 3.5, (0,0) → 0.5; Σ = 8
  const xs = [Float64Array.of(1, 0), Float64Array.of(0, 1), Float64Array.of(1, 1), Float64Array.of(0, 0)];
  assert.deepEqual(Array.from(simulate(readoutGraph("sum", 4), xs).readouts.get("ro")!), [8]);
  assert.deepEqual(Array.from(simulate(readoutGraph("mean", 4), xs).readouts.get("ro")!), [2]);
});

test("layers update in topological order within a step: the input of step t reaches the readout at step t", () => {
  const g = b.graph(
    [
      b.input("in", [1]),
      b.neuron("n", "in", { model: "IF", theta: 0.5 }),
      b.dense("fc", "n", b.tensor([1, 1], [3])),
      b.readout("ro", "fc", "sum"),
    ],
    { name: "chain", T: 2, encoding: "spikes" },
  );
  // step 1: x = 1 → spike → readout gets 3 in the same step; step 2: x = 0 → nothing.
  const r = simulate(g, [Float64Array.of(1), Float64Array.of(0)], { all: true });
  assert.deepEqual(
    r.traces.get("fc")!.out.map((o) => o[0]),
    [3, 0],
  );
  assert.deepEqual(Array.from(r.readouts.get("ro")!), [3]);
});
