/**
 * The float reference writes the outputs nobody keeps past their step (every node's but the
 * neurons') into one array per node (src/sim/node-steps.ts); with `all`, every node's output is
 * kept and each step's is a new array. Property: on random models of every kind, both give the
 * same neuron outputs, membranes and readouts, bit for bit, and `onStep` sees the same values. Nodes
 * traced one by one (`trace`, as the agreement traces its layers) keep the values `all` keeps.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { simulate } from "../../src/sim/reference.ts";
import { assertSteps, floatModels as makers, stepRecorder } from "../support/step-values.ts";
import { checkProperty } from "../support/property.ts";

test("reused output arrays: the same neuron outputs, membranes, readouts and per-step values as fresh ones", () => {
  let models = 0;
  checkProperty("float", (s) => {
    const [, make] = makers[s.int(0, makers.length - 1)]!;
    const g = make(s);
    for (const x of s.inputs(g, 1)) {
      const { seen, onStep } = stepRecorder();
      const reused = simulate(g, x, { membrane: true, onStep });
      const fresh = simulate(g, x, { membrane: true, all: true });
      for (const [id, tr] of reused.traces) {
        const f = fresh.traces.get(id)!;
        assert.deepEqual(tr.out, f.out, `${id}: outputs`);
        assert.deepEqual(tr.h, f.h, `${id}: membranes`);
      }
      assert.deepEqual(reused.readouts, fresh.readouts, "readouts");
      assertSteps(seen, fresh);
    }
    models++;
  });
  assert.ok(models > 0);
});

test("traced nodes (`trace`): their outputs at every step are those `all` keeps, and the neurons' too", () => {
  let tracedNodes = 0;
  checkProperty("float", (s) => {
    const [, make] = makers[s.int(0, makers.length - 1)]!;
    const g = make(s);
    const trace = g.nodes.filter(() => s.int(0, 2) === 0).map((n) => n.id);
    for (const x of s.inputs(g, 1)) {
      const some = simulate(g, x, { trace });
      const fresh = simulate(g, x, { all: true });
      const want = new Set([...trace, ...g.nodes.filter((n) => n.op === "neuron").map((n) => n.id)]);
      assert.deepEqual([...some.traces.keys()].sort(), [...want].sort(), "the traced nodes and the neurons");
      for (const [id, tr] of some.traces) assert.deepEqual(tr.out, fresh.traces.get(id)!.out, `${id}: outputs`);
      assert.deepEqual(some.readouts, fresh.readouts, "readouts");
    }
    tracedNodes += trace.length;
  });
  assert.ok(tracedNodes > 0);
});
