/** `snnc run <model> --input <file>`: run the float64 reference and report readout and spikes. */
import type { Command } from "commander";
import { SnncError } from "../../ir/errors.ts";
import { simulate } from "../../sim/reference.ts";
import { argmax, summarizeRun } from "../../sim/run-summary.ts";
import { inFile, loadModel, parseIntOption, randomInputs, readInputs } from "../common.ts";
import { formatTable } from "../format-table.ts";

interface RunOpts {
  input?: string;
  random?: string;
  seed: string;
  timesteps?: string;
  json?: boolean;
  raster?: boolean;
}

export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description("run the model as written (float64 reference) and print the readout and per-layer spike counts")
    .argument("<model>", "model.json (TF.js), .snnc.json")
    .option("--input <file>", "input sample(s): .json nested array, {\"inputs\": [...]}, or .npy")
    .option("--random <n>", "run n seeded random inputs instead of --input")
    .option("--seed <s>", "seed for --random", "0")
    .option("--timesteps <T>", "steps to run (default: the model's)")
    .option("--json", "print JSON (schema: src/cli/schemas/run.schema.json)")
    .option("--raster", "with --json: add the indices of the neurons that fired at each step")
    .action(async (model: string, opts: RunOpts) => {
      const g = await loadModel(model);
      if (!opts.input && !opts.random) throw new SnncError("E_USAGE", "give --input <file> or --random <n>");
      const inputs = opts.input ? readInputs(opts.input, g) : randomInputs(g, parseIntOption(opts.random!, "--random", 1), parseIntOption(opts.seed, "--seed"));
      const T = opts.timesteps ? parseIntOption(opts.timesteps, "--timesteps", 1) : g.meta.timesteps;
      const samples = await inFile(model, () => inputs.map((x) => summarizeRun(g, simulate(g, x, { timesteps: T }), opts.raster)));
      if (opts.json) {
        process.stdout.write(JSON.stringify({ timesteps: T, samples }) + "\n");
        return;
      }
      samples.forEach((s, k) => {
        const ro = s.readout.map((v) => +v.toPrecision(6));
        process.stdout.write(`sample ${k}: readout [${ro.join(", ")}]${ro.length ? ` → class ${argmax(s.readout)}` : ""}\n`);
        const rows = s.layers.map((l) => [l.name, l.spikes_per_step.join(" "), l.total]);
        process.stdout.write(formatTable(["layer", `spikes per step (T=${T})`, "total"], rows) + "\n");
      });
    });
}
