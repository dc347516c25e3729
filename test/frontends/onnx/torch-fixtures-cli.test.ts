/**
 * The torch-exported fixtures through the snnc command: inspect lists them, verify --target
 * float passes (BN fused by torch and BN kept as a node), compile --target loihi2 writes a
 * supported model, and either writes an MT-LIF model or refuses it with one line and exit 4,
 * writing nothing (whichever the Loihi target does today), and
 * verify --target loihi2 finds both integer engines agreeing bit for bit.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { snnc } from "../../support/cli.ts";
import { torchFixtures } from "./torch-fixtures.ts";

const fixtures = torchFixtures();
const fixture = (name: string) => fixtures.find((f) => f.name === name)!;

for (const f of fixtures) {
  test(`${f.name}: snnc inspect --json lists every spiking layer`, () => {
    const r = snnc(["inspect", join(f.dir, "model.onnx"), "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.timesteps, f.expected.timesteps);
    const layers = j.layers.map((l: { name: string }) => l.name);
    for (const L of f.expected.layers) assert.ok(layers.includes(L.node), `${L.node} in ${layers}`);
  });
}

for (const [name, model] of [
  ["onnx-conv-bn-mpbn", "model-bn.onnx"],
  ["onnx-residual", "model.onnx"],
] as const) {
  test(`${name}/${model}: snnc verify --target float finds no differing spike`, () => {
    const f = fixture(name);
    const r = snnc(["verify", join(f.dir, model), "--target", "float", "--input", f.inputFile]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /spikes differing 0/);
  });
}

test("snnc compile --target loihi2 writes a torch export whose constructs Loihi holds", () => {
  const out = join(mkdtempSync(join(tmpdir(), "snnc-onnx-")), "out");
  const r = snnc(["compile", join(fixture("onnx-conv-bn-mpbn").dir, "model.onnx"), "--target", "loihi2", "-o", out]);
  assert.equal(r.code, 0, r.stderr);
  for (const file of ["network.lava.json", "hwconfig.json", "report.txt"]) assert.ok(existsSync(join(out, file)), file);
});

test("snnc compile --target loihi2 of an MT-LIF export: written, or refused with exit 4, one line, nothing written", () => {
  const out = join(mkdtempSync(join(tmpdir(), "snnc-onnx-")), "out");
  const path = join(fixture("onnx-tdbn-mt").dir, "model.onnx");
  const r = snnc(["compile", path, "--target", "loihi2", "-o", out]);
  if (r.code === 0) {
    for (const file of ["network.lava.json", "hwconfig.json", "report.txt"])
      assert.ok(existsSync(join(out, file)), file);
    return;
  }
  assert.equal(r.code, 4, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.ok(lines[0]!.startsWith(`snnc: error: ${path}: layer '`), lines[0]);
  assert.ok(!existsSync(out), "nothing written");
});

test("snnc verify --target loihi2 on a torch export: the integer engines agree bit for bit", () => {
  const f = fixture("onnx-conv-bn-mpbn");
  const r = snnc(["verify", join(f.dir, "model.onnx"), "--target", "loihi2", "--input", f.inputFile]);
  // Exit 1 means only that the measured float-vs-integer agreement is below the target's gate.
  assert.ok(r.code === 0 || r.code === 1, r.stdout + r.stderr);
  assert.match(r.stdout, /u and v: \d+ values compared, 0 differing/);
});
