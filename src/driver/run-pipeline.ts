/**
 * Running a target's pass list, shared by every driver: the --dump-ir-after hook (checked against
 * the list), the model file as the location of errors, the IR check after every pass on request,
 * and the "Passes" report lines.
 */
import { SnncError } from "../ir/errors.ts";
import type { Graph } from "../ir/nodes.ts";
import { inferShapes } from "../ir/shapes.ts";
import { runPasses, type Pass, type PassOptions } from "../passes/pass.ts";
import type { CompileOptions, CompileResult } from "./types.ts";

/** Validate the IR after every pass: the option, else SNNC_CHECK_PASSES=1 (set by the test suite). */
export function checkPassesRequested(opts: Pick<CompileOptions, "checkPasses">): boolean {
  return opts.checkPasses ?? process.env.SNNC_CHECK_PASSES === "1";
}

/** Run `passes` on `g` with the --dump-ir-after hook; errors get the model file as location. */
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
    return runPasses(inferShapes(g), passes, popts, {
      check: checkPassesRequested(opts),
      onAfter: (p, after) => {
        if (p.name === opts.dumpIrAfter) opts.onDump?.(p.name, after);
      },
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
