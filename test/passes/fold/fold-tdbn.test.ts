import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Conv2DNode } from "../../../src/ir/nodes.ts";
import { SnncError } from "../../../src/ir/errors.ts";
import { absorbAffine } from "../../../src/passes/fold/absorb-affine.ts";
import { foldTdbn } from "../../../src/passes/fold/fold-tdbn.ts";
import * as b from "../../support/ir-builder.ts";
import { assertSameSpikes, fixedInputs, runPure } from "../../support/check.ts";
import type { Src, Tier } from "../../support/gen.ts";
import { bnModel } from "../../support/models.ts";
import { checkRewrite } from "../../support/property.ts";

const makeTdbn = (s: Src, id: string, inp: string, C: number) =>
  b.tdbn(id, inp, {
    ...s.norm(C),
    alpha: s.tier === "exact" ? s.pick([1, 0.5, 2]) : s.range(0.2, 2),
    vth: s.tier === "exact" ? s.pick([0.5, 1, 1.5]) : s.range(0.1, 2),
  });

function property(tier: Tier) {
  return checkRewrite(
    tier,
    (s) => bnModel(s, makeTdbn),
    (g) => {
      const folded = absorbAffine.run(runPure(foldTdbn, g).graph, { target: "float" }).graph;
      assert.ok(!folded.nodes.some((n) => n.op === "tdbn"));
      return folded;
    },
    { exactReadouts: true },
  );
}

describe("fold-tdbn", () => {
  it("property (exact tier): spikes equal bit for bit, ties included", () => {
    assert.ok(property("exact").spikes > 0);
  });

  it("property (float tier): spikes equal wherever the margin exceeds 1e-9", () => {
    const tally = property("float");
    assert.ok(tally.nearTieSkips < tally.cases / 10);
  });

  it("k = γ·α·V_th / sqrt(σ²+ε) with the TdBN layer's own v_threshold", () => {
    const g = b.model([
      b.input("x", [2, 2, 1]),
      b.conv("c", "x", b.t([1, 1, 1, 2], [1, 1]), { bias: b.t([2], [1, 2]) }),
      b.tdbn("td", "c", {
        alpha: 0.5,
        vth: 3,
        gamma: b.t([2], [2, -1]),
        beta: b.t([2], [0.25, 0]),
        mean: b.t([2], [1, 0]),
        variance: b.t([2], [1, 4]),
        epsilon: 0,
      }),
      b.neuron("n", "td"),
    ]);
    const r = runPure(foldTdbn, g);
    const c = b.node<Conv2DNode>(r.graph, "c");
    // k = [2·0.5·3/1, −1·0.5·3/2] = [3, −0.75]
    assert.deepEqual([...c.kernel.data], [3, -0.75]);
    assert.deepEqual([...c.bias!.data], [3 * (1 - 1) + 0.25, -0.75 * 2]);
    assert.match(r.notes.join("\n"), /tdBN 'td' folded into 'c'/);
    assertSameSpikes(g, r.graph, fixedInputs(g, 4));
  });

  it("refuses a tdBN after a neuron", () => {
    const g = b.model([
      b.input("x", [2]),
      b.dense("d", "x", b.t([2, 2], [1, 0, 0, 1])),
      b.neuron("n1", "d"),
      b.tdbn("td", "n1", {
        alpha: 1,
        vth: 1,
        gamma: b.t([2], 1),
        beta: b.t([2], 0),
        mean: b.t([2], 0),
        variance: b.t([2], 1),
      }),
      b.dense("d2", "td", b.t([2, 1], 1)),
      b.neuron("n2", "d2"),
    ]);
    assert.throws(
      () => foldTdbn.run(g, { target: "float" }),
      (e: unknown) =>
        e instanceof SnncError &&
        e.code === "E_FOLD" &&
        e.layer === "td" &&
        /^layer 'td': tdBN 'td' normalises the spikes of 'n1'/.test(e.message),
    );
  });

  it("refuses a non-finite alpha, naming the parameter", () => {
    const g = {
      name: "bad",
      meta: { timesteps: 2, encoding: "direct" as const },
      nodes: [
        b.input("x", [2]),
        b.dense("d", "x", b.t([2, 2], 1)),
        b.tdbn("td", "d", {
          alpha: NaN,
          vth: 1,
          gamma: b.t([2], 1),
          beta: b.t([2], 0),
          mean: b.t([2], 0),
          variance: b.t([2], 1),
        }),
        b.neuron("n", "td"),
      ],
      outputs: ["n"],
    };
    assert.throws(
      () => foldTdbn.run(g, { target: "float" }),
      (e: unknown) => e instanceof SnncError && e.code === "E_VALUE" && e.layer === "td" && e.param === "alpha",
    );
  });

  it("leaves bn nodes to fold-bn", () => {
    const g = b.model([
      b.input("x", [2]),
      b.dense("d", "x", b.t([2, 2], 1)),
      b.bn("bn", "d", { gamma: b.t([2], 1), beta: b.t([2], 0), mean: b.t([2], 0), variance: b.t([2], 1) }),
      b.neuron("n", "bn"),
    ]);
    assert.deepEqual(b.ops(runPure(foldTdbn, g).graph), ["input", "dense", "bn", "neuron"]);
  });
});
