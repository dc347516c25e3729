/**
 * The integer steps of the soft-reset, per-step-norm and multi-threshold lowerings
 * (docs/LOIHI-SEEDS.md): Lava's ATRLIF with its Reset processes, ProdNeuron's gain stage and
 * snnc's MultiThresholdLIF, each against numbers Lava printed for the same parameters and inputs
 * (ATRLIF, ProdNeuron: Lava's own fixed-point models; MultiThresholdLIF: snnc's process run by
 * Lava), through both engines.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkFixedModel, pulsePopulation } from "../../../src/loihi/model/integer-model.ts";
import { gainStage } from "../../../src/loihi/sim/gain-stage-fixed.ts";
import { runFixedEvent } from "../../../src/loihi/sim/run-event.ts";
import { runFixedStepped } from "../../../src/loihi/sim/run-stepped.ts";
import type { StepInput } from "../../../src/sim/reference.ts";
import { arr, binaryInput, conn, denseSynapse, fixedModel, pop } from "../../support/fixed-builder.ts";

/** Input columns of two binary neurons: 1 always, and 1 at every other step from the first. */
function columns(T: number): StepInput {
  return Array.from({ length: T }, (_, t) => Float64Array.of(1, t % 2 === 0 ? 1 : 0));
}

function both(m: Parameters<typeof runFixedStepped>[0], x: StepInput) {
  const a = runFixedStepped(m, x, { state: true });
  const b = runFixedEvent(m, x, { state: true });
  assert.deepEqual(b.v, a.v);
  assert.deepEqual(b.u, a.u);
  assert.deepEqual(b.r, a.r);
  assert.deepEqual(b.spikes, a.spikes);
  return a;
}

test("ATRLIF: i, v, r and spikes as Lava's PyATRLIFModelFixed with three Reset processes computes them", () => {
  const T = 10;
  const n = pop(
    "n",
    [2],
    {
      kind: "atrlif",
      depth: 1,
      dv: 1024,
      dr: 1024,
      vth: 100,
      biasMant: Int32Array.of(3, -2),
      v0: Int32Array.of(-77, -77),
      resetInterval: 5,
      resetOffset: 3,
    },
    T,
  );
  // Lava's Dense weights (out, in) [[100, −30], [50, 60]]: rows here are inputs
  const m = fixedModel(
    binaryInput([2]),
    [n],
    [
      conn(
        "w",
        "in",
        "n",
        denseSynapse([
          [100, 50],
          [-30, 60],
        ]),
      ),
    ],
    T,
    T,
  );
  checkFixedModel(m);
  const r = both(m, columns(T));
  // printed by Lava (Reset offset 1, interval 5: i = 0, v = −77, r = 0 at the end of steps 2 and 7)
  assert.deepEqual(r.u!.get("n")!.map(arr), [
    [0, 0],
    [0, 0],
    [6400, 3200],
    [4480, 7040],
    [6400, 3200],
    [4480, 7040],
    [0, 0],
    [4480, 7040],
    [6400, 3200],
    [4480, 7040],
  ]);
  assert.deepEqual(r.v!.get("n")!.map(arr), [
    [135, -185],
    [-77, -77],
    [6535, 3015],
    [9573, 9173],
    [13771, 9951],
    [15000, 14375],
    [-77, -77],
    [4615, 6855],
    [10053, 8213],
    [12211, 13071],
  ]);
  assert.deepEqual(r.r!.get("n")!.map(arr), [
    [0, 0],
    [0, 0],
    [12800, 0],
    [9600, 12800],
    [20000, 9600],
    [15000, 20000],
    [0, 0],
    [0, 12800],
    [12800, 9600],
    [9600, 7200],
  ]);
  assert.deepEqual(r.spikes.get("n")!.map(arr), [
    [0, 0],
    [0, 1],
    [1, 0],
    [0, 1],
    [1, 0],
    [0, 1],
    [1, 0],
    [0, 1],
    [1, 0],
    [0, 0],
  ]);
});

test("ProdNeuron's gain stage: (a1 · a2) >> exp with numpy's int32 product and floor shift", () => {
  // Lava printed u = 224000 (= 3500·64) for a1 = 70, a2 = 400, exp 3, and −2240 for −10·28
  assert.equal(gainStage(70, 400, 3), 3500);
  assert.equal(gainStage(-10, 28, 3), -35);
  assert.equal(gainStage(-20, 28, 3), -70);
  assert.equal(gainStage(-3, 1, 1), -2); // floor, not truncation
  assert.equal(gainStage(2 ** 20, 2 ** 12, 0), 0); // the int32 product wraps (2^32 ≡ 0)
  assert.equal(gainStage(46341, 46341, 0), -2147479015);
});

test("gain stage in the engines: gated current × the gain a pulse delivers, into the neuron the same step", () => {
  // runSteps 4: pulse_1 fires at step 1 (its gain reaches the stage at step 2), pulse_2 at step 2
  const N = 4;
  const p1 = pulsePopulation("pulse_1", 1, N);
  const p2 = pulsePopulation("pulse_2", 2, N);
  const n = pop("n", [2], { depth: 1, vth: 100000, gainStage: { exp: 3 } }, N);
  const m = fixedModel(
    binaryInput([2]),
    [p1, p2, n],
    [
      conn(
        "w",
        "in",
        "n",
        denseSynapse([
          [30, -20],
          [40, 10],
        ]),
        { port: "gated" },
      ),
      conn("a1", "pulse_1", "n", denseSynapse([[100, 7]]), { port: "gain", weightExp: 2 }),
      conn("a2", "pulse_2", "n", denseSynapse([[3, 200]]), { port: "gain", weightExp: 2 }),
      conn("b", "pulse_2", "n", denseSynapse([[1, -1]])),
    ],
    3,
    N,
  );
  checkFixedModel(m);
  const r = both(m, [Float64Array.of(1, 1), Float64Array.of(1, 1), Float64Array.of(1, 0)]);
  // step 2: a1 = [70, −10], gain [400, 28] → [3500, −35]; step 3: gain [12, 800] → [105, −1000], bias pulse [1, −1]
  assert.deepEqual(r.u!.get("n")!.map(arr), [
    [0, 0],
    [3500 * 64, -35 * 64],
    [106 * 64, -1001 * 64],
    [0, 0],
  ]);
});

test("MultiThresholdLIF: planes on one membrane, graded s_sum into the next synapse, as snnc's process runs in Lava", () => {
  const N = 8;
  const n = pop(
    "n",
    [3],
    {
      kind: "multi-threshold",
      depth: 1,
      dv: 1024,
      biasMant: Int32Array.of(1, 0, -1),
      thresholds: [Int32Array.of(6400, 6400, 6400), Int32Array.of(8000, 3000, 6000), Int32Array.of(-100, 2000, 12000)],
      resetInterval: 5,
      resetOffset: 3,
    },
    N,
  );
  const l2 = pop("l2", [1], { depth: 2, dv: 4095, vth: 100000, resetInterval: 1000, resetOffset: 999 }, N);
  const m = fixedModel(
    binaryInput([2]),
    [n, l2],
    [
      conn(
        "w",
        "in",
        "n",
        denseSynapse([
          [60, 30, 100],
          [0, 40, -20],
        ]),
      ),
      conn("w2", "n", "l2", denseSynapse([[1], [2], [3]])),
    ],
    N,
    N,
  );
  checkFixedModel(m);
  const r = both(
    m,
    Array.from({ length: N }, () => Float64Array.of(1, 1)),
  );
  // printed by Lava running snnc_lava_processes.MultiThresholdLIF (reset_offset 3, interval 5)
  assert.deepEqual(r.v!.get("n")!.map(arr), [
    [64, 0, -64],
    [3952, 4480, 5008],
    [3904, 4480, 5056],
    [0, 0, 0],
    [3904, 4480, 5056],
    [0, 0, 0],
    [3904, 4480, 5056],
    [3904, 4480, 5056],
  ]);
  assert.deepEqual(r.u!.get("l2")!.map(arr), [[0], [64], [320], [320], [896], [320], [896], [320]]);
  // s_0 + s_1 + s_2 per neuron: l2's current above is 64·(1·s + 2·s + 3·s) of these
  assert.deepEqual(r.spikes.get("n")!.map(arr), [
    [1, 0, 0],
    [1, 2, 0],
    [1, 2, 0],
    [2, 3, 2],
    [1, 2, 0],
    [2, 3, 2],
    [1, 2, 0],
    [1, 2, 0],
  ]);
});
