/**
 * What `snnc report` shows, collected: the model is built for a Loihi target exactly as `snnc
 * compile` builds it (src/loihi/build.ts: folds, lowerings, quantisation, placement), the float
 * model as written and the integer model (time-stepped engine) run on the same inputs, and the
 * figures of every chart are gathered into one ReportData (report-data.ts).
 */
import { basename } from "node:path";
import { SnncError } from "../ir/errors.ts";
import type { Graph } from "../ir/nodes.ts";
import { buildLoihi } from "../loihi/build.ts";
import { loihiDriver } from "../loihi/driver.ts";
import { netxCheck } from "../loihi/quantize/index.ts";
import { integerRuns } from "../loihi/run.ts";
import { runFixedStepped } from "../loihi/sim/run-stepped.ts";
import { FLOAT_FOLDS } from "../passes/float-pipeline.ts";
import { simulate, type StepInput } from "../sim/reference.ts";
import { measureAgreement } from "../verify/agreement.ts";
import { firingRates, raster } from "./activity.ts";
import { coreMap } from "./core-map.ts";
import { quantisationErrors } from "./quant-error.ts";
import { round6, type ReportData } from "./report-data.ts";
import { thresholdStages } from "./thresholds.ts";

export interface ReportOptions {
  /** The target as the user gave it (a Loihi-family name). */
  target: string;
  /** The model file (errors name it; the report shows its base name). */
  file: string;
  /** The samples every figure is measured on; the raster shows the first. */
  inputs: StepInput[];
  /** Where the samples came from, in words. */
  inputsFrom: string;
  temporalNorm?: "exact" | "approx";
  earlyExit?: number;
}

/** The stage names of the threshold histograms, in order. */
export const THRESHOLD_STAGES = ["as written", "after the folds", "after the Loihi lowerings"] as const;

export function collectReport(g: Graph, opts: ReportOptions): ReportData {
  if (!loihiDriver.names.includes(opts.target))
    throw new SnncError(
      "E_USAGE",
      `report describes a Loihi deployment: --target must be one of ${loihiDriver.names.join(", ")}, got '${opts.target}'`,
    );
  if (opts.inputs.length === 0) throw new SnncError("E_USAGE", "report needs at least one input sample");
  const lastFold = FLOAT_FOLDS[FLOAT_FOLDS.length - 1]!.name;
  let folded: Graph | undefined;
  const b = buildLoihi(g, {
    target: opts.target,
    temporalNorm: opts.temporalNorm,
    earlyExit: opts.earlyExit,
    file: opts.file,
    dumpIrAfter: lastFold,
    onDump: (_pass, ir) => {
      folded = ir;
    },
  });
  const m = b.quant.model;
  const inputs = opts.inputs;
  const fixedRuns = inputs.map((x) => runFixedStepped(m, x));
  const floatRuns = inputs.map((x) => simulate(g, x, { timesteps: m.timesteps }));
  const a = measureAgreement(g, integerRuns(m, inputs, fixedRuns), inputs);
  const netx = netxCheck(m);
  const t = b.placement.totals;
  return {
    format: "snnc.report",
    version: 1,
    model: { file: basename(opts.file), name: g.name, timesteps: m.timesteps, encoding: g.meta.encoding },
    target: { requested: opts.target, name: b.target.name },
    inputs: { samples: inputs.length, from: opts.inputsFrom },
    summary: {
      populations: m.populations.length,
      synapseGroups: m.connections.length,
      neurons: t.neurons,
      synapses: t.synapses,
      cores: t.cores,
      chips: t.chips,
      runSteps: m.runSteps,
      spikeAgreement: round6(a.spikeAgreement),
      readout: a.readout && { ...a.readout, maxAbsDiff: round6(a.readout.maxAbsDiff) },
      netxReason: netx.ok ? null : netx.reason,
    },
    firingRates: firingRates(m, floatRuns, fixedRuns),
    raster: raster(m, floatRuns[0]!, fixedRuns[0]!, 0),
    thresholds: thresholdStages([
      { stage: THRESHOLD_STAGES[0], graph: g },
      { stage: THRESHOLD_STAGES[1], graph: folded! },
      { stage: THRESHOLD_STAGES[2], graph: b.graph },
    ]),
    quantisation: quantisationErrors(b),
    agreement: {
      samples: a.samples,
      perLayer: a.perLayer.map((r) => ({
        layer: r.layer,
        latency: r.latency,
        neurons: r.neurons,
        agreement: round6(r.agreement),
        differing: r.spikesDiffering,
      })),
      spikeAgreement: round6(a.spikeAgreement),
    },
    cores: coreMap(b.placement),
    warnings: [...b.quant.warnings],
    notes: [...b.quant.notes, ...b.placement.notes],
  };
}
