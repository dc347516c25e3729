/**
 * Runs of one graph share their arrays in a thread (src/sim/run-workspace.ts): each node's output
 * array, each neuron layer's parameters and state. Properties on random models of every kind:
 * runs made one after another, and a run made inside another's `onStep`, give what runs on a copy
 * of the graph (new nodes, so arrays of their own) give, bit for bit; the neuron step's plain loop
 * (one threshold, nothing but the output asked) gives what its general loop gives; and a run
 * summarised as it goes (src/sim/summarize.ts) is the summary of the run kept whole.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Graph } from "../../src/ir/nodes.ts";
import { simulate, type RunResult } from "../../src/sim/reference.ts";
import { summarizeRun } from "../../src/sim/run-summary.ts";
import { runSummary } from "../../src/sim/summarize.ts";
import { checkProperty } from "../support/property.ts";
import { assertSteps, floatModels, stepRecorder } from "../support/step-values.ts";

const makers = floatModels.map(([, make]) => make);

/** The same graph made of new node objects: none of the original's shared arrays reach it. */
const copyOf = (g: Graph): Graph => ({ ...g, nodes: g.nodes.map((n) => ({ ...n })) });

function sameRun(a: RunResult, b: RunResult, what: string): void {
  assert.deepEqual([...a.traces.keys()], [...b.traces.keys()], `${what}: traced layers`);
  for (const [id, tr] of a.traces) {
    const o = b.traces.get(id)!;
    assert.deepEqual(tr.out, o.out, `${what}: ${id} outputs`);
    assert.deepEqual(tr.h, o.h, `${what}: ${id} membranes`);
  }
  assert.deepEqual(a.readouts, b.readouts, `${what}: readouts`);
}

test("runs one after another on one graph: each the run of a fresh copy, whatever ran before", () => {
  let runs = 0;
  checkProperty("float", (s) => {
    const g = makers[s.int(0, makers.length - 1)]!(s);
    const xs = s.inputs(g, 3);
    // Runs that leave nothing recorded (arrays reused for every node) between recorded ones.
    for (const x of xs) {
      simulate(g, x, { record: false });
      sameRun(simulate(g, x, { membrane: true }), simulate(copyOf(g), x, { membrane: true }), "recorded");
      const { seen, onStep } = stepRecorder();
      simulate(g, x, { record: false, onStep });
      assertSteps(seen, simulate(copyOf(g), x, { all: true }));
      runs++;
    }
  });
  assert.ok(runs > 0);
});

test("a run made inside another run's onStep, on the same graph: both are the runs of fresh copies", () => {
  let nested = 0;
  checkProperty("float", (s) => {
    const g = makers[s.int(0, makers.length - 1)]!(s);
    const [x, y] = s.inputs(g, 2) as [Parameters<typeof simulate>[1], Parameters<typeof simulate>[1]];
    const at = s.int(0, g.meta.timesteps - 1);
    let inner: RunResult | undefined;
    const outer = simulate(g, x, {
      record: true,
      onStep: (t) => {
        if (t === at) inner = simulate(g, y, { record: true });
      },
    });
    sameRun(outer, simulate(copyOf(g), x), "outer");
    sameRun(inner!, simulate(copyOf(g), y), "inner");
    // and the graph's own arrays are as good afterwards
    sameRun(simulate(g, y), simulate(copyOf(g), y), "after");
    nested++;
  });
  assert.ok(nested > 0);
});

test("the neuron step's plain loop: the outputs, membranes and readouts of its general loop", () => {
  let layers = 0;
  // The exact tier's dyadic values put membranes on their thresholds (the ties of `ge` and `gt`);
  // its models are the folds' (the NIR-shaped ones are drawn in the float tier only).
  for (const [tier, count] of [
    ["exact", 6],
    ["float", makers.length],
  ] as const)
    checkProperty(tier, (s) => {
      const g = makers[s.int(0, count - 1)]!(s);
      for (const x of s.inputs(g, 1)) {
        // An imposed output list, empty, takes every layer through the general loop.
        const general = simulate(copyOf(g), x, { force: () => new Map() });
        sameRun(simulate(g, x), general, "plain");
        layers += general.traces.size;
      }
    });
  assert.ok(layers > 0);
});

test("a run summarised as it goes: the summary of the run kept whole", () => {
  let samples = 0;
  checkProperty("float", (s) => {
    const g = makers[s.int(0, makers.length - 1)]!(s);
    const T = g.meta.timesteps;
    for (const x of s.inputs(g, 2)) {
      assert.deepEqual(runSummary(g, x, T), summarizeRun(g, simulate(copyOf(g), x, { timesteps: T })));
      assert.deepEqual(runSummary(g, x, T, true), summarizeRun(g, simulate(copyOf(g), x, { timesteps: T }), true));
      samples++;
    }
  });
  assert.ok(samples > 0);
});
