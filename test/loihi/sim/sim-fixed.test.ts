import { test } from "node:test";
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { addWrapped24, wrap32, wrapSigned } from "../../../src/loihi/sim/fixed-arith.ts";
import { initLifState, lifFixedStep, lifParams } from "../../../src/loihi/sim/lif-fixed.ts";
import { runFixedStepped } from "../../../src/loihi/sim/run-stepped.ts";
import { runFixedEvent } from "../../../src/loihi/sim/run-event.ts";
import { quantizeColumn } from "../../../src/loihi/sim/input-fixed.ts";
import type { ConvSynapse, FixedModel } from "../../../src/loihi/model/integer-model.ts";
import { Rng } from "../../support/rng.ts";
import { arr, binaryInput, conn, denseSynapse, fixedModel, pop } from "../../support/fixed-builder.ts";

test("Lava's golden LIF vector: a = 128 at step 1, du = 0, dv = 2048", () => {
  const p = pop("x", [1], { depth: 0, du: 0, dv: 2048, vth: 131071, resetInterval: 1000, resetOffset: 999 }, 1000);
  const lp = lifParams(p);
  const st = initLifState(1);
  const s = new Uint8Array(1);
  const v: number[] = [];
  const u: number[] = [];
  for (let n = 1; n <= 8; n++) {
    lifFixedStep(lp, st, [n === 1 ? 128 : 0], n, s);
    v.push(st.v[0]!);
    u.push(st.u[0]!);
    assert.equal(s[0], 0);
  }
  assert.deepEqual(v, [8192, 12286, 14331, 15351, 15859, 16111, 16235, 16295]);
  // du = 0 still decays by 1/4096 (Lava adds 1 to du): 8192 → 8190 → 8188 …
  assert.deepEqual(u.slice(0, 4), [8192, 8190, 8188, 8186]);
});

test("the golden vector through the engines: one step of synaptic delay", () => {
  const N = 9;
  const m = fixedModel(
    binaryInput([1]),
    [pop("x", [1], { depth: 1, du: 0, dv: 2048, vth: 131071 }, N)],
    [conn("c", "in", "x", denseSynapse([[128]]))],
    1,
    N,
  );
  for (const run of [
    runFixedStepped(m, [Float64Array.of(1)], { state: true }),
    runFixedEvent(m, [Float64Array.of(1)], { state: true }),
  ]) {
    assert.deepEqual(
      run.v!.get("x")!.map((v) => v[0]),
      [0, 8192, 12286, 14331, 15351, 15859, 16111, 16235, 16295],
    );
  }
});

/**
 * Three layers written out by hand (every value below was computed on paper from docs/LAVA-FIXED-POINT.md §1):
 * input 2 spikes, T = 3 columns [1,0], [1,1], [0,1]; run 6 steps (T + depth 3).
 *   A (depth 1, reset at step 2): W1 rows=inputs [[3,1],[2,-3]], du 4095, dv 1024, vth 4 (256), bias [0, 1<<6]
 *   B (depth 2, reset at 3): W2 [[5],[7]], du 4095, dv 0, vth 4, bias 0
 *   C (depth 3, reset at 4, integrator): W3 [[9]], du 4095, dv 0, vth 131071, bias 2<<6
 */
function handModel(): FixedModel {
  const N = 6;
  const A = pop("A", [2], { depth: 1, dv: 1024, vth: 4, biasMant: Int32Array.of(0, 1) }, N);
  const B = pop("B", [1], { depth: 2, dv: 0, vth: 4 }, N);
  const C = pop(
    "C",
    [1],
    { depth: 3, kind: "integrator", dv: 0, vth: 131071, biasMant: Int32Array.of(2), readout: { mode: "sum" } },
    N,
  );
  return fixedModel(
    binaryInput([2]),
    [A, B, C],
    [
      conn(
        "w1",
        "in",
        "A",
        denseSynapse([
          [3, 1],
          [2, -3],
        ]),
      ),
      conn("w2", "A", "B", denseSynapse([[5], [7]])),
      conn("w3", "B", "C", denseSynapse([[9]])),
    ],
    3,
    N,
  );
}
const handInput = [Float64Array.of(1, 0), Float64Array.of(1, 1), Float64Array.of(0, 1)];

test("3-layer hand-computed integer example, step by step, both engines", () => {
  for (const run of [
    runFixedStepped(handModel(), handInput, { state: true }),
    runFixedEvent(handModel(), handInput, { state: true }),
  ]) {
    const col = (m: Map<string, ArrayLike<number>[]>, id: string, i: number) => m.get(id)!.map((x) => x[i]);
    // A: a = [0,0], [3,1], [5,-2], [2,-3], 0, 0 at steps 1..6
    assert.deepEqual(col(run.u!, "A", 0), [0, 192, 320, 128, 0, 0]);
    assert.deepEqual(col(run.v!, "A", 0), [0, 192, 0, 128, 96, 72]); // 144 + 320 = 464 > 256 fires at step 3
    assert.deepEqual(col(run.u!, "A", 1), [0, 64, -128, -192, 0, 0]);
    // step 1 bias only (64), reset at 2, then 0.75·v truncated toward 0: dec(−104) = −78, dec(−14) = −10
    assert.deepEqual(col(run.v!, "A", 1), [64, 128, 32, -104, -14, 54]);
    assert.deepEqual(col(run.spikes as never, "A", 0), [0, 0, 1, 0, 0, 0]);
    assert.deepEqual(col(run.spikes as never, "A", 1), [0, 0, 0, 0, 0, 0]);
    // B sees A's spike of step 3 at step 4: 5·64 = 320 > 256
    assert.deepEqual(col(run.u!, "B", 0), [0, 0, 0, 320, 0, 0]);
    assert.deepEqual(col(run.v!, "B", 0), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(col(run.spikes as never, "B", 0), [0, 0, 0, 1, 0, 0]);
    // C: bias 128 per step, reset at step 4, B's spike arrives at step 5 (9·64 = 576)
    assert.deepEqual(col(run.v!, "C", 0), [128, 256, 384, 128, 832, 960]);
    assert.deepEqual(arr(run.readoutV.get("C")!), [960]);
    assert.deepEqual(arr(run.readouts.get("C")!), [15]); // 960 / vScale 64, mode "sum"
  }
});

test("u wraps once to signed 24 bit; v saturates at ±(2^23 − 1)", () => {
  const p = pop("x", [3], { depth: 0, du: 4095, dv: 0, vth: 131071, resetInterval: 100, resetOffset: 99 }, 100);
  const lp = lifParams(p);
  const st = initLifState(3);
  const s = new Uint8Array(3);
  // a·64: 2^17·64 = 2^23 (no wrap, > is strict), (2^17+1)·64 → wraps to −2^23 + 64, −2^17·64 = −2^23 wraps to +2^23
  lifFixedStep(lp, st, [2 ** 17, 2 ** 17 + 1, -(2 ** 17)], 1, s);
  assert.deepEqual(arr(st.u), [2 ** 23, 2 ** 23 + 64 - 2 ** 24, -(2 ** 23) + 2 ** 24]);
  // v = u clipped to 2^23 − 1 > vth << 6 = 8388544: neurons 0 and 2 fire and reset
  assert.deepEqual(arr(s), [1, 0, 1]);
  assert.deepEqual(arr(st.v), [0, 64 - 2 ** 23, 0]);
  // the same input again: v = 2·(64 − 2^23) saturates at −(2^23 − 1)
  lifFixedStep(lp, st, [2 ** 17, 2 ** 17 + 1, -(2 ** 17)], 2, s);
  assert.equal(st.v[1], -(2 ** 23 - 1));
  assert.equal(wrap32(2 ** 31), -(2 ** 31));
  assert.equal(wrap32(-(2 ** 31) - 1), 2 ** 31 - 1);
  assert.equal(wrapSigned(2 ** 23, 24), -(2 ** 23));
  assert.equal(wrapSigned(-(2 ** 23) - 5, 24), 2 ** 23 - 5);
});

test("addWrapped24 adds each int32 sum wrapped as wrapSigned(s, 24) does, at the edges too", () => {
  const edges = [0, 1, -1, 2 ** 23 - 1, 2 ** 23, -(2 ** 23), -(2 ** 23) - 1, 2 ** 24, 2 ** 31 - 1, -(2 ** 31)];
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(...edges)), {
        minLength: 1,
      }),
      fc.integer({ min: -(2 ** 30), max: 2 ** 30 }),
      (sums, start) => {
        const dst = new Float64Array(sums.length).fill(start);
        addWrapped24(dst, Int32Array.from(sums));
        assert.deepEqual(
          Array.from(dst),
          sums.map((x) => start + wrapSigned(x, 24)),
        );
      },
    ),
  );
});

test("spike is strict: v = vth << 6 does not fire, one more does", () => {
  const p = pop("x", [2], { depth: 0, vth: 10, resetInterval: 100, resetOffset: 99 }, 100);
  const st = initLifState(2);
  const s = new Uint8Array(2);
  lifFixedStep(lifParams(p), st, [10, 10], 1, s);
  assert.deepEqual(arr(s), [0, 0]);
  const st2 = initLifState(2);
  lifFixedStep(lifParams({ ...p, biasMant: Int32Array.of(0, 1), biasExp: 0 }), st2, [10, 10], 1, s);
  assert.deepEqual(arr(s), [0, 1]);
  assert.deepEqual(arr(st2.v), [640, 0]);
});

test("dense weight exponent applies to the sum with floor", () => {
  const N = 3;
  const m = fixedModel(
    binaryInput([3]),
    [pop("x", [1], { depth: 1, vth: 131071 }, N)],
    [conn("c", "in", "x", denseSynapse([[3], [2], [-8]]), { weightExp: -2 })],
    1,
    N,
  );
  // (3 + 2 − 8) = −3 → floor(−3 / 4) = −1 → u = −64 (not −0.75 → 0)
  for (const run of [
    runFixedStepped(m, [Float64Array.of(1, 1, 1)], { state: true }),
    runFixedEvent(m, [Float64Array.of(1, 1, 1)], { state: true }),
  ]) {
    assert.deepEqual(
      run.u!.get("x")!.map((u) => u[0]),
      [0, -64, 0],
    );
  }
  const m2 = { ...m, connections: [conn("c", "in", "x", denseSynapse([[3], [2], [-8]]), { weightExp: 3 })] };
  assert.deepEqual(
    runFixedStepped(m2, [Float64Array.of(1, 1, 0)], { state: true })
      .u!.get("x")!
      .map((u) => u[0]),
    [0, 5 * 8 * 64, 0],
  );
});

test("graded input: payload = round half away from zero, clipped", () => {
  const inp = {
    id: "in",
    shape: [5],
    kind: "graded" as const,
    messageBits: 8,
    scale: 10,
    min: -128,
    max: 127,
    encoding: "direct" as const,
  };
  assert.deepEqual(arr(quantizeColumn(inp, Float64Array.of(0.05, -0.05, 0.149, 20, -20))), [1, -1, 1, 127, -128]);
  assert.throws(() => quantizeColumn(binaryInput([2]), Float64Array.of(1, 0.5)), /not a spike/);
});

/** A seeded small conv → dense → integrator network with delays and graded input. */
function randomModel(seed: number): { m: FixedModel; inputs: Float64Array[] } {
  const rng = new Rng(seed);
  const r = (lo: number, hi: number) => rng.int(lo, hi);
  const H = r(3, 6),
    W = r(3, 6),
    C = r(1, 2),
    CO = 2 * r(1, 2);
  const groups = C === 2 && CO % 2 === 0 && r(0, 1) ? 2 : 1;
  const kh = r(1, 3),
    kw = r(1, 3);
  const strides: [number, number] = [r(1, 2), r(1, 2)];
  const pads: [number, number, number, number] = [r(0, 1), r(0, 1), r(0, 1), r(0, 1)];
  const OH = Math.floor((H + pads[0] + pads[1] - kh) / strides[0]) + 1;
  const OW = Math.floor((W + pads[2] + pads[3] - kw) / strides[1]) + 1;
  const KI = C / groups;
  const kernel = Int32Array.from({ length: kh * kw * KI * CO }, () => r(-60, 80));
  const cs: ConvSynapse = {
    kind: "conv",
    inShape: [H, W, C],
    outShape: [OH, OW, CO],
    kernelShape: [kh, kw, KI, CO],
    kernel,
    strides,
    pads,
    dilation: [1, 1],
    groups,
  };
  const n1 = OH * OW * CO;
  const n2 = r(2, 5);
  const T = r(2, 5);
  const N = T + 3;
  const A = pop(
    "A",
    [OH, OW, CO],
    {
      depth: 1,
      dv: r(0, 4095),
      du: r(0, 4095),
      vth: r(1, 200),
      biasMant: Int32Array.from({ length: n1 }, () => r(-20, 20)),
      biasExp: r(0, 7),
    },
    N,
  );
  const B = pop("B", [n2], { depth: 2, dv: r(0, 4095), vth: r(1, 50) }, N);
  const Cc = pop("C", [n2], { depth: 3, kind: "integrator", dv: 0, vth: 131071, readout: { mode: "mean" } }, N);
  const w2 = Array.from({ length: n1 }, () => Array.from({ length: n2 }, () => r(-100, 120)));
  const skip = Array.from({ length: n1 }, () => Array.from({ length: n2 }, () => r(-30, 30)));
  const inp = {
    id: "in",
    shape: [H, W, C],
    kind: "graded" as const,
    messageBits: 8,
    scale: 255,
    min: 0,
    max: 255,
    encoding: "spikes" as const,
  };
  const m: FixedModel = {
    name: "r",
    target: "loihi2",
    timesteps: T,
    runSteps: N,
    input: inp,
    populations: [A, B, Cc],
    connections: [
      conn("c1", "in", "A", cs),
      conn("c2", "A", "B", denseSynapse(w2), { weightExp: r(-3, 2) }),
      conn(
        "c3",
        "B",
        "C",
        denseSynapse(
          Array.from({ length: n2 }, (_, i) => Array.from({ length: n2 }, (_, o) => (i === o ? r(1, 9) : 0))),
        ),
      ),
      conn("c4", "A", "C", denseSynapse(skip), { delay: 1 }),
    ],
    outputs: ["C"],
  };
  const inputs = Array.from({ length: T }, () =>
    Float64Array.from({ length: H * W * C }, () => (r(0, 2) === 0 ? 0 : r(0, 255) / 255)),
  );
  return { m, inputs };
}

test("property: the event-driven engine equals the time-stepped engine on every spike, u and v", () => {
  fc.assert(
    fc.property(fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff })), (seed) => {
      const { m, inputs } = randomModel(seed);
      const a = runFixedStepped(m, inputs, { state: true });
      const b = runFixedEvent(m, inputs, { state: true });
      for (const p of m.populations) {
        assert.deepEqual(b.spikes.get(p.id), a.spikes.get(p.id), `spikes of ${p.id}`);
        assert.deepEqual(b.u!.get(p.id), a.u!.get(p.id), `u of ${p.id}`);
        assert.deepEqual(b.v!.get(p.id), a.v!.get(p.id), `v of ${p.id}`);
      }
      assert.deepEqual(b.readouts, a.readouts);
    }),
    { numRuns: 150, seed: 7 },
  );
});

test("an injected event-engine fault is visible in u (the check can fail)", () => {
  // dropping a run's first event changes u unless that event happens to carry no weight into A
  let visible = 0;
  for (let seed = 0; seed < 20; seed++) {
    const { m, inputs } = randomModel(seed);
    const a = runFixedStepped(m, inputs, { state: true });
    const b = runFixedEvent(m, inputs, { state: true, fault: "drop-first-event" });
    if (!isDeepStrictEqual(b.u!.get("A"), a.u!.get("A"))) visible++;
  }
  assert.ok(visible >= 15, `the fault changed u in only ${visible} of 20 models`);
});

test("initial v and a self-recurrent one-to-one synapse by hand, on both engines", () => {
  // IF (dv 0), vth 1 (spike iff v > 64), depth 1 (zeroed at step 2); v0 = [100, 100]; input → both neurons with weight 1;
  // self weights [2, −1]: a spike of step n adds 2·64 (resp. −64) at step n + 1
  const a = pop("a", [2], { depth: 1, v0: Int32Array.of(100, 100) }, 4);
  const m = fixedModel(
    binaryInput([1]),
    [a],
    [
      conn("in→a", "in", "a", denseSynapse([[1, 1]])),
      conn("a/self", "a", "a", { kind: "diagonal", size: 2, weights: Int32Array.of(2, -1) }),
    ],
    3,
    4,
  );
  const x = [Float64Array.of(1), Float64Array.of(0), Float64Array.of(1)];
  for (const r of [runFixedStepped(m, x, { state: true }), runFixedEvent(m, x, { state: true })]) {
    // step 1: v = v0 = 100 > 64, both fire; step 2 (zeroed): a = 1 + [2, −1] = [3, 0]; step 3: a = [2, 0]; step 4: a = 1 + [2, 0]
    assert.deepEqual(
      r.spikes.get("a")!.map(arr),
      [
        [1, 1],
        [1, 0],
        [1, 0],
        [1, 0],
      ],
      r.engine,
    );
    assert.deepEqual(
      r.u!.get("a")!.map(arr),
      [
        [0, 0],
        [192, 0],
        [128, 0],
        [192, 64],
      ],
      r.engine,
    );
    assert.deepEqual(
      r.v!.get("a")!.map(arr),
      [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 64],
      ],
      r.engine,
    );
  }
});

test("steps without a spike share one recorded array (all 0, never written); steps with spikes have their own", () => {
  // x fires at Lava steps 2 and 4 (input at steps 1 and 3, one step of synaptic latency; vth 1, a = 128 per event)
  const N = 6;
  const m = fixedModel(
    binaryInput([2]),
    [pop("x", [2], { depth: 0 }, N), pop("y", [2], { depth: 1 }, N)],
    [
      conn(
        "c",
        "in",
        "x",
        denseSynapse([
          [128, 0],
          [0, 128],
        ]),
      ),
      conn(
        "d",
        "x",
        "y",
        denseSynapse([
          [128, 0],
          [0, 128],
        ]),
      ),
    ],
    4,
    N,
  );
  const x = [Float64Array.of(1, 0), Float64Array.of(0, 0), Float64Array.of(0, 1), Float64Array.of(0, 0)];
  for (const run of [runFixedStepped(m, x), runFixedEvent(m, x)]) {
    const steps = run.spikes.get("x")!;
    assert.deepEqual(
      steps.map((s) => Array.from(s)),
      [
        [0, 0],
        [1, 0],
        [0, 0],
        [0, 1],
        [0, 0],
        [0, 0],
      ],
    );
    const silent = [0, 2, 4, 5].map((k) => steps[k]!);
    assert.ok(
      silent.every((s) => s === silent[0]),
      "the silent steps share one array",
    );
    assert.notEqual(steps[1], steps[3]);
    assert.ok(steps[1] !== silent[0] && steps[3] !== silent[0]);
    // each population has its own (y is silent at step 1 too)
    assert.notEqual(run.spikes.get("y")![0], silent[0]);
    assert.deepEqual(Array.from(run.spikes.get("y")![2]!), [1, 0]);
  }
});
