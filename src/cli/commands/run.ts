/** `snnc run <model> --input <file>`: run the float64 reference and report readout and spikes. */
import type { Command } from "commander";
import { SnncError } from "../../ir/errors.ts";
import { argmax, type SampleRun } from "../../sim/run-summary.ts";
import { checkNeuronSteps, neuronElements } from "../../ir/limits.ts";
import {
  collectOption,
  inFile,
  inFileAndInputs,
  loadModel,
  loadOptions,
  parseIntOption,
  randomInputs,
  readInputFiles,
  samplesOption,
  timestepsOption,
} from "../common.ts";
import { formatTable } from "../format-table.ts";

interface RunOpts {
  input?: string[];
  random?: string;
  seed: string;
  timesteps?: string;
  json?: boolean;
  raster?: boolean;
  target?: string;
}

export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description("run the model as written (float64 reference) and print the readout and per-layer spike counts")
    .argument("<model>", "model.json (TF.js), .snnc.json")
    .option(
      "--input <file>",
      'input sample(s): .json nested array, {"inputs": [...]}, or .npy (repeat for several files)',
      collectOption,
    )
    .option("--random <n>", "run n seeded random inputs instead of --input")
    .option("--seed <s>", "seed for --random", "0")
    .option("--timesteps <T>", "steps to run (default: the model's)")
    .option("--json", "print JSON (schema: src/cli/schemas/run.schema.json)")
    .option("--raster", "with --json: add the indices of the neurons that fired at each step")
    .option(
      "--target <t>",
      "run the target's own model instead (e.g. loihi: the integer model, in hardware steps, with each layer's latency)",
    )
    .action(async (model: string, opts: RunOpts) => {
      if (!opts.input && !opts.random) throw new SnncError("E_USAGE", "give --input <file> or --random <n>");
      const steps = opts.timesteps !== undefined ? timestepsOption(opts.timesteps) : undefined;
      const count = opts.input ? 0 : samplesOption(opts.random!);
      const seed = parseIntOption(opts.seed, "--seed");
      const g = await loadModel(model, loadOptions(opts));
      const fromFiles = opts.input ? readInputFiles(opts.input, g, steps) : undefined;
      const inputs = fromFiles ?? randomInputs(g, count, seed);
      if (opts.target && opts.target !== "float") {
        const { loadDriver } = await import("../../driver/registry.ts");
        const driver = await loadDriver(opts.target);
        if (!driver.run) throw new SnncError("E_USAGE", `target '${opts.target}' has no runnable model`);
        if (opts.timesteps)
          throw new SnncError(
            "E_USAGE",
            "--timesteps applies to the float reference only; a target runs the model's T plus its pipeline latency",
          );
        const r = await inFileAndInputs(model, fromFiles?.sources ?? [], () =>
          driver.run!(g, inputs, { target: opts.target!, raster: opts.raster, file: model }),
        );
        print(r.timesteps, r.samples, opts, `${r.target} hardware steps`, r.target);
        return;
      }
      const T = steps ?? g.meta.timesteps;
      checkNeuronSteps(T, neuronElements(g.nodes));
      const { runSummary } = await import("../../sim/summarize.ts");
      const samples = await inFile(model, () => inputs.map((x) => runSummary(g, x, T, opts.raster)));
      print(T, samples, opts, `T=${T}`);
    });
}

function print(T: number, samples: SampleRun[], opts: RunOpts, stepsLabel: string, target?: string): void {
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ timesteps: T, ...(target ? { target } : {}), samples })}\n`);
    return;
  }
  samples.forEach((s, k) => {
    const ro = s.readout.map((v) => +v.toPrecision(6));
    process.stdout.write(
      `sample ${k}: readout [${ro.join(", ")}]${ro.length ? ` → class ${argmax(s.readout)}` : ""}\n`,
    );
    const withLatency = s.layers.some((l) => l.latency !== undefined);
    const rows = s.layers.map((l) => [
      l.name,
      ...(withLatency ? [l.latency ?? 0] : []),
      l.spikes_per_step.join(" "),
      l.total,
    ]);
    process.stdout.write(
      formatTable(["layer", ...(withLatency ? ["latency"] : []), `spikes per step (${stepsLabel})`, "total"], rows) +
        "\n",
    );
  });
}
