/**
 * lower-conv-padding: a convolution padded asymmetrically (Keras "same" with stride 2 on an even
 * size pads [0, 1]) becomes one padded symmetrically with a kernel zero-extended on the side that
 * had less padding, which Lava's Conv and netx can hold (they pad symmetrically). Per axis, with
 * pads (p₀, p₁), dilation d and m = |p₁ − p₀| / d zero taps:
 *
 *   p₁ > p₀: m zero taps before the kernel, pads (p₁, p₁):
 *     y'[o] = Σ_j K[j]·x[o·s + (j + m)·d − p₁] = Σ_j K[j]·x[o·s + j·d − p₀] = y[o]
 *   p₀ > p₁: m zero taps after the kernel, pads (p₀, p₀): the taps added read nothing
 *
 * and the output size ⌊(H + p₀ + p₁ − e)/s⌋ + 1 is unchanged (the window's extent e grows by
 * |p₁ − p₀|, the padding by the same). Exact. Where |p₁ − p₀| is not a multiple of the dilation the
 * conv is left as it is (the process-graph form still holds it exactly).
 */
import { convGeometry } from "../../ir/conv-geometry.ts";
import type { Conv2DNode, Graph } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { tensor } from "../../ir/tensor.ts";
import type { Pass } from "../../passes/pass.ts";
import { orIdle, replaceEach, withOrigin } from "../../passes/support/rewrite.ts";

export const lowerConvPadding: Pass = {
  name: "lower-conv-padding",
  description:
    "asymmetric conv padding → symmetric padding with a zero-extended kernel (exact; Lava's Conv and netx pad symmetrically)",
  requires: "zero padding already in the convs (lower-pad, lower-pooling)",
  guarantees: "every conv whose pads differ by a multiple of its dilation pads symmetrically; outputs unchanged",
  run: lowerConvPaddings,
};

/** Zero taps before / after the kernel and the symmetric pad, per axis; undefined when not possible. */
function axisPlan(p0: number, p1: number, d: number): { before: number; after: number; pad: number } | undefined {
  const diff = p1 - p0;
  if (diff % d !== 0) return undefined;
  return diff >= 0 ? { before: diff / d, after: 0, pad: p1 } : { before: 0, after: -diff / d, pad: p0 };
}

/** The conv with a zero-extended kernel and symmetric padding (or undefined when already symmetric / impossible). */
export function symmetricConv(n: Conv2DNode, inShape: readonly number[]): Conv2DNode | undefined {
  const { KH, KW, KI, CO: KO, pads } = convGeometry(inShape, n);
  const [t, b, l, r] = pads;
  if (t === b && l === r) return undefined;
  const h = axisPlan(t, b, n.dilation[0]);
  const w = axisPlan(l, r, n.dilation[1]);
  if (!h || !w) return undefined;
  const NH = KH + h.before + h.after;
  const NW = KW + w.before + w.after;
  const k = tensor([NH, NW, KI, KO]);
  const per = KI * KO;
  for (let y = 0; y < KH; y++) {
    for (let x = 0; x < KW; x++) {
      const src = (y * KW + x) * per;
      const dst = ((y + h.before) * NW + (x + w.before)) * per;
      k.data.set(n.kernel.data.subarray(src, src + per), dst);
    }
  }
  return withOrigin(
    { ...n, kernel: k, padding: [h.pad, h.pad, w.pad, w.pad] },
    `lower-conv-padding: pads [${pads.join(", ")}] → [${h.pad}, ${h.pad}, ${w.pad}, ${w.pad}], kernel ${KH}×${KW} → ${NH}×${NW}`,
  );
}

export function lowerConvPaddings(g0: Graph): { graph: Graph; notes: string[] } {
  const g = inferShapes(g0);
  const byId = new Map(g.nodes.map((x) => [x.id, x] as const));
  const r = replaceEach(g, (n) => {
    if (n.op !== "conv2d" || n.padding === "valid") return undefined;
    const inShape = byId.get(n.inputs[0]!)!.shape!;
    const s = symmetricConv(n, inShape);
    if (s)
      return {
        node: s,
        notes: [`conv '${n.id}': ${s.origin![s.origin!.length - 1]!.replace("lower-conv-padding: ", "")} (zero taps)`],
      };
    const { pads } = convGeometry(inShape, n);
    if (pads[0] === pads[1] && pads[2] === pads[3]) return undefined;
    return {
      notes: [
        `conv '${n.id}': pads [${pads.join(", ")}] differ by a non-multiple of the dilation [${n.dilation.join(", ")}]: kept asymmetric (process-graph form only)`,
      ],
    };
  });
  return orIdle(r, "every conv pads symmetrically");
}
