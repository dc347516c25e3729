/**
 * The non-spiking part of every ONNX fixture written by torch.onnx.export (fixtures/onnx-*,
 * fixtures/digits-*; BN fused by torch and kept as a BatchNormalization node) agrees with
 * onnxruntime on the same file: each cut of standard operators (test/support/onnx-cuts.ts) runs
 * in onnxruntime on random inputs, and the current it computes equals the one snnc's imported IR
 * computes in the float64 simulator within ORT_TOL·max|c| (test/support/ort-crosscheck.ts).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import type { Graph } from "../../../src/ir/nodes.ts";
import { ROOT } from "../../support/cli.ts";
import { standardCuts } from "../../support/onnx-cuts.ts";
import { crossCheck, type OrtLoader } from "../../support/ort-crosscheck.ts";

const FIXTURES = join(ROOT, "fixtures");

const load: OrtLoader = async (bytes) => {
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ["cpu"],
    // Every node runs as written: no float32 fusion (e.g. of Conv and BatchNormalization) first.
    graphOptimizationLevel: "disabled",
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  return {
    async run(feeds, output) {
      const inputs = Object.fromEntries(
        Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor("float32", v.data, v.dims)] as const),
      );
      const out = (await session.run(inputs, [output]))[output]!;
      return { data: out.data as Float32Array, dims: out.dims.map(Number) };
    },
    release: () => session.release(),
  };
};

/** Every .onnx file of the exported fixtures, as `dir/file`. */
const models = readdirSync(FIXTURES)
  .filter((d) => d.startsWith("onnx-") || d.startsWith("digits-"))
  .sort()
  .flatMap((d) =>
    readdirSync(join(FIXTURES, d))
      .filter((f) => f.endsWith(".onnx"))
      .sort()
      .map((f) => `${d}/${f}`),
  );

test("the fixtures hold both BN forms: fused by torch and kept as a BatchNormalization node", () => {
  assert.ok(models.length >= 14, `${models.length} ONNX fixtures`);
  const bnNode = models.filter((m) => m.endsWith("/model-bn.onnx"));
  assert.ok(bnNode.length >= 3, `${bnNode.length} model-bn.onnx files`);
  const hasBn = (m: string) =>
    standardCuts(readFileSync(join(FIXTURES, m))).nodes.some((n) => n.opType === "BatchNormalization");
  for (const m of bnNode) {
    assert.ok(hasBn(m), `${m} has a BatchNormalization node`);
    const fused = m.replace(/model-bn\.onnx$/, "model.onnx");
    assert.ok(models.includes(fused) && !hasBn(fused), `${fused}: the same model with BN fused by torch`);
  }
});

for (const m of models) {
  test(`${m}: every standard-operator cut agrees with onnxruntime`, async (t) => {
    const path = join(FIXTURES, m);
    const { nodes, cuts } = standardCuts(readFileSync(path));
    // The cuts cover every standard node of the file: nothing outside ai.snnc goes unchecked.
    const inCuts = new Set(cuts.flatMap((c) => c.nodes));
    const missed = nodes.filter((n) => n.domain !== "ai.snnc" && !inCuts.has(n)).map((n) => n.name);
    assert.deepEqual(missed, [], "standard nodes in no cut");

    const results = await crossCheck(path, load, { runs: 2, seed: 20260 });
    assert.equal(results.length, cuts.length);
    for (const r of results) {
      t.diagnostic(
        `${r.consumer} ← ${r.ops.filter((o) => o !== "Constant").join(",")}: ${r.samples} samples, max|c| ${r.maxAbs.toPrecision(3)}, max err ${r.maxErr.toExponential(2)} (${(r.maxErr / r.maxAbs).toExponential(2)}·max|c|)`,
      );
      assert.ok(r.samples >= 8, `${r.consumer}: ${r.samples} samples`);
      assert.deepEqual(r.failures, [], `${m}: cut to ${r.consumer} (snnc node '${r.irNode}')`);
    }
  });
}

test("the check fails where snnc's current is wrong, and only there", async () => {
  // One weight of the first conv off by 1e-3 of the largest: the cut ending at lif1 (and no other,
  // since the neuron outputs are imposed) must fail.
  const path = join(FIXTURES, "onnx-residual/model-bn.onnx");
  const mutate = (g: Graph) => {
    const conv = g.nodes.find((n) => n.id === "conv1/Conv");
    assert.ok(conv?.op === "conv2d");
    const k = conv.kernel.data;
    k[0]! += 1e-3 * k.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
  };
  const results = await crossCheck(path, load, { runs: 2, seed: 20260, mutate });
  const failed = results.filter((r) => r.failures.length > 0).map((r) => r.consumer);
  assert.deepEqual(failed, ["/lif1/LIF"]);
});
