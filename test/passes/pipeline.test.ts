import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Graph, NeuronNode } from "../../src/ir/nodes.ts";
import { scalar } from "../../src/ir/tensor.ts";
import { driverFor, pipelineFor } from "../../src/driver/index.ts";
import { makeFloatDriver } from "../../src/driver/float.ts";
import { SnncError } from "../../src/ir/errors.ts";
import { FLOAT_FOLDS, FLOAT_PIPELINE } from "../../src/passes/float-pipeline.ts";
import { splitMt } from "../../src/passes/mt/split-mt.ts";
import { PassCheckError, runPasses, type Pass } from "../../src/passes/pass.ts";
import * as b from "../support/ir-builder.ts";
import { compareGraphs, snapshot } from "../support/check.ts";
import { admissible, type Tier } from "../support/gen.ts";
import { fullModel } from "../support/models.ts";
import { checkProperty } from "../support/property.ts";

const FOLDS = ["fold-bn", "fold-tdbn", "fold-psp-bn", "absorb-affine", "fold-mpbn", "fold-plif", "absorb-gain"];
const LOWERINGS = [
  "lower-neuron-model",
  "lower-pad",
  "lower-pooling",
  "lower-conv-padding",
  "lower-gain",
  "lower-soft-reset",
  "lower-state-offset",
  "lower-thresholds",
];
const names = (ps: readonly Pass[]) => ps.map((p) => p.name);

function property(tier: Tier) {
  return checkProperty(tier, (s, tally) => {
    const g = fullModel(s);
    const before = snapshot(g);
    // check: every pass leaves a valid IR (structure, parameters, shapes)
    const { graph } = runPasses(g, FLOAT_PIPELINE, { target: "float" }, { check: true });
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
    assert.deepEqual(names(FLOAT_FOLDS), FOLDS);
    assert.deepEqual(FLOAT_PIPELINE.slice(0, FOLDS.length), FLOAT_FOLDS);
    assert.deepEqual(names(FLOAT_PIPELINE), [...FOLDS, "bntt-early-exit", "schedule-temporal-norm"]);
    for (const p of FLOAT_PIPELINE)
      assert.ok(p.description && p.requires && p.guarantees, `${p.name} documents itself`);
    assert.ok(Object.isFrozen(FLOAT_FOLDS) && Object.isFrozen(FLOAT_PIPELINE), "the lists are constants");
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
    const { graph } = runPasses(g, FLOAT_FOLDS, { target: "float" });
    for (const id of ["bntt", "tebn", "tab", "n1"])
      assert.equal(
        snapshot({ ...g, nodes: [b.node(graph, id)] }),
        snapshot({ ...g, nodes: [b.node(g, id)] }),
        `${id} changed`,
      );
    assert.deepEqual([...b.node<NeuronNode>(graph, "n1").planeThresholds![0]!.data], [1.5]);
  });
});

describe("target pipelines", () => {
  it("pipelineFor gives each target's list: float runs FLOAT_PIPELINE, Loihi the folds, its per-step-norm pass and its lowerings", () => {
    assert.deepEqual(pipelineFor("float"), FLOAT_PIPELINE);
    // per-step norms: exact on a target with graded spikes (loihi2), refused without them (loihi1)
    for (const [t, norms] of [
      ["loihi", "lower-temporal-norm"],
      ["loihi2", "lower-temporal-norm"],
      ["loihi1", "refuse-temporal-norm"],
    ] as const) {
      const exact = names(pipelineFor(t));
      assert.deepEqual(exact, [...FOLDS, "bntt-early-exit", norms, ...LOWERINGS], t);
      const approx = names(pipelineFor(t, { temporalNorm: "approx" }));
      assert.deepEqual(approx, [...FOLDS, "bntt-early-exit", "approx-temporal-norm", ...LOWERINGS], t);
    }
    for (const t of ["float", "loihi2"]) {
      const list = pipelineFor(t);
      assert.equal(new Set(names(list)).size, list.length, `${t}: pass names are unique`);
      assert.ok(!list.includes(splitMt), `${t} does not run split-mt`);
    }
    assert.throws(
      () => pipelineFor("no-such-target"),
      (e: unknown) =>
        e instanceof SnncError && e.code === "E_USAGE" && /unknown target 'no-such-target'/.test(e.message),
    );
  });

  it("--dump-ir-after names a pass of the chosen target's list; anything else is a usage error listing that list", async () => {
    const g = b.model([b.input("x", [2]), b.dense("d", "x", b.t([2, 2], [1, 0, 0, 1])), b.neuron("n", "d")]);
    const seen: string[] = [];
    await driverFor("loihi2").compile(g, { target: "loihi2", dumpIrAfter: "lower-pad", onDump: (p) => seen.push(p) });
    assert.deepEqual(seen, ["lower-pad"]);
    await assert.rejects(
      driverFor("float").compile(g, { target: "float", dumpIrAfter: "lower-pad" }),
      (e: unknown) =>
        e instanceof SnncError &&
        e.code === "E_USAGE" &&
        e.message ===
          `--dump-ir-after 'lower-pad': target 'float' runs no such pass (passes: ${names(FLOAT_PIPELINE).join(", ")})`,
    );
  });
});

/** A pass that drops the producer of a neuron's input: the IR after it is not valid. */
const dropsProducer: Pass = {
  name: "drop-producer",
  description: "test: a broken pass",
  requires: "-",
  guarantees: "-",
  run: (g: Graph) => ({ graph: { ...g, nodes: g.nodes.filter((n) => n.op !== "dense") }, notes: [] }),
};

/** A pass that writes a wrong shape on a neuron. */
const wrongShape: Pass = {
  name: "wrong-shape",
  description: "test: a broken pass",
  requires: "-",
  guarantees: "-",
  run: (g: Graph) => ({
    graph: { ...g, nodes: g.nodes.map((n) => (n.op === "neuron" ? { ...n, shape: [3] } : n)) },
    notes: [],
  }),
};

describe("checking the IR after every pass", () => {
  const g = b.model([b.input("x", [2]), b.dense("d", "x", b.t([2, 2], [1, 0, 0, 1])), b.neuron("n", "d")]);
  const caughtAs = (pass: string, problem: RegExp) => (e: unknown) =>
    e instanceof PassCheckError && e.pass === pass && problem.test(e.problem) && e.message.startsWith(`pass '${pass}'`);

  it("names the pass that left a broken structure or a wrong shape; without the check nothing is noticed", () => {
    const before = FLOAT_FOLDS.slice(0, 2);
    assert.throws(
      () => runPasses(g, [...before, dropsProducer, ...FLOAT_FOLDS.slice(2)], { target: "t" }, { check: true }),
      caughtAs("drop-producer", /layer 'n': input 'd' is not defined before this node/),
    );
    assert.throws(
      () => runPasses(g, [wrongShape], { target: "t" }, { check: true }),
      caughtAs("wrong-shape", /layer 'n': carries shape \[3\], its inputs give \[2\]/),
    );
    assert.doesNotThrow(() => runPasses(g, [wrongShape], { target: "t" }));
    assert.doesNotThrow(() => runPasses(g, FLOAT_PIPELINE, { target: "t" }, { check: true }));
  });

  it("drivers check when asked, or when SNNC_CHECK_PASSES=1", async () => {
    const broken = makeFloatDriver([...FLOAT_FOLDS, dropsProducer]);
    await assert.rejects(
      broken.compile(g, { target: "float", checkPasses: true }),
      caughtAs("drop-producer", /input 'd'/),
    );
    await assert.rejects(
      broken.verify(g, { target: "float", inputs: [Float64Array.of(1, 0)], checkPasses: true }),
      caughtAs("drop-producer", /input 'd'/),
    );
    const saved = process.env.SNNC_CHECK_PASSES;
    try {
      process.env.SNNC_CHECK_PASSES = "1";
      await assert.rejects(broken.compile(g, { target: "float" }), caughtAs("drop-producer", /input 'd'/));
      // the option wins over the variable
      await assert.doesNotReject(makeFloatDriver([wrongShape]).compile(g, { target: "float", checkPasses: false }));
      delete process.env.SNNC_CHECK_PASSES;
      await assert.doesNotReject(makeFloatDriver([wrongShape]).compile(g, { target: "float" }));
    } finally {
      if (saved === undefined) delete process.env.SNNC_CHECK_PASSES;
      else process.env.SNNC_CHECK_PASSES = saved;
    }
  });
});
