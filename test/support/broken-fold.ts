/**
 * A deliberately broken fold for tests that must see a fold go wrong: fold-bn that shifts every
 * folded conv bias by 0.3, and target float's driver running it in place of fold-bn.
 */
import { Command, CommanderError } from "commander";
import { EXIT, fail } from "../../src/cli/common.ts";
import { makeFloatDriver } from "../../src/driver/float.ts";
import type { TargetDriver } from "../../src/driver/types.ts";
import type { Graph } from "../../src/ir/nodes.ts";
import { tensor } from "../../src/ir/tensor.ts";
import { FLOAT_PIPELINE } from "../../src/passes/float-pipeline.ts";
import { foldBn } from "../../src/passes/fold/fold-bn.ts";
import type { Pass } from "../../src/passes/pass.ts";

export const brokenFoldBn: Pass = {
  ...foldBn,
  run(g, opts) {
    const r = foldBn.run(g, opts);
    const nodes = r.graph.nodes.map((n) =>
      n.op === "conv2d" && n.bias && n.origin?.some((o) => o.startsWith("bn:"))
        ? {
            ...n,
            bias: tensor(
              n.bias.shape,
              n.bias.data.map((v) => v + 0.3),
            ),
          }
        : n,
    );
    return { graph: { ...r.graph, nodes } as Graph, notes: r.notes };
  },
};

/** Target float with fold-bn replaced by brokenFoldBn. */
export function brokenFloatDriver(): TargetDriver {
  const pipeline = FLOAT_PIPELINE.map((p) => (p === foldBn ? brokenFoldBn : p));
  if (!pipeline.includes(brokenFoldBn)) throw new Error("fold-bn is not in the float pipeline");
  return makeFloatDriver(pipeline);
}

/** Runs one command (registered by `register`) on process.argv and exits with its code. */
export async function runCommandAndExit(register: (program: Command) => void): Promise<never> {
  const program = new Command().name("snnc").exitOverride();
  register(program);
  let code: number = EXIT.ok;
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    code = e instanceof CommanderError ? EXIT.usage : fail(e);
  }
  process.exit(code);
}
