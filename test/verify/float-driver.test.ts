import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { driverFor } from "../../src/driver/index.ts";
import { makeFloatDriver } from "../../src/driver/float.ts";
import { SnncError } from "../../src/ir/errors.ts";
import type { Graph } from "../../src/ir/nodes.ts";
import { graphFromJson } from "../../src/ir/serialize.ts";
import type { Pass } from "../../src/passes/pass.ts";
import { FLOAT_PIPELINE } from "../../src/passes/float-pipeline.ts";
import { foldMpbn } from "../../src/passes/fold/fold-mpbn.ts";
import type { VerifyReport } from "../../src/verify/report.ts";
import * as b from "../support/ir-builder.ts";
import { fixedInputs } from "../support/check.ts";

const g = b.model(
  [
    b.input("x", [2, 2, 1]),
    b.conv("c", "x", b.t([1, 1, 1, 2], [1, -0.5]), { bias: b.t([2], [0.25, 0.5]) }),
    b.bn("bn", "c", {
      gamma: b.t([2], [2, -1]),
      beta: b.t([2], [0.5, 0]),
      mean: b.t([2], [0.25, 0]),
      variance: b.t([2], [1, 1]),
    }),
    b.neuron("n", "bn", {
      theta: 0.5,
      mpbn: {
        mode: "channel",
        gamma: b.t([2], [1, -0.5]),
        beta: b.t([2], [0, 0.25]),
        mean: b.t([2], [0.5, 0]),
        variance: b.t([2], [1, 1]),
        epsilon: 1e-5,
      },
    }),
    b.flatten("f", "n"),
    b.dense(
      "d",
      "f",
      b.t(
        [8, 2],
        Array.from({ length: 16 }, (_, i) => (i % 3) - 1),
      ),
    ),
    b.readout("out", "d"),
  ],
  { outputs: ["out"], T: 6 },
);

describe("float driver", () => {
  it("is target 'float' and lists its passes: FLOAT_PIPELINE", () => {
    const d = driverFor("float");
    assert.deepEqual(d.names, ["float"]);
    assert.equal(d.passes({ target: "float" }), FLOAT_PIPELINE);
  });

  it("compile returns model.snnc.json (the folded graph) and a report of every pass", async () => {
    const c = await driverFor("float").compile(g, { target: "float" });
    assert.deepEqual([...c.files.keys()], ["model.snnc.json"]);
    const back = graphFromJson(c.files.get("model.snnc.json") as string);
    assert.deepEqual(
      back.nodes.map((n) => n.op),
      ["input", "conv2d", "neuron", "flatten", "dense", "readout"],
    );
    assert.equal(c.report[0], `model 'test': 7 nodes → 6 after ${c.log.length} passes`);
    assert.ok(c.report.includes("fold-bn:") && c.report.includes("fold-mpbn:"));
    assert.ok(c.report.some((l) => /^ {2}neuron 'n': k < 0 at 1 channel/.test(l)));
  });

  it("calls onDump with the graph after the pass named by dumpIrAfter", async () => {
    const seen: [string, Graph][] = [];
    await driverFor("float").compile(g, {
      target: "float",
      dumpIrAfter: "fold-bn",
      onDump: (p, ir) => seen.push([p, ir]),
    });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]![0], "fold-bn");
    assert.ok(!seen[0]![1].nodes.some((n) => n.op === "bn"));
    assert.ok(
      seen[0]![1].nodes.some((n) => n.op === "neuron" && n.mpbn),
      "MPBN is still there after fold-bn",
    );
    await assert.rejects(
      driverFor("float").compile(g, { target: "float", dumpIrAfter: "fold-all" }),
      (e: unknown) => e instanceof SnncError && e.code === "E_USAGE",
    );
  });

  it("refuses to emit a model that still holds a training-only construct", async () => {
    const noBn = makeFloatDriver(FLOAT_PIPELINE.filter((p) => p.name !== "fold-bn"));
    await assert.rejects(
      noBn.compile(g, { target: "float", file: "m.json" }),
      (e: unknown) =>
        e instanceof SnncError &&
        e.code === "E_FOLD" &&
        e.message === "m.json: layer 'bn': the float pipeline left training-only constructs: 'bn'",
    );
  });

  it("verify compares over the compiled model's T when a pass cuts it (early exit)", async () => {
    const cut: Pass = {
      name: "cut-t",
      description: "test",
      requires: "-",
      guarantees: "-",
      run: (x) => ({ graph: { ...x, meta: { ...x.meta, timesteps: 3 } }, notes: ["T cut to 3"] }),
    };
    const d = makeFloatDriver([...FLOAT_PIPELINE, cut]);
    const r = (await d.verify(g, { target: "float", inputs: fixedInputs(g, 2) })) as unknown as VerifyReport;
    assert.equal(r.steps, 3);
    assert.equal(r.ok, true);
    assert.ok(r.notes!.includes("compared over 3 steps (the model as written runs 6)"));
  });

  it("verify needs at least one input", async () => {
    await assert.rejects(
      driverFor("float").verify(g, { target: "float", inputs: [] }),
      (e: unknown) => e instanceof SnncError && e.code === "E_USAGE",
    );
  });

  it("verify catches a slightly wrong fold, first where the reference margin is small", async () => {
    // fold-mpbn with every threshold nudged by 0.05 (|k| <= 1 here): spikes can only change where the reference margin is below 0.05.
    const nudged: Pass = {
      ...foldMpbn,
      run(x, o) {
        const r = foldMpbn.run(x, o);
        return {
          ...r,
          graph: {
            ...r.graph,
            nodes: r.graph.nodes.map((n) =>
              n.op === "neuron"
                ? {
                    ...n,
                    threshold: b.t(
                      n.threshold.shape,
                      n.threshold.data.map((v) => v + 0.05),
                    ),
                  }
                : n,
            ),
          },
        };
      },
    };
    const d = makeFloatDriver(FLOAT_PIPELINE.map((p) => (p === foldMpbn ? nudged : p)));
    const inputs = Array.from({ length: 40 }, (_, i) =>
      Float64Array.from({ length: 4 }, (_, j) => ((i * 7 + j * 13) % 17) / 17),
    );
    const r = (await d.verify(g, { target: "float", inputs })) as unknown as VerifyReport;
    assert.equal(r.ok, false);
    // The earliest divergence is where the nudge first bites; later ones may be its consequences.
    const first = r.divergences[0]!;
    assert.ok(
      first.margin !== null && first.margin < 0.05,
      `the first divergence at margin ${first.margin} cannot come from a 0.05 nudge`,
    );
  });
});
