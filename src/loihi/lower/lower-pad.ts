/**
 * lower-pad: a zero-padding node (Keras ZeroPadding2D) read only by a conv becomes part of that
 * conv's padding: conv(pad(x, p), padding q) = conv(x, padding p + q), with q the conv's own
 * padding resolved on the padded size. Exact (both pad with zeros). Loihi has no padding layer;
 * its conv synapses pad by themselves.
 */
import { windowGeometry } from "../../ir/conv-geometry.ts";
import { consumers } from "../../ir/graph.ts";
import type { Conv2DNode, Graph, IRNode, Pads } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import type { Pass } from "../../passes/pass.ts";
import { editGraph, withOrigin } from "../../passes/support/rewrite.ts";

export const lowerPad: Pass = {
  name: "lower-pad",
  description: "zero-padding nodes read only by convs → the convs' padding",
  requires: "shapes valid",
  guarantees: "no pad node whose readers are all convs; spikes unchanged",
  run: foldPads,
};

export function foldPads(g0: Graph): { graph: Graph; notes: string[] } {
  let g = inferShapes(g0);
  const notes: string[] = [];
  for (const p0 of g0.nodes) {
    if (p0.op !== "pad") continue;
    const byId = new Map(g.nodes.map((n) => [n.id, n] as const));
    const pad = byId.get(p0.id);
    if (pad?.op !== "pad") continue;
    const readers = consumers(g).get(pad.id) ?? [];
    if (!readers.length || g.outputs.includes(pad.id) || !readers.every((r) => byId.get(r)!.op === "conv2d")) continue;
    const [H, W] = pad.shape!;
    const repl = new Map<string, IRNode | null>([[pad.id, null]]);
    for (const r of readers) {
      const conv = byId.get(r) as Conv2DNode;
      const [kh, kw] = conv.kernel.shape;
      const q = windowGeometry(H!, W!, {
        kernel: [kh!, kw!],
        strides: conv.strides,
        dilation: conv.dilation,
        padding: conv.padding,
      }).pads;
      const pads: Pads = [pad.pads[0] + q[0], pad.pads[1] + q[1], pad.pads[2] + q[2], pad.pads[3] + q[3]];
      repl.set(
        conv.id,
        withOrigin({ ...conv, inputs: [...pad.inputs], padding: pads }, `pad '${pad.id}' folded into the padding`),
      );
      notes.push(`pad '${pad.id}' [${pad.pads.join(", ")}] → padding [${pads.join(", ")}] of conv '${conv.id}'`);
    }
    g = inferShapes(editGraph(g, repl));
  }
  return { graph: g, notes };
}
