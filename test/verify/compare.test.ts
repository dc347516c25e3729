import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SnncError } from "../../src/ir/errors.ts";
import type { NodeTrace, RunResult } from "../../src/sim/reference.ts";
import { simulate } from "../../src/sim/reference.ts";
import { compareTraces, NEAR_TIE } from "../../src/verify/compare.ts";
import * as b from "../support/ir-builder.ts";

const g = b.model(
  [
    b.input("x", [3]),
    b.dense("d1", "x", b.t([3, 4], [1, 0.5, -0.5, 0.25, 0.75, 1, 0.5, -1, 0.25, 0.5, 1, 0.75])),
    b.neuron("n1", "d1", { theta: 0.5 }),
    b.dense("d2", "n1", b.t([4, 2], [1, 0.5, 0.5, 1, -0.25, 0.75, 1, 1])),
    b.neuron("n2", "d2", { theta: 0.75 }),
    b.readout("out", "d2"),
  ],
  { outputs: ["n2", "out"], T: 5 },
);
const x = Float64Array.of(0.3, 0.71, 0.45);
const run = (): RunResult => simulate(g, x, { margin: true });

/** A deep copy of a run with its traces' outputs copied (so tests can edit them). */
function copyRun(r: RunResult, edit?: (traces: Map<string, NodeTrace>) => void): RunResult {
  const traces = new Map(
    [...r.traces].map(([k, v]) => [k, { ...v, out: v.out.map((o) => new Float64Array(o)) }] as const),
  );
  edit?.(traces);
  return {
    timesteps: r.timesteps,
    traces,
    readouts: new Map([...r.readouts].map(([k, v]) => [k, new Float64Array(v)] as const)),
  };
}

describe("compareTraces", () => {
  it("identical runs: every slot compared, none differs", () => {
    const ref = run();
    const c = compareTraces(ref, copyRun(ref));
    assert.equal(c.spikesCompared, (4 + 2) * 5);
    assert.equal(c.spikesDiffering, 0);
    assert.deepEqual(c.divergences, []);
    assert.deepEqual(
      c.layers.map((l) => [l.layer, l.neurons, l.steps]),
      [
        ["n1", 4, 5],
        ["n2", 2, 5],
      ],
    );
    assert.ok(c.layers[0]!.refSpikes > 0 && c.layers[0]!.refSpikes === c.layers[0]!.gotSpikes);
    assert.equal(c.readoutMaxAbsDiff, 0);
    assert.ok(c.minMargin !== null && c.minMargin > 0);
  });

  it("a flipped spike is counted and reported with layer, neuron, step, values and margin", () => {
    const ref = run();
    const cmp = copyRun(ref, (t) => {
      const o = t.get("n2")!.out[3]!;
      o[1] = 1 - o[1]!;
    });
    const c = compareTraces(ref, cmp, { sample: 4 });
    assert.equal(c.spikesDiffering, 1);
    assert.equal(c.layers[1]!.spikesDiffering, 1);
    const d = c.divergences[0]!;
    assert.deepEqual(
      { ...d, margin: undefined },
      {
        sample: 4,
        layer: "n2",
        neuron: 1,
        step: 3,
        ref: ref.traces.get("n2")!.out[3]![1],
        got: cmp.traces.get("n2")!.out[3]![1],
        margin: undefined,
        nearTie: false,
      },
    );
    assert.equal(d.margin, ref.traces.get("n2")!.margin![3]![1]);
  });

  it("lists divergences earliest step first and at most maxDivergences", () => {
    const ref = run();
    const cmp = copyRun(ref, (t) => {
      for (const [id, step] of [
        ["n2", 4],
        ["n1", 2],
        ["n2", 0],
        ["n1", 4],
      ] as const)
        t.get(id)!.out[step]![0] += 1;
    });
    const c = compareTraces(ref, cmp, { maxDivergences: 3 });
    assert.equal(c.spikesDiffering, 4);
    assert.deepEqual(
      c.divergences.map((d) => [d.layer, d.step]),
      [
        ["n2", 0],
        ["n1", 2],
        ["n1", 4],
      ],
    );
  });

  it("matches renamed layers through layerMap", () => {
    const ref = run();
    const cmp = copyRun(ref, (t) => {
      t.set("n1_folded", { ...t.get("n1")!, id: "n1_folded" });
      t.delete("n1");
    });
    assert.throws(
      () => compareTraces(ref, cmp),
      (e: unknown) =>
        e instanceof SnncError &&
        e.code === "E_TARGET" &&
        /the compiled model has no layer 'n1' to compare with reference layer 'n1'/.test(e.message),
    );
    const c = compareTraces(ref, cmp, { layerMap: { n1: "n1_folded" } });
    assert.equal(c.spikesDiffering, 0);
    assert.equal(c.layers[0]!.compiledLayer, "n1_folded");
  });

  it("aligns a compiled run that lags by a latency (per layer or global)", () => {
    const ref = run();
    const lagged = copyRun(ref, (t) => {
      const n1 = t.get("n1")!;
      n1.out = [new Float64Array(4), ...n1.out];
      const n2 = t.get("n2")!;
      n2.out = [new Float64Array(2), new Float64Array(2), ...n2.out];
    });
    assert.ok(compareTraces(ref, lagged).spikesDiffering > 0, "without alignment the lag shows");
    const c = compareTraces(ref, lagged, { latency: { n1: 1, n2: 2 } });
    assert.equal(c.spikesDiffering, 0);
    assert.deepEqual(
      c.layers.map((l) => l.latency),
      [1, 2],
    );
    assert.throws(
      () => compareTraces(ref, lagged, { latency: 3 }),
      (e: unknown) =>
        e instanceof SnncError && /ran 6 steps; comparing 5 reference steps at latency 3 needs 8/.test(e.message),
    );
  });

  it("flags near-ties: a divergence whose reference margin is below NEAR_TIE", () => {
    const ref = run();
    ref.traces.get("n1")!.margin![0]![2] = NEAR_TIE / 2;
    const cmp = copyRun(ref, (t) => {
      t.get("n1")!.out[0]![2] = 1 - t.get("n1")!.out[0]![2]!;
    });
    const c = compareTraces(ref, cmp);
    assert.equal(c.nearTies, 1);
    assert.equal(c.divergences[0]!.nearTie, true);
    assert.equal(c.minMargin, NEAR_TIE / 2);
  });

  it("reports the largest readout difference", () => {
    const ref = run();
    const cmp = copyRun(ref);
    cmp.readouts.get("out")![1]! += 0.125;
    assert.equal(compareTraces(ref, cmp).readoutMaxAbsDiff, 0.125);
  });
});
