/**
 * The shipped command loads HDF5 from dist/h5wasm/ (scripts/h5wasm-split.mjs): h5wasm's module with
 * its WebAssembly in a file of its own, which reads NIR files as h5wasm from node_modules (which the
 * sources and these tests import) does. NIR files are written by snnc's own encoder in both, and
 * read by its own decoder when they are in h5py's default layout; HDF5 reads the others.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadModel } from "../../src/frontends/index.ts";
import { nirDriver } from "../../src/nir/driver.ts";
import { outputBytes } from "../../src/driver/output-content.ts";
import { ROOT, snnc } from "../support/cli.ts";

test("the build points every import of h5wasm at the split copy, whose binary is WebAssembly", () => {
  const dir = join(ROOT, "dist/h5wasm");
  const wasm = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
  assert.ok(wasm.validate(readFileSync(join(dir, "hdf5_util.wasm"))), "hdf5_util.wasm is WebAssembly");
  const glue = readFileSync(join(dir, "hdf5_util.js"), "utf8");
  assert.ok(statSync(join(dir, "hdf5_util.js")).size < 1_000_000, "the glue holds no binary");
  assert.match(glue, /hdf5_util\.wasm/);
  const bundle = join(ROOT, "dist/bundle");
  const chunks = readdirSync(bundle).map((f) => readFileSync(join(bundle, f), "utf8"));
  assert.ok(
    chunks.some((c) => c.includes('"../h5wasm/hdf5_hl.js"')),
    "a chunk imports the split copy",
  );
  assert.ok(!chunks.some((c) => c.includes('"h5wasm/node"')), "no chunk imports h5wasm from node_modules");
});

test("the shipped command reads a NIR file its decoder leaves to HDF5 (libver latest) through the split h5wasm", () => {
  const latest = snnc(["inspect", "fixtures/hdf5-layouts/nir-latest.nir"]);
  const usual = snnc(["inspect", "fixtures/nir-snnc/mpbn-channel.nir"]);
  assert.equal(latest.code, 0, latest.stderr);
  assert.equal(latest.stderr, "");
  const body = (text: string) => text.split("\n").slice(1).join("\n");
  assert.match(usual.stdout, /mpbn_channel/);
  assert.equal(body(latest.stdout), body(usual.stdout), "the same graph, read by HDF5 and by the decoder");
});

test("the shipped command writes the NIR file the sources write, and reads it back", async () => {
  const model = "fixtures/tdbn/model.json";
  const out = mkdtempSync(join(tmpdir(), "snnc-hdf5-split-"));
  try {
    const r = snnc(["compile", model, "--target", "nir", "-o", join(out, "o")]);
    assert.equal(r.code, 0, r.stderr);
    const written = readFileSync(join(out, "o", "model.nir"));
    const here = (await nirDriver.compile(await loadModel(model), { target: "nir" })).files.get("model.nir")!;
    assert.equal(Buffer.compare(written, outputBytes(here)), 0, "identical bytes");
    const back = snnc(["inspect", join(out, "o", "model.nir")]);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /conv1/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
