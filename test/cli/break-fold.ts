/**
 * Loaded with `node --import` before the CLI to inject a deliberately broken fold: fold-bn is
 * replaced by a version that shifts every folded conv bias by 0.3. `snnc verify` must catch it.
 */
import type { Graph } from "../../src/ir/nodes.ts";
import { tensor } from "../../src/ir/tensor.ts";
import type { Pass } from "../../src/passes/pass.ts";
import { PASSES } from "../../src/passes/pipeline.ts";

const real = PASSES.get("fold-bn")!;
const broken: Pass = {
  ...real,
  run(g, opts) {
    const r = real.run(g, opts);
    const graph: Graph = {
      ...r.graph,
      nodes: r.graph.nodes.map((n) =>
        n.op === "conv2d" && n.bias && n.origin?.some((o) => o.startsWith("bn:"))
          ? {
              ...n,
              bias: tensor(
                n.bias.shape,
                n.bias.data.map((v) => v + 0.3),
              ),
            }
          : n,
      ),
    };
    return { graph, notes: r.notes };
  },
};
PASSES.set("fold-bn", broken);
