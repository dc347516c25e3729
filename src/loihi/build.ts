/**
 * Building the integer model of a Loihi target from an (unfolded) IR graph: the target's pass
 * pipeline (src/loihi/pipeline.ts), Lava fixed-point quantisation and placement. No files, no runs.
 */
import { runPipeline } from "../driver/run-pipeline.ts";
import type { CompileOptions } from "../driver/types.ts";
import { SnncError } from "../ir/errors.ts";
import type { Graph } from "../ir/nodes.ts";
import type { PassLogEntry } from "../passes/pass.ts";
import { loadTarget } from "../target/load-target.ts";
import type { TargetSpec } from "../target/target.ts";
import { pulsePopulation, type FixedModel } from "./model/integer-model.ts";
import { loihiPipeline } from "./pipeline.ts";
import { placeLoihi, type Placement } from "./place/place-loihi.ts";
import { quantizeLoihi } from "./quantize/index.ts";

export interface LoihiBuild {
  target: TargetSpec;
  /** The lowered graph the integer model was quantised from. */
  graph: Graph;
  log: PassLogEntry[];
  quant: ReturnType<typeof quantizeLoihi>;
  placement: Placement;
}

/** The build before placement: the lowered graph and the integer model. */
export type LoihiModelBuild = Omit<LoihiBuild, "placement">;

type BuildOptions = CompileOptions & { board?: string };

/** Errors of `f` located in `opts.file`. */
function inFile<T>(opts: BuildOptions, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SnncError && opts.file) throw e.withLocation({ file: opts.file });
    throw e;
  }
}

/** Lower and quantise (no placement, no files). */
export function buildLoihiModel(g: Graph, opts: BuildOptions): LoihiModelBuild {
  const target = loadTarget(opts.target);
  const { graph, log } = runPipeline(g, loihiPipeline(target, opts), opts);
  const quant = inFile(opts, () =>
    quantizeLoihi(graph, target, {
      calibration: opts.calibration,
      weightPlanes: opts.weightPlanes === undefined ? "auto" : opts.weightPlanes === 2,
    }),
  );
  return { target, graph, log, quant };
}

/**
 * Place a built integer model on the target's board (a model that does not fit is an error);
 * `axons: false` when only the verdict is wanted (place-loihi.ts).
 */
export function placeBuild(b: LoihiModelBuild, opts: BuildOptions, axons = true): LoihiBuild {
  return { ...b, placement: inFile(opts, () => placeLoihi(b.quant.model, b.target, { board: opts.board, axons })) };
}

/** Lower, quantise and place (no files). */
export function buildLoihi(g: Graph, opts: BuildOptions): LoihiBuild {
  return placeBuild(buildLoihiModel(g, opts), opts);
}

/** The same integer model for another number of reference steps (pulse neurons re-timed to the new sample length). */
export function withTimesteps(m: FixedModel, T: number): FixedModel {
  if (T === m.timesteps) return m;
  const runSteps = T + (m.runSteps - m.timesteps);
  // a per-step schedule's pulses of steps beyond a shorter run (phase ≥ runSteps) go, with their synapses
  const gone = new Set(m.populations.filter((p) => p.kind === "pulse" && p.phase! >= runSteps).map((p) => p.id));
  return {
    ...m,
    timesteps: T,
    runSteps,
    populations: m.populations
      .filter((p) => !gone.has(p.id))
      .map((p) => (p.kind === "pulse" ? pulsePopulation(p.id, p.phase!, runSteps) : { ...p, resetInterval: runSteps })),
    connections: gone.size ? m.connections.filter((c) => !gone.has(c.from)) : m.connections,
  };
}
