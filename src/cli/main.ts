/**
 * The `snnc` command line: commander wiring only. Each command lives in commands/<name>.ts;
 * errors become one line on stderr and a documented exit code (see common.ts EXIT).
 */
import { createRequire } from "node:module";
import { resolve } from "node:path";
import type * as Commander from "commander";
import { registerInspectCommand } from "./commands/inspect.ts";
import { registerMergeCommand } from "./commands/merge.ts";
import { registerRunCommand } from "./commands/run.ts";
import { registerSimulateCommand } from "./commands/simulate.ts";
import { addTimeStepOptions, EXIT, fail, MODEL_COMMANDS } from "./common.ts";
import { recoverInterruptedWrite } from "./write-outputs.ts";

// commander is CommonJS: `require` loads it without first scanning it for its exports, as `import` would.
const { Command, CommanderError } = createRequire(import.meta.url)("commander") as typeof Commander;
type Command = Commander.Command;

const VERSION = "0.1.0";

export async function buildProgram(): Promise<Command> {
  const program = new Command();
  program
    .name("snnc")
    .description(
      "Neuromorphic deployment compiler: folds training-only SNN constructs exactly, lowers to the chip's fixed point, and verifies spike by spike.",
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: usageLine("snnc") })
    .hook("preAction", (_program, action) => {
      // A run killed between the two renames of an output swap left the old output aside: put it back.
      const out = action.opts().output;
      if (typeof out === "string" && out !== "") recoverInterruptedWrite(resolve(out));
    });
  registerInspectCommand(program);
  registerRunCommand(program);
  // Loaded here (their heavy imports wait for their action).
  (await import("./commands/compile.ts")).registerCompileCommand(program);
  (await import("./commands/verify.ts")).registerVerifyCommand(program);
  (await import("./commands/targets.ts")).registerTargetsCommand(program);
  (await import("./commands/report.ts")).registerReportCommand(program);
  (await import("./commands/eval.ts")).registerEvalCommand(program);
  registerSimulateCommand(program);
  registerMergeCommand(program);
  for (const c of program.commands) if (MODEL_COMMANDS.has(c.name())) addTimeStepOptions(c);
  for (const c of program.commands) c.exitOverride().configureOutput({ outputError: usageLine(`snnc ${c.name()}`) });
  return program;
}

/** Commander's own errors (unknown option, missing argument, …) as one line, like every snnc error. */
function usageLine(command: string): (message: string, write: (s: string) => void) => void {
  return (message, write) => {
    const text = message
      .trim()
      .replace(/^error:\s*/, "")
      .replace(/\s*\n\s*/g, " ");
    write(`snnc: error: ${text} (run '${command} --help' for usage)\n`);
  };
}

/** Runs the CLI on argv (process.argv form) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram();
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help")
        return EXIT.ok;
      return EXIT.usage;
    }
    return fail(e);
  }
}
