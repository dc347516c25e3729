/**
 * The library-level contract between the CLI and the per-target compile/verify flows.
 * A target driver turns an (unfolded) IR graph into output files held in memory (a large one as
 * content made while it is written); the CLI writes them atomically. Nothing here touches the
 * file system.
 */
import type { Graph } from "../ir/nodes.ts";
import type { Pass, PassLogEntry } from "../passes/pass.ts";
import type { StepInput } from "../sim/reference.ts";
import type { SampleRun } from "../sim/run-summary.ts";

export interface CompileOptions {
  /** Target name as given by the user ("float", "loihi", "loihi2", ...). */
  target: string;
  /** Called with the graph after the named pass (for --dump-ir-after). */
  dumpIrAfter?: string;
  onDump?: (pass: string, g: Graph) => void;
  /** Per-step norm handling on targets without schedules. */
  temporalNorm?: "exact" | "approx";
  /** BNTT early exit: γ threshold. */
  earlyExit?: number;
  /** Inputs used by the compile report to measure agreement figures (optional). */
  calibration?: StepInput[];
  /** Samples of the float-vs-target agreement compile measures (0: none; default: the target's). */
  agreementSamples?: number;
  /** Source file name for messages. */
  file?: string;
  /** Validate the IR after every pass, naming a pass that breaks it (default: SNNC_CHECK_PASSES=1). */
  checkPasses?: boolean;
  /**
   * Loihi targets: 2 carries weights that need more than 8 bits in two synapse processes, 1 never;
   * absent: snnc chooses (where 8-bit weights would make a layer's spikes depend on rounding).
   */
  weightPlanes?: 1 | 2;
}

/** What a target's pass list depends on. */
export type PipelineOptions = Pick<CompileOptions, "target" | "temporalNorm" | "earlyExit">;

/** Bytes made on demand: `write` hands them to `sink` in order, each piece valid only during its call. */
export interface StreamedContent {
  write(sink: (bytes: Uint8Array) => void): void;
}

/** What an output file holds: text, bytes, or (for a file too large to hold) bytes made while it is written. */
export type OutputContent = string | Uint8Array | StreamedContent;

export interface CompileResult {
  target: string;
  /** The compiled graph (float targets) or the lowered graph the target's files describe. */
  graph: Graph;
  log: PassLogEntry[];
  /** Output file name → contents, in the order they should be listed. */
  files: Map<string, OutputContent>;
  /** Lines of report.txt / the CLI summary. */
  report: string[];
  warnings: string[];
}

export interface VerifyOptions {
  target: string;
  inputs: StepInput[];
  /** Steps to run (default: model's timesteps). */
  timesteps?: number;
  /** How many divergences to list. */
  maxDivergences?: number;
  temporalNorm?: "exact" | "approx";
  earlyExit?: number;
  file?: string;
  /** As CompileOptions.checkPasses. */
  checkPasses?: boolean;
  /** As CompileOptions.weightPlanes. */
  weightPlanes?: 1 | 2;
  /** Fixed-point targets: least spike agreement with the float model (default in src/verify/gates.ts). */
  minSpikeAgreement?: number;
  /** Fixed-point targets: least share of samples whose readout argmax agrees (default: all). */
  minArgmaxAgreement?: number;
}

/** A run of the target's own model (hardware steps), in the shape of `snnc run --json`. */
export interface TargetRun {
  target: string;
  /** Hardware steps run per sample (the model's T plus pipeline latency). */
  timesteps: number;
  samples: SampleRun[];
}

/** A target's model built once and run on sample after sample (`snnc simulate`'s workers). */
export interface PreparedRun {
  target: string;
  /** The model's steps T, and the steps one run takes (T plus the pipeline latency). */
  timesteps: number;
  runSteps: number;
  /** The spiking layers a SampleRun reports, in its order, with their neuron counts. */
  layers: { name: string; neurons: number }[];
  run(x: StepInput, raster?: boolean): SampleRun;
  /** Throws what `run(x)` would throw for the sample itself (a value the target cannot take), if anything. */
  checkInput?(x: StepInput): void;
}

export interface TargetDriver {
  /** Names this driver answers to. */
  names: string[];
  description: string;
  /** The pipeline: the passes `compile` runs, in order (for --list-passes and --dump-ir-after checks). */
  passes(opts: PipelineOptions): readonly Pass[];
  compile(g: Graph, opts: CompileOptions): Promise<CompileResult>;
  /** Runs the target's model (e.g. the integer model of a chip) on inputs; absent for "float". */
  run?(g: Graph, inputs: readonly StepInput[], opts: { target: string; raster?: boolean; file?: string }): TargetRun;
  /** Builds the target's model once for many runs (absent for "float"). */
  prepareRun?(g: Graph, opts: { target: string; file?: string }): PreparedRun;
  /** Returns a JSON-serialisable report with at least { ok: boolean }. */
  verify(g: Graph, opts: VerifyOptions): Promise<{ ok: boolean; [k: string]: unknown }>;
}
