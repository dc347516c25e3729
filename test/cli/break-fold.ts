/**
 * `snnc verify` with a deliberately broken fold, to show that verify catches it: target "float"
 * runs FLOAT_PIPELINE with fold-bn replaced by a version that shifts every folded conv bias by
 * 0.3 (test/support/broken-fold.ts); every other target is the real one.
 *
 * Loaded with `node --import tsx --import ./test/cli/break-fold.ts bin/snnc.js verify ...`: it runs
 * the verify command on those arguments itself and exits with its code, so the real entry point
 * never runs. (`node --import tsx test/cli/break-fold.ts verify ...` does the same.)
 */
import { registerVerifyCommand } from "../../src/cli/commands/verify.ts";
import { driverFor } from "../../src/driver/index.ts";
import { brokenFloatDriver, runCommandAndExit } from "../support/broken-fold.ts";

const brokenFloat = brokenFloatDriver();
await runCommandAndExit((program) =>
  registerVerifyCommand(program, (target) => (target === "float" ? brokenFloat : driverFor(target))),
);
