import assert from "node:assert/strict";
import test from "node:test";
import fc from "fast-check";
import { initLifState, lifFixedStep, lifParams } from "../../../src/loihi/sim/lif-fixed.ts";
import { pop } from "../../support/fixed-builder.ts";

/**
 * Lava's bit-accurate LIF step written out in BigInt, one operation at a time (int64 products, the
 * decays truncated toward zero, int32 wrap of each sum, the one 24-bit wrap of u, v saturated):
 * the definition lifFixedStep's int32 arithmetic must equal.
 */
function lavaStep(
  u0: number,
  v0: number,
  a: number,
  bias: number,
  du: number,
  dv: number,
  vthEff: number,
): { u: number; v: number; s: number } {
  const i32 = (x: bigint) => BigInt.asIntN(32, x);
  const decay = (x: bigint, f: bigint) => {
    const p = x * f;
    return p >= 0n ? p >> 12n : -(-p >> 12n);
  };
  let u = i32(decay(BigInt(u0), BigInt(4096 - (du + 1))) + i32(i32(BigInt(a)) << 6n));
  if (u > 2n ** 23n) u -= 2n ** 24n;
  else if (u <= -(2n ** 23n)) u += 2n ** 24n;
  let v = i32(i32(decay(BigInt(v0), BigInt(4096 - dv)) + u) + BigInt(bias));
  const M = 2n ** 23n - 1n;
  if (v > M) v = M;
  if (v < -M) v = -M;
  const s = v > BigInt(vthEff) ? 1 : 0;
  return { u: Number(u), v: s ? 0 : Number(v), s };
}

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const state = fc.integer({ min: -(2 ** 23), max: 2 ** 23 });
const neuron = fc.record({
  u: state,
  v: state,
  // the synaptic input as the engines sum it: any int32, or a sum of several beyond it
  a: fc.oneof(int32, fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: -(2 ** 17), max: 2 ** 17 })),
  bias: fc.oneof(int32, fc.integer({ min: -4096, max: 4096 })),
});

test("lifFixedStep equals Lava's step written in BigInt, for any state, input, bias and decay", () => {
  fc.assert(
    fc.property(
      fc.array(neuron, { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 0, max: 4095 }),
      fc.integer({ min: 0, max: 4095 }),
      fc.integer({ min: 0, max: 2 ** 17 - 1 }),
      (ns, du, dv, vth) => {
        const n = ns.length;
        const p = pop(
          "x",
          [n],
          { depth: 0, du, dv, vth, biasMant: Int32Array.from(ns, (x) => x.bias), biasExp: 0 },
          1000,
        );
        const lp = lifParams(p);
        const st = initLifState(n);
        ns.forEach((x, i) => {
          st.u[i] = x.u;
          st.v[i] = x.v;
        });
        const spikes = new Uint8Array(n);
        const count = lifFixedStep(
          lp,
          st,
          Float64Array.from(ns, (x) => x.a),
          5,
          spikes,
        );
        const want = ns.map((x) => lavaStep(x.u, x.v, x.a, x.bias, du, dv, vth * 64));
        assert.deepEqual(
          Array.from(st.u),
          want.map((w) => w.u),
        );
        assert.deepEqual(
          Array.from(st.v),
          want.map((w) => w.v),
        );
        assert.deepEqual(
          Array.from(spikes),
          want.map((w) => w.s),
        );
        assert.equal(count, want.filter((w) => w.s).length);
      },
    ),
    { numRuns: 2000 },
  );
});
