/**
 * `snnc eval`: the text report, --data as a .npy beside labels.npy and as a directory, the TF.js
 * form of a trained model, BNTT early exit on the trained BNTT model, a broken fold (exit 1), and
 * bad input as one line with exit 2 / 3.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { Ajv } from "ajv";
import { readDigits } from "../../src/inputs/digits.ts";
import { ROOT, snnc } from "../support/cli.ts";
import { npyBytes } from "./npy-bytes.ts";

const schema = new Ajv({ strict: true }).compile(
  JSON.parse(readFileSync(join(ROOT, "src/cli/schemas/eval.schema.json"), "utf8")),
);
const validate = Object.assign((doc: unknown): boolean => schema(doc), {
  get errors() {
    return schema.errors;
  },
});
const MODEL = "fixtures/digits-conv-bn-mpbn/model.onnx";
const BNTT = "fixtures/digits-bntt-soft/model.onnx";

interface ModelJson {
  model: string;
  accuracy: number;
  timesteps: number;
  predictions: number[];
  confusion: number[][];
}
// biome-ignore lint/suspicious/noExplicitAny: the parsed --json output, checked against its schema
type EvalJson = any;
const model = (doc: EvalJson, name: string): ModelJson => (doc.models as ModelJson[]).find((m) => m.model === name)!;

/** The first n test images of the digits set as [n, 8, 8, 1] float32, and their labels. */
function digitsSlice(n: number): { x: Float32Array; labels: number[] } {
  const d = readDigits();
  const first = Math.floor(d.images.length * 0.8);
  const x = new Float32Array(n * 64);
  for (let k = 0; k < n; k++) x.set(d.images[first + k]!, 64 * k);
  return { x, labels: d.labels.slice(first, first + n) };
}

/** labels as an int64 .npy. */
function int64Npy(values: readonly number[]): Buffer {
  const b = npyBytes([values.length], new Float64Array(values.length), "<i8");
  const start = b.length - 8 * values.length;
  for (const [i, v] of values.entries()) b.writeBigInt64LE(BigInt(v), start + 8 * i);
  return b;
}

function tempData(files: Record<string, Buffer | string>): string {
  const dir = mkdtempSync(join(tmpdir(), "snnc-eval-"));
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  return dir;
}

function oneLineError(r: { code: number; stderr: string }, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^snnc: error: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

describe("snnc eval", () => {
  test("the text report: accuracy per model, per-class accuracy, confusion matrix", () => {
    const { x, labels } = digitsSlice(40);
    const dir = tempData({ "x.npy": npyBytes([40, 8, 8, 1], x), "labels.npy": int64Npy(labels) });
    const r = snnc(["eval", MODEL, "--data", join(dir, "x.npy")]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /on x\.npy labelled by labels\.npy: 40 samples, 10 classes, target float/);
    assert.match(r.stdout, /^float\s+4\s+\d+\.\d\d%\s+\d+\/40\s+the model as written, float64/m);
    assert.match(r.stdout, /^folded\s+4\s+.*the class of float on every sample/m);
    assert.match(r.stdout, /^per-class accuracy$/m);
    const matrix = r.stdout.slice(r.stdout.indexOf("confusion matrix of folded"));
    const rows = matrix
      .split("\n")
      .slice(2, 12)
      .map((l) => l.trim().split(/\s+/).map(Number));
    assert.equal(rows.length, 10);
    assert.deepEqual(
      rows.map((row) => row[0]),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    const perClass = rows.map((row) => row.slice(1).reduce((a, b) => a + b, 0));
    assert.deepEqual(
      perClass,
      [...Array(10).keys()].map((c) => labels.filter((y) => y === c).length),
    );
  });

  test("--data <dir>: the input files in name order with labels.npy; the same figures as one file", () => {
    const { x, labels } = digitsSlice(30);
    const dir = tempData({
      "a.npy": npyBytes([10, 8, 8, 1], x.slice(0, 640)),
      "b.npy": npyBytes([20, 8, 8, 1], x.slice(640)),
      "labels.npy": npyBytes([30], Float64Array.from(labels)),
    });
    const whole = tempData({ "x.npy": npyBytes([30, 8, 8, 1], x), "labels.npy": int64Npy(labels) });
    const a = snnc(["eval", MODEL, "--data", dir, "--json"]);
    const b = snnc(["eval", MODEL, "--data", join(whole, "x.npy"), "--json"]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const da: EvalJson = JSON.parse(a.stdout);
    assert.ok(validate(da), JSON.stringify(validate.errors));
    assert.match(da.data, /\(2 input files\) labelled by labels\.npy/);
    assert.deepEqual(da.models, JSON.parse(b.stdout).models);
    assert.equal(da.accuracy, model(da, "folded").accuracy);
  });

  test("the TF.js model.json written by TF.js predicts what the ONNX export predicts, sample by sample", () => {
    const a = snnc(["eval", "fixtures/digits-conv-bn-mpbn/tfjs/model.json", "--data", "digits", "--json"]);
    const b = snnc(["eval", MODEL, "--data", "digits", "--json"]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const ta: EvalJson = JSON.parse(a.stdout);
    assert.ok(validate(ta), JSON.stringify(validate.errors));
    assert.deepEqual(model(ta, "float").predictions, model(JSON.parse(b.stdout), "float").predictions);
    assert.ok(model(ta, "float").accuracy >= 0.9);
  });

  test("BNTT early exit on the trained BNTT model: T cut where γ falls, steps saved, folded = as written at the cut", () => {
    const r = snnc(["eval", BNTT, "--data", "digits", "--target", "loihi2", "--early-exit", "0.2", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const doc: EvalJson = JSON.parse(r.stdout);
    assert.ok(validate(doc), JSON.stringify(validate.errors));
    const e = doc.early_exit;
    assert.equal(e.timesteps, 8);
    assert.ok(e.exit_step < 8 && e.steps_saved === 8 - e.exit_step, JSON.stringify(e));
    for (const l of e.mean_gamma)
      assert.ok(
        l.mean_gamma.slice(e.exit_step).every((g: number) => g < 0.2),
        "every later step is below the threshold",
      );
    assert.ok(
      e.mean_gamma.some((l: { mean_gamma: number[] }) => l.mean_gamma[e.exit_step - 1]! >= 0.2),
      "the exit step itself is not",
    );
    const atExit = model(doc, "float-at-exit");
    const folded = model(doc, "folded");
    const loihi = model(doc, "loihi2");
    assert.equal(atExit.timesteps, e.exit_step);
    assert.equal(folded.timesteps, e.exit_step);
    assert.equal(loihi.timesteps, e.exit_step);
    assert.equal(doc.folded_equals_float, true);
    assert.deepEqual(folded.predictions, atExit.predictions);
    assert.ok(atExit.accuracy >= 0.9, `accuracy at the exit ${atExit.accuracy}`);
    assert.ok(Math.abs(loihi.accuracy - atExit.accuracy) <= 0.01, `loihi2 ${loihi.accuracy} vs ${atExit.accuracy}`);
    assert.equal(doc.accuracy, loihi.accuracy);
  });

  test("a threshold below every γ cuts nothing", () => {
    const { x, labels } = digitsSlice(12);
    const dir = tempData({ "x.npy": npyBytes([12, 8, 8, 1], x), "labels.npy": int64Npy(labels) });
    const r = snnc(["eval", BNTT, "--data", join(dir, "x.npy"), "--early-exit", "0.001", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const doc: EvalJson = JSON.parse(r.stdout);
    assert.equal(doc.early_exit.exit_step, 8);
    assert.equal(doc.early_exit.steps_saved, 0);
    assert.deepEqual(
      doc.models.map((m: ModelJson) => m.model),
      ["float", "folded"],
    );
  });

  test("a target that refuses the model: the float figures, the reason on its own line, exit 4", () => {
    const { x, labels } = digitsSlice(8);
    const dir = tempData({ "x.npy": npyBytes([8, 8, 8, 1], x), "labels.npy": int64Npy(labels) });
    const text = snnc(["eval", MODEL, "--data", join(dir, "x.npy"), "--target", "loihi1"]);
    assert.equal(text.code, 4, text.stderr);
    assert.match(text.stdout, /^folded\s+4\s+\d+\.\d\d%/m);
    assert.match(text.stdout, /^loihi1: cannot run this model: layer 'input': the model's input is analog/m);
    oneLineError(text, 4, /layer 'input': the model's input is analog/);
    const json = snnc(["eval", MODEL, "--data", join(dir, "x.npy"), "--target", "loihi1", "--json"]);
    assert.equal(json.code, 4, json.stderr);
    const doc: EvalJson = JSON.parse(json.stdout);
    assert.ok(validate(doc), JSON.stringify(validate.errors));
    assert.equal(doc.accuracy, null);
    assert.equal(doc.refused.target, "loihi1");
    assert.deepEqual(
      doc.models.map((m: ModelJson) => m.model),
      ["float", "folded"],
    );
  });

  test("a sample the target cannot take is named by its file and its place in it (exit 3)", () => {
    const good = JSON.parse(readFileSync(join(ROOT, "fixtures/mlp-dense/input.json"), "utf8")) as number[];
    const bad = good.map((v, i) => (i === 8 ? 1e308 : v));
    const dir = tempData({
      "a.json": JSON.stringify(good),
      "b.json": JSON.stringify({ inputs: [good, bad] }),
      "labels.json": "[0, 1, 0]",
    });
    const r = snnc(["eval", "fixtures/mlp-dense/model.json", "--data", dir, "--target", "loihi"]);
    const problem = "layer 'input': input value 1e\\+308 at index 8 is not a spike \\(0 or 1\\)";
    oneLineError(r, 3, new RegExp(`error: ${join(dir, "b.json")}: sample 1: ${problem}`));
    assert.equal(r.stdout, "");
  });

  test("a fold that is not exact: exit 1, the differing samples named", () => {
    const { x, labels } = digitsSlice(60);
    const dir = tempData({ "x.npy": npyBytes([60, 8, 8, 1], x), "labels.npy": int64Npy(labels) });
    const r = snnc(["eval", MODEL, "--data", join(dir, "x.npy")], {
      imports: ["tsx", "./test/cli/break-fold-eval.ts"],
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^folded\s.*DIFFERS from float on \d+ samples/m);
    assert.match(r.stdout, /folded model differs on samples #\d+ \(as written \d, folded \d\)/);
    assert.match(r.stderr, /the folded model predicts another class than the model as written on \d+ of 60 samples/);
  });
});

describe("snnc eval: bad input is one line", () => {
  const { x, labels } = digitsSlice(5);
  test("missing labels", () => {
    const dir = tempData({ "x.npy": npyBytes([5, 8, 8, 1], x) });
    oneLineError(snnc(["eval", MODEL, "--data", join(dir, "x.npy")]), 3, /no labels: expected labels\.npy/);
    oneLineError(snnc(["eval", MODEL, "--data", dir]), 3, /no labels/);
  });
  test("samples of the wrong shape", () => {
    const dir = tempData({ "x.npy": npyBytes([5, 7, 9, 1], new Float32Array(5 * 63)), "labels.npy": int64Npy(labels) });
    oneLineError(snnc(["eval", MODEL, "--data", join(dir, "x.npy")]), 3, /x\.npy: input has shape \[5,7,9,1\]/);
  });
  test("empty data", () => {
    const dir = tempData({ "x.npy": npyBytes([0, 8, 8, 1], new Float32Array(0)), "labels.npy": int64Npy([]) });
    oneLineError(snnc(["eval", MODEL, "--data", join(dir, "x.npy")]), 3, /holds no samples/);
    const empty = tempData({ "labels.npy": int64Npy([]) });
    oneLineError(snnc(["eval", MODEL, "--data", empty]), 3, /no \.npy or \.json input file besides its labels/);
  });
  test("labels that do not match the samples", () => {
    const few = tempData({ "x.npy": npyBytes([5, 8, 8, 1], x), "labels.npy": int64Npy(labels.slice(0, 4)) });
    oneLineError(snnc(["eval", MODEL, "--data", join(few, "x.npy")]), 3, /labels\.npy: 4 labels for 5 input samples/);
    const bad = tempData({
      "x.npy": npyBytes([5, 8, 8, 1], x),
      "labels.npy": npyBytes([5], new Float64Array([1, 2, 2.5, 0, 1])),
    });
    oneLineError(snnc(["eval", MODEL, "--data", join(bad, "x.npy")]), 3, /label 2 is 2\.5, not a class index/);
    const out = tempData({ "x.npy": npyBytes([5, 8, 8, 1], x), "labels.npy": int64Npy([1, 2, 12, 0, 1]) });
    oneLineError(
      snnc(["eval", MODEL, "--data", join(out, "x.npy")]),
      3,
      /label 12 of sample 2 is not one of the model's 10 outputs/,
    );
  });
  test("usage: no --data, unknown target, a bad or inapplicable --early-exit, a missing path", () => {
    oneLineError(snnc(["eval", MODEL]), 2, /required option '--data <src>'/);
    oneLineError(snnc(["eval", MODEL, "--data", "digits", "--target", "tpu"]), 2, /unknown target 'tpu'/);
    oneLineError(snnc(["eval", MODEL, "--data", "digits", "--early-exit", "abc"]), 2, /--early-exit must be a number/);
    oneLineError(
      snnc(["eval", MODEL, "--data", "digits", "--early-exit", "0.1"]),
      2,
      /BNTT early exit reads the γ_t of BNTT layers, and this model has none/,
    );
    oneLineError(snnc(["eval", MODEL, "--data", "no/such/dir"]), 3, /no\/such\/dir: no such file or directory/);
  });
});
