/**
 * Input files: an empty one is an error, never replaced by random samples; `--input` takes one
 * file and may be repeated, so a model path after it is not taken for another input file.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { FIXTURES, tempDir } from "../support/model-files.ts";
import { npyBytes } from "./npy-bytes.ts";
import { oneErrorLine, runMain } from "./in-process.ts";

const TDBN = join(FIXTURES, "tdbn", "model.json");
const TDBN_INPUT = join(FIXTURES, "tdbn", "input.json");

async function expectNoSamples(args: string[], file: string): Promise<void> {
  const r = await runMain(args);
  assert.equal(r.code, 3, `exit ${r.code}: ${r.stdout}${r.stderr}`);
  const line = oneErrorLine(r.stderr);
  assert.ok(line?.includes(file) && line.includes("no samples"), r.stderr);
  assert.equal(r.stdout, "");
}

describe("empty inputs are an error (exit 3)", () => {
  test('{"inputs": []}: run printed nothing and exited 0; verify used 8 random samples', async () => {
    const f = join(await tempDir(), "empty.json");
    await writeFile(f, '{"inputs": []}');
    await expectNoSamples(["run", TDBN, "--input", f], f);
    await expectNoSamples(["verify", TDBN, "--input", f], f);
  });

  test("a .npy with 0 samples", async () => {
    const f = join(await tempDir(), "zero.npy");
    await writeFile(f, npyBytes([0, 8, 8, 1], new Float32Array(0)));
    await expectNoSamples(["run", TDBN, "--input", f], f);
    await expectNoSamples(["verify", TDBN, "--target", "loihi", "--input", f], f);
  });

  test("a per-step sample with fewer steps than the run names the input file (it was exit 2 naming the model)", async () => {
    const f = join(await tempDir(), "short.json");
    await writeFile(f, JSON.stringify([Array(16).fill(1), Array(16).fill(0)]));
    const m = join(FIXTURES, "mlp-dense", "model.json");
    const r = await runMain(["run", m, "--input", f]);
    assert.equal(r.code, 3, r.stderr);
    const line = oneErrorLine(r.stderr);
    assert.ok(line?.includes(f) && line.includes("2 steps"), r.stderr);
  });
});

describe("--input is one file, repeatable", () => {
  test("a model path after --input is the model (it was swallowed as a second input)", async () => {
    const r = await runMain(["verify", "--input", TDBN_INPUT, TDBN, "--target", "float"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /OK/);
  });

  test("--input a --input b runs the samples of both, in order", async () => {
    const one = await runMain(["run", TDBN, "--input", TDBN_INPUT, "--json"]);
    const two = await runMain(["run", "--input", TDBN_INPUT, "--input", TDBN_INPUT, TDBN, "--json"]);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(two.code, 0, two.stderr);
    const a = JSON.parse(one.stdout).samples;
    assert.deepEqual(JSON.parse(two.stdout).samples, [...a, ...a]);
  });
});
