import assert from "node:assert/strict";
import { test } from "node:test";
import { classify, predictionMismatches } from "../../src/verify/accuracy.ts";

test("classify: accuracy, per-class rows and the confusion matrix (rows true, columns predicted)", () => {
  const labels = [0, 0, 1, 1, 1, 2];
  const preds = [0, 1, 1, 1, 0, 2];
  const c = classify(preds, labels, 4);
  assert.equal(c.samples, 6);
  assert.equal(c.correct, 4);
  assert.equal(c.accuracy, 4 / 6);
  assert.deepEqual(c.confusion, [
    [1, 1, 0, 0],
    [1, 2, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 0],
  ]);
  assert.deepEqual(c.perClass, [
    { class: 0, samples: 2, correct: 1, accuracy: 0.5 },
    { class: 1, samples: 3, correct: 2, accuracy: 2 / 3 },
    { class: 2, samples: 1, correct: 1, accuracy: 1 },
    { class: 3, samples: 0, correct: 0, accuracy: null },
  ]);
});

test("classify refuses a label or prediction outside the classes, and mismatched lengths", () => {
  assert.throws(() => classify([0, 3], [0, 1], 3), /outside 0\.\.2/);
  assert.throws(() => classify([0, 1], [0, 5], 3), /outside 0\.\.2/);
  assert.throws(() => classify([0], [0, 1], 3), /1 predictions for 2 labels/);
});

test("predictionMismatches lists the samples whose classes differ", () => {
  assert.deepEqual(predictionMismatches([1, 2, 3, 4], [1, 0, 3, 5]), [1, 3]);
  assert.deepEqual(predictionMismatches([1, 2], [1, 2]), []);
});
