import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { Ajv } from "ajv";
import { driverFor } from "../../src/driver/index.ts";
import type { Pass } from "../../src/passes/pass.ts";
import { makeFloatDriver } from "../../src/driver/float.ts";
import { foldBn } from "../../src/passes/fold/fold-bn.ts";
import { buildVerifyReport, formatVerifyReport, type VerifyReport } from "../../src/verify/report.ts";
import * as b from "../support/ir-builder.ts";
import { fixedInputs } from "../support/check.ts";

const schema = JSON.parse(
  readFileSync(new URL("../../src/verify/verify-report.schema.json", import.meta.url), "utf8"),
) as object;
const validate = new Ajv({ strict: true, allErrors: true }).compile(schema);

const g = b.model(
  [
    b.input("x", [4, 4, 1]),
    b.conv(
      "c",
      "x",
      b.t([3, 3, 1, 2], [0.3, -0.2, 0.5, 0.1, 0.4, 0.2, -0.1, 0.3, 0.2, 0.6, 0.1, -0.3, 0.2, 0.1, 0.4, 0.2, -0.2, 0.5]),
    ),
    b.bn("bn", "c", {
      gamma: b.t([2], [1.5, -0.7]),
      beta: b.t([2], [0.1, 0.2]),
      mean: b.t([2], [0.3, -0.1]),
      variance: b.t([2], [0.8, 1.3]),
    }),
    b.neuron("n", "bn", { theta: 0.4, decay: 0.5 }),
    b.flatten("f", "n"),
    b.dense(
      "d",
      "f",
      b.t(
        [32, 3],
        Array.from({ length: 96 }, (_, i) => ((i * 37) % 11) / 10 - 0.5),
      ),
    ),
    b.readout("out", "d"),
  ],
  { outputs: ["out"] },
);
const inputs = fixedInputs(g, 3);

/** fold-bn with a bias that is off by 0.3 on channel 0: a deliberately broken fold. */
const brokenBn: Pass = {
  ...foldBn,
  run(graph, opts) {
    const r = foldBn.run(graph, opts);
    const nodes = r.graph.nodes.map((n) =>
      n.op === "conv2d" && n.bias ? { ...n, bias: b.t([2], [n.bias.data[0]! + 0.3, n.bias.data[1]!]) } : n,
    );
    return { ...r, graph: { ...r.graph, nodes } };
  },
};

describe("verify report", () => {
  it("an equivalent run validates against verify-report.schema.json", async () => {
    const r = (await driverFor("float").verify(g, { target: "float", inputs })) as unknown as VerifyReport;
    assert.equal(r.ok, true);
    assert.ok(validate(JSON.parse(JSON.stringify(r))), JSON.stringify(validate.errors));
    assert.deepEqual(
      [r.target, r.layers, r.neurons, r.steps, r.samples, r.spikesCompared, r.spikesDiffering],
      ["float", 1, 32, 4, 3, 32 * 4 * 3, 0],
    );
    assert.equal(r.perLayer[0]!.layer, "n");
    assert.ok(r.notes!.some((n) => n.startsWith("fold-bn: BN 'bn' folded into 'c'")));
  });

  it("a broken fold is reported with its divergences, and the report still validates", async () => {
    const r = (await makeFloatDriver([brokenBn]).verify(g, {
      target: "float",
      inputs,
      maxDivergences: 4,
    })) as unknown as VerifyReport;
    assert.equal(r.ok, false);
    assert.ok(r.spikesDiffering > 0);
    assert.equal(r.divergences.length, 4);
    assert.ok(r.readoutMaxAbsDiff! > 0);
    assert.ok(validate(JSON.parse(JSON.stringify(r))), JSON.stringify(validate.errors));
    const text = formatVerifyReport(r).join("\n");
    assert.match(text, /FAILED, spikes differ/);
    assert.match(text, new RegExp(`spikes differing ${r.spikesDiffering}`));
    assert.match(
      text,
      /first divergences \(of \d+\):\n {4}sample 0 layer 'n' neuron \d+ step \d+: reference [01], compiled [01], margin /,
    );
  });

  it("the schema rejects a report that breaks its shape", () => {
    const r = buildVerifyReport("float", []);
    assert.equal(r.ok, false, "no sample compared is not a pass");
    assert.ok(validate(JSON.parse(JSON.stringify(r))));
    assert.equal(validate({ ...r, spikesDiffering: -1 }), false);
    const { minMargin: _, ...missing } = r;
    assert.equal(validate(missing), false);
    assert.equal(validate({ ...r, divergences: [{ layer: "n", neuron: 0, step: 0, ref: 1, got: 0 }] }), false);
  });

  it("the text summary names layers, neurons, steps, spikes compared, spikes differing and the smallest margin", () => {
    const r = buildVerifyReport("float", []);
    const text = formatVerifyReport({
      ...r,
      ok: true,
      layers: 2,
      neurons: 30,
      steps: 4,
      samples: 1,
      spikesCompared: 120,
      minMargin: 0.0123,
    }).join("\n");
    assert.match(text, /layers 2, neurons 30, steps 4, samples 1/);
    assert.match(text, /spikes compared 120, spikes differing 0, smallest margin 0\.0123/);
  });
});
