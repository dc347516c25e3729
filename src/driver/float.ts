/**
 * Target "float": the network with every training-only normalisation folded away, in float64
 * IR (`model.snnc.json`). `verify` runs the model as written and the folded model through the
 * reference simulator on the same inputs and compares every spike of every layer at every step
 * (SEMANTICS.md §5).
 */
import { SnncError } from "../ir/errors.ts";
import type { Graph } from "../ir/nodes.ts";
import { graphToJson } from "../ir/serialize.ts";
import { FLOAT_PIPELINE } from "../passes/float-pipeline.ts";
import type { Pass } from "../passes/pass.ts";
import { simulate } from "../sim/reference.ts";
import { compareTraces } from "../verify/compare.ts";
import { buildVerifyReport } from "../verify/report.ts";
import { pipelineReport, runPipeline } from "./run-pipeline.ts";
import type { CompileOptions, CompileResult, TargetDriver, VerifyOptions } from "./types.ts";

/** Ops that must not survive the float folds. */
const TRAINING_ONLY = new Set(["bn", "tdbn", "pspnorm"]);

/** The float driver running `pipeline` (FLOAT_PIPELINE; tests give it other lists). */
export function makeFloatDriver(pipeline: readonly Pass[] = FLOAT_PIPELINE): TargetDriver {
  const compileGraph = (g: Graph, opts: CompileOptions) => {
    const { graph, log } = runPipeline(g, pipeline, opts);
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
    passes: () => pipeline,
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
        checkPasses: opts.checkPasses,
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
