/**
 * `snnc verify` with a deliberately broken fold, to show that verify catches it: target "float"
 * runs FLOAT_PIPELINE with fold-bn replaced by a version that shifts every folded conv bias by
 * 0.3 (through `makeFloatDriver`); every other target is the real one.
 *
 * Loaded with `node --import tsx --import ./test/cli/break-fold.ts bin/snnc.js verify ...`: it runs
 * the verify command on those arguments itself and exits with its code, so the real entry point
 * never runs. (`node --import tsx test/cli/break-fold.ts verify ...` does the same.)
 */
import { Command, CommanderError } from "commander";
import { registerVerifyCommand } from "../../src/cli/commands/verify.ts";
import { EXIT, fail } from "../../src/cli/common.ts";
import { makeFloatDriver } from "../../src/driver/float.ts";
import { driverFor } from "../../src/driver/index.ts";
import type { Graph } from "../../src/ir/nodes.ts";
import { tensor } from "../../src/ir/tensor.ts";
import { FLOAT_PIPELINE } from "../../src/passes/float-pipeline.ts";
import { foldBn } from "../../src/passes/fold/fold-bn.ts";
import type { Pass } from "../../src/passes/pass.ts";

const brokenFoldBn: Pass = {
  ...foldBn,
  run(g, opts) {
    const r = foldBn.run(g, opts);
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

const pipeline = FLOAT_PIPELINE.map((p) => (p === foldBn ? brokenFoldBn : p));
if (!pipeline.includes(brokenFoldBn)) throw new Error("fold-bn is not in the float pipeline");
const brokenFloat = makeFloatDriver(pipeline);

const program = new Command().name("snnc").exitOverride();
registerVerifyCommand(program, (target) => (target === "float" ? brokenFloat : driverFor(target)));
let code: number = EXIT.ok;
try {
  await program.parseAsync(process.argv);
} catch (e) {
  code = e instanceof CommanderError ? EXIT.usage : fail(e);
}
process.exit(code);
