/**
 * The two integer engines check each other: on random integer models (every population kind,
 * dense / diagonal / conv synapses with groups, strides, dilation and padding, delays, self
 * connections, weight exponents, gain stages; binary or graded input, direct or spike encoded;
 * small and wrap-sized values) the event-driven engine must equal the time-stepped one on every
 * spike, u, v and r at every step, the readouts, and the event counts of their stats.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  checkFixedModel,
  type ConvSynapse,
  type FixedInput,
  type FixedModel,
} from "../../../src/loihi/model/integer-model.ts";
import { runFixedEvent } from "../../../src/loihi/sim/run-event.ts";
import { runFixedStepped } from "../../../src/loihi/sim/run-stepped.ts";
import { conn, pop } from "../../support/fixed-builder.ts";
import { randomFixedModel } from "../../support/random-fixed-model.ts";

test("property: event-driven = time-stepped (and its dense form, and both without SIMD kernels) on every spike, u, v, r, readout and event count (600 random models)", () => {
  let models = 0;
  fc.assert(
    fc.property(fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff })), (seed) => {
      const { m, x } = randomFixedModel(seed);
      checkFixedModel(m);
      const a = runFixedStepped(m, x, { state: true });
      const b = runFixedEvent(m, x, { state: true });
      for (const p of m.populations) {
        assert.deepEqual(b.spikes.get(p.id), a.spikes.get(p.id), `spikes of ${p.id} (seed ${seed})`);
        assert.deepEqual(b.u!.get(p.id), a.u!.get(p.id), `u of ${p.id} (seed ${seed})`);
        assert.deepEqual(b.v!.get(p.id), a.v!.get(p.id), `v of ${p.id} (seed ${seed})`);
      }
      assert.deepEqual(b.r, a.r);
      assert.deepEqual(b.readoutV, a.readoutV);
      assert.deepEqual(b.stats, a.stats);
      // the dense form (every connection at every step, every input multiplied in): the same run
      assert.deepEqual(runFixedStepped(m, x, { state: true, dense: true }), a, `dense form (seed ${seed})`);
      // the conv synapses through JavaScript loops instead of the SIMD kernels: the same runs
      assert.deepEqual(runFixedEvent(m, x, { state: true, simd: false }), b, `event, no SIMD (seed ${seed})`);
      assert.deepEqual(runFixedStepped(m, x, { state: true, simd: false }), a, `time-stepped, no SIMD (seed ${seed})`);
      models++;
    }),
    { numRuns: 600, seed: 10 },
  );
  assert.equal(models, 600);
});

test("the random models reach what they are for: wraps, every kind, repeated input, spikes", () => {
  const kinds = new Set<string>();
  let spiking = 0;
  let direct = 0;
  let wrapSized = 0;
  for (let seed = 0; seed < 200; seed++) {
    const { m, x } = randomFixedModel(seed);
    for (const p of m.populations) kinds.add(p.gainStage ? `${p.kind}+gain` : p.kind);
    if (!Array.isArray(x)) direct++;
    const run = runFixedEvent(m, x);
    if (run.stats.spikes > 0) spiking++;
    if (m.connections.some((c) => c.synapse.kind === "conv" && Math.max(...c.synapse.kernel.map(Math.abs)) > 30000))
      wrapSized++;
  }
  for (const k of ["lif", "integrator", "multi-threshold", "atrlif"]) assert.ok(kinds.has(k), `no ${k} population`);
  assert.ok(
    [...kinds].some((k) => k.endsWith("+gain")),
    "no gain stage",
  );
  assert.ok(spiking > 100, `only ${spiking} of 200 models spiked`);
  assert.ok(direct > 50 && wrapSized > 10, `direct ${direct}, wrap-sized convs ${wrapSized}`);
});

test("synaptic events are spikes × fan-out: a 3×3 'same' conv of one channel pair by hand", () => {
  // input 3×3×1 all ones (binary), conv 3×3 → 3×3×2, pads 1: the fan-out of the centre is 9·2,
  // of an edge 6·2, of a corner 4·2: Σ = (9 + 4·6 + 4·4)·2 = 98 per step
  const N = 3;
  const s: ConvSynapse = {
    kind: "conv",
    inShape: [3, 3, 1],
    outShape: [3, 3, 2],
    kernelShape: [3, 3, 1, 2],
    kernel: new Int32Array(18).fill(1),
    strides: [1, 1],
    pads: [1, 1, 1, 1],
    dilation: [1, 1],
    groups: 1,
  };
  const input: FixedInput = {
    id: "in",
    shape: [3, 3, 1],
    kind: "binary",
    messageBits: 0,
    scale: 1,
    min: 0,
    max: 1,
    encoding: "direct",
  };
  const m: FixedModel = {
    name: "t",
    target: "loihi2",
    timesteps: 2,
    runSteps: N,
    input,
    populations: [pop("a", [3, 3, 2], { depth: 1, vth: 100000 }, N)],
    connections: [conn("c", "in", "a", s)],
    outputs: ["a"],
  };
  const x = new Float64Array(9).fill(1);
  for (const run of [runFixedEvent(m, x), runFixedStepped(m, x)]) {
    // the input columns of steps 1 and 2 arrive at steps 2 and 3
    assert.equal(run.stats.synapticEvents, 2 * 98);
    assert.equal(run.stats.inputSynapticEvents, 2 * 98);
    assert.equal(run.stats.spikes, 0);
  }
});
