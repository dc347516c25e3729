/**
 * Random real synapses for the quantiser's property tests: dense, conv (output 2×2) and diagonal,
 * with weights of every sign, ±0, subnormals and values near the float64 range's ends.
 */
import fc from "fast-check";
import type { Synapse } from "../../../src/loihi/model/integer-model.ts";

export const weight = fc.oneof(
  fc.double({ min: -10, max: 10, noNaN: true }),
  fc.constantFrom(0, -0, 1e308, -1e308, 5e-324, -5e-324, 2 ** 1023, -(2 ** 1023)),
);

export const realSynapse: fc.Arbitrary<Synapse<Float64Array>> = fc.oneof(
  fc
    .record({ I: fc.integer({ min: 1, max: 6 }), O: fc.integer({ min: 1, max: 6 }) })
    .chain(({ I, O }) =>
      fc
        .array(weight, { minLength: I * O, maxLength: I * O })
        .map((w): Synapse<Float64Array> => ({ kind: "dense", inSize: I, outSize: O, weights: Float64Array.from(w) })),
    ),
  fc
    .record({
      taps: fc.integer({ min: 1, max: 4 }),
      KI: fc.integer({ min: 1, max: 3 }),
      CO: fc.integer({ min: 1, max: 5 }),
    })
    .chain(({ taps, KI, CO }) =>
      fc.array(weight, { minLength: taps * KI * CO, maxLength: taps * KI * CO }).map(
        (w): Synapse<Float64Array> => ({
          kind: "conv",
          inShape: [3, 3, KI],
          outShape: [2, 2, CO],
          kernelShape: [1, taps, KI, CO],
          kernel: Float64Array.from(w),
          strides: [1, 1],
          pads: [0, 0, 0, 0],
          dilation: [1, 1],
          groups: 1,
        }),
      ),
    ),
  fc
    .array(weight, { minLength: 1, maxLength: 8 })
    .map((w): Synapse<Float64Array> => ({ kind: "diagonal", size: w.length, weights: Float64Array.from(w) })),
);

/** The number of target neurons of a synapse from realSynapse. */
export const targetNeurons = (s: Synapse<Float64Array>): number =>
  s.kind === "dense" ? s.outSize : s.kind === "diagonal" ? s.size : 4 * s.kernelShape[3];
