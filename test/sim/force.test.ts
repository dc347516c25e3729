/**
 * Imposed outputs (simulate's `force`): the neuron emits what is imposed and its reset follows the
 * imposed decision, as if its membrane had crossed (or not) the thresholds; verify replays a
 * fixed-point model's decisions in the float model this way (src/loihi/ties/judge-tie.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { simulate } from "../../src/sim/reference.ts";
import * as b from "../support/ir-builder.ts";

function run(spec: b.NeuronOpts, currents: number[], force: Record<number, number>) {
  const g = b.singleNeuronGraph(1, currents.length, spec);
  const r = simulate(g, b.steps(currents), {
    membrane: true,
    force: (layer, t) => (layer === "n" && force[t] !== undefined ? new Map([[0, force[t]!]]) : undefined),
  });
  const tr = r.traces.get("n")!;
  return { out: tr.out.map((o) => o[0]!), h: tr.h!.map((o) => o[0]!) };
}

test("a forced spike resets, a forced silence keeps the membrane", () => {
  // IF θ = 1, c = 0.5: free h 0.5, 1.0, 1.5 (fire), 0.5
  assert.deepEqual(run({ theta: 1 }, [0.5, 0.5, 0.5, 0.5], {}).out, [0, 0, 1, 0]);
  // spike imposed at step 1: reset to 0, so h 0.5, 1.0, 0.5, 1.0
  const up = run({ theta: 1 }, [0.5, 0.5, 0.5, 0.5], { 1: 1 });
  assert.deepEqual(up.out, [0, 1, 0, 0]);
  assert.deepEqual(up.h, [0.5, 1.0, 0.5, 1.0]);
  // silence imposed at step 2: no reset, h 0.5, 1.0, 1.5, 2.0 (fires)
  const down = run({ theta: 1 }, [0.5, 0.5, 0.5, 0.5], { 2: 0 });
  assert.deepEqual(down.out, [0, 0, 0, 1]);
  assert.deepEqual(down.h, [0.5, 1.0, 1.5, 2.0]);
  // the imposed value equal to the free one changes nothing
  assert.deepEqual(run({ theta: 1 }, [0.5, 0.5, 0.5, 0.5], { 2: 1 }).out, [0, 0, 1, 0]);
});

test("a forced spike of a soft-reset neuron subtracts the reset amount", () => {
  // θ = 1, soft: free h 0.75, 1.5 (fire, v 0.5), 1.25 (fire, v 0.25); imposed at step 0: v = 0.75 − 1
  const r = run({ theta: 1, reset: "soft" }, [0.75, 0.75, 0.75], { 0: 1 });
  assert.deepEqual(r.out, [1, 0, 1]);
  assert.deepEqual(r.h, [0.75, 0.5, 1.25]);
});

test("multi-threshold: the imposed count crosses the lowest thresholds; only the base plane resets", () => {
  // base θ = 1, planes at 1 + 0.5 = 1.5 and 1 − 0.5 = 0.5 (below the base)
  const spec: b.NeuronOpts = { theta: 1, planes: [0.5, -0.5] };
  // c = 0.75: free h 0.75 (count 1: the 0.5 plane only, no reset), 1.5 (count 2: 0.5 and 1; reset)
  assert.deepEqual(run(spec, [0.75, 0.75, 0.75], {}).out, [1, 2, 1]);
  // count 1 imposed at step 1: only the 0.5 plane, no base spike, so no reset: h 0.75, 1.5, 2.25
  const r = run(spec, [0.75, 0.75, 0.75], { 1: 1 });
  assert.deepEqual(r.out, [1, 1, 3]);
  assert.deepEqual(r.h, [0.75, 1.5, 2.25]);
  // count 2 imposed at step 0: the 0.5 plane and the base: reset, h 0.75, 0.75
  assert.deepEqual(run(spec, [0.75, 0.75], { 0: 2 }).h, [0.75, 0.75]);
});
