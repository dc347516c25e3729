/**
 * `snnc eval` with target float's fold-bn deliberately broken (test/support/broken-fold.ts), to
 * show that eval fails when the folded model predicts other classes than the model as written.
 *
 * Loaded with `node --import tsx --import ./test/cli/break-fold-eval.ts bin/snnc.js eval ...`: it
 * runs the eval command on those arguments itself and exits with its code.
 */
import { Command, CommanderError } from "commander";
import { registerEvalCommand } from "../../src/cli/commands/eval.ts";
import { EXIT, fail } from "../../src/cli/common.ts";
import { brokenFloatDriver } from "../support/broken-fold.ts";

const program = new Command().name("snnc").exitOverride();
registerEvalCommand(program, brokenFloatDriver());
let code: number = EXIT.ok;
try {
  await program.parseAsync(process.argv);
} catch (e) {
  code = e instanceof CommanderError ? EXIT.usage : fail(e);
}
process.exit(code);
