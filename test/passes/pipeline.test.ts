import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Graph, NeuronNode } from "../../src/ir/nodes.ts";
import { scalar } from "../../src/ir/tensor.ts";
import type { Pass } from "../../src/passes/pass.ts";
import { runPasses } from "../../src/passes/pass.ts";
import {
  FLOAT_FOLDS_END,
  FLOAT_PIPELINE,
  floatPipeline,
  insertIntoFloatPipeline,
  passByName,
  PASSES,
  registerPass,
} from "../../src/passes/pipeline.ts";
import { SnncError } from "../../src/ir/errors.ts";
import * as b from "../support/build.ts";
import { compareGraphs, snapshot } from "../support/check.ts";
import { admissible, type Tier } from "../support/gen.ts";
import { fullModel } from "../support/models.ts";
import { checkProperty } from "../support/property.ts";

const FOLDS = ["fold-bn", "fold-tdbn", "fold-psp-bn", "absorb-affine", "fold-mpbn", "fold-plif", "absorb-gain"];

function property(tier: Tier) {
  return checkProperty(tier, (s, tally) => {
    const g = fullModel(s);
    const before = snapshot(g);
    const { graph } = runPasses(g, floatPipeline(), { target: "float" });
    assert.equal(snapshot(g), before, "the pipeline mutated its input");
    assert.ok(
      !graph.nodes.some(
        (n) =>
          n.op === "bn" ||
          n.op === "tdbn" ||
          n.op === "pspnorm" ||
          (n.op === "neuron" && (n.mpbn || n.plifA !== undefined)),
      ),
    );
    const r = compareGraphs(g, graph, s.inputs(g, 2));
    admissible(r, tier, tally);
    assert.equal(r.spikesDiffering, 0, `spikes differ: ${JSON.stringify(r.divergences)}`);
  });
}

describe("float pipeline", () => {
  it("runs the folds in the order that makes each valid", () => {
    assert.deepEqual(FLOAT_PIPELINE.slice(0, FOLDS.length), FOLDS);
    assert.equal(FLOAT_FOLDS_END, FOLDS[FOLDS.length - 1]);
    assert.deepEqual(
      floatPipeline().map((p) => p.name),
      FLOAT_PIPELINE,
    );
    for (const name of FOLDS) {
      const p = PASSES.get(name)!;
      assert.ok(p.description && p.requires && p.guarantees, `${name} documents itself`);
    }
  });

  it("property (exact tier): every fold together keeps every spike, ties included", () => {
    assert.ok(property("exact").spikes > 0);
  });

  it("property (float tier): every fold together keeps every spike away from near-ties", () => {
    const tally = property("float");
    assert.ok(tally.nearTieSkips < tally.cases / 10, JSON.stringify(tally));
  });

  it("leaves per-step norms (BNTT, TEBN, TAB) and the MT planes of a neuron without MPBN untouched", () => {
    const T = 3;
    const C = 2;
    const g = b.model(
      [
        b.input("x", [2, 2, 1]),
        b.conv("c1", "x", b.t([1, 1, 1, C], [1, -1])),
        {
          op: "bntt",
          id: "bntt",
          inputs: ["c1"],
          timesteps: T,
          gamma: b.t([T, C], 1),
          mean: b.t([T, C], 0),
          variance: b.t([T, C], 1),
          epsilon: 1e-5,
        },
        b.neuron("n1", "bntt", { model: "MT-LIF", deltas: [0.5], planeThresholds: [scalar(1.5)] }),
        b.conv("c2", "n1", b.t([1, 1, C, C], [1, 0, 0, 1])),
        {
          op: "tebn",
          id: "tebn",
          inputs: ["c2"],
          timesteps: T,
          gamma: b.t([C], 1),
          beta: b.t([C], 0),
          mean: b.t([C], 0),
          variance: b.t([C], 1),
          p: b.t([T], 1),
          epsilon: 1e-5,
        },
        b.neuron("n2", "tebn"),
        b.conv("c3", "n2", b.t([1, 1, C, C], [1, 0, 0, 1])),
        {
          op: "tab",
          id: "tab",
          inputs: ["c3"],
          timesteps: T,
          gammaHat: b.t([T, C], 1),
          betaHat: b.t([T, C], 0),
          meanAcc: b.t([T, C], 0),
          varAcc: b.t([T, C], 1),
          epsilon: 1e-5,
        },
        b.neuron("n3", "tab"),
      ],
      { T },
    );
    const { graph } = runPasses(g, FOLDS.map(passByName), { target: "float" });
    for (const id of ["bntt", "tebn", "tab", "n1"])
      assert.equal(
        snapshot({ ...g, nodes: [b.node(graph, id)] }),
        snapshot({ ...g, nodes: [b.node(g, id)] }),
        `${id} changed`,
      );
    assert.deepEqual([...b.node<NeuronNode>(graph, "n1").planeThresholds![0]!.data], [1.5]);
  });

  it("insertIntoFloatPipeline places a registered pass after an anchor; unknown passes are usage errors", () => {
    const probe: Pass = {
      name: "probe-pass",
      description: "test",
      requires: "-",
      guarantees: "-",
      run: (g: Graph) => ({ graph: g, notes: ["probe ran"] }),
    };
    registerPass(probe);
    try {
      insertIntoFloatPipeline("probe-pass", { after: FLOAT_FOLDS_END });
      insertIntoFloatPipeline("probe-pass", { after: FLOAT_FOLDS_END });
      assert.equal(FLOAT_PIPELINE.filter((n) => n === "probe-pass").length, 1, "idempotent");
      assert.equal(FLOAT_PIPELINE.indexOf("probe-pass"), FLOAT_PIPELINE.indexOf(FLOAT_FOLDS_END) + 1);
    } finally {
      FLOAT_PIPELINE.splice(FLOAT_PIPELINE.indexOf("probe-pass"), 1);
      PASSES.delete("probe-pass");
    }
    assert.throws(
      () => passByName("no-such-pass"),
      (e: unknown) =>
        e instanceof SnncError &&
        e.code === "E_USAGE" &&
        /unknown pass 'no-such-pass' \(known: fold-bn, /.test(e.message),
    );
  });
});
