/**
 * The WebAssembly SIMD conv kernels of the integer engines (src/loihi/sim/wasm/): on random conv
 * synapses (wide and narrow channel groups, so that both the four-lane loop and its tail run;
 * strides, dilation, padding, depthwise) and random inputs (binary, graded, int32-sized) both kernels give, for every target, the int32 wrap of the
 * exact sum Σ x·w, computed here from the definition of the cross-correlation.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { ConvSynapse, FixedModel } from "../../../src/loihi/model/integer-model.ts";
import { convKernels } from "../../../src/loihi/sim/wasm/conv-kernels.ts";
import { forEachConvTerm } from "../../support/conv-taps.ts";
import { conn } from "../../support/fixed-builder.ts";
import { Rng } from "../../support/rng.ts";

function randomSynapse(r: Rng): ConvSynapse {
  const groups = r.pick([1, 1, 2, 3]);
  const KI = r.int(1, 5);
  const C = groups * KI;
  const coPerG = r.pick([1, 3, 4, 5, 8, 13, 16, 17]);
  const CO = groups * coPerG;
  const H = r.int(1, 7);
  const W = r.int(1, 7);
  const kh = r.int(1, 3);
  const kw = r.int(1, 3);
  const dilation: [number, number] = [r.int(1, 2), r.int(1, 2)];
  const strides: [number, number] = [r.int(1, 3), r.int(1, 3)];
  const pads: [number, number, number, number] = [r.int(0, 2), r.int(0, 2), r.int(0, 2), r.int(0, 2)];
  const OH = Math.floor((H + pads[0] + pads[1] - (kh - 1) * dilation[0] - 1) / strides[0]) + 1;
  const OW = Math.floor((W + pads[2] + pads[3] - (kw - 1) * dilation[1] - 1) / strides[1]) + 1;
  const wmax = r.pick([127, 32767, 32768, 40000, 2 ** 31 - 1]); // kernels held as int16 up to 32767
  return {
    kind: "conv",
    inShape: [H, W, C],
    outShape: [Math.max(OH, 1), Math.max(OW, 1), CO],
    kernelShape: [kh, kw, KI, CO],
    kernel: Int32Array.from({ length: kh * kw * KI * CO }, () => (r.bool(0.1) ? 0 : r.int(-wmax, wmax))),
    strides,
    pads,
    dilation,
    groups,
  };
}

/** Σ x·w per target from the definition, each product and sum wrapped to int32 (Math.imul, | 0). */
function reference(s: ConvSynapse, x: Int32Array): Int32Array {
  const out = new Int32Array(s.outShape[0] * s.outShape[1] * s.outShape[2]);
  forEachConvTerm(s, (j, o, w) => {
    out[o] = (out[o]! + Math.imul(x[j]!, s.kernel[w]!)) | 0;
  });
  return out;
}

/** What the kernels read of a model: its connections' synapses. */
function modelOf(syns: ConvSynapse[]): FixedModel {
  return { connections: syns.map((s, i) => conn(`c${i}`, "in", "out", s)) } as unknown as FixedModel;
}

test("property: both SIMD kernels give the int32 wrap of every target's exact sum (300 random synapses)", () => {
  let wide = 0;
  fc.assert(
    fc.property(fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff })), (seed) => {
      const r = new Rng(seed);
      const s = randomSynapse(r);
      const k = convKernels(modelOf([s]))!.get(s)!;
      const [H, W, C] = s.inShape;
      const pmax = r.pick([1, 1, 200, 2 ** 31 - 1]);
      const x = Int32Array.from({ length: H * W * C }, () => (r.bool(0.5) ? 0 : pmax === 1 ? 1 : r.int(-pmax, pmax)));
      const want = reference(s, x);
      assert.deepEqual(k.gather(x), want, `gather (seed ${seed})`);
      // the events of x in neuron order; `first` leaves out the ones before it
      const idx = Int32Array.from(x.keys()).filter((i) => x[i] !== 0);
      const val = idx.map((i) => x[i]!);
      assert.deepEqual(k.scatter(idx, val, 0, idx.length), want, `scatter (seed ${seed})`);
      if (idx.length > 0) {
        const rest = x.slice();
        rest[idx[0]!] = 0;
        assert.deepEqual(k.scatter(idx, val, 1, idx.length), reference(s, rest), `scatter from 1 (seed ${seed})`);
      }
      if (s.outShape[2] / s.groups >= 4) wide++;
    }),
    { numRuns: 300, seed: 21 },
  );
  assert.ok(wide > 100, `only ${wide} synapses reached the four-lane loop`);
});

test("one memory serves every conv of a model; a model with no conv has none to serve", () => {
  const r = new Rng(5);
  const a = randomSynapse(r);
  const b = randomSynapse(r);
  const m = modelOf([a, b]);
  const kernels = convKernels(m)!;
  assert.equal(convKernels(m), kernels, "made once per model");
  assert.deepEqual([...kernels.keys()], [a, b]);
  const x = Int32Array.from({ length: b.inShape[0] * b.inShape[1] * b.inShape[2] }, (_, i) => i % 3);
  assert.deepEqual(kernels.get(b)!.gather(x), reference(b, x));
  assert.equal(convKernels({ ...m, connections: [] })!.size, 0);
});

test("a model whose kernels need more than 4 GB gets no kernels (the engines keep their loops)", () => {
  const s = randomSynapse(new Rng(9));
  // 2^30 weights, the first beyond int16, so all held as int32: 4 GB
  const huge = { ...s, kernel: { length: 2 ** 30, 0: 40000 } as unknown as Int32Array };
  assert.equal(convKernels(modelOf([huge])), undefined);
});
