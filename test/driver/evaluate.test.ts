/**
 * evaluate(): the figures of the model as written, the folded model and a target's model on
 * labelled samples; the folded-vs-written check catches a broken fold; a progress bar gets to
 * draw while the (synchronous) simulations run.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { progressBar } from "../../src/cli/progress.ts";
import { evaluate } from "../../src/driver/evaluate.ts";
import { loadModel } from "../../src/frontends/index.ts";
import { digitsTestSet } from "../../src/inputs/digits.ts";
import { brokenFloatDriver } from "../support/broken-fold.ts";
import { ROOT } from "../support/cli.ts";
import { fakeStream } from "../support/fake-stream.ts";

const MODEL = join(ROOT, "fixtures/digits-conv-bn-mpbn/model.onnx");

test("float target: the model as written and the folded model, same classes, a progress bar drawn while it runs", async () => {
  const g = await loadModel(MODEL);
  const set = digitsTestSet(g);
  const tty = fakeStream(true);
  let bar: ReturnType<typeof progressBar> | undefined;
  const calls: number[] = [];
  const t0 = Date.now();
  const r = await evaluate(
    g,
    { samples: set.samples, labels: set.labels! },
    {
      target: "float",
      onProgress: (done, total) => {
        bar ??= progressBar(total, "eval", tty);
        bar.update(done);
        calls.push(done);
      },
    },
  );
  bar?.stop();
  assert.deepEqual(
    r.models.map((m) => m.model),
    ["float", "folded"],
  );
  assert.equal(r.samples, 360);
  assert.equal(r.classes, 10);
  assert.equal(r.deployed, "folded");
  assert.deepEqual(r.foldedMismatches, []);
  assert.deepEqual(r.models[0]!.predictions, r.models[1]!.predictions);
  assert.ok(r.models[0]!.accuracy >= 0.9, `accuracy ${r.models[0]!.accuracy}`);
  assert.equal(calls.length, 720);
  assert.equal(calls.at(-1), 720);
  if (Date.now() - t0 > 1500) assert.match(tty.text, /eval \[.*\] \d+\/720/, "the bar is drawn during the run");
});

test("a broken fold shows up as folded predictions that differ from the model as written", async () => {
  const g = await loadModel(MODEL);
  const set = digitsTestSet(g);
  const n = 60;
  const r = await evaluate(
    g,
    { samples: set.samples.slice(0, n), labels: set.labels!.slice(0, n) },
    { target: "float", folder: brokenFloatDriver() },
  );
  assert.ok(r.foldedMismatches.length > 0, "the shifted biases change some predictions");
  const [float, folded] = r.models;
  for (const k of r.foldedMismatches) assert.notEqual(float!.predictions[k], folded!.predictions[k]);
  const same = [...Array(n).keys()].filter((k) => !r.foldedMismatches.includes(k));
  for (const k of same) assert.equal(float!.predictions[k], folded!.predictions[k]);
});

test("a label the model has no output for is an error naming the data", async () => {
  const g = await loadModel(MODEL);
  const set = digitsTestSet(g);
  await assert.rejects(
    evaluate(
      g,
      { samples: set.samples.slice(0, 3), labels: [1, 10, 2], labelsFile: "labels.npy" },
      { target: "float" },
    ),
    /labels\.npy: label 10 of sample 1 is not one of the model's 10 outputs/,
  );
});
