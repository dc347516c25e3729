/**
 * fold-tdbn: threshold-dependent BN (Zheng 2021) folds as BN with
 * k = γ·α·V_th / sqrt(σ² + ε), where V_th is the TdBN layer's own `v_threshold` (SEMANTICS.md §2):
 * W' = k·W, b' = k(b − μ) + β. Same placement rules as fold-bn (channel-norm-fold.ts).
 */
import type { TdBNNode } from "../../ir/nodes.ts";
import { foldChannelNorms } from "./channel-norm-fold.ts";
import type { Pass } from "../pass.ts";

export const foldTdbn: Pass = {
  name: "fold-tdbn",
  description: "fold tdBN into the conv/dense producing its input (k = γ·α·V_th/sqrt(σ²+ε))",
  requires: "shapes valid; every tdbn node reads a current",
  guarantees: "no tdbn nodes; tdbn after a non-linear producer is left as an exact affine node",
  run(g) {
    return foldChannelNorms<TdBNNode>(g, "tdbn", (n) => n.alpha * n.vth, "k = γ·α·V_th/sqrt(σ²+ε)");
  },
};
