/** Reading a TF.js model does not load the ONNX reader's protobuf code; reading an .onnx does. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { ROOT } from "../../support/cli.ts";

test("onnx-proto is loaded only when an .onnx model is read", () => {
  const index = pathToFileURL(join(ROOT, "src/frontends/index.ts")).href;
  const script = `
    import { createRequire } from "node:module";
    const require = createRequire(import.meta.url);
    const loaded = () => Object.keys(require.cache).some((k) => k.includes("onnx-proto"));
    const { loadModel } = await import(${JSON.stringify(index)});
    await loadModel(${JSON.stringify(join(ROOT, "fixtures/plif/model.json"))});
    const afterTfjs = loaded();
    await loadModel(${JSON.stringify(join(ROOT, "fixtures/onnx-tab/model.onnx"))});
    console.log(JSON.stringify({ afterTfjs, afterOnnx: loaded() }));`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split("\n").pop()!), { afterTfjs: false, afterOnnx: true });
});
