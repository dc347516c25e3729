/**
 * `snnc report <model> --target loihi2 -o report.html [--input <file>] [--samples <n>]`: build the
 * model for a Loihi target as compile does, run both models, and write one self-contained HTML
 * page of charts (firing rates, a raster, thresholds before/after folding, quantisation error,
 * float-vs-fixed agreement, the core map). The file is written atomically. The report's modules
 * and the charting libraries are loaded only when this command runs.
 */
import { basename } from "node:path";
import type { Command } from "commander";
import { SnncError } from "../../ir/errors.ts";
import {
  inFile,
  loadModel,
  loadOptions,
  parseNumberOption,
  randomInputs,
  readInputs,
  samplesOption,
} from "../common.ts";
import { writeFileAtomically } from "../write-outputs.ts";
import { temporalNormOption } from "./compile.ts";

interface ReportOpts {
  target: string;
  output?: string;
  input?: string;
  samples?: string;
  temporalNorm: string;
  earlyExit?: string;
}

/** Samples when no --input is given: as many seeded random ones as compile measures its agreement on. */
const DEFAULT_SAMPLES = 8;

export function registerReportCommand(program: Command): void {
  program
    .command("report")
    .description(
      "write one self-contained HTML report of a Loihi compile: firing rates, a spike raster, thresholds, quantisation error, agreement, core map",
    )
    .argument("<model>", "model.json (TF.js), .onnx, .nir, .snnc.json")
    .option("--target <t>", "a Loihi target (loihi, loihi2, loihi1)", "loihi2")
    .option("-o, --output <file>", "the HTML file to write (atomically)")
    .option("--input <file>", 'samples: .json nested array, {"inputs": [...]}, or .npy (default: seeded random inputs)')
    .option("--samples <n>", `how many samples (default: every sample of --input, else ${DEFAULT_SAMPLES} random ones)`)
    .option(
      "--temporal-norm <mode>",
      "per-step norms (BNTT/TEBN/TAB) on targets without schedules: exact | approx",
      "exact",
    )
    .option("--early-exit <g>", "BNTT early exit: cut T where every layer's mean γ_t stays below <g>")
    .action(async (model: string, opts: ReportOpts) => {
      if (!opts.output) throw new SnncError("E_USAGE", "report needs -o <file> for the HTML page");
      const samples = opts.samples !== undefined ? samplesOption(opts.samples, "--samples") : undefined;
      const temporalNorm = temporalNormOption(opts.temporalNorm);
      const earlyExit = opts.earlyExit !== undefined ? parseNumberOption(opts.earlyExit, "--early-exit") : undefined;
      const [{ collectReport }, { reportHtml }, { readChartLibraries }] = await Promise.all([
        import("../../report/collect.ts"),
        import("../../report/html.ts"),
        import("../../report/chart-libraries.ts"),
      ]);
      const libraries = readChartLibraries();
      const g = await loadModel(model, loadOptions(opts));
      const all = opts.input ? readInputs(opts.input, g) : randomInputs(g, samples ?? DEFAULT_SAMPLES, 0);
      const inputs = all.slice(0, samples ?? all.length);
      const from = opts.input
        ? `${inputs.length < all.length ? `the first ${inputs.length} of ` : ""}${basename(opts.input)}`
        : "seeded random inputs in the model's encoding (seed 0)";
      const data = await inFile(model, () =>
        collectReport(g, { target: opts.target, file: model, inputs, inputsFrom: from, temporalNorm, earlyExit }),
      );
      const html = reportHtml(data, libraries);
      writeFileAtomically(opts.output, html);
      const s = data.summary;
      process.stdout.write(
        `${data.target.name}: ${s.populations} populations on ${s.cores} core${s.cores === 1 ? "" : "s"}; ` +
          `float vs integer on ${inputs.length} sample${inputs.length === 1 ? "" : "s"}: ${(100 * s.spikeAgreement).toFixed(2)}% spikes agree` +
          (s.readout ? `, readout argmax ${s.readout.argmaxAgree}/${s.readout.samples}` : "") +
          "\n",
      );
      for (const w of data.warnings) process.stderr.write(`snnc: warning: ${w}\n`);
      process.stdout.write(`wrote ${opts.output} (${Math.ceil(Buffer.byteLength(html) / 1024)} KiB)\n`);
    });
}
