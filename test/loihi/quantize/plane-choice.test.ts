/** plane-choice.ts: the drift of 8-bit rounding against the threshold, and when it chooses weight planes. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DRIFT_LIMIT, largestDrift } from "../../../src/loihi/quantize/plane-choice.ts";
import type { PopulationQuant } from "../../../src/loihi/quantize/quantize-types.ts";

function pop(o: Partial<PopulationQuant> & { fanIn: number }): PopulationQuant {
  const neurons = o.neurons ?? 10;
  return {
    id: o.id ?? "p",
    kind: o.kind ?? "lif",
    neurons,
    depth: 1,
    g: o.vth ?? 200,
    vth: o.vth ?? 200,
    du: 4095,
    dv: 0,
    tauQ: o.tauQ ?? 1,
    tau: o.tauQ ?? 1,
    biasExp: 6,
    biasMaxAbsErr: 0,
    limitedBy: o.limitedBy ?? "weights of 'c'",
    connections: [
      {
        id: "c",
        from: "x",
        how: "conv",
        kind: "conv",
        weightExp: 0,
        delay: 0,
        maxAbsInt: 255,
        relErr: 0,
        clipped: 0,
        synapses: o.fanIn * neurons,
      },
    ],
    aMax: 0,
    aMin: 0,
  };
}

test("an IF layer without leak drifts over the whole run: 0.5·√k·T / vth", () => {
  const d = largestDrift([pop({ fanIn: 400, vth: 200 })], 100)!;
  assert.equal(d.horizon, 100);
  assert.ok(Math.abs(d.drift - (0.5 * 20 * 100) / 200) < 1e-12);
  assert.ok(d.drift > DRIFT_LIMIT);
});

test("a leaky layer remembers 1 / (1 − τ) steps; a short run fewer", () => {
  assert.ok(Math.abs(largestDrift([pop({ fanIn: 400, vth: 200, tauQ: 0.5 })], 100)!.drift - 0.1) < 1e-12);
  assert.ok(largestDrift([pop({ fanIn: 400, vth: 200 })], 8)!.drift < DRIFT_LIMIT);
});

test("only weight-limited spiking layers count; the worst one is named", () => {
  const ps = [
    pop({ id: "a", fanIn: 400, vth: 200, limitedBy: "one step's input (u must not wrap)" }),
    pop({ id: "b", fanIn: 100, vth: 200, kind: "integrator" }),
    pop({ id: "c", fanIn: 100, vth: 200 }),
    pop({ id: "d", fanIn: 400, vth: 800 }),
  ];
  const d = largestDrift(ps, 100)!;
  assert.equal(d.population, "c");
  assert.equal(largestDrift([ps[0]!, ps[1]!], 100), undefined);
});
