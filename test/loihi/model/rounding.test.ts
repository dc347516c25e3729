/**
 * The integer model's rounding (src/loihi/model/rounding.ts): half away from zero for every
 * double, the one just below 1/2 included (floor(|x| + 0.5) rounded it up: the sum itself rounds
 * to 1), against Math.round of |x| (ties up: away from zero for |x|) as the reference.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { roundHalfAway, roundHalfUpAbs } from "../../../src/loihi/model/rounding.ts";
import { splitWeights } from "../../../src/loihi/model/weight-planes.ts";

const reference = (x: number) => (x < 0 ? -Math.round(-x) : Math.round(x));
const BELOW_HALF = 0.49999999999999994;

test("roundHalfAway: ties away from zero, and the double just below 1/2 (and k + 1/2) rounds down", () => {
  const cases: [number, number][] = [
    [BELOW_HALF, 0],
    [-BELOW_HALF, 0],
    [0.5, 1],
    [-0.5, -1],
    [1.4999999999999998, 1],
    [2.5, 3],
    [-2.5, -3],
    [2 ** 52 - 0.5, 2 ** 52],
    [2 ** 53, 2 ** 53],
    [0, 0],
  ];
  for (const [x, want] of cases) assert.equal(roundHalfAway(x) + 0, want, `roundHalfAway(${x})`);
  assert.equal(roundHalfUpAbs(BELOW_HALF), 0);
});

test("roundHalfAway equals sign(x)·Math.round(|x|) on random doubles, halves and their neighbours", () => {
  const near = fc
    .tuple(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.constantFrom(-2, -1, 0, 1, 2))
    .map(([k, d]) => {
      // k + 1/2 and the doubles next to it
      let x = k + 0.5;
      const step = d > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
      for (let i = 0; i < Math.abs(d); i++) x = nextToward(x, step);
      return x;
    });
  fc.assert(
    fc.property(fc.oneof(fc.double({ noNaN: true, min: -(2 ** 53), max: 2 ** 53 }), near), (x) => {
      assert.equal(roundHalfAway(x) + 0, reference(x) + 0);
    }),
    { numRuns: 5000 },
  );
});

test("splitWeights: the high plane is w / 2^P rounded half away from zero", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -(2 ** 15), max: 2 ** 15 })), fc.integer({ min: 1, max: 8 }), (w, P) => {
      const { high } = splitWeights(w, P);
      assert.deepEqual(
        Array.from(high, (h) => h + 0),
        w.map((x) => reference(x / 2 ** P) + 0),
      );
    }),
  );
});

/** The double next to x towards `to`. */
function nextToward(x: number, to: number): number {
  const b = new DataView(new ArrayBuffer(8));
  if (x === 0) return to > 0 ? Number.MIN_VALUE : -Number.MIN_VALUE;
  b.setFloat64(0, x);
  const bits = b.getBigUint64(0);
  b.setBigUint64(0, to > x === x > 0 ? bits + 1n : bits - 1n);
  return b.getFloat64(0);
}
