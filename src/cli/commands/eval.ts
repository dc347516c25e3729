/**
 * `snnc eval <model> --data <digits|file|dir> --target <t>`: accuracy on labelled samples of the
 * model as written, the folded float model and (hardware targets) the target's integer model, with
 * per-class accuracy and the confusion matrix. Exit 1 when the folded model predicts another class
 * than the model as written on any sample; exit 4 (after printing the float figures) when the
 * target refuses the model. The evaluation itself is loaded only when the command runs.
 */
import type { Command } from "commander";
import type { EvalResult, ModelEval } from "../../driver/evaluate.ts";
import type { TargetDriver } from "../../driver/types.ts";
import { SnncError } from "../../ir/errors.ts";
import {
  ExitRequest,
  addTimeStepOptions,
  inFileAndInputs,
  loadModel,
  loadOptions,
  parseNumberOption,
} from "../common.ts";
import { formatTable } from "../format-table.ts";
import { type Progress, progressBar } from "../progress.ts";

interface EvalOpts {
  data: string;
  target: string;
  earlyExit?: string;
  json?: boolean;
}

/** `folder`: the driver that folds the model (default: target float's; tests give it a broken fold). */
export function registerEvalCommand(program: Command, folder?: TargetDriver): void {
  const c = program
    .command("eval")
    .description(
      "accuracy on labelled data of the model as written, the folded model and the target's model; per-class accuracy and confusion matrix",
    )
    .argument("<model>", "model.json (TF.js), .onnx, .nir, .snnc.json")
    .requiredOption(
      "--data <src>",
      "digits (the shipped 8x8 digits, test split) | an input .npy/.json with labels.npy beside it | a directory of input files and labels.npy",
    )
    .option("--target <t>", "float, or a hardware target whose integer model is evaluated too (e.g. loihi2)", "float")
    .option("--early-exit <γ>", "BNTT early exit: cut T where every BNTT layer's mean γ_t stays below γ")
    .option("--json", "print JSON (schema: src/cli/schemas/eval.schema.json)")
    .action(async (model: string, opts: EvalOpts) => {
      const earlyExit = opts.earlyExit === undefined ? undefined : parseNumberOption(opts.earlyExit, "--early-exit");
      const { loadDriver } = await import("../../driver/registry.ts");
      if (opts.target !== "float" && !(await loadDriver(opts.target)).prepareRun)
        throw new SnncError("E_USAGE", `target '${opts.target}' has no runnable model to evaluate`);
      const g = await loadModel(model, loadOptions(opts));
      const { readLabelledSet } = await import("../../inputs/labelled-set.ts");
      const data = readLabelledSet(opts.data, g);
      const { evaluate } = await import("../../driver/evaluate.ts");
      let bar: Progress | undefined;
      const r = await inFileAndInputs(model, data.sources, () =>
        evaluate(g, data, {
          target: opts.target,
          earlyExit,
          file: model,
          folder,
          onProgress: (done, total) => {
            bar ??= progressBar(total, "eval");
            bar.update(done);
          },
        }),
      ).finally(() => bar?.stop());
      if (opts.json) process.stdout.write(`${JSON.stringify(toJson(r, data.source))}\n`);
      else process.stdout.write(formatText(r, model, data.source));
      if (r.foldedMismatches.length) {
        process.stderr.write(
          `snnc: error: ${model}: the folded model predicts another class than the model as written on ${r.foldedMismatches.length} of ${r.samples} samples\n`,
        );
        throw new ExitRequest(1);
      }
      if (r.refused) {
        process.stderr.write(`snnc: error: ${r.refused.message}\n`);
        throw new ExitRequest(r.refused.exitCode);
      }
    });
  addTimeStepOptions(c);
}

/** The model the target deploys (absent when the target refused the model). */
function deployed(r: EvalResult): ModelEval | undefined {
  return r.models.find((m) => m.model === r.deployed);
}

function toJson(r: EvalResult, source: string): object {
  const byModel = (name: string) => r.models.find((m) => m.model === name)!;
  const sameT = byModel(r.reference);
  const folded = byModel("folded");
  return {
    target: r.target,
    data: source,
    samples: r.samples,
    classes: r.classes,
    timesteps: r.timesteps,
    accuracy: deployed(r)?.accuracy ?? null,
    models: r.models.map((m) => ({
      model: m.model,
      description: m.description,
      timesteps: m.timesteps,
      accuracy: m.accuracy,
      correct: m.correct,
      per_class: m.perClass,
      confusion: m.confusion,
      predictions: m.predictions,
    })),
    folded_equals_float: r.foldedMismatches.length === 0,
    folded_mismatches: r.foldedMismatches.map((k) => ({
      sample: k,
      float: sameT.predictions[k]!,
      folded: folded.predictions[k]!,
    })),
    ...(r.earlyExit
      ? {
          early_exit: {
            threshold: r.earlyExit.threshold,
            exit_step: r.earlyExit.exitStep,
            timesteps: r.earlyExit.originalT,
            steps_saved: r.earlyExit.stepsSaved,
            mean_gamma: r.earlyExit.layers.map((l) => ({ layer: l.layer, mean_gamma: l.meanGamma })),
          },
        }
      : {}),
    ...(r.refused ? { refused: { target: r.target, error: r.refused.message } } : {}),
  };
}

const pct = (v: number | null) => (v === null ? "-" : `${(100 * v).toFixed(2)}%`);

function formatText(r: EvalResult, model: string, source: string): string {
  const lines = [`eval ${model} on ${source}: ${r.samples} samples, ${r.classes} classes, target ${r.target}`, ""];
  const float = r.models.find((m) => m.model === "float")!;
  const ref = r.models.find((m) => m.model === r.reference)!;
  const note = (m: ModelEval): string => {
    if (m.model === "folded")
      return r.foldedMismatches.length
        ? `DIFFERS from ${ref.model} on ${r.foldedMismatches.length} samples`
        : `the class of ${ref.model} on every sample`;
    if (m.model === "float" || m.model === "float-at-exit") return "";
    const d = 100 * (m.accuracy - ref.accuracy);
    return `${d >= 0 ? "+" : "−"}${Math.abs(d).toFixed(2)} points vs ${ref.model}`;
  };
  lines.push(
    formatTable(
      ["model", "steps", "accuracy", "correct", "", ""],
      r.models.map((m) => [m.model, m.timesteps, pct(m.accuracy), `${m.correct}/${m.samples}`, m.description, note(m)]),
    ),
  );
  if (r.refused) {
    const why = r.refused.message.startsWith(`${model}: `)
      ? r.refused.message.slice(model.length + 2)
      : r.refused.message;
    lines.push(`${r.target}: cannot run this model: ${why}`);
  }
  if (r.foldedMismatches.length) {
    const folded = r.models.find((m) => m.model === "folded")!;
    const first = r.foldedMismatches
      .slice(0, 10)
      .map((k) => `#${k} (as written ${ref.predictions[k]}, folded ${folded.predictions[k]})`);
    lines.push(`folded model differs on samples ${first.join(", ")}${r.foldedMismatches.length > 10 ? ", …" : ""}`);
  }
  if (r.earlyExit) {
    const e = r.earlyExit;
    const atExit = r.models.find((m) => m.model === "folded")!;
    lines.push(
      "",
      `BNTT early exit at γ threshold ${e.threshold}: exit step ${e.exitStep} of ${e.originalT}, ${e.stepsSaved} steps saved (${((100 * e.stepsSaved) / e.originalT).toFixed(1)}%); accuracy ${pct(atExit.accuracy)} at the exit, ${pct(float.accuracy)} over all ${e.originalT} steps`,
    );
    const w = Math.max(5, ...e.layers.map((l) => l.layer.length));
    lines.push(`  ${"layer".padEnd(w)}  mean γ_t over channels, t = 1..${e.originalT}`);
    for (const l of e.layers) lines.push(`  ${l.layer.padEnd(w)}  ${l.meanGamma.map((v) => v.toFixed(3)).join(" ")}`);
  }
  const classes = Array.from({ length: r.classes }, (_, c) => c);
  lines.push("", "per-class accuracy");
  lines.push(
    formatTable(
      ["class", "samples", ...r.models.map((m) => m.model)],
      classes.map((c) => [c, float.perClass[c]!.samples, ...r.models.map((m) => pct(m.perClass[c]!.accuracy))]),
    ),
  );
  const shown = deployed(r) ?? r.models.find((m) => m.model === "folded")!;
  lines.push("", `confusion matrix of ${shown.model} (rows: true class, columns: predicted class)`);
  lines.push(
    formatTable(
      ["", ...classes.map(String)],
      classes.map((c) => [c, ...shown.confusion[c]!]),
    ),
  );
  return `${lines.join("\n")}\n`;
}
