/**
 * fold-bn: BatchNormalization of a conv/dense current disappears into that layer
 * (SEMANTICS.md §2): k = γ / sqrt(σ² + ε) (ε always included), W' = k·W per output channel,
 * b' = k(b − μ) + β. μ is never dropped. Shared producers are copied; a BN after an add or a
 * pooling of currents becomes an exact `affine` for absorb-affine; a BN on spikes or on the
 * network input is refused (see channel-norm-fold.ts for the full rule).
 */
import type { BatchNormNode } from "../../ir/nodes.ts";
import { foldChannelNorms } from "./channel-norm-fold.ts";
import type { Pass } from "../pass.ts";

export const foldBn: Pass = {
  name: "fold-bn",
  description: "fold BatchNormalization into the conv/dense producing its input (W' = k·W, b' = k(b − μ) + β)",
  requires: "shapes valid; every bn node reads a current (conv/dense output, possibly through add/pad/pooling)",
  guarantees: "no bn nodes; bn after a non-linear producer is left as an exact affine node",
  run(g) {
    return foldChannelNorms<BatchNormNode>(g, "bn", () => 1, "k = γ/sqrt(σ²+ε)");
  },
};
