/**
 * Targets "loihi" (= loihi2), "loihi2", "loihi1": build (the pass pipeline of src/loihi/pipeline.ts,
 * Lava fixed-point quantisation and placement, src/loihi/build.ts), run, compare. compile writes
 * network.net (when netx can express the network), network.lava.json, hwconfig.json and report.txt,
 * and snnc_lava_processes.py (snnc's own Lava process) when a population needs it.
 *
 * verify (verify.ts) runs the integer model on both simulator engines (time-stepped and
 * event-driven) and requires them to agree on every spike, u and v of every population at every
 * step. It also measures the agreement of the integer model with the float model as written and
 * gates on it (src/verify/gates.ts): ok = the engines agree AND the deployed model reaches the
 * agreement minima. A sample whose readout argmax differs is judged (ties/judge-tie.ts): a tie
 * within the quantisation bound when every departure of the integer model lies within the rounding
 * bound of its threshold.
 */
import type { CompileOptions, CompileResult, OutputContent, TargetDriver } from "../driver/types.ts";
import { randomInputs } from "../inputs/random-inputs.ts";
import type { Graph } from "../ir/nodes.ts";
import { loadTarget } from "../target/load-target.ts";
import { buildLoihi, type LoihiBuild } from "./build.ts";
import { hwconfigJson } from "./emit/hwconfig-json.ts";
import { CUSTOM_PROCESS_FILE, customProcessPython } from "./emit/lava-custom-process.ts";
import { lavaProcessGraphStream } from "./emit/lava-process-graph.ts";
import { writeNetx } from "./emit/netx-hdf5.ts";
import { loihiPipeline } from "./pipeline.ts";
import { netxCheck } from "./quantize/index.ts";
import { compileReportText, compileSummary } from "./report.ts";
import { AGREEMENT_BUDGET, defaultAgreementSamples, measureLoihiAgreement, sampleWork } from "./agreement.ts";
import { prepareLoihiRun, runLoihi } from "./run.ts";
import type { FixedModel } from "./model/integer-model.ts";
import type { FixedFault } from "./sim/engine-common.ts";
import { tieContext } from "./ties/judge-tie.ts";
import { faultFromEnv, verifyLoihi } from "./verify.ts";

async function compileLoihi(g: Graph, opts: CompileOptions & { board?: string }): Promise<CompileResult> {
  const b = buildLoihi(g, opts);
  const m = b.quant.model;
  const netx = netxCheck(m);
  const lava = lavaProcessGraphStream(m, {
    netx: netx.ok ? { written: true } : { written: false, reason: netx.reason },
  });
  const calibrated = !!opts.calibration?.length;
  const samples = opts.agreementSamples ?? defaultAgreementSamples(m);
  const inputs = samples === 0 ? [] : calibrated ? opts.calibration!.slice(0, samples) : randomInputs(g, samples, 0);
  const agreement = inputs.length ? await measureLoihiAgreement(g, m, inputs, { tie: tieContext(b, m) }) : null;
  const files = new Map<string, OutputContent>();
  if (netx.ok) files.set("network.net", writeNetx(m));
  files.set("network.lava.json", lava);
  if (m.populations.some((p) => p.kind === "multi-threshold")) files.set(CUSTOM_PROCESS_FILE, customProcessPython());
  files.set("hwconfig.json", hwconfigJson(b.placement));
  const warnings = [...b.quant.warnings];
  const planes = m.connections.some((c) => c.planes);
  const hint = planes || !agreement ? undefined : planesHint(b, agreement.spikeAgreement);
  if (hint) warnings.push(hint);
  const skipped = agreement ? undefined : opts.agreementSamples === 0 ? "--agreement-samples 0" : budgetNote(m);
  const facts = { requested: opts.target, agreement, skipped, calibrated, netx, warnings };
  files.set("report.txt", compileReportText(g, b, facts));
  return { target: b.target.name, graph: b.graph, log: b.log, files, report: compileSummary(b, facts), warnings };
}

/** Below this spike agreement, compile suggests weight planes where 8-bit weights limit the scale. */
const PLANES_HINT_BELOW = 0.97;

function planesHint(b: LoihiBuild, agreement: number): string | undefined {
  if (agreement >= PLANES_HINT_BELOW) return undefined;
  const limited = b.quant.populations.filter((p) => p.limitedBy.startsWith("weights of"));
  if (!limited.length) return undefined;
  return `spike agreement ${(100 * agreement).toFixed(2)}% with 8-bit weights, which limit the scale of ${limited.map((p) => `'${p.id}'`).join(", ")}: --weight-planes 2 carries 15-bit weights exactly (two synapse processes per connection; no network.net)`;
}

/** Why the default measured no sample. */
function budgetNote(m: FixedModel): string {
  return `one sample is ${sampleWork(m).toExponential(1)} synapse updates, beyond the default budget of ${AGREEMENT_BUDGET.toExponential(0)}; --agreement-samples <n> measures n samples`;
}

export function makeLoihiDriver(opts: { fault?: FixedFault } = {}): TargetDriver {
  return {
    names: ["loihi", "loihi2", "loihi1"],
    description: "Intel Loihi (loihi = loihi2): Lava fixed point, netx HDF5 + Lava process graph + hardware placement",
    passes: (o) => loihiPipeline(loadTarget(o.target), o),
    compile: (g, o) => compileLoihi(g, o),
    run: runLoihi,
    prepareRun: prepareLoihiRun,
    verify: (g, o) => verifyLoihi(g, o, opts.fault ?? faultFromEnv()),
  };
}

export const loihiDriver: TargetDriver = makeLoihiDriver();
