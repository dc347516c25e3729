import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SnncError } from "../../../src/ir/errors.ts";
import type { Graph, IRNode } from "../../../src/ir/nodes.ts";
import { tensor } from "../../../src/ir/tensor.ts";
import { netxCheck, netxDenseRangeProblem, quantizeLoihi } from "../../../src/loihi/quantize/index.ts";
import { buildLoihi } from "../../../src/loihi/build.ts";
import { runFixedStepped } from "../../../src/loihi/sim/run-stepped.ts";
import { loadTarget } from "../../../src/target/load-target.ts";
import * as b from "../../support/ir-builder.ts";
import { Rng } from "../../support/rng.ts";

const L2 = loadTarget("loihi2");
const L1 = loadTarget("loihi1");

function tiny(fire: "gt" | "ge", decay = 0.75, bias = 0.1): Graph {
  return b.model(
    [
      b.input("in", [2]),
      b.dense("d1", "in", tensor([2, 1], [0.5, -0.25]), tensor([1], [bias])),
      b.neuron("l1", "d1", { decay, theta: 1, fire }),
      b.dense("d2", "l1", tensor([1, 2], [1, -2])),
      b.readout("ro", "d2", "sum"),
    ],
    { name: "tiny", T: 4, encoding: "spikes" },
  );
}

test("quantisation by hand: g from the weight range, vth = g·θ, w = g·w, bias << 6, dv = 4096(1 − τ)", () => {
  const q = quantizeLoihi(tiny("gt"), L2);
  assert.equal(q.netx.ok, true);
  const p = q.model.populations[0]!;
  // mixed weights [0.5, −0.25]: g ≤ 254/0.5 = 508 (and ≤ 256/0.25 = 1024): vth = 508·1
  assert.equal(q.populations[0]!.limitedBy, "weights of 'd1'");
  assert.equal(p.vth, 508);
  assert.equal(p.du, 4095);
  assert.equal(p.dv, 1024);
  assert.equal(p.biasExp, 6);
  assert.deepEqual(Array.from(p.biasMant), [51]); // round(508 · 0.1) = 51
  const c = q.model.connections[0]!;
  assert.equal(c.weightExp, 0);
  assert.deepEqual(Array.from((c.synapse as { weights: Int32Array }).weights), [254, -127]);
  assert.equal(p.vScale[0], 64 * 508);
  // ≥: 64·g·θ = 64·vth + 1, i.e. g = (vth + 1/64)/θ with the largest vth under the same limit
  const qe = quantizeLoihi(tiny("ge"), L2);
  assert.equal(qe.model.populations[0]!.vth, 507);
  assert.equal(qe.populations[0]!.g, 507 + 1 / 64);
  // the readout is an integrator: du 4095, dv 0, vth at its maximum
  const ro = q.model.populations[1]!;
  assert.equal(ro.kind, "integrator");
  assert.deepEqual([ro.du, ro.dv, ro.vth], [4095, 0, 131071]);
});

test("integer weights are int16 when their clipping range fits, int32 when it reaches −2^15 (two planes)", () => {
  // one plane: clipped to [−256, 255]; two planes 2^7 apart: to [−32768, 32640], whose −2^15 has no
  // int16 absolute value
  const cases = [
    {
      planes: false,
      type: Int16Array,
      want: [
        [254, -127],
        [128, -256],
      ],
    },
    {
      planes: true,
      type: Int32Array,
      want: [
        [16384, -8192],
        [10923, -21845],
      ],
    },
  ];
  for (const { planes, type, want } of cases) {
    const weights = quantizeLoihi(tiny("gt"), L2, { weightPlanes: planes }).model.connections.map(
      (c) => (c.synapse as { weights: Int16Array | Int32Array }).weights,
    );
    assert.ok(
      weights.every((w) => w instanceof type),
      `weight planes ${planes}: ${type.name}`,
    );
    assert.deepEqual(
      weights.map((w) => Array.from(w)),
      want,
    );
  }
});

test("≥ firing is mapped exactly: h reaching θ exactly fires with ≥ and not with >", () => {
  // IF, w = 0.5, θ = 1, no bias: after two input spikes h = 1.0 exactly
  const x = [Float64Array.of(1, 0), Float64Array.of(1, 0), Float64Array.of(0, 0), Float64Array.of(0, 0)];
  const fired = (fire: "gt" | "ge") => {
    const q = quantizeLoihi(tiny(fire, 1, 0), L2);
    const r = runFixedStepped(q.model, x);
    return r.spikes.get("l1")!.map((s) => s[0]);
  };
  // depth 1: reference step 2 is Lava step 3
  assert.deepEqual(fired("ge"), [0, 0, 1, 0, 0, 0]);
  assert.deepEqual(fired("gt"), [0, 0, 0, 0, 0, 0]);
});

test("netx weight ranges: the known-wrong ones are never written (checked and explained)", () => {
  assert.equal(netxDenseRangeProblem(Int32Array.of(0, 255, 3)), undefined);
  assert.equal(netxDenseRangeProblem(Int32Array.of(-256, 254, 0)), undefined);
  assert.equal(netxDenseRangeProblem(Int32Array.of(-255, -1)), undefined);
  assert.match(netxDenseRangeProblem(Int32Array.of(-128, 0, -128))!, /all weights ≤ 0 with zeros/);
  assert.match(netxDenseRangeProblem(Int32Array.of(300, 2))!, /max 300 > 255/);
  assert.match(netxDenseRangeProblem(Int32Array.of(-300, 2))!, /outside \[−256, 254\]/);
  assert.match(netxDenseRangeProblem(Int32Array.of(0, 0))!, /all weights are 0/);
  // property: whatever the float weights, a netx-mode quantisation stays in the exact ranges or netx is refused with the reason
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constant(0), fc.double({ min: -3, max: 3, noNaN: true })), { minLength: 6, maxLength: 6 }),
      fc.double({ min: 0.05, max: 4, noNaN: true }),
      (w, theta) => {
        const g = b.model(
          [
            b.input("in", [3]),
            b.dense("d", "in", tensor([3, 2], w)),
            b.neuron("l", "d", { decay: 0.8, theta }),
            b.dense("o", "l", tensor([2, 1], [1, -1])),
            b.readout("ro", "o"),
          ],
          { name: "r", T: 3, encoding: "spikes" },
        );
        const q = quantizeLoihi(g, L2);
        const chk = netxCheck(q.model);
        const d = q.model.connections[0]!.synapse as { weights: Int32Array };
        const problem = netxDenseRangeProblem(d.weights);
        if (problem) assert.equal(chk.ok, false);
        else {
          for (const v of d.weights) assert.ok(v >= -256 && v <= 255);
        }
      },
    ),
    { numRuns: 200, seed: 3 },
  );
});

test("bound analysis warns with the layer and the bound where u could wrap or v saturate", () => {
  const r = new Rng(9);
  const n = 1200;
  // θ tiny against weights near 1: even vth = 1 overflows the weight range; 1200 inputs at 254·64 wrap u
  const g = b.model(
    [
      b.input("in", [n]),
      b.dense("d", "in", b.uniform(r, [n, 2], 0.5, 1)),
      b.neuron("l", "d", { theta: 0.001, decay: 1 }),
      b.dense("o", "l", tensor([2, 1], [1, 1])),
      b.readout("ro", "o"),
    ],
    { name: "wide", T: 50, encoding: "spikes" },
  );
  const q = quantizeLoihi(g, L2);
  const w = q.warnings.join("\n");
  assert.match(w, /layer 'l': the weights are large against the threshold \(θ = 0\.001\)/);
  assert.match(w, /layer 'l': \d+ weights of 'd' clipped to \[0, 255\]/);
  assert.match(w, /layer 'l': u could wrap: one step's input reaches \|a\|·64 = \d+ > 2\^23 = 8388608/);
  // IF with strongly negative input over many steps: v could saturate
  const g2 = b.model(
    [
      b.input("in", [n]),
      b.dense("d", "in", b.uniform(r, [n, 2], -1, 0.05)),
      b.neuron("l", "d", { theta: 1, decay: 1 }),
      b.dense("o", "l", tensor([2, 1], [1, 1])),
      b.readout("ro", "o"),
    ],
    { name: "neg", T: 60, encoding: "spikes" },
  );
  assert.match(
    quantizeLoihi(g2, L2).warnings.join("\n"),
    /layer 'l': v could saturate at −\(2\^23 − 1\) within 60 steps: it can fall to −\d+/,
  );
  // and a plain small layer gets none
  assert.deepEqual(quantizeLoihi(tiny("gt"), L2).warnings, []);
});

function residual(): Graph {
  const r = new Rng(21);
  return b.model(
    [
      b.input("in", [4, 4, 1]),
      b.conv("c1", "in", b.uniform(r, [3, 3, 1, 2], -0.5, 1)),
      b.neuron("l1", "c1", { decay: 0.8 }),
      b.conv("c2", "l1", b.uniform(r, [3, 3, 2, 2], -0.5, 1)),
      b.neuron("l2", "c2", { decay: 0.8 }),
      b.add("a", "l1", "l2"),
      b.conv("c3", "a", b.uniform(r, [3, 3, 2, 2], -0.5, 1), { bias: b.uniform(r, [2], -0.1, 0.1) }),
      b.neuron("l3", "c3", { decay: 0.8 }),
      b.flatten("f", "l3"),
      b.dense("d", "f", b.uniform(r, [32, 2], -1, 1)),
      b.readout("ro", "d"),
    ],
    { name: "res", T: 3, encoding: "spikes" },
  );
}

test("depth, delays and run length: a residual add reads the shallower branch one step later", () => {
  const q = quantizeLoihi(residual(), L2);
  const depth = Object.fromEntries(q.model.populations.map((p) => [p.id, p.depth]));
  assert.deepEqual(depth, { l1: 1, l2: 2, l3: 3, ro: 4 });
  const delays = Object.fromEntries(q.model.connections.map((c) => [c.id, c.delay]));
  assert.deepEqual(delays, { c1: 0, c2: 0, "c3/l1": 1, "c3/l2": 0, d: 0 });
  assert.equal(q.model.runSteps, 3 + 4);
  assert.deepEqual(
    q.model.populations.map((p) => p.resetOffset),
    [2, 3, 4, 5],
  );
  assert.equal(q.netx.ok, false);
  assert.match((q.netx as { reason: string }).reason, /'l3' has 2 incoming synapse groups; netx layers form a chain/);
  // the conv bias is counted once although both terms pass through c3
  const l3 = quantizeLoihi(residual(), L2).synaptic.populations.find((p) => p.id === "l3")!;
  const c3 = residual().nodes.find((n) => n.id === "c3") as Extract<IRNode, { op: "conv2d" }>;
  assert.equal(l3.bias[0], c3.bias!.data[0]);
});

test("loihi1: no delays, no analog input — refused with the reason", () => {
  assert.throws(
    () => quantizeLoihi(residual(), L1),
    (e: unknown) =>
      e instanceof SnncError &&
      e.code === "E_TARGET" &&
      e.layer === "l3" &&
      /aligning the branches needs synaptic delays, which loihi1 does not have/.test(e.message),
  );
  const g = { ...tiny("gt"), meta: { timesteps: 4, encoding: "direct" as const } };
  assert.throws(() => quantizeLoihi(g, L1), /analog \(direct encoding\) and loihi1 takes binary spikes only/);
});

test("analog input: graded payloads within the message width, first-layer weights within range", () => {
  const r = new Rng(2);
  const g = b.model(
    [
      b.input("in", [4, 4, 1]),
      b.conv("c1", "in", b.uniform(r, [3, 3, 1, 2], -0.5, 1), { bias: b.uniform(r, [2], 0.1, 0.3) }),
      b.neuron("l1", "c1", { decay: 0.8 }),
      b.flatten("f", "l1"),
      b.dense("d", "f", b.uniform(r, [32, 2], -1, 1)),
      b.readout("ro", "d"),
    ],
    { name: "direct", T: 3, encoding: "direct" },
  );
  const q = quantizeLoihi(g, L2);
  const inp = q.model.input;
  assert.equal(inp.kind, "graded");
  assert.equal(inp.messageBits, 8);
  assert.ok(inp.max <= 255 && inp.min === 0);
  const k = (q.model.connections[0]!.synapse as { kernel: Int32Array }).kernel;
  for (const v of k) assert.ok(v >= -256 && v <= 254);
  assert.match(
    q.notes.join("\n"),
    /input 'in': analog x in \[0, 1\] \(assumed: no calibration inputs were given\), as 8-bit graded spikes q = round\(x·[\d.]+\), clipped to \[0, \d+\]/,
  );
  // calibration with negative values → signed payloads
  const qs = quantizeLoihi(g, L2, { calibration: [Float64Array.from({ length: 16 }, (_, i) => (i % 2 ? -0.5 : 2))] });
  assert.ok(qs.model.input.min < 0 && qs.model.input.min === -qs.model.input.max);
});

test("a state offset by hand: IF with θ = −0.5 → θ' = 0.5, v0 = δ = 1, self weight 1; init, self and inhibition in integers", () => {
  const g = b.model(
    [
      b.input("in", [2]),
      b.dense("d1", "in", tensor([2, 1], [0.5, -0.25])),
      b.neuron("l1", "d1", { model: "IF", decay: 1, theta: -0.5 }),
      b.dense("d2", "l1", tensor([1, 1], [1])),
      b.readout("ro", "d2", "sum"),
    ],
    { name: "offset", T: 4, encoding: "spikes" },
  );
  const q = buildLoihi(g, { target: "loihi2" }).quant;
  assert.equal(q.netx.ok, false);
  assert.match((q.netx as { reason: string }).reason, /state offsets \('l1'\): netx sets no initial v/);
  const p = q.model.populations.find((x) => x.id === "l1")!;
  // limits: the self weight τ·R = 1 and the init τ·δ = 1 at exponent 7 allow g ≤ 255·128 = 32640 (the tightest)
  assert.equal(q.populations.find((x) => x.id === "l1")!.limitedBy, "weights of 'l1/self' at exponent 7");
  assert.equal(p.vth, 16320); // g·θ' = 32640 · 0.5
  assert.equal(p.dv, 0);
  assert.deepEqual(Array.from(p.biasMant), [0]); // δ(1 − τ) = 0 for IF
  const c = (id: string) => q.model.connections.find((x) => x.id === id)!;
  assert.deepEqual(
    [c("l1/self").from, c("l1/self").weightExp, Array.from((c("l1/self").synapse as { weights: Int32Array }).weights)],
    ["l1", 7, [255]],
  );
  assert.deepEqual(
    [c("l1/init").from, c("l1/init").weightExp, Array.from((c("l1/init").synapse as { weights: Int32Array }).weights)],
    ["pulse_1", 7, [255]],
  );
  // d1: 32640·[0.5, −0.25] = [16320, −8160] need exponent 7 for [−256, 254]: [127.5, −63.75] → [128, −64]
  assert.deepEqual(
    [c("d1").weightExp, Array.from((c("d1").synapse as { weights: Int32Array }).weights)],
    [7, [128, -64]],
  );
  // inhibition at step 1 (from the pulse at the last step): the self weight can bring 255·128, the bias 0
  assert.deepEqual(
    [
      c("l1/inhibit").from,
      c("l1/inhibit").weightExp,
      Array.from((c("l1/inhibit").synapse as { weights: Int32Array }).weights),
    ],
    ["pulse_0", 7, [-255]],
  );
  const o = q.offsets[0]!;
  assert.deepEqual(
    [o.id, o.depth, o.inhibit!.maxInhibition, o.inhibit!.headroom, o.firstStepV0],
    ["l1", 1, 32640, 131071 - 32640, 0],
  );
  assert.deepEqual(
    q.model.populations.map((x) => [x.id, x.kind, x.phase]),
    [
      ["pulse_0", "pulse", 0],
      ["pulse_1", "pulse", 1],
      ["l1", "lif", undefined],
      ["ro", "integrator", undefined],
    ],
  );
  // run: input 1,0 at every step: h = 1 + 0.5 = 1.5 > 0.5 (fires) at the first aligned step (Lava step 2), then 0 + 0.5 + 1 = 1.5 …
  // and in the tail (step 6, no input) the self weight alone: 1 > 0.5, as the float neuron reset to v_reset + δ = 1 would
  const r = runFixedStepped(
    q.model,
    Array.from({ length: 4 }, () => Float64Array.of(1, 0)),
    { state: true },
  );
  assert.deepEqual(
    r.spikes.get("l1")!.map((s) => s[0]),
    [0, 1, 1, 1, 1, 1],
  );
  assert.deepEqual(
    r
      .v!.get("l1")!
      .map((v) => v[0])
      .slice(1, 5),
    [0, 0, 0, 0],
  );
  assert.deepEqual(
    r.spikes.get("pulse_1")!.map((s) => s[0]),
    [1, 0, 0, 0, 0, 0],
  );
  assert.deepEqual(
    r.spikes.get("pulse_0")!.map((s) => s[0]),
    [0, 0, 0, 0, 0, 1],
  );
});
