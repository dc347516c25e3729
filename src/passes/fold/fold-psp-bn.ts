/**
 * fold-psp-bn: PSP-BN (PSP-norm paper Eq. 19) at inference is a per-channel scale of its input,
 * â = k·a with k = γ / sqrt(E[a²] + λ). It folds forward into whatever first combines `a`
 * linearly (SEMANTICS.md §2):
 *
 * - conv2d: every weight reading input channel c is multiplied by k_c (groups respected);
 * - dense: every weight row reading a feature of channel c is multiplied by k_c;
 * - a neuron (PSP-BN applied directly to a current): gain' = gain·k; an affine: scale' = scale·k.
 *
 * The scale travels through the ops it commutes with exactly: flatten and reshape (same flat
 * order), zero padding (k·0 = 0), average and sum pooling (linear per channel; TF "same" averaging
 * included), and max pooling where every k_c ≥ 0 (max(k·a) = k·max(a), also in float64 because
 * rounding is monotone). Anything else on the way (an add, a readout, another norm, a max pool
 * with k_c < 0, or a graph output) is refused with the path named.
 *
 * PSP-LN is refused: it normalises over C×H×W×T of the sample itself (SEMANTICS §2).
 * For binary spike inputs reaching a conv/dense directly the fold is exact bit for bit: the
 * reference computes W·(k·1) and the folded model (W·k)·1.
 */
import { SnncError } from "../../ir/errors.ts";
import { consumers } from "../../ir/graph.ts";
import type { Graph, IRNode, PSPNormNode } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import { broadcastTo, size } from "../../ir/tensor.ts";
import { pspLnRefusal } from "../../sim/norm-float.ts";
import { scaleInputs } from "../support/linear-scale.ts";
import type { Pass } from "../pass.ts";
import { compactTensor, editGraph, fmt, perChannel, withOrigin } from "../support/rewrite.ts";

export const foldPspBn: Pass = {
  name: "fold-psp-bn",
  description: "fold PSP-BN into the next conv/dense per input channel (through flatten, pad, linear pooling)",
  requires:
    "shapes valid; no PSP-LN; each PSP-BN reaches conv/dense/neuron through flatten, reshape, pad, avg/sum pooling or max pooling with k ≥ 0",
  guarantees: "no pspnorm nodes",
  run(g0) {
    let g = inferShapes(g0);
    const notes: string[] = [];
    for (;;) {
      const p = g.nodes.find((n): n is PSPNormNode => n.op === "pspnorm");
      if (!p) break;
      const r = foldOne(g, p);
      g = inferShapes(r.graph);
      notes.push(r.note);
    }
    return { graph: g, notes };
  },
};

const HOW =
  "PSP-BN folds only into the next conv/dense (per input channel) or neuron, through flatten, reshape, zero padding and average/sum pooling (max pooling only where its scale is >= 0)";

function foldOne(g: Graph, p: PSPNormNode): { graph: Graph; note: string } {
  if (p.mode === "ln") throw pspLnRefusal(p.id);
  const C = p.gamma!.data.length;
  const k = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    k[c] = p.gamma!.data[c]! / Math.sqrt(p.sqMean!.data[c]! + p.lambda);
    if (!Number.isFinite(k[c]!)) {
      throw new SnncError(
        "E_VALUE",
        `k = γ/sqrt(E[a²]+λ) is ${k[c]} on channel ${c} (out of float64 range): cannot fold`,
        { layer: p.id, param: "gamma" },
      );
    }
  }
  const refuse = (why: string) => new SnncError("E_FOLD", `PSP-BN cannot be folded: ${why}; ${HOW}`, { layer: p.id });
  if (g.outputs.includes(p.id)) throw refuse(`it is a graph output`);
  const byId = new Map(g.nodes.map((n) => [n.id, n] as const));
  const cons = consumers(g);
  const repl = new Map<string, IRNode | null>([[p.id, null]]);
  const reached: string[] = [];
  const origin = `pspnorm:${p.id}`;
  // Depth-first walk over the readers; `scale` is one factor per element of the node's output.
  const stack: { id: string; path: string[]; scale: Float64Array }[] = [
    { id: p.id, path: [], scale: broadcastTo({ shape: [C], data: k }, p.shape!) },
  ];
  while (stack.length) {
    const { id, path, scale } = stack.pop()!;
    const from = byId.get(id)!;
    const shapeIn = from.shape!;
    const Cin = shapeIn[shapeIn.length - 1]!;
    for (const rid of cons.get(id) ?? []) {
      const x = byId.get(rid)!;
      const via = [...path, `'${x.id}' (${x.op})`];
      const chan = () => {
        const cs = perChannel(scale, Cin);
        if (!cs) throw refuse(`its scale no longer acts per channel when it reaches ${via.join(" → ")}`);
        return cs;
      };
      switch (x.op) {
        case "flatten":
        case "reshape":
        case "pad":
        case "avgpool":
        case "sumpool":
        case "maxpool": {
          if (g.outputs.includes(x.id)) throw refuse(`${via.join(" → ")} is a graph output and would change`);
          let next: Float64Array;
          if (x.op === "flatten" || x.op === "reshape") next = scale;
          else {
            const cs = chan();
            if (x.op === "maxpool") {
              const bad = [...cs].findIndex((v) => v < 0);
              if (bad >= 0)
                throw refuse(
                  `its scale is negative on channel ${bad} (k = ${fmt(cs[bad]!)}) and max pooling ${via.join(" → ")} follows: max(k·a) ≠ k·max(a) for k < 0`,
                );
            }
            next = broadcastTo({ shape: [Cin], data: cs }, x.shape!);
          }
          stack.push({ id: x.id, path: via, scale: next });
          break;
        }
        case "conv2d":
          repl.set(x.id, withOrigin(scaleInputs(x, chan(), { layer: p.id, param: "gamma" }), origin));
          reached.push(x.id);
          break;
        case "dense":
          repl.set(x.id, withOrigin(scaleInputs(x, scale, { layer: p.id, param: "gamma" }), origin));
          reached.push(x.id);
          break;
        case "neuron":
        case "affine": {
          const S = x.shape!;
          const old = broadcastTo(x.op === "neuron" ? x.gain : x.scale, S);
          const nv = new Float64Array(size(S));
          for (let i = 0; i < nv.length; i++) nv[i] = old[i]! * scale[i]!;
          const t = compactTensor(nv, S);
          repl.set(x.id, withOrigin(x.op === "neuron" ? { ...x, gain: t } : { ...x, scale: t }, origin));
          reached.push(x.id);
          break;
        }
        default:
          throw refuse(`its output reaches ${via.join(" → ")}`);
      }
    }
  }
  if (reached.length === 0) throw refuse(`nothing reads it`);
  const zero = [...k].filter((v) => v === 0).length;
  const neg = [...k].filter((v) => v < 0).length;
  const extra = [zero ? `${zero} channel${zero > 1 ? "s" : ""} with k = 0` : "", neg ? `${neg} with k < 0` : ""]
    .filter(Boolean)
    .join(", ");
  return {
    graph: editGraph(g, repl, new Map([[p.id, p.inputs[0]!]])),
    note: `PSP-BN '${p.id}' (k = γ/sqrt(E[a²]+λ), ${C} channels${extra ? `; ${extra}` : ""}) folded into ${reached.map((r) => `'${r}'`).join(", ")}`,
  };
}
