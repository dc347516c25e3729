/**
 * The `snnc` command line: commander wiring only. Each command lives in commands/<name>.ts;
 * errors become one line on stderr and a documented exit code (see common.ts EXIT).
 */
import { Command, CommanderError } from "commander";
import { registerInspectCommand } from "./commands/inspect.ts";
import { registerRunCommand } from "./commands/run.ts";
import { EXIT, fail } from "./common.ts";

const VERSION = "0.1.0";

async function registerOptional(program: Command, file: string, fn: string): Promise<void> {
  try {
    const mod = (await import(file)) as Record<string, (p: Command) => void>;
    mod[fn]?.(program);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw e;
  }
}

export async function buildProgram(): Promise<Command> {
  const program = new Command();
  program
    .name("snnc")
    .description(
      "Neuromorphic deployment compiler: folds training-only SNN constructs exactly, lowers to the chip's fixed point, and verifies spike by spike.",
    )
    .version(VERSION)
    .showHelpAfterError("(run 'snnc --help' for usage)")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerInspectCommand(program);
  registerRunCommand(program);
  await registerOptional(program, "./commands/compile.ts", "registerCompileCommand");
  await registerOptional(program, "./commands/verify.ts", "registerVerifyCommand");
  await registerOptional(program, "./commands/targets.ts", "registerTargetsCommand");
  for (const c of program.commands) c.exitOverride();
  return program;
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
