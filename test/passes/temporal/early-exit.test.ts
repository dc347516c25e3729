import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { driverFor } from "../../../src/driver/index.ts";
import { loadTfjsModel } from "../../../src/frontends/tfjs/load.ts";
import { randomInputs } from "../../../src/inputs/random-inputs.ts";
import { SnncError } from "../../../src/ir/errors.ts";
import type { Graph, IRNode, NeuronNode } from "../../../src/ir/nodes.ts";
import { tensor } from "../../../src/ir/tensor.ts";
import {
  bnttEarlyExit,
  bnttEarlyExitPass,
  bnttGammaTable,
  earlyExitStep,
  formatEarlyExit,
  type GammaRow,
} from "../../../src/passes/temporal/bntt-early-exit.ts";
import { runPasses } from "../../../src/passes/pass.ts";
import { FLOAT_PIPELINE } from "../../../src/passes/float-pipeline.ts";
import { simulate } from "../../../src/sim/reference.ts";
import { compareTraces } from "../../../src/verify/compare.ts";
import * as b from "../../support/ir-builder.ts";

const rows = (...r: number[][]): GammaRow[] => r.map((meanGamma, i) => ({ layer: `l${i + 1}`, meanGamma }));

describe("early-exit step on a hand-built γ table", () => {
  // BNTT Fig. 3 in small: both layers stay below 0.1 after step 5; at step 5 layer 1 is 0.2.
  const table = rows([0.9, 0.5, 0.08, 0.05, 0.2, 0.03, 0.01], [1.0, 0.9, 0.5, 0.05, 0.04, 0.02, 0.01]);

  it("is the earliest step after which every layer's mean γ stays below the threshold", () => {
    assert.equal(earlyExitStep(table, 0.1, 7), 5);
    // A higher threshold lets the dip at steps 3-4 count for layer 1, but layer 2 is 0.5 at step 3.
    assert.equal(earlyExitStep(table, 0.3, 7), 3);
    assert.equal(earlyExitStep(table, 0.6, 7), 2);
  });

  it("is T when the last step is not below the threshold in some layer", () => {
    assert.equal(earlyExitStep(rows([0.9, 0.01, 0.5]), 0.1, 3), 3);
    assert.equal(earlyExitStep(table, 0.01, 7), 7, "0.01 is not below 0.01 (strict)");
  });

  it("is at least 1 when every step is below", () => {
    assert.equal(earlyExitStep(table, 5, 7), 1);
  });

  it("only looks at the first T steps", () => {
    assert.equal(earlyExitStep(table, 0.1, 5), 5);
    assert.equal(earlyExitStep(table, 0.1, 4), 3);
  });
});

function bnttGraph(gammas: number[][][], T: number): Graph {
  const nodes: IRNode[] = [b.input("x", [3])];
  let prev = "x";
  let fin = 3;
  gammas.forEach((g, l) => {
    const Tn = g.length;
    const C = g[0]!.length;
    nodes.push(
      b.dense(
        `d${l}`,
        prev,
        tensor(
          [fin, C],
          Array.from({ length: fin * C }, (_, i) => (((i * 5 + l) % 7) - 2) / 3),
        ),
      ),
    );
    nodes.push(
      b.bntt(`bntt${l}`, `d${l}`, {
        timesteps: Tn,
        epsilon: 1e-5,
        gamma: tensor([Tn, C], g.flat()),
        mean: tensor([Tn, C], Array(Tn * C).fill(0.05)),
        variance: tensor([Tn, C], Array(Tn * C).fill(0.8)),
      }),
    );
    nodes.push(b.neuron(`n${l}`, `bntt${l}`, { decay: 0.9, reset: "soft", theta: 0.5 }));
    prev = `n${l}`;
    fin = C;
  });
  nodes.push(
    b.dense(
      "out",
      prev,
      tensor(
        [fin, 2],
        Array.from({ length: fin * 2 }, (_, i) => (i % 3) - 1),
      ),
    ),
  );
  nodes.push(b.readout("readout", "out", "sum"));
  return b.graph(nodes, { name: "bntt", T, encoding: "spikes" });
}

describe("bntt-early-exit pass", () => {
  // Layer 0 mean γ: 1, 0.75, 0.05, 0.02, 0.01 ; layer 1: 1.5, 0.4, 0.3, 0.06, 0.02.
  const g = bnttGraph(
    [
      [
        [1.5, 0.5],
        [1, 0.5],
        [0.09, 0.01],
        [0.03, 0.01],
        [0.01, 0.01],
      ],
      [
        [1.5, 1.5, 1.5],
        [0.6, 0.3, 0.3],
        [0.5, 0.1, 0.3],
        [0.06, 0.06, 0.06],
        [0.02, 0.02, 0.02],
      ],
    ],
    5,
  );

  it("reads each BNTT layer's mean γ_t", () => {
    const t = bnttGammaTable(g);
    assert.deepEqual(
      t.map((r) => r.layer),
      ["bntt0", "bntt1"],
    );
    assert.deepEqual(
      t[0]!.meanGamma.map((v) => Number(v.toFixed(12))),
      [1, 0.75, 0.05, 0.02, 0.01],
    );
    assert.deepEqual(
      t[1]!.meanGamma.map((v) => Number(v.toFixed(12))),
      [1.5, 0.4, 0.3, 0.06, 0.02],
    );
  });

  it("cuts T to the exit step and reports the original T, the exit step and the table", () => {
    const r = bnttEarlyExitPass.run(g, { target: "float", earlyExit: 0.1 });
    assert.equal(r.graph.meta.timesteps, 3);
    assert.equal(g.meta.timesteps, 5, "input graph untouched");
    assert.equal(r.notes[0], "BNTT early exit at γ threshold 0.1: exit step 3 of 5, T cut from 5 to 3");
    assert.match(r.notes[1]!, /^ {2}layer +t=1 +t=2 +t=3 +t=4 +t=5 +\(mean γ_t over channels\)$/);
    assert.match(r.notes[2]!, /^ {2}bntt0 +1 +0\.75 +0\.05 +0\.02 +0\.01$/);
    assert.match(r.notes[3]!, /^ {2}bntt1 +1\.5 +0\.4 +0\.3 +0\.06 +0\.02$/);
    const e = bnttEarlyExit(g, 0.01);
    assert.deepEqual([e.originalT, e.exitStep], [5, 5]);
    assert.ok(formatEarlyExit(e)[0]!.endsWith("no step can be cut (T stays 5)"));
  });

  it("does nothing without the option", () => {
    const r = bnttEarlyExitPass.run(g, { target: "float" });
    assert.equal(r.graph, g);
    assert.deepEqual(r.notes, []);
  });

  it("the cut model equals the first steps of the full one, also after the norms became schedules", () => {
    const full = runPasses(g, FLOAT_PIPELINE, { target: "float" }).graph;
    const cut = runPasses(g, FLOAT_PIPELINE, { target: "float", earlyExit: 0.1 }).graph;
    assert.equal(cut.meta.timesteps, 3);
    assert.equal(
      (cut.nodes.find((n) => n.id === "n0") as NeuronNode).schedule!.decay.length,
      5,
      "the schedule keeps every step",
    );
    for (let k = 0; k < 6; k++) {
      const x = Array.from({ length: 5 }, (_, t) =>
        Float64Array.from({ length: 3 }, (_, i) => ((i + t + k) % 3 === 0 ? 1 : 0)),
      );
      const a = simulate(g, x, { timesteps: 3, margin: true });
      const b = simulate(cut, x);
      assert.equal(b.timesteps, 3);
      const c = compareTraces(a, b);
      assert.equal(c.spikesDiffering, 0);
      assert.ok((c.readoutMaxAbsDiff ?? 0) < 1e-9);
      assert.equal(simulate(full, x).timesteps, 5);
    }
  });

  it("refuses a model without BNTT and a non-finite threshold", () => {
    const plain: Graph = {
      ...g,
      nodes: g.nodes
        .filter((n) => n.op !== "bntt")
        .map((n) => (n.op === "neuron" ? { ...n, inputs: [n.id.replace("n", "d")] } : n)),
    };
    assert.throws(
      () => bnttEarlyExitPass.run(plain, { target: "float", earlyExit: 0.1 }),
      (e: unknown) =>
        e instanceof SnncError &&
        e.code === "E_USAGE" &&
        /--early-exit 0\.1: BNTT early exit reads the γ_t of BNTT layers, and this model has none/.test(e.message),
    );
    assert.throws(
      () => bnttEarlyExit(g, Number.NaN),
      (e: unknown) =>
        e instanceof SnncError && e.code === "E_USAGE" && /needs a finite γ threshold, got NaN/.test(e.message),
    );
  });
});

describe("early exit on the BNTT fixture", () => {
  it("the exit step satisfies its definition, and the float target's compile reports it", async () => {
    const g = await loadTfjsModel("fixtures/bntt/model.json");
    const table = bnttGammaTable(g);
    assert.equal(table.length, 2);
    // A threshold between the two largest last-step means forces a cut somewhere before T.
    const last = Math.max(...table.map((r) => r.meanGamma[4]!));
    const thr = last + 1e-6;
    const e = bnttEarlyExit(g, thr);
    for (let t = e.exitStep + 1; t <= 5; t++) for (const r of table) assert.ok(r.meanGamma[t - 1]! < thr);
    if (e.exitStep > 1) assert.ok(table.some((r) => r.meanGamma[e.exitStep - 1]! >= thr));
    assert.ok(e.exitStep < 5);
    const res = await driverFor("float").compile(g, { target: "float", earlyExit: thr });
    assert.equal(res.graph.meta.timesteps, e.exitStep);
    assert.ok(
      res.report.some((l) => l.includes(`exit step ${e.exitStep} of 5, T cut from 5 to ${e.exitStep}`)),
      res.report.join("\n"),
    );
    for (const x of randomInputs(g, 3, 5)) {
      const c = compareTraces(simulate(g, x, { timesteps: e.exitStep, margin: true }), simulate(res.graph, x));
      assert.equal(c.spikesDiffering, 0);
    }
  });
});
