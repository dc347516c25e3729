/**
 * `snnc eval`: the accuracy of a model on labelled samples, for the model as written (float64
 * reference), the folded float model (target "float"'s pipeline) and, for a hardware target, the
 * target's own model (the Loihi integer model, built once and run sample by sample).
 *
 * Folding is exact, so the folded model must predict the class of the model as written on every
 * sample: the samples where it does not are returned (`foldedMismatches`), and the CLI fails on
 * any. With BNTT early exit (`earlyExit`, BNTT §3.4) the folded model runs the cut T that the
 * bntt-early-exit pass chose; it is compared with the model as written run for the same steps, and
 * the model as written is also reported over its full T. A target that refuses the model (exit
 * code 4: a construct it cannot run exactly yet) is reported as `refused` next to the float figures.
 */
import { SnncError } from "../ir/errors.ts";
import type { Graph } from "../ir/nodes.ts";
import { inferShapes } from "../ir/shapes.ts";
import { bnttEarlyExit, type EarlyExit } from "../passes/temporal/bntt-early-exit.ts";
import type { StepInput } from "../sim/reference.ts";
import { argmax } from "../sim/run-summary.ts";
import { runSummary } from "../sim/summarize.ts";
import { type Classification, classify, predictionMismatches } from "../verify/accuracy.ts";
import { floatDriver } from "./float.ts";
import { checkSample } from "./simulate/runner.ts";
import { driverFor } from "./index.ts";
import type { TargetDriver } from "./types.ts";

export interface EvalOptions {
  /** "float", or a target with a runnable model ("loihi2", ...). */
  target: string;
  /** BNTT early exit: the γ threshold. */
  earlyExit?: number;
  /** The model file, for messages. */
  file?: string;
  /** Called after every sample of every model with the work done and the work in all. */
  onProgress?: (done: number, total: number) => void;
  /** The driver that folds the model (default: target float's; tests give it a broken fold). */
  folder?: TargetDriver;
}

export interface ModelEval extends Classification {
  /** "float" (as written), "float-at-exit" (as written, cut T), "folded", or the target's name. */
  model: string;
  description: string;
  timesteps: number;
  predictions: number[];
}

export interface EvalResult {
  target: string;
  samples: number;
  classes: number;
  /** The model's T as written. */
  timesteps: number;
  models: ModelEval[];
  /** The model the folded one is compared with: the model as written over the same steps. */
  reference: "float" | "float-at-exit";
  /** Samples where the folded model's class differs from the reference. */
  foldedMismatches: number[];
  /** The model the target deploys: "folded" on float, the target's model on hardware (absent when refused). */
  deployed?: string;
  earlyExit?: EarlyExit & { stepsSaved: number };
  /** The target's refusal, when it cannot run the model. */
  refused?: SnncError;
}

export async function evaluate(
  g: Graph,
  data: { samples: readonly StepInput[]; labels: readonly number[]; labelsFile?: string },
  opts: EvalOptions,
): Promise<EvalResult> {
  const n = data.samples.length;
  const T = g.meta.timesteps;
  const early = opts.earlyExit === undefined ? undefined : bnttEarlyExit(inferShapes(g), opts.earlyExit);
  const Tx = early?.exitStep ?? T;
  const folded = (
    await (opts.folder ?? floatDriver).compile(g, { target: "float", earlyExit: opts.earlyExit, file: opts.file })
  ).graph;
  if (folded.meta.timesteps !== Tx)
    throw new Error(`the folded model runs ${folded.meta.timesteps} steps, the early-exit analysis says ${Tx}`);
  // The classes: one per readout value (one short run tells how many), each label one of them.
  const probe = runSummary(g, data.samples[0]!, 1).readout;
  const classes = classCount(probe.length, data.labels, data.labelsFile, opts.file);
  const hardware = opts.target === "float" ? undefined : driverFor(opts.target);
  if (hardware && !hardware.prepareRun)
    throw new SnncError("E_USAGE", `target '${opts.target}' has no runnable model to evaluate`);

  const total = n * (2 + (Tx < T ? 1 : 0) + (hardware ? 1 : 0));
  let done = 0;
  const eachSample = async (f: (x: StepInput) => number[]): Promise<number[][]> => {
    const out: number[][] = [];
    for (const x of data.samples) {
      out.push(f(x));
      opts.onProgress?.(++done, total);
      if (opts.onProgress) await yieldToEventLoop(); // lets a progress bar's timer run
    }
    return out;
  };
  const floatRun = (m: Graph, steps: number) => eachSample((x) => runSummary(m, x, steps).readout);

  const runs: { model: string; description: string; timesteps: number; readouts: number[][] }[] = [];
  runs.push({
    model: "float",
    description: "the model as written, float64",
    timesteps: T,
    readouts: await floatRun(g, T),
  });
  if (Tx < T)
    runs.push({
      model: "float-at-exit",
      description: `the model as written, float64, the first ${Tx} steps`,
      timesteps: Tx,
      readouts: await floatRun(g, Tx),
    });
  runs.push({
    model: "folded",
    description: "the folded float64 model (target float)",
    timesteps: Tx,
    readouts: await floatRun(folded, Tx),
  });

  let refused: SnncError | undefined;
  if (hardware) {
    // The early-exit pass only cuts T, so the target runs the model with T already cut.
    const gx = Tx < T ? { ...g, meta: { ...g.meta, timesteps: Tx } } : g;
    try {
      const prepared = hardware.prepareRun!(gx, { target: opts.target, file: opts.file });
      for (const [k, x] of data.samples.entries()) checkSample(prepared, x, k); // before any run: a refusal names its sample
      const readouts = await eachSample((x) => prepared.run(x).readout);
      runs.push({
        model: prepared.target,
        description: `the ${prepared.target} integer model`,
        timesteps: Tx,
        readouts,
      });
    } catch (e) {
      if (!(e instanceof SnncError) || e.exitCode !== 4) throw e;
      refused = e.withLocation({ file: opts.file });
    }
  }

  const models: ModelEval[] = runs.map((r) => {
    if (r.readouts.some((v) => v.length !== classes))
      throw new SnncError("E_UNSUPPORTED", `the ${r.model} model has no readout of ${classes} classes`, {
        file: opts.file,
      });
    const predictions = r.readouts.map(argmax);
    return {
      model: r.model,
      description: r.description,
      timesteps: r.timesteps,
      predictions,
      ...classify(predictions, data.labels, classes),
    };
  });
  const reference = Tx < T ? "float-at-exit" : "float";
  const predictionsOf = (name: string) => models.find((m) => m.model === name)!.predictions;
  return {
    target: opts.target,
    samples: n,
    classes,
    timesteps: T,
    models,
    reference,
    foldedMismatches: predictionMismatches(predictionsOf(reference), predictionsOf("folded")),
    ...(hardware ? (refused ? {} : { deployed: models.at(-1)!.model }) : { deployed: "folded" }),
    ...(early ? { earlyExit: { ...early, stepsSaved: T - Tx } } : {}),
    ...(refused ? { refused } : {}),
  };
}

/** The model's number of outputs; every label must name one of them. */
function classCount(classes: number, labels: readonly number[], labelsFile?: string, file?: string): number {
  if (classes < 2)
    throw new SnncError("E_VALUE", `the model's output has ${classes} value(s); eval needs one per class`, {
      file,
    });
  const k = labels.findIndex((y) => y >= classes);
  if (k >= 0)
    throw new SnncError("E_VALUE", `label ${labels[k]} of sample ${k} is not one of the model's ${classes} outputs`, {
      file: labelsFile,
    });
  return classes;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
