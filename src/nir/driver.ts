/**
 * Target "nir": the model with every training-only normalisation folded (the float pipeline), written
 * as model.nir, a NIR graph (HDF5) that NIR's own reader loads with its type check (docs/FORMATS.md).
 * `verify` writes the file, reads it back with snnc's NIR reader and compares the model as written
 * with the model read back, spike by spike, in float64: every spike must be identical.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CompileOptions, CompileResult, TargetDriver, VerifyOptions } from "../driver/types.ts";
import { pipelineReport, runPipeline } from "../driver/run-pipeline.ts";
import { loadModel } from "../frontends/index.ts";
import { SnncError } from "../ir/errors.ts";
import type { Graph } from "../ir/nodes.ts";
import { FLOAT_PIPELINE } from "../passes/float-pipeline.ts";
import { simulate } from "../sim/reference.ts";
import { compareTraces } from "../verify/compare.ts";
import { buildVerifyReport } from "../verify/report.ts";
import { DEFAULT_EXPORT_DT, DEFAULT_EXPORT_METHOD, nirDocument } from "./emit-graph.ts";
import { hdf5Bytes } from "./hdf5-write.ts";

/** The folded graph, model.nir's bytes and the IR id → NIR name map. */
export async function compileNir(g: Graph, opts: CompileOptions) {
  const { graph, log } = runPipeline(g, FLOAT_PIPELINE, opts);
  const doc = nirDocument(graph, { file: opts.file });
  const bytes = hdf5Bytes(doc.tree);
  return { graph, log, bytes, names: doc.names };
}

export const nirDriver: TargetDriver = {
  names: ["nir"],
  description: "NIR graph of the folded float model (model.nir, HDF5), for the tools that read NIR",
  passes: () => FLOAT_PIPELINE,
  async compile(g, opts): Promise<CompileResult> {
    const { graph, log, bytes } = await compileNir(g, opts);
    const ts = graph.meta.timeStep;
    const report = [
      ...pipelineReport(g, graph, log),
      `model.nir: ${bytes.length} bytes, time step dt = ${ts?.dt ?? DEFAULT_EXPORT_DT} s (${ts?.method ?? DEFAULT_EXPORT_METHOD}), T = ${graph.meta.timesteps} (graph metadata)`,
    ];
    return {
      target: "nir",
      graph,
      log,
      files: new Map<string, string | Uint8Array>([
        ["model.nir", bytes],
        ["report.txt", `${report.join("\n")}\n`],
      ]),
      report,
      warnings: [],
    };
  },
  async verify(g, opts: VerifyOptions) {
    if (opts.inputs.length === 0) throw new SnncError("E_USAGE", "verify needs at least one input sample");
    const { graph, log, bytes, names } = await compileNir(g, {
      target: opts.target,
      file: opts.file,
      checkPasses: opts.checkPasses,
    });
    const back = await readBack(bytes, graph);
    const T = opts.timesteps ?? g.meta.timesteps;
    const notes = log.flatMap((e) => e.notes.map((n) => `${e.pass}: ${n}`));
    notes.push("compared: the model as written against model.nir read back by snnc's NIR reader");
    const comps = opts.inputs.map((x, sample) =>
      compareTraces(simulate(g, x, { timesteps: T, margin: true }), simulate(back, x, { timesteps: T }), {
        sample,
        maxDivergences: opts.maxDivergences,
        layerMap: names,
      }),
    );
    return { ...buildVerifyReport("nir", comps, { maxDivergences: opts.maxDivergences, notes }) };
  },
};

/** model.nir read back with the dt and method it states. */
async function readBack(bytes: Uint8Array, g: Graph): Promise<Graph> {
  const dir = mkdtempSync(join(tmpdir(), "snnc-nir-verify-"));
  try {
    const path = join(dir, "model.nir");
    writeFileSync(path, bytes);
    const back = await loadModel(path, { dt: g.meta.timeStep?.dt, dtMethod: g.meta.timeStep?.method });
    return { ...back, meta: { ...back.meta, timesteps: g.meta.timesteps } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
