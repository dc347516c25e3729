/**
 * `snnc simulate` and `snnc merge` through the real executable (bin/snnc.js, the build in dist/):
 * a sharded run merged is the unsharded result file byte for byte (digits test split, a directory
 * of inputs, float and loihi); the result follows its schema; bad input is one line and exit 2/3
 * with nothing written.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { SimulateResult } from "../../src/driver/simulate/result.ts";
import { readDigits } from "../../src/inputs/digits.ts";
import { compileSchema } from "../../src/util/json-schema.ts";
import { snnc } from "../support/cli.ts";
import { digitsModelFile } from "../support/digits-model.ts";
import { tempDir } from "../support/model-files.ts";
import { npyBytes } from "./npy-bytes.ts";

const schema = JSON.parse(
  readFileSync(new URL("../../src/cli/schemas/simulate.schema.json", import.meta.url), "utf8"),
) as object;
const validate = compileSchema(schema);

function ok(args: string[]): string {
  const r = snnc(args);
  assert.equal(r.code, 0, `snnc ${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
  return r.stdout;
}

/** Exit `code`, stdout empty, stderr exactly one `snnc: error:` line matching `words`. */
function refused(args: string[], code: number, words: RegExp): void {
  const r = snnc(args);
  assert.equal(r.code, code, `snnc ${args.join(" ")}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  assert.equal(r.stdout, "");
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^snnc: error: /);
  assert.match(lines[0]!, words);
}

/** Runs every shard i/n into files, merges them in reverse order, returns the merged file's text. */
function shardedMerged(args: string[], n: number, dir: string, workers = "1"): string {
  const files = Array.from({ length: n }, (_, i) => join(dir, `part-${i + 1}-of-${n}.json`));
  for (const [i, f] of files.entries()) ok([...args, "--shard", `${i + 1}/${n}`, "--workers", workers, "-o", f]);
  const merged = join(dir, `merged-${n}.json`);
  ok(["merge", ...[...files].reverse(), "-o", merged]);
  return readFileSync(merged, "utf8");
}

describe("snnc simulate: a sharded run merged equals one run", () => {
  test("digits test split, float: one file for 1 or 2 workers, -o or --json, unsharded or merged from 3 shards", async () => {
    const model = await digitsModelFile();
    const dir = await tempDir();
    const args = ["simulate", model, "--inputs", "digits"];
    const full = ok([...args, "--json", "--workers", "2"]);
    assert.equal(ok([...args, "--json", "--workers", "1"]), full);
    ok([...args, "-o", join(dir, "full.json")]);
    assert.equal(readFileSync(join(dir, "full.json"), "utf8"), full);
    assert.equal(shardedMerged(args, 3, dir), full);

    const doc = JSON.parse(full) as SimulateResult;
    assert.ok(validate(doc), JSON.stringify(validate.errors));
    const digits = readDigits();
    assert.equal(doc.inputs.samples, 360);
    assert.equal(doc.samples.length, 360);
    assert.equal(doc.samples[0].name, "digits#1437");
    assert.equal(doc.samples[359].name, "digits#1796");
    assert.deepEqual(
      doc.samples.map((s) => s.label),
      digits.labels.slice(1437),
    );
    assert.equal(doc.summary.accuracy!.total, 360);
    const correct = doc.samples.filter((s) => s.label === s.predicted).length;
    assert.equal(doc.summary.accuracy!.correct, correct);
    assert.deepEqual(
      doc.layers.map((l) => l.name),
      ["lif1", "lif2"],
    );
    assert.ok(
      doc.summary.mean_rates.every((r) => r > 0 && r < 1),
      "layers fire some of the time",
    );
    const part = JSON.parse(readFileSync(join(dir, "part-2-of-3.json"), "utf8")) as SimulateResult;
    assert.ok(validate(part), JSON.stringify(validate.errors));
    assert.deepEqual(part.shard, { index: 2, count: 3, first: 120, end: 240 });
  });

  test("a directory of inputs with labels, loihi: names sorted, an empty shard, merged from 4 shards", async () => {
    const model = await digitsModelFile();
    const dir = await tempDir();
    const inputs = join(dir, "inputs");
    await mkdir(join(inputs, "sub.json"), { recursive: true }); // a directory: not an input file
    const img = (k: number) => Float64Array.from({ length: 64 }, (_, i) => ((i * 7 + k * 13) % 17) / 16);
    const two = new Float64Array(128);
    two.set(img(1));
    two.set(img(2), 64);
    await writeFile(
      join(inputs, "b.json"),
      JSON.stringify(Array.from({ length: 8 }, (_, r) => Array.from({ length: 8 }, (_, c) => [img(3)[r * 8 + c]]))),
    );
    await writeFile(join(inputs, "a.npy"), npyBytes([2, 8, 8, 1], two));
    await writeFile(join(inputs, "notes.txt"), "not an input");
    await writeFile(join(dir, "labels.txt"), "1\n2\n3\n");
    const args = ["simulate", model, "--inputs", inputs, "--labels", join(dir, "labels.txt"), "--target", "loihi"];
    const full = ok([...args, "--json"]);
    const doc = JSON.parse(full) as SimulateResult;
    assert.ok(validate(doc), JSON.stringify(validate.errors));
    assert.deepEqual(
      doc.samples.map((s) => [s.name, s.label]),
      [
        ["a.npy#0", 1],
        ["a.npy#1", 2],
        ["b.json", 3],
      ],
    );
    assert.equal(doc.target, "loihi2");
    assert.ok(doc.run_steps > doc.timesteps);
    ok([...args, "--shard", "1/4", "-o", join(dir, "empty.json")]);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, "empty.json"), "utf8")).samples, []);
    assert.equal(shardedMerged(args, 4, dir, "2"), full);
  });

  test("a `compile --target float` output directory stands for its model.snnc.json; a Loihi one is refused", async () => {
    const model = await digitsModelFile();
    const dir = await tempDir();
    ok(["compile", model, "--target", "float", "-o", join(dir, "float")]);
    const args = ["--inputs", "digits", "--shard", "1/30", "--json"];
    const viaDir = ok(["simulate", join(dir, "float"), ...args]);
    assert.equal(viaDir, ok(["simulate", join(dir, "float", "model.snnc.json"), ...args]));
    assert.equal(JSON.parse(viaDir).samples.length, 12);
    ok(["compile", model, "--target", "loihi", "-o", join(dir, "loihi")]);
    refused(["simulate", join(dir, "loihi"), ...args], 3, /loihi: a Loihi compile output is not read back/);
  });
});

describe("snnc simulate: bad input is one line, exit 2 or 3, nothing written", () => {
  test("usage: --shard, --workers, --target, a missing --inputs (exit 2)", async () => {
    const model = await digitsModelFile();
    const base = ["simulate", model, "--inputs", "digits"];
    refused([...base, "--shard", "3/2"], 2, /--shard must be i\/n with 1 <= i <= n/);
    refused([...base, "--shard", "x"], 2, /--shard must be i\/n .*got 'x'/);
    refused([...base, "--shard", "0/4"], 2, /--shard/);
    refused([...base, "--workers", "0"], 2, /--workers must be an integer >= 1/);
    refused([...base, "--target", "nir"], 2, /target 'nir' has no runnable model/);
    refused([...base, "--target", "nope"], 2, /unknown target 'nope'/);
    refused(["simulate", model], 2, /required option '--inputs <src>'/);
  });

  test("a sample the target cannot take is named by its file and its place in it, with threads or without, sharded or not", async () => {
    const model = "fixtures/mlp-dense/model.json";
    const good = JSON.parse(readFileSync("fixtures/mlp-dense/input.json", "utf8")) as number[];
    const bad = good.map((v, i) => (i === 8 ? 1e308 : v));
    const dir = await tempDir();
    const several = join(dir, "several.json");
    await writeFile(several, JSON.stringify({ inputs: [good, good, bad] }));
    const folder = join(dir, "folder");
    await mkdir(folder);
    await writeFile(join(folder, "a.json"), JSON.stringify(good));
    await writeFile(join(folder, "b.json"), JSON.stringify(bad));
    const problem = "layer 'input': input value 1e\\+308 at index 8 is not a spike \\(0 or 1\\)";
    const out = join(dir, "result.json");
    for (const workers of ["1", "2"]) {
      const base = ["simulate", model, "--target", "loihi", "--workers", workers, "-o", out];
      refused([...base, "--inputs", several], 3, new RegExp(`error: ${several}: sample 2: ${problem}`));
      refused(
        [...base, "--inputs", several, "--shard", "2/2"],
        3,
        new RegExp(`error: ${several}: sample 2: ${problem}`),
      );
      refused([...base, "--inputs", folder], 3, new RegExp(`error: ${join(folder, "b.json")}: ${problem}`));
    }
    refused(
      ["simulate", model, "--target", "loihi", "--inputs", folder],
      3,
      new RegExp(`error: ${join(folder, "b.json")}: ${problem}`),
    );
    assert.ok(!existsSync(out));
  });

  test("inputs: a missing or empty directory, a shape the model does not take, labels that do not fit (exit 3)", async () => {
    const model = await digitsModelFile();
    const wide = await digitsModelFile([8, 8, 2]);
    const dir = await tempDir();
    const out = join(dir, "result.json");
    const missing = join(dir, "no-such-dir");
    refused(
      ["simulate", model, "--inputs", missing, "-o", out],
      3,
      new RegExp(`${missing}: no such file or directory`),
    );
    await mkdir(join(dir, "empty"));
    refused(["simulate", model, "--inputs", join(dir, "empty"), "-o", out], 3, /holds no \.npy or \.json input file/);
    refused(
      ["simulate", wide, "--inputs", "digits", "-o", out],
      3,
      /digits: layer 'in': the model's input is \[8,8,2\]/,
    );
    await mkdir(join(dir, "wide"));
    await writeFile(join(dir, "wide", "x.npy"), npyBytes([8, 8, 2], new Float64Array(128)));
    refused(
      ["simulate", model, "--inputs", join(dir, "wide"), "-o", out],
      3,
      /x\.npy: input has shape \[8,8,2\], the model's input is \[8,8,1\]/,
    );
    await writeFile(join(dir, "labels.json"), "[1, 2]");
    refused(
      ["simulate", model, "--inputs", "digits", "--labels", join(dir, "labels.json"), "-o", out],
      3,
      /labels\.json: 2 labels for 360 input samples/,
    );
    await writeFile(join(dir, "labels.txt"), "1\n2\nseven\n");
    refused(
      ["simulate", model, "--inputs", "digits", "--labels", join(dir, "labels.txt"), "-o", out],
      3,
      /labels\.txt: label 2 is "seven"/,
    );
    assert.ok(!existsSync(out), "nothing written");
  });

  test("merge: a missing file, not JSON, not a result, a missing shard (exit 3), nothing written", async () => {
    const model = await digitsModelFile();
    const dir = await tempDir();
    const out = join(dir, "merged.json");
    const args = ["simulate", model, "--inputs", "digits", "--workers", "1"];
    ok([...args, "--shard", "1/2", "-o", join(dir, "p1.json")]);
    refused(["merge", join(dir, "p1.json"), join(dir, "p2.json"), "-o", out], 3, /p2\.json: no such file/);
    await writeFile(join(dir, "bad.json"), "{");
    refused(["merge", join(dir, "p1.json"), join(dir, "bad.json"), "-o", out], 3, /bad\.json: not valid JSON/);
    await writeFile(join(dir, "other.json"), '{"format": "snnc-graph"}');
    refused(["merge", join(dir, "other.json"), "-o", out], 3, /other\.json: not an snnc simulate result/);
    refused(["merge", join(dir, "p1.json"), "-o", out], 3, /p1\.json: shard 2\/2 missing/);
    assert.ok(!existsSync(out), "nothing written");
  });
});
