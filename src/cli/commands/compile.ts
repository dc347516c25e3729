/**
 * `snnc compile <model> --target <t> -o <dir>`: run the target's pass pipeline and write its files
 * (all at once; nothing on failure). `--list-passes` prints the pipeline; `--dump-ir-after <pass>`
 * adds the IR after that pass as `ir-after-<pass>.snnc.json` to the output directory.
 */
import type { Command } from "commander";
import { SnncError } from "../../ir/errors.ts";
import { loadModel, loadOptions, parseIntOption, parseNumberOption, writeOutputsAtomically } from "../common.ts";
import { formatTable } from "../format-table.ts";

interface CompileOpts {
  target: string;
  output?: string;
  listPasses?: boolean;
  dumpIrAfter?: string;
  temporalNorm: string;
  earlyExit?: string;
  agreementSamples?: string;
  weightPlanes?: string;
}

export function temporalNormOption(v: string): "exact" | "approx" {
  if (v !== "exact" && v !== "approx")
    throw new SnncError("E_USAGE", `--temporal-norm must be 'exact' or 'approx', got '${v}'`);
  return v;
}

export const WEIGHT_PLANES_HELP =
  "Loihi targets: 2 carries weights that need more than 8 bits in two synapse processes (15-bit weights; no network.net), 1 keeps 8-bit weights, auto chooses 2 where 8-bit weights would make a layer's spikes depend on rounding";

/** --weight-planes: 1, 2 or auto (undefined), and only for the Loihi targets (whose quantiser reads it). */
export function weightPlanesOption(v: string | undefined, target: string): 1 | 2 | undefined {
  if (v === undefined || v === "auto") return undefined;
  if (v !== "1" && v !== "2") throw new SnncError("E_USAGE", `--weight-planes must be 1, 2 or auto, got '${v}'`);
  if (!/^loihi/.test(target))
    throw new SnncError("E_USAGE", `--weight-planes applies to the Loihi targets, not '${target}'`);
  return v === "2" ? 2 : 1;
}

export function registerCompileCommand(program: Command): void {
  program
    .command("compile")
    .description("fold training-only constructs and lower the model for a target; write the target's files to -o <dir>")
    .argument("[model]", "model.json (TF.js), .snnc.json")
    .option("--target <t>", "target name (see 'snnc targets')", "float")
    .option("-o, --output <dir>", "output directory (written atomically)")
    .option("--list-passes", "print the target's pass pipeline and exit")
    .option("--dump-ir-after <pass>", "also write the IR after <pass> as ir-after-<pass>.snnc.json")
    .option(
      "--temporal-norm <mode>",
      "per-step norms (BNTT/TEBN/TAB) on targets without schedules: exact | approx",
      "exact",
    )
    .option("--early-exit <g>", "BNTT early exit: cut T where every layer's mean γ_t stays below <g>")
    .option(
      "--agreement-samples <n>",
      "samples of the float-vs-target agreement report.txt measures (0: none; default: 8, fewer for large models)",
    )
    .option("--weight-planes <n>", WEIGHT_PLANES_HELP, "auto")
    .action(async (model: string | undefined, opts: CompileOpts) => {
      const { loadDriver } = await import("../../driver/registry.ts");
      const driver = await loadDriver(opts.target);
      const weightPlanes = weightPlanesOption(opts.weightPlanes, opts.target);
      const temporalNorm = temporalNormOption(opts.temporalNorm);
      const earlyExit = opts.earlyExit !== undefined ? parseNumberOption(opts.earlyExit, "--early-exit") : undefined;
      const agreementSamples =
        opts.agreementSamples !== undefined
          ? parseIntOption(opts.agreementSamples, "--agreement-samples", 0, 1_000_000)
          : undefined;
      if (opts.listPasses) {
        const passes = driver.passes({ target: opts.target, temporalNorm, earlyExit });
        const rows = passes.map((p, i) => [String(i + 1), p.name, p.description]);
        process.stdout.write(
          `passes of target '${opts.target}', in order:\n${formatTable(["#", "pass", "what it does"], rows)}\n`,
        );
        return;
      }
      if (!model) throw new SnncError("E_USAGE", "compile needs a model file (or --list-passes)");
      if (!opts.output) throw new SnncError("E_USAGE", "compile needs -o <dir> for its output files");
      const g = await loadModel(model, loadOptions(opts));
      const { graphToJson } = await import("../../ir/serialize.ts");
      const dumps = new Map<string, string>();
      const res = await driver.compile(g, {
        target: opts.target,
        dumpIrAfter: opts.dumpIrAfter,
        onDump: (pass, ir) => dumps.set(`ir-after-${pass}.snnc.json`, graphToJson(ir)),
        temporalNorm,
        earlyExit,
        agreementSamples,
        weightPlanes,
        file: model,
      });
      const files = new Map(res.files);
      for (const [k, v] of dumps) files.set(k, v);
      if (!files.has("report.txt"))
        files.set("report.txt", `${[...res.report, ...res.warnings.map((w) => `warning: ${w}`)].join("\n")}\n`);
      writeOutputsAtomically(opts.output, files);
      for (const line of res.report) process.stdout.write(`${line}\n`);
      for (const w of res.warnings) process.stderr.write(`snnc: warning: ${w}\n`);
      process.stdout.write(`wrote ${[...files.keys()].join(", ")} to ${opts.output}\n`);
    });
}
