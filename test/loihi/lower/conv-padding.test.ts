/**
 * lower-conv-padding: asymmetric conv padding → symmetric padding with a zero-extended kernel. By
 * hand (Keras stride 2 "same" on an even size, both directions, dilation), and the property: random
 * convs with explicit pads of any kind keep every spike and output shape.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Conv2DNode, Graph } from "../../../src/ir/nodes.ts";
import { lowerConvPadding, lowerConvPaddings } from "../../../src/loihi/lower/lower-conv-padding.ts";
import * as b from "../../support/ir-builder.ts";
import { assertSameSpikes, fixedInputs, runPure } from "../../support/check.ts";
import type { Src } from "../../support/gen.ts";
import { checkRewrite } from "../../support/property.ts";

function convModel(H: number, kernel: number[], o: Parameters<typeof b.conv>[3]): Graph {
  const k = kernel.length;
  const n = Math.round(Math.sqrt(k));
  return b.model(
    [b.input("x", [H, H, 1]), b.conv("c", "x", b.t([n, n, 1, 1], kernel), o), b.neuron("n", "c", { theta: 0.5 })],
    { T: 3 },
  );
}

test("stride 2 'same' on 8×8 (pads [0, 1]): one zero row and column before the kernel, pads 1 all round", () => {
  const g = convModel(8, [1, 2, 3, 4, 5, 6, 7, 8, 9], { strides: [2, 2], padding: "same" });
  const r = runPure(lowerConvPadding, g);
  const c = b.node<Conv2DNode>(r.graph, "c");
  assert.deepEqual(c.padding, [1, 1, 1, 1]);
  assert.deepEqual(c.kernel.shape, [4, 4, 1, 1]);
  assert.deepEqual([...c.kernel.data], [0, 0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9]);
  assert.deepEqual(c.shape, [4, 4, 1]);
  assert.match(r.notes[0]!, /conv 'c': pads \[0, 1, 0, 1\] → \[1, 1, 1, 1\], kernel 3×3 → 4×4/);
  assertSameSpikes(g, r.graph, fixedInputs(g, 4, 2));
});

test("more padding on top: zero taps after the kernel; symmetric convs and valid convs are left alone", () => {
  const g = convModel(5, [1, -1, 2, 0.5], { padding: [1, 0, 2, 0] });
  const c = b.node<Conv2DNode>(lowerConvPaddings(g).graph, "c");
  assert.deepEqual(c.padding, [1, 1, 2, 2]);
  assert.deepEqual(c.kernel.shape, [3, 4, 1, 1]);
  assert.deepEqual([...c.kernel.data], [1, -1, 0, 0, 2, 0.5, 0, 0, 0, 0, 0, 0]);
  assertSameSpikes(g, lowerConvPaddings(g).graph, fixedInputs(g, 4, 3));
  const same = convModel(6, [1, 2, 3, 4, 5, 6, 7, 8, 9], { padding: "same" });
  assert.deepEqual(b.node<Conv2DNode>(lowerConvPaddings(same).graph, "c").padding, "same");
  assert.deepEqual(lowerConvPaddings(same).notes, ["every conv pads symmetrically"]);
});

test("dilation: a difference that is a multiple of the dilation is lowered, another one kept with a note", () => {
  const ok = convModel(7, [1, 2, 3, 4], { padding: [0, 2, 1, 1], dilation: [2, 1] });
  const c = b.node<Conv2DNode>(lowerConvPaddings(ok).graph, "c");
  assert.deepEqual(c.padding, [2, 2, 1, 1]);
  assert.deepEqual(c.kernel.shape, [3, 2, 1, 1]);
  assertSameSpikes(ok, lowerConvPaddings(ok).graph, fixedInputs(ok, 4, 4));
  const odd = convModel(7, [1, 2, 3, 4], { padding: [0, 1, 0, 0], dilation: [2, 1] });
  const r = lowerConvPaddings(odd);
  assert.deepEqual(b.node<Conv2DNode>(r.graph, "c").padding, [0, 1, 0, 0]);
  assert.match(r.notes[0]!, /pads \[0, 1, 0, 0\] differ by a non-multiple of the dilation \[2, 1\]: kept asymmetric/);
});

function padModel(s: Src): Graph {
  const H = s.int(3, 7);
  const W = s.int(3, 7);
  const C = s.int(1, 2);
  const kh = s.int(1, 3);
  const kw = s.int(1, 3);
  const d: [number, number] = [s.pick([1, 1, 2]), s.pick([1, 1, 2])];
  const padding = s.bool(0.4)
    ? "same"
    : ([s.int(0, 2), s.int(0, 2), s.int(0, 2), s.int(0, 2)] as [number, number, number, number]);
  const co = s.int(1, 3);
  const g = s.int(1, 2);
  const groups = C % g === 0 && co % g === 0 ? g : 1;
  return b.model(
    [
      b.input("x", [H, W, C]),
      b.conv("c", "x", s.tensor([kh, kw, C / groups, co], 1), {
        strides: [s.int(1, 2), s.int(1, 2)],
        padding,
        dilation: [(kh - 1) * d[0] < H ? d[0] : 1, (kw - 1) * d[1] < W ? d[1] : 1],
        groups,
        bias: s.bool() ? s.tensor([co], 0.5) : undefined,
      }),
      b.neuron("n", "c", { theta: s.range(0.25, 1), fire: s.bool() ? "ge" : "gt" }),
    ],
    { T: 3, encoding: s.bool() ? "spikes" : "direct" },
  );
}

for (const tier of ["exact", "float"] as const) {
  test(`property (${tier}): random padded convs keep every spike and shape`, () => {
    const tally = checkRewrite(tier, padModel, (g) => {
      const out = lowerConvPaddings(g).graph;
      assert.deepEqual(b.node(out, "c").shape, b.node(g, "c").shape);
      return out;
    });
    assert.ok(tally.spikes > 0);
  });
}
