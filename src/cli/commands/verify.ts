/**
 * `snnc verify <model> --target <t>`: compile the model for the target, run the model as written
 * and the compiled model on the same inputs, and compare every spike of every layer at every
 * step. Exit 0 when no spike differs, 1 when some do (the first divergences are listed).
 */
import type { Command } from "commander";
import { driverFor } from "../../driver/index.ts";
import type { StepInput } from "../../sim/reference.ts";
import { formatVerifyReport, type VerifyReport } from "../../verify/report.ts";
import {
  EXIT,
  ExitRequest,
  loadModel,
  parseIntOption,
  parseNumberOption,
  randomInputs,
  readInputs,
} from "../common.ts";
import { temporalNormOption } from "./compile.ts";

interface VerifyOpts {
  target: string;
  input?: string[];
  random?: string;
  seed: string;
  timesteps?: string;
  json?: boolean;
  maxDivergences: string;
  temporalNorm: string;
  earlyExit?: string;
}

/** Samples used when neither --input nor --random is given. */
export const DEFAULT_RANDOM_SAMPLES = 8;

export function registerVerifyCommand(program: Command): void {
  program
    .command("verify")
    .description("compile for a target and check spike by spike that the compiled model equals the model as written")
    .argument("<model>", "model.json (TF.js), .snnc.json")
    .option("--target <t>", "target name", "float")
    .option("--input <files...>", 'input sample file(s): .json nested array, {"inputs": [...]}, or .npy')
    .option("--random <n>", `n seeded random inputs (default ${DEFAULT_RANDOM_SAMPLES} when no --input is given)`)
    .option("--seed <s>", "seed for --random", "0")
    .option("--timesteps <T>", "steps to run (default: the model's)")
    .option("--json", "print the report as JSON (schema: src/verify/verify-report.schema.json)")
    .option("--max-divergences <k>", "how many differing spikes to list", "10")
    .option("--temporal-norm <mode>", "per-step norms on targets without schedules: exact | approx", "exact")
    .option("--early-exit <g>", "BNTT early exit threshold on γ_t")
    .action(async (model: string, opts: VerifyOpts) => {
      const driver = driverFor(opts.target);
      const temporalNorm = temporalNormOption(opts.temporalNorm);
      const maxDivergences = parseIntOption(opts.maxDivergences, "--max-divergences");
      const earlyExit = opts.earlyExit !== undefined ? parseNumberOption(opts.earlyExit, "--early-exit") : undefined;
      const timesteps = opts.timesteps !== undefined ? parseIntOption(opts.timesteps, "--timesteps", 1) : undefined;
      const g = await loadModel(model);
      const inputs: StepInput[] = [];
      for (const f of opts.input ?? []) inputs.push(...readInputs(f, g));
      if (opts.random !== undefined || inputs.length === 0) {
        const n = opts.random !== undefined ? parseIntOption(opts.random, "--random", 1) : DEFAULT_RANDOM_SAMPLES;
        inputs.push(...randomInputs(g, n, parseIntOption(opts.seed, "--seed")));
      }
      const report = (await driver.verify(g, {
        target: opts.target,
        inputs,
        timesteps,
        maxDivergences,
        temporalNorm,
        earlyExit,
        file: model,
      })) as unknown as VerifyReport;
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else for (const line of formatVerifyReport(report)) process.stdout.write(`${line}\n`);
      if (!report.ok) throw new ExitRequest(EXIT.diverged);
    });
}
