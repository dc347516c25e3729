/**
 * rowSums adds without a branch on the sign; its sums must be those of the plain definition bit
 * for bit (the scales and warnings depend on them), overflows and signed zeros included.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { Synapse } from "../../../src/loihi/model/integer-model.ts";
import { rowSums } from "../../../src/loihi/quantize/row-sums.ts";
import { realSynapse as synapse, targetNeurons } from "./arbitrary-synapse.ts";

/** The definition: per target neuron, Σ of w·scale over w·scale > 0 and over the rest. */
function reference(s: Synapse<ArrayLike<number>>, scale: number, n: number) {
  const pos = new Float64Array(n);
  const neg = new Float64Array(n);
  const add = (o: number, w: number) => {
    if (w > 0) pos[o] += w;
    else neg[o] += w;
  };
  if (s.kind === "diagonal") for (let o = 0; o < n; o++) add(o, s.weights[o]! * scale);
  else if (s.kind === "dense")
    for (let i = 0; i < s.inSize; i++)
      for (let o = 0; o < s.outSize; o++) add(o, s.weights[i * s.outSize + o]! * scale);
  else {
    const CO = s.kernelShape[3];
    const pc = new Float64Array(CO);
    const nc = new Float64Array(CO);
    for (let i = 0; i < s.kernel.length; i++) {
      const w = s.kernel[i]! * scale;
      if (w > 0) pc[i % CO] += w;
      else nc[i % CO] += w;
    }
    for (let o = 0; o < n; o++) {
      pos[o] = pc[o % CO]!;
      neg[o] = nc[o % CO]!;
    }
  }
  return { pos, neg };
}

const scale = fc.oneof(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.constantFrom(1, 0, 2, 1e10, Infinity));

const same = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

test("property: row sums of dense, conv and diagonal synapses are the definition's, bit for bit", () => {
  fc.assert(
    fc.property(synapse, scale, (s, k) => {
      const n = targetNeurons(s);
      const got = rowSums(s, k, n);
      const want = reference(s, k, n);
      assert.ok(same(got.pos, want.pos), `pos ${got.pos} vs ${want.pos}`);
      assert.ok(same(got.neg, want.neg), `neg ${got.neg} vs ${want.neg}`);
    }),
    { numRuns: 1000, seed: 21 },
  );
});

test("integer weights (the bounds of the integer model) sum as the definition's", () => {
  const s: Synapse = { kind: "dense", inSize: 2, outSize: 3, weights: Int32Array.of(5, -3, 0, -7, 2, 0) };
  const got = rowSums(s, 4, 3);
  assert.deepEqual(Array.from(got.pos), [20, 8, 0]);
  assert.deepEqual(Array.from(got.neg), [-28, -12, 0]);
  assert.ok(same(got.pos, reference(s, 4, 3).pos) && same(got.neg, reference(s, 4, 3).neg));
});
