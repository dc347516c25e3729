/**
 * `snnc verify <model> --target <t>`: compile the model for the target, run the model as written
 * and the compiled model on the same inputs, and compare every spike of every layer at every
 * step. Exit 0 when no spike differs, 1 when some do (the first divergences are listed).
 */
import type { Command } from "commander";
import type { TargetDriver } from "../../driver/types.ts";
import type { StepInput } from "../../sim/reference.ts";
import { SnncError } from "../../ir/errors.ts";
import { DEFAULT_MIN_SPIKE_AGREEMENT } from "../../verify/gates.ts";
import { formatVerifyReport, type VerifyReport } from "../../verify/report.ts";
import { checkNeuronSteps, neuronElements } from "../../ir/limits.ts";
import {
  collectOption,
  EXIT,
  ExitRequest,
  loadModel,
  loadOptions,
  parseIntOption,
  parseNumberOption,
  randomInputs,
  inFileAndInputs,
  readInputFiles,
  samplesOption,
  timestepsOption,
} from "../common.ts";
import { temporalNormOption, WEIGHT_PLANES_HELP, weightPlanesOption } from "./compile.ts";

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
  minSpikeAgreement?: string;
  minArgmaxAgreement?: string;
  weightPlanes?: string;
}

function fractionOption(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const x = parseNumberOption(v, name);
  if (x < 0 || x > 1) throw new SnncError("E_USAGE", `${name} must be between 0 and 1, got '${v}'`);
  return x;
}

/** Samples used when neither --input nor --random is given. */
export const DEFAULT_RANDOM_SAMPLES = 8;

/** `drivers` looks a target's driver up (default: every driver snnc has; tests give a broken one). */
export function registerVerifyCommand(program: Command, drivers?: (target: string) => TargetDriver): void {
  program
    .command("verify")
    .description("compile for a target and check spike by spike that the compiled model equals the model as written")
    .argument("<model>", "model.json (TF.js), .snnc.json")
    .option("--target <t>", "target name", "float")
    .option(
      "--input <file>",
      'input sample file: .json nested array, {"inputs": [...]}, or .npy (repeat for several files)',
      collectOption,
    )
    .option("--random <n>", `n seeded random inputs (default ${DEFAULT_RANDOM_SAMPLES} when no --input is given)`)
    .option("--seed <s>", "seed for --random", "0")
    .option("--timesteps <T>", "steps to run (default: the model's)")
    .option("--json", "print the report as JSON (schema: src/verify/verify-report.schema.json)")
    .option("--max-divergences <k>", "how many differing spikes to list", "10")
    .option("--temporal-norm <mode>", "per-step norms on targets without schedules: exact | approx", "exact")
    .option("--early-exit <g>", "BNTT early exit threshold on γ_t")
    .option(
      "--min-spike-agreement <x>",
      `fixed-point targets: least spike agreement with the float model, 0..1 (default ${DEFAULT_MIN_SPIKE_AGREEMENT})`,
    )
    .option(
      "--min-argmax-agreement <x>",
      "fixed-point targets: least share of samples whose readout argmax agrees, 0..1 (default 1: every sample)",
    )
    .option("--weight-planes <n>", WEIGHT_PLANES_HELP, "auto")
    .action(async (model: string, opts: VerifyOpts) => {
      const driver = drivers
        ? drivers(opts.target)
        : await (await import("../../driver/registry.ts")).loadDriver(opts.target);
      const temporalNorm = temporalNormOption(opts.temporalNorm);
      const weightPlanes = weightPlanesOption(opts.weightPlanes, opts.target);
      const maxDivergences = parseIntOption(opts.maxDivergences, "--max-divergences");
      const earlyExit = opts.earlyExit !== undefined ? parseNumberOption(opts.earlyExit, "--early-exit") : undefined;
      const timesteps = opts.timesteps !== undefined ? timestepsOption(opts.timesteps) : undefined;
      const g = await loadModel(model, loadOptions(opts));
      const inputs: StepInput[] = [];
      if (timesteps !== undefined) checkNeuronSteps(timesteps, neuronElements(g.nodes));
      const fromFiles = readInputFiles(opts.input ?? [], g, timesteps);
      inputs.push(...fromFiles); // the files' samples first: sample k is fromFiles.sources[k]
      if (opts.random !== undefined || inputs.length === 0) {
        const n = opts.random !== undefined ? samplesOption(opts.random) : DEFAULT_RANDOM_SAMPLES;
        inputs.push(...randomInputs(g, n, parseIntOption(opts.seed, "--seed")));
      }
      const report = (await inFileAndInputs(undefined, fromFiles.sources, () =>
        driver.verify(g, {
          target: opts.target,
          inputs,
          timesteps,
          maxDivergences,
          temporalNorm,
          earlyExit,
          weightPlanes,
          file: model,
          minSpikeAgreement: fractionOption(opts.minSpikeAgreement, "--min-spike-agreement"),
          minArgmaxAgreement: fractionOption(opts.minArgmaxAgreement, "--min-argmax-agreement"),
        }),
      )) as unknown as VerifyReport;
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else for (const line of formatVerifyReport(report)) process.stdout.write(`${line}\n`);
      if (!report.ok) throw new ExitRequest(EXIT.diverged);
    });
}
