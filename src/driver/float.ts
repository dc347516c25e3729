/**
 * Target "float": the network with every training-only normalisation folded away, in float64
 * IR (`model.snnc.json`). `verify` runs the model as written and the folded model through the
 * reference simulator on the same inputs and compares every spike of every layer at every step
 * (SEMANTICS.md §5).
 */
import { SnncError } from "../ir/errors.ts";
import type { Graph } from "../ir/nodes.ts";
import { graphToJson } from "../ir/serialize.ts";
import { inferShapes } from "../ir/shapes.ts";
import { runPasses, type Pass, type PassOptions } from "../passes/pass.ts";
import { floatPipeline } from "../passes/pipeline.ts";
import { simulate } from "../sim/reference.ts";
import { compareTraces } from "../verify/compare.ts";
import { buildVerifyReport } from "../verify/report.ts";
import type { CompileOptions, CompileResult, TargetDriver, VerifyOptions } from "./types.ts";

/** Ops that must not survive the float folds. */
const TRAINING_ONLY = new Set(["bn", "tdbn", "pspnorm"]);

/**
 * Run `passes` on `g` with the --dump-ir-after hook; errors get the model file as location.
 * Shared by every driver that starts from the float folds.
 */
export function runPipeline(
  g: Graph,
  passes: readonly Pass[],
  opts: CompileOptions,
): { graph: Graph; log: CompileResult["log"] } {
  if (opts.dumpIrAfter !== undefined && !passes.some((p) => p.name === opts.dumpIrAfter)) {
    throw new SnncError(
      "E_USAGE",
      `--dump-ir-after '${opts.dumpIrAfter}': target '${opts.target}' runs no such pass (passes: ${passes.map((p) => p.name).join(", ")})`,
    );
  }
  const popts: PassOptions = { target: opts.target, temporalNorm: opts.temporalNorm, earlyExit: opts.earlyExit };
  try {
    return runPasses(inferShapes(g), passes, popts, (p, after) => {
      if (p.name === opts.dumpIrAfter) opts.onDump?.(p.name, after);
    });
  } catch (e) {
    if (e instanceof SnncError && opts.file) throw e.withLocation({ file: opts.file });
    throw e;
  }
}

/** Report lines: what each pass did, and what is left that a hardware target would have to handle. */
export function pipelineReport(before: Graph, after: Graph, log: CompileResult["log"]): string[] {
  const lines = [
    `model '${before.name}': ${before.nodes.length} nodes → ${after.nodes.length} after ${log.length} passes`,
  ];
  for (const e of log) {
    lines.push(`${e.pass}: ${e.notes.length ? "" : "nothing to do"}`.trimEnd());
    for (const n of e.notes) lines.push(`  ${n}`);
  }
  const left = after.nodes.filter((n) => n.op === "affine" || (n.op === "neuron" && !isUnit(n.gain.data)));
  if (left.length)
    lines.push(
      `exact intermediates kept: ${left.map((n) => `'${n.id}' (${n.op === "affine" ? "affine" : "neuron input gain"})`).join(", ")}`,
    );
  return lines;
}

function isUnit(d: Float64Array): boolean {
  return d.every((v) => v === 1);
}

export function makeFloatDriver(pipeline: () => Pass[] = floatPipeline): TargetDriver {
  const compileGraph = (g: Graph, opts: CompileOptions) => {
    const { graph, log } = runPipeline(g, pipeline(), opts);
    const left = graph.nodes.filter(
      (n) => TRAINING_ONLY.has(n.op) || (n.op === "neuron" && (n.mpbn || n.plifA !== undefined)),
    );
    if (left.length) {
      throw new SnncError(
        "E_FOLD",
        `the float pipeline left training-only constructs: ${left.map((n) => `'${n.id}'`).join(", ")}`,
        { file: opts.file, layer: left[0]!.id },
      );
    }
    return { graph, log };
  };
  return {
    names: ["float"],
    description: "float64 IR with BN, tdBN, PSP-BN, MPBN and PLIF folded exactly (model.snnc.json)",
    passes: () => pipeline(),
    async compile(g, opts): Promise<CompileResult> {
      const { graph, log } = compileGraph(g, opts);
      return {
        target: "float",
        graph,
        log,
        files: new Map([["model.snnc.json", graphToJson(graph)]]),
        report: pipelineReport(g, graph, log),
        warnings: [],
      };
    },
    async verify(g, opts: VerifyOptions) {
      if (opts.inputs.length === 0) throw new SnncError("E_USAGE", "verify needs at least one input sample");
      const { graph, log } = compileGraph(g, {
        target: opts.target,
        temporalNorm: opts.temporalNorm,
        earlyExit: opts.earlyExit,
        file: opts.file,
      });
      // A pass may cut T (BNTT early exit): both models then run the compiled model's steps.
      const T = opts.timesteps ?? graph.meta.timesteps;
      const notes = log.flatMap((e) => e.notes.map((n) => `${e.pass}: ${n}`));
      if (T !== g.meta.timesteps)
        notes.push(`compared over ${T} steps (the model as written runs ${g.meta.timesteps})`);
      const comps = opts.inputs.map((x, sample) => {
        const ref = simulate(g, x, { timesteps: T, margin: true });
        const got = simulate(graph, x, { timesteps: T });
        return compareTraces(ref, got, { sample, maxDivergences: opts.maxDivergences });
      });
      return { ...buildVerifyReport("float", comps, { maxDivergences: opts.maxDivergences, notes }) };
    },
  };
}

export const floatDriver: TargetDriver = makeFloatDriver();
