/**
 * snnc as a library: `import { loadModel, compile, verify, simulate } from "snnc"`.
 * The CLI (src/cli) is a thin layer over exactly these functions.
 */
import { driverFor } from "./driver/index.ts";
import type { CompileOptions, CompileResult, VerifyOptions } from "./driver/types.ts";
import type { Graph } from "./ir/nodes.ts";

export { loadModel, detectFormat } from "./frontends/index.ts";
export type { LoadOptions } from "./frontends/index.ts";
export { simulate } from "./sim/reference.ts";
export type { RunOptions, RunResult, StepInput } from "./sim/reference.ts";
export { graphToJson, graphFromJson, readGraphFile } from "./ir/serialize.ts";
export { inferShapes } from "./ir/shapes.ts";
export { summarizeGraph } from "./ir/summary.ts";
export { SnncError } from "./ir/errors.ts";
export { readInputs } from "./inputs/read-inputs.ts";
export { randomInputs } from "./inputs/random-inputs.ts";
export { allDrivers } from "./driver/index.ts";
export type { Graph, IRNode, NeuronNode } from "./ir/nodes.ts";
export type { CompileOptions, CompileResult, VerifyOptions } from "./driver/types.ts";
export { outputBytes } from "./driver/output-content.ts";
export type { OutputContent, StreamedContent } from "./driver/types.ts";

/**
 * Compile an (unfolded) graph for a target; files are returned in memory (a large one as content
 * made while it is written: `outputBytes` gives its bytes), nothing is written.
 */
export function compile(g: Graph, opts: CompileOptions): Promise<CompileResult> {
  return driverFor(opts.target).compile(g, opts);
}

/** Run the reference and the compiled model on inputs and compare them spike by spike. */
export function verify(g: Graph, opts: VerifyOptions): Promise<{ ok: boolean; [k: string]: unknown }> {
  return driverFor(opts.target).verify(g, opts);
}
