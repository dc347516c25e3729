/**
 * Errors are one line `snnc: error: …` naming the file at fault, with the documented exit code:
 * input files (exit 3, naming the input, not the model), models that inspect cannot read (exit 3),
 * commander's own usage errors (exit 2).
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { editJson, FIXTURES, fixtureCopy, layersOf, tempDir } from "../support/model-files.ts";
import { npyBytes } from "./npy-bytes.ts";
import { oneErrorLine, runMain } from "./in-process.ts";

const TDBN = join(FIXTURES, "tdbn", "model.json");

async function expectError(args: string[], code: number, ...parts: string[]): Promise<string> {
  const r = await runMain(args, 30_000);
  assert.equal(r.code, code, `exit ${r.code}, stderr: ${r.stderr}`);
  const line = oneErrorLine(r.stderr);
  assert.ok(line, `not one error line: ${r.stderr}`);
  for (const p of parts) assert.ok(line.includes(p), `'${p}' not in: ${line}`);
  return line;
}

describe(".npy inputs", () => {
  test("a truncated .npy: exit 3 naming the input file (it was exit 2 naming the model)", async () => {
    const f = join(await tempDir(), "trunc.npy");
    const full = npyBytes([2, 8, 8, 1], new Float32Array(128).fill(0.5));
    await writeFile(f, full.subarray(0, full.length - 40));
    const line = await expectError(["run", TDBN, "--input", f], 3, f, "472");
    assert.ok(!line.includes(TDBN), line);
  });

  test("a 131-byte .npy whose header claims shape (1e9, 8, 8, 1) fails at once (it ran without end)", async () => {
    const f = join(await tempDir(), "huge.npy");
    await writeFile(f, npyBytes([1e9, 8, 8, 1], new Float32Array(0)));
    await expectError(["run", TDBN, "--input", f], 3, f, "(1000000000, 8, 8, 1)");
  });

  test("float64 and big-endian .npy files read as their values", async () => {
    const d = await tempDir();
    const values = Float64Array.from({ length: 64 }, (_, i) => (i % 7) / 7);
    await writeFile(join(d, "le.npy"), npyBytes([8, 8, 1], values));
    await writeFile(join(d, "be.npy"), npyBytes([8, 8, 1], values, ">f8"));
    const a = await runMain(["run", TDBN, "--input", join(d, "le.npy"), "--json"]);
    const b = await runMain(["run", TDBN, "--input", join(d, "be.npy"), "--json"]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
  });
});

describe("inspect reads; what it cannot read is exit 3", () => {
  test("unknown layer class (it was exit 4)", async () => {
    const p = await fixtureCopy("tdbn");
    await editJson(p, (j) => {
      layersOf(j)[1].class_name = "Frobnicate";
    });
    await expectError(["inspect", p], 3, p, "Frobnicate");
  });

  test("a weight without dtype (it was exit 4)", async () => {
    const p = await fixtureCopy("tdbn");
    await editJson(p, (j) => {
      delete j.weightsManifest[0].weights[0].dtype;
    });
    await expectError(["inspect", p], 3, p, "conv1/kernel", "no dtype");
  });
});

describe("usage errors are one line", () => {
  for (const [args, part] of [
    [["run", TDBN, "--bogus"], "unknown option '--bogus'"],
    [["frobnicate"], "unknown command 'frobnicate'"],
    [["run"], "missing required argument 'model'"],
    [["run", TDBN, "--inptu", "x"], "--input"],
    [["compile", TDBN, "--target"], "argument missing"],
    [["inspect", TDBN, TDBN], "too many arguments"],
  ] as const) {
    test(`snnc ${args.join(" ").replaceAll(FIXTURES, "fixtures")}`, async () => {
      await expectError([...args], 2, part, "--help");
    });
  }
});
