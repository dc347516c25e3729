/**
 * The synapses of a population's scale copies (split-scales.ts): each keeps the weights into its
 * own neurons (a conv's: its output channels) and has 0 elsewhere, the input left as it was.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { Synapse } from "../../../src/loihi/model/integer-model.ts";
import { maskInto } from "../../../src/loihi/quantize/split-scales.ts";
import { realSynapse, targetNeurons } from "./arbitrary-synapse.ts";

/** The definition, weight by weight: the target neuron (conv: output channel) of weight k, kept or not. */
function reference(s: Synapse<Float64Array>, keep: Uint8Array): Float64Array {
  const w = s.kind === "conv" ? s.kernel : s.weights;
  const period = s.kind === "conv" ? s.kernelShape[3] : s.kind === "dense" ? s.outSize : s.size;
  return w.map((v, k) => (keep[k % period] ? v : 0));
}

test("property: a scale copy's synapse is the synapse with the other neurons' weights set to 0", () => {
  const withKeep = realSynapse.chain((s) => {
    const units = s.kind === "conv" ? s.kernelShape[3] : targetNeurons(s);
    return fc.tuple(fc.constant(s), fc.uint8Array({ min: 0, max: 1, minLength: units, maxLength: units }));
  });
  fc.assert(
    fc.property(withKeep, ([s, keep]) => {
      const before = structuredClone(s);
      const got = maskInto(s, keep);
      const w = got.kind === "conv" ? got.kernel : got.weights;
      const want = reference(s, keep);
      assert.equal(w.length, want.length);
      for (let k = 0; k < w.length; k++) assert.ok(Object.is(w[k], want[k]), `weight ${k}: ${w[k]} vs ${want[k]}`);
      assert.deepEqual(s, before, "the synapse given is left as it was");
      const { kernel: _a, weights: _b, ...shape } = got as unknown as Record<string, unknown>;
      const { kernel: _c, weights: _d, ...shapeBefore } = before as unknown as Record<string, unknown>;
      assert.deepEqual(shape, shapeBefore, "the same geometry");
    }),
    { numRuns: 1000, seed: 22 },
  );
});
