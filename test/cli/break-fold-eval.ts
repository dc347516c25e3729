/**
 * `snnc eval` with target float's fold-bn deliberately broken (test/support/broken-fold.ts), to
 * show that eval fails when the folded model predicts other classes than the model as written.
 *
 * Loaded with `node --import tsx --import ./test/cli/break-fold-eval.ts bin/snnc.js eval ...`: it
 * runs the eval command on those arguments itself and exits with its code.
 */
import { registerEvalCommand } from "../../src/cli/commands/eval.ts";
import { brokenFloatDriver, runCommandAndExit } from "../support/broken-fold.ts";

await runCommandAndExit((program) => registerEvalCommand(program, brokenFloatDriver()));
