/**
 * The fixture generator's hand-written encodings (float16, uint8/uint16) against TF.js's own
 * decoder: what TF.js decodes is what the converter formula means.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { encodeWeights, quantizeAffine, roundHalfEven, toFloat16Bits } from "../../../scripts/gen-fixtures/encode.ts";
import { Rng } from "../../support/rng.ts";

tf.enableProdMode();

/** Decode float16 bit patterns with TF.js. */
function tfDecodeF16(bits: number[]): Float32Array {
  const data = Uint16Array.from(bits);
  const t = tf.io.decodeWeights(data.buffer, [
    { name: "w", shape: [bits.length], dtype: "float32", quantization: { dtype: "float16" } },
  ]).w!;
  return t.dataSync() as Float32Array;
}

describe("float16 encoding", () => {
  test("special values", () => {
    const xs = [0, -0, 1, -2, 65504, 65520, 1e6, -1e6, 2 ** -14, 2 ** -24, 2 ** -25, 2 ** -26, Infinity, -Infinity];
    const d = tfDecodeF16(xs.map(toFloat16Bits));
    assert.ok(Object.is(d[0], 0) && Object.is(d[1], -0));
    assert.deepEqual(Array.from(d.slice(2)), [
      1,
      -2,
      65504,
      Infinity,
      Infinity,
      -Infinity,
      2 ** -14,
      2 ** -24,
      0,
      0,
      Infinity,
      -Infinity,
    ]);
    assert.ok(Number.isNaN(tfDecodeF16([toFloat16Bits(NaN)])[0]));
  });

  test("round to nearest, ties to even (normals and subnormals)", () => {
    const rng = new Rng(42);
    const xs: number[] = [];
    for (let i = 0; i < 4000; i++) xs.push(rng.uniform(-4, 4), rng.uniform(-1e-4, 1e-4), rng.uniform(-60000, 60000));
    // Exact ties: halfway between neighbouring float16 values.
    xs.push(1 + 2 ** -11, 1 + 3 * 2 ** -11, 2 ** -24 * 1.5, 2 ** -24 * 2.5, 2048 + 1, 2048 + 3);
    const bits = xs.map((x) => toFloat16Bits(Math.fround(x)));
    const d = tfDecodeF16(bits);
    const up = tfDecodeF16(bits.map((b) => b + 1));
    const down = tfDecodeF16(bits.map((b) => (b & 0x7fff ? b - 1 : b)));
    xs.forEach((x0, i) => {
      const x = Math.fround(x0);
      const err = Math.abs(d[i]! - x);
      for (const nb of [up[i]!, down[i]!]) {
        if (!Number.isFinite(nb) || (Math.sign(nb) !== Math.sign(d[i]!) && d[i] !== 0)) continue;
        const e2 = Math.abs(nb - x);
        assert.ok(
          err < e2 || (err === e2 && (bits[i]! & 1) === 0),
          `${x}: encoded ${d[i]}, neighbour ${nb} is closer or an even tie`,
        );
      }
    });
  });
});

describe("affine uint quantisation", () => {
  test("roundHalfEven is numpy's round", () => {
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, -0, -2, 2, 3]);
  });

  test("zero is exact when covered, and TF.js decodes q·scale + min", async () => {
    const rng = new Rng(7);
    const v = Float32Array.from({ length: 500 }, () => rng.uniform(-0.7, 1.3));
    for (const [dtype, qmax] of [
      ["uint8", 255],
      ["uint16", 65535],
    ] as const) {
      const { q, min, scale } = quantizeAffine(v, qmax);
      assert.ok(q.every((x) => Number.isInteger(x) && x >= 0 && x <= qmax));
      const zero = -min / scale;
      assert.equal(zero, Math.round(zero));
      const enc = await encodeWeights([{ name: "w", shape: [500], values: Array.from(v) }], dtype);
      const spec = enc.specs[0]!;
      assert.deepEqual(spec.quantization, { dtype, min, scale });
      const d = tf.io.decodeWeights(enc.data.slice().buffer, enc.specs).w!.dataSync();
      for (const [i, x] of d.entries()) {
        assert.equal(x, Math.fround(q[i]! * scale + min));
        assert.ok(Math.abs(x - v[i]!) <= scale / 2 + 1e-6);
      }
    }
  });

  test("a constant weight quantises to zeros with scale 1", () => {
    assert.deepEqual(quantizeAffine(Float32Array.of(0.25, 0.25), 255), { q: [0, 0], min: 0.25, scale: 1 });
  });
});
