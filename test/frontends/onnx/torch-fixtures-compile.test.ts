/**
 * Every torch-exported fixture folds exactly (verify --target float through the library), and
 * compiles for loihi2 where its constructs are supported on Loihi today; the others (soft reset,
 * MT neurons, per-step norms) are refused with a one-line error of exit code 4 — whichever the
 * Loihi target currently does for them.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadOnnxModel } from "../../../src/frontends/onnx/load.ts";
import { SnncError } from "../../../src/ir/errors.ts";
import { compile, verify } from "../../../src/index.ts";
import { torchFixtures } from "./torch-fixtures.ts";

/** Fixtures made only of constructs the Loihi 2 target supports today: they must compile. */
const LOIHI_COMPILES = new Set(["onnx-conv-bn-mpbn", "onnx-residual", "onnx-plif-mpbn-element"]);

for (const f of torchFixtures()) {
  describe(f.name, () => {
    for (const m of f.expected.models) {
      const path = join(f.dir, m);

      test(`${m}: the folded float model fires exactly as written`, async () => {
        const g = await loadOnnxModel(path);
        const rep = await verify(g, { target: "float", inputs: [f.input], file: path });
        assert.equal(rep.ok, true, JSON.stringify(rep).slice(0, 400));
      });

      test(`${m}: compile for loihi2, or a clean refusal (exit 4)`, async () => {
        const g = await loadOnnxModel(path);
        let err: unknown;
        try {
          const out = await compile(g, { target: "loihi2", file: path });
          assert.ok(out.files.has("network.lava.json") && out.files.has("hwconfig.json"), [...out.files.keys()].join());
        } catch (e) {
          err = e;
        }
        if (LOIHI_COMPILES.has(f.name)) assert.equal(err, undefined, String(err));
        if (err !== undefined) {
          assert.ok(err instanceof SnncError, String(err));
          assert.equal(err.exitCode, 4, err.message);
          assert.ok(!err.message.includes("\n"), err.message);
          assert.ok(err.layer, `the refusal names the layer: ${err.message}`);
        }
      });
    }
  });
}
