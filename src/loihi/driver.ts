/**
 * Targets "loihi" (= loihi2), "loihi2", "loihi1": the float folds, the Loihi lowerings, Lava
 * fixed-point quantisation and placement; files network.net (when netx can express the network),
 * network.lava.json, hwconfig.json and report.txt.
 *
 * verify runs the integer model on both simulator engines (dense time-stepped and event-driven)
 * and requires them to agree on every spike, u and v of every population at every step (ok = that).
 * It also MEASURES the agreement of the integer model with the float model as written (spikes
 * per layer, aligned for each layer's synaptic latency, and the readout argmax): quantisation is
 * not exact, so these are figures, not pass/fail.
 *
 * Testing hook: SNNC_FIXED_FAULT=drop-first-event makes the event-driven engine drop one event per
 * source and step, so that verify's detection of a fixed-point divergence can be exercised end to end.
 */
import { netxCheck, writeNetx } from "./emit/netx-hdf5.ts";
import { hwconfigJson } from "./emit/hwconfig-json.ts";
import { lavaProcessGraphJson } from "./emit/lava-process-graph.ts";
import { reportText, table, type ReportSection } from "./emit/report-txt.ts";
import { SnncError } from "../ir/errors.ts";
import { pulsePopulation, type FixedModel } from "./model/integer-model.ts";
import type { Graph } from "../ir/nodes.ts";
import { size } from "../ir/tensor.ts";
import { randomInputs } from "../inputs/random-inputs.ts";
import { temporalNormPasses } from "../passes/temporal/approx-temporal-norm.ts";
import { lowerGain } from "./lower/lower-gain.ts";
import { lowerNeuronModel } from "./lower/lower-neuron-model.ts";
import { lowerPad } from "./lower/lower-pad.ts";
import { lowerPooling } from "./lower/lower-pooling.ts";
import { lowerStateOffset } from "./lower/lower-state-offset.ts";
import { lowerThresholds } from "./lower/lower-thresholds.ts";
import type { Pass, PassLogEntry } from "../passes/pass.ts";
import { floatPipeline } from "../passes/pipeline.ts";
import { placeLoihi, type Placement } from "./place/place-loihi.ts";
import { quantizeLoihi, type QuantizeResult } from "./quantize/quantize-loihi.ts";
import { fmt } from "../passes/support/rewrite.ts";
import { fixedRunAsRunResult, type FixedFault, type FixedRun } from "./sim/engine-common.ts";
import { runFixedEvent } from "./sim/run-event.ts";
import { runFixedStepped } from "./sim/run-stepped.ts";
import { simulate, type StepInput } from "../sim/reference.ts";
import { argmax } from "../sim/run-summary.ts";
import { loadTarget } from "../target/load-target.ts";
import type { TargetSpec } from "../target/target.ts";
import { compareTraces, type TraceComparison } from "../verify/compare.ts";
import { buildVerifyReport } from "../verify/report.ts";
import { pipelineReport, runPipeline } from "../driver/float.ts";
import type { CompileOptions, CompileResult, TargetDriver, VerifyOptions } from "../driver/types.ts";

/** The Loihi lowerings that follow the float folds, in order. */
export const LOIHI_LOWERINGS: readonly Pass[] = [
  lowerNeuronModel,
  lowerPad,
  lowerPooling,
  lowerGain,
  lowerStateOffset,
  lowerThresholds,
];

/** Every IR pass a Loihi compile runs: the float folds (per-step norms as the target allows), then the lowerings. */
export function loihiPasses(t: TargetSpec, opts: Pick<CompileOptions, "temporalNorm">): Pass[] {
  const folds = floatPipeline().flatMap((p) =>
    p.name === "schedule-temporal-norm"
      ? temporalNormPasses(t.name, { neuronSchedules: t.features.schedules }, opts.temporalNorm)
      : [p],
  );
  return [...folds, ...LOIHI_LOWERINGS];
}

export interface LoihiBuild {
  target: TargetSpec;
  graph: Graph;
  log: PassLogEntry[];
  quant: ReturnType<typeof quantizeLoihi>;
  placement: Placement;
}

/** Lower, quantise and place (no files). */
export function buildLoihi(g: Graph, opts: CompileOptions & { board?: string }): LoihiBuild {
  const target = loadTarget(opts.target);
  const { graph, log } = runPipeline(g, loihiPasses(target, opts), opts);
  const withFile = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof SnncError && opts.file) throw e.withLocation({ file: opts.file });
      throw e;
    }
  };
  const quant = withFile(() => quantizeLoihi(graph, target, { calibration: opts.calibration }));
  const placement = withFile(() => placeLoihi(quant.model, target, { board: opts.board }));
  return { target, graph, log, quant, placement };
}

/** The same integer model for another number of reference steps (pulse neurons re-timed to the new sample length). */
export function withTimesteps(m: FixedModel, T: number): FixedModel {
  if (T === m.timesteps) return m;
  const runSteps = T + (m.runSteps - m.timesteps);
  return {
    ...m,
    timesteps: T,
    runSteps,
    populations: m.populations.map((p) =>
      p.kind === "pulse" ? pulsePopulation(p.id, p.phase!, runSteps) : { ...p, resetInterval: runSteps },
    ),
  };
}

interface Agreement {
  samples: number;
  perLayer: {
    layer: string;
    latency: number;
    neurons: number;
    spikesCompared: number;
    spikesDiffering: number;
    agreement: number;
    refSpikes: number;
    fixedSpikes: number;
  }[];
  spikeAgreement: number;
  readout: { id: string; argmaxAgree: number; samples: number; maxAbsDiff: number } | null;
}

/** Float model as written vs the integer model: spikes per layer (aligned by latency) and readouts. */
export function measureAgreement(g: Graph, m: FixedModel, inputs: readonly StepInput[], runs?: FixedRun[]): Agreement {
  const lat: Record<string, number> = {};
  for (const p of m.populations) lat[p.source] = p.depth;
  const rows = new Map<string, Agreement["perLayer"][number]>();
  let argAgree = 0;
  let maxAbs = 0;
  let readoutId: string | undefined;
  inputs.forEach((x, k) => {
    const ref = simulate(g, x, { timesteps: m.timesteps, all: true });
    const run = runs?.[k] ?? runFixedStepped(m, x);
    const got = fixedRunAsRunResult(m, run);
    const layers = m.populations
      .filter((p) => p.kind === "lif" && ref.traces.get(p.source)?.out[0]?.length === size(p.shape))
      .map((p) => p.source);
    const c = compareTraces(
      { ...ref, readouts: new Map() },
      { ...got, readouts: new Map() },
      { layers, latency: lat, maxDivergences: 0 },
    );
    for (const l of c.layers) {
      const r = rows.get(l.layer) ?? {
        layer: l.layer,
        latency: l.latency,
        neurons: l.neurons,
        spikesCompared: 0,
        spikesDiffering: 0,
        agreement: 1,
        refSpikes: 0,
        fixedSpikes: 0,
      };
      r.spikesCompared += l.spikesCompared;
      r.spikesDiffering += l.spikesDiffering;
      r.refSpikes += l.refSpikes;
      r.fixedSpikes += l.gotSpikes;
      rows.set(l.layer, r);
    }
    const ro = m.outputs.find((o) => got.readouts.has(o) && ref.readouts.has(o));
    if (ro) {
      readoutId = ro;
      const a = ref.readouts.get(ro)!;
      const b = got.readouts.get(ro)!;
      if (argmax(a) === argmax(b)) argAgree++;
      for (let i = 0; i < a.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i]! - b[i]!));
    }
  });
  const perLayer = [...rows.values()].map((r) => ({
    ...r,
    agreement: r.spikesCompared ? 1 - r.spikesDiffering / r.spikesCompared : 1,
  }));
  const cmp = perLayer.reduce((a, r) => a + r.spikesCompared, 0);
  const dif = perLayer.reduce((a, r) => a + r.spikesDiffering, 0);
  return {
    samples: inputs.length,
    perLayer,
    spikeAgreement: cmp ? 1 - dif / cmp : 1,
    readout: readoutId ? { id: readoutId, argmaxAgree: argAgree, samples: inputs.length, maxAbsDiff: maxAbs } : null,
  };
}

const pctStr = (x: number) => `${(100 * x).toFixed(2)}%`;

function quantSection(q: QuantizeResult): ReportSection {
  const rows = q.populations.map((p) => [
    p.id,
    p.kind,
    p.neurons,
    p.depth,
    p.vth,
    p.du,
    p.dv,
    p.kind === "lif" ? `${fmt(p.tau)}→${fmt(p.tauQ)}` : "-",
    p.biasExp,
    fmt(p.g),
    `${p.aMin}..${p.aMax}`,
    p.limitedBy,
  ]);
  const conns = q.populations.flatMap((p) =>
    p.connections.map((c) => [
      c.id,
      `${c.from}→${p.id}`,
      c.how,
      c.weightExp,
      c.delay,
      c.maxAbsInt,
      `${(100 * c.relErr).toFixed(2)}%`,
      c.clipped,
      c.synapses,
    ]),
  );
  return {
    title: "Quantisation (Lava fixed point: v_int = 64·g·h, spike iff v > vth·64)",
    lines: [
      ...q.notes,
      "",
      ...table(
        [
          "population",
          "kind",
          "neurons",
          "depth",
          "vth",
          "du",
          "dv",
          "τ→τ_int",
          "bias exp",
          "g",
          "a range",
          "g limited by",
        ],
        rows,
      ),
      "",
      ...table(
        ["synapses", "from→to", "form", "weight exp", "delay", "max |w|", "max weight error", "clipped", "nonzero"],
        conns,
      ),
      "",
      "max weight error: largest |w_int·2^e·s/g − w| relative to the layer's largest |w|; τ_int = 1 − dv/4096.",
    ],
  };
}

/** What each state offset became (report section "State offsets"); empty when there is none. */
function offsetLines(b: LoihiBuild): string[] {
  const q = b.quant;
  if (!q.offsets.length) return [];
  const m = q.model;
  const step = (phase: number) => (phase === 0 ? m.runSteps : phase);
  const ir =
    b.log.find((l) => l.pass === "lower-state-offset")?.notes.filter((x) => x.startsWith("state offset")) ?? [];
  const rows = q.offsets.map((o) => {
    const ph = (id: string) => m.populations.find((p) => p.id === id)!.phase!;
    return [
      o.id,
      o.depth,
      o.init
        ? `'${o.init.pulse}' at step ${step(ph(o.init.pulse))} → step ${o.depth + 1}, max |w| ${o.init.maxAbsInt} << ${o.init.weightExp}`
        : "-",
      o.self ? `max |w| ${o.self.maxAbsInt} << ${o.self.weightExp}` : "- (reset value 0)",
      o.inhibit
        ? `'${o.inhibit.pulse}' at step ${step(ph(o.inhibit.pulse))} → step ${o.depth}, up to ${o.inhibit.maxInhibition} (${o.inhibit.connections} synapse group${o.inhibit.connections === 1 ? "" : "s"}), headroom ${o.inhibit.headroom}`
        : "-",
      o.firstStepV0 ? `${o.firstStepV0} neuron${o.firstStepV0 === 1 ? "" : "s"}` : "-",
    ];
  });
  return [
    ...ir,
    "In integers (Lava's LIF resets to 0 and starts from 0 after its warm-up reset at step depth + 1):",
    "  initial state δ: τ·δ arrives from a pulse neuron at step depth + 1, as the leak of v[0] = δ would have brought it;",
    "  reset value R = v_reset + δ: a self-recurrent synapse adds τ·R one step after each spike;",
    "  warm-up inhibition: at step depth, an inhibition as large as anything the layer's sources and bias can add keeps v ≤ vth·64,",
    "  so no warm-up spike rides the self-recurrent synapse into step depth + 1 (exact for every sample, also back to back);",
    "  initial v: at depth 1, step 1 of the first sample is reached by no synapse: an initial v holds the neurons whose bias alone would fire.",
    ...table(
      [
        "population",
        "depth",
        "initial state (pulse)",
        "self-recurrent (τ·R)",
        "warm-up inhibition (pulse)",
        "initial v",
      ],
      rows,
    ),
  ];
}

function agreementLines(a: Agreement, how: string): string[] {
  const lines = [
    `${how}: ${a.samples} sample${a.samples === 1 ? "" : "s"}; the integer model against the float model as written, each layer shifted by its latency`,
  ];
  lines.push(
    ...table(
      ["layer", "latency", "neurons", "spike agreement", "float spikes", "integer spikes"],
      a.perLayer.map((r) => [r.layer, r.latency, r.neurons, pctStr(r.agreement), r.refSpikes, r.fixedSpikes]),
    ),
  );
  lines.push(`all layers: ${pctStr(a.spikeAgreement)} of spike slots agree`);
  if (a.readout)
    lines.push(
      `readout '${a.readout.id}': argmax agrees on ${a.readout.argmaxAgree}/${a.readout.samples} samples; max |Δ| ${fmt(a.readout.maxAbsDiff)}`,
    );
  return lines;
}

async function compileLoihi(
  g: Graph,
  opts: CompileOptions & { board?: string; tmpDir?: string },
): Promise<CompileResult> {
  const b = buildLoihi(g, opts);
  const { quant, placement, target } = b;
  const m = quant.model;
  const files = new Map<string, string | Uint8Array>();
  const nx = netxCheck(m);
  if (nx.ok) files.set("network.net", await writeNetx(m, { tmpDir: opts.tmpDir }));
  files.set(
    "network.lava.json",
    lavaProcessGraphJson(m, { netx: nx.ok ? { written: true } : { written: false, reason: nx.reason } }),
  );
  files.set("hwconfig.json", hwconfigJson(placement));
  const calibrated = !!opts.calibration?.length;
  const inputs = calibrated ? opts.calibration! : randomInputs(g, 8, 0);
  const agreement = measureAgreement(g, m, inputs);
  const warnings = [...quant.warnings];
  const D = m.runSteps - m.timesteps;
  const sections: ReportSection[] = [
    { title: "Passes", lines: pipelineReport(g, b.graph, b.log) },
    quantSection(quant),
    { title: "State offsets", lines: offsetLines(b) },
    { title: "Warnings", lines: warnings.map((w) => `warning: ${w}`) },
    {
      title: "Latency",
      lines: [
        "every synaptic layer adds one step (Lava's synapses deliver a step later); a layer of depth d lags the float model by d steps and zeroes its state at step d + 1",
        ...table(
          ["population", "latency (steps)"],
          m.populations.filter((p) => p.kind !== "pulse").map((p) => [p.id, p.depth]),
        ),
        ...(m.populations.some((p) => p.kind === "pulse")
          ? [
              `pulse neurons fire once per sample: ${m.populations
                .filter((p) => p.kind === "pulse")
                .map((p) => `'${p.id}' at step ${p.phase === 0 ? m.runSteps : p.phase}`)
                .join(", ")}`,
            ]
          : []),
        `run ${m.runSteps} steps per sample: T = ${m.timesteps} plus ${D} extra for the pipeline latency; readouts are read at step depth + T`,
      ],
    },
    {
      title: "Placement",
      lines: [
        ...placement.notes,
        ...table(
          ["population", "neurons", "synapses", "cores"],
          placement.populations.map((p) => [
            p.id,
            p.neurons,
            p.synapses,
            p.cores.length === 1 ? `${p.cores[0]}` : `${p.cores[0]}..${p.cores[p.cores.length - 1]}`,
          ]),
        ),
      ],
    },
    {
      title: "Agreement (measured, not assumed)",
      lines: agreementLines(
        agreement,
        calibrated ? "calibration inputs" : "8 seeded random inputs (the model's input encoding, seed 0)",
      ),
    },
    {
      title: "Files",
      lines: [
        nx.ok
          ? `network.net: netx HDF5; load with netx.hdf5.Network(net_config='network.net', input_message_bits=${m.input.messageBits}, reset_interval=${m.runSteps}, reset_offset=1)`
          : `network.net: not written: ${nx.reason}`,
        "network.lava.json: the Lava process graph (populations, synapses, layouts, delays, readout decoding)",
        "hwconfig.json: cores and chips of every population, per-core use against the target's limits",
      ],
    },
  ];
  const header = [
    `snnc compile --target ${opts.target} (${target.name}): model '${g.name}', T = ${g.meta.timesteps}, encoding ${g.meta.encoding}`,
  ];
  files.set("report.txt", reportText(header, sections));
  const summary = [
    `${target.name}: ${m.populations.length} populations, ${m.connections.length} synapse groups, ${placement.totals.neurons} neurons, ${placement.totals.synapses} synapses on ${placement.totals.cores} core${placement.totals.cores === 1 ? "" : "s"} (${placement.totals.chips} chip${placement.totals.chips === 1 ? "" : "s"})`,
    `latency ${D} step${D === 1 ? "" : "s"}: run ${m.runSteps} steps per sample`,
    `float vs integer (${calibrated ? "calibration" : "8 seeded random"} inputs): ${pctStr(agreement.spikeAgreement)} spikes agree` +
      (agreement.readout ? `, readout argmax ${agreement.readout.argmaxAgree}/${agreement.readout.samples}` : ""),
    nx.ok ? "network.net written (netx)" : `network.net not written: ${nx.reason}`,
  ];
  return { target: target.name, graph: b.graph, log: b.log, files, report: summary, warnings };
}

function faultFromEnv(): FixedFault | undefined {
  const f = process.env.SNNC_FIXED_FAULT;
  if (f === undefined || f === "") return undefined;
  if (f !== "drop-first-event")
    throw new SnncError("E_USAGE", `SNNC_FIXED_FAULT='${f}' is not a known fault (drop-first-event)`);
  return f;
}

/** Every u and v of every population at every step: how many values differ between two runs. */
function compareState(a: FixedRun, b: FixedRun): { compared: number; differing: number; first?: string } {
  let compared = 0;
  let differing = 0;
  let first: string | undefined;
  for (const [key, A, B] of [
    ["u", a.u!, b.u!],
    ["v", a.v!, b.v!],
  ] as const) {
    for (const [id, xs] of A) {
      const ys = B.get(id)!;
      for (let n = 0; n < xs.length; n++) {
        const x = xs[n]!;
        const y = ys[n]!;
        compared += x.length;
        for (let i = 0; i < x.length; i++) {
          if (x[i] !== y[i]) {
            differing++;
            first ??= `${key} of '${id}' neuron ${i} at step ${n + 1}: time-stepped ${x[i]}, event-driven ${y[i]}`;
          }
        }
      }
    }
  }
  return { compared, differing, first };
}

async function verifyLoihi(g: Graph, opts: VerifyOptions & { board?: string }, fault: FixedFault | undefined) {
  if (opts.inputs.length === 0) throw new SnncError("E_USAGE", "verify needs at least one input sample");
  // the same integer model compile writes (no calibration: the verify inputs do not choose the input scale)
  const b = buildLoihi(g, {
    target: opts.target,
    temporalNorm: opts.temporalNorm,
    earlyExit: opts.earlyExit,
    file: opts.file,
    board: opts.board,
  });
  const T = opts.timesteps ?? g.meta.timesteps;
  const m = withTimesteps(b.quant.model, T);
  const comps: TraceComparison[] = [];
  const stepped: FixedRun[] = [];
  let stateCompared = 0;
  let stateDiffering = 0;
  let firstState: string | undefined;
  opts.inputs.forEach((x, sample) => {
    const a = runFixedStepped(m, x, { state: true });
    const e = runFixedEvent(m, x, { state: true, fault });
    stepped.push(a);
    const ra = fixedRunAsRunResult(m, a);
    const re = fixedRunAsRunResult(m, e);
    comps.push(compareTraces(ra, re, { sample, maxDivergences: opts.maxDivergences }));
    const s = compareState(a, e);
    stateCompared += s.compared;
    stateDiffering += s.differing;
    firstState ??= s.first;
  });
  const agreement = measureAgreement(g, m, opts.inputs, stepped);
  const notes = [
    `${b.target.name}: the integer model on the time-stepped engine (reference) and the event-driven engine (compiled); every spike, u and v compared`,
    `u and v: ${stateCompared} values compared, ${stateDiffering} differing${firstState ? ` (first: ${firstState})` : ""}`,
    ...agreementLines(agreement, "float model vs integer model"),
    ...b.quant.warnings.map((w) => `warning: ${w}`),
  ];
  const report = buildVerifyReport(b.target.name, comps, { maxDivergences: opts.maxDivergences, notes });
  return {
    ...report,
    ok: report.ok && stateDiffering === 0,
    engines: { reference: "time-stepped", compiled: "event-driven" },
    membranes: { compared: stateCompared, differing: stateDiffering, first: firstState ?? null },
    latency: Object.fromEntries(m.populations.map((p) => [p.id, p.depth])),
    runSteps: m.runSteps,
    floatAgreement: agreement,
  };
}

export function makeLoihiDriver(opts: { fault?: FixedFault } = {}): TargetDriver {
  return {
    names: ["loihi", "loihi2", "loihi1"],
    description: "Intel Loihi (loihi = loihi2): Lava fixed point, netx HDF5 + Lava process graph + hardware placement",
    passes: (o) => loihiPasses(loadTarget(o.target), o),
    compile: (g, o) => compileLoihi(g, o),
    verify: (g, o) => verifyLoihi(g, o, opts.fault ?? faultFromEnv()),
  };
}

export const loihiDriver: TargetDriver = makeLoihiDriver();
