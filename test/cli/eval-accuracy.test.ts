/**
 * The trained fixtures (fixtures/digits-*, python/train_digits.py) on the digits test split, as
 * `snnc eval --target loihi2 --json` reports them: at least 90% in float; the folded model
 * predicts the class of the model as written on every sample; snnc's float predictions are
 * PyTorch's (torch.json) sample by sample; the spikes of the committed sample are PyTorch's; the
 * Loihi integer model is within one point of float (docs/ACCURACY.md).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { Ajv } from "ajv";
import { ROOT, snnc } from "../support/cli.ts";

const validate = new Ajv({ strict: true }).compile(
  JSON.parse(readFileSync(join(ROOT, "src/cli/schemas/eval.schema.json"), "utf8")),
);

const FIXTURES = readdirSync(join(ROOT, "fixtures"))
  .filter((d) => d.startsWith("digits-") && existsSync(join(ROOT, "fixtures", d, "model.onnx")))
  .sort();

interface EvalJson {
  accuracy: number | null;
  samples: number;
  timesteps: number;
  folded_equals_float: boolean;
  folded_mismatches: unknown[];
  refused?: { error: string };
  models: { model: string; accuracy: number; timesteps: number; predictions: number[]; confusion: number[][] }[];
}

const runs = new Map<string, { code: number; doc: EvalJson; stderr: string }>();
function evalLoihi(name: string) {
  if (!runs.has(name)) {
    const r = snnc(["eval", `fixtures/${name}/model.onnx`, "--data", "digits", "--target", "loihi2", "--json"]);
    runs.set(name, { code: r.code, doc: JSON.parse(r.stdout || "{}") as EvalJson, stderr: r.stderr });
  }
  return runs.get(name)!;
}

test("there are six trained digits fixtures", () => {
  assert.equal(FIXTURES.length, 6, FIXTURES.join(", "));
});

for (const name of FIXTURES) {
  describe(name, () => {
    const torch = JSON.parse(readFileSync(join(ROOT, "fixtures", name, "torch.json"), "utf8")) as {
      predictions_float64: number[];
      test_accuracy_float64: number;
    };

    test("float ≥ 90%, folded = as written on every sample, = PyTorch's predictions; JSON follows its schema", () => {
      const { code, doc, stderr } = evalLoihi(name);
      assert.equal(code, 0, stderr);
      assert.ok(validate(doc), JSON.stringify(validate.errors));
      assert.equal(doc.samples, 360);
      const float = doc.models.find((m) => m.model === "float")!;
      const folded = doc.models.find((m) => m.model === "folded")!;
      assert.ok(float.accuracy >= 0.9, `float accuracy ${float.accuracy}`);
      assert.equal(doc.folded_equals_float, true);
      assert.deepEqual(doc.folded_mismatches, []);
      assert.deepEqual(folded.predictions, float.predictions);
      assert.deepEqual(float.predictions, torch.predictions_float64, "snnc's float classes are PyTorch's");
      assert.equal(float.accuracy.toFixed(6), torch.test_accuracy_float64.toFixed(6));
    });

    test("the Loihi integer model runs and is within 1.0 point of float", () => {
      const { doc } = evalLoihi(name);
      assert.equal(doc.refused, undefined, doc.refused?.error ?? "");
      const float = doc.models.find((m) => m.model === "float")!;
      const loihi = doc.models.find((m) => m.model === "loihi2")!;
      assert.equal(doc.accuracy, loihi.accuracy);
      const points = 100 * Math.abs(loihi.accuracy - float.accuracy);
      assert.ok(points <= 1.0, `loihi2 ${loihi.accuracy} vs float ${float.accuracy}: ${points.toFixed(2)} points`);
    });

    test("snnc run reproduces PyTorch's spikes on the committed sample", () => {
      const exp = JSON.parse(readFileSync(join(ROOT, "fixtures", name, "expected.json"), "utf8")) as {
        layers: { node: string; raster: number[][] }[];
      };
      const r = snnc([
        "run",
        `fixtures/${name}/model.onnx`,
        "--input",
        `fixtures/${name}/input.json`,
        "--json",
        "--raster",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const layers = (JSON.parse(r.stdout) as { samples: { layers: { name: string; raster: number[][] }[] }[] })
        .samples[0]!.layers;
      assert.equal(layers.length, exp.layers.length);
      for (const l of exp.layers) {
        const got = layers.find((x) => x.name === l.node);
        assert.ok(got, `layer ${l.node}`);
        assert.deepEqual(got.raster, l.raster, l.node);
      }
    });
  });
}
