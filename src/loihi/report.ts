/**
 * The text a Loihi compile reports: report.txt (passes, quantisation, state offsets, warnings,
 * latency, placement, measured float-vs-integer agreement, files) and the CLI summary lines;
 * also the agreement lines verify prints.
 */
import { pipelineReport } from "../driver/run-pipeline.ts";
import type { Graph } from "../ir/nodes.ts";
import { fmt } from "../passes/support/rewrite.ts";
import type { Agreement } from "../verify/agreement.ts";
import { notATie, tiesText } from "../verify/gates.ts";
import type { LoihiBuild } from "./build.ts";
import { processesSection } from "./report-processes.ts";
import { reportText, table, type ReportSection } from "./emit/report-txt.ts";
import type { QuantizeResult } from "./quantize/index.ts";

const pctStr = (x: number) => `${(100 * x).toFixed(2)}%`;
const randomInputsName = (n: number) => `${n} seeded random input${n === 1 ? "" : "s"}`;

/** What a compile found out, beyond the build itself. */
export interface CompileFacts {
  /** The target name as the user gave it. */
  requested: string;
  /** null: not measured (`skipped` says why). */
  agreement: Agreement | null;
  skipped?: string;
  /** Whether the agreement was measured on calibration inputs (else on seeded random ones). */
  calibrated: boolean;
  netx: { ok: true } | { ok: false; reason: string };
  warnings: readonly string[];
}

/** vth, or for a multi-threshold population the range of its per-neuron thresholds (in vth units). */
function vthCell(q: QuantizeResult, id: string, vth: number): string | number {
  const ts = q.model.populations.find((m) => m.id === id)?.thresholds;
  if (!ts?.length) return vth;
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of ts)
    for (const x of t) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
  return `${fmt(lo / 64)}..${fmt(hi / 64)}`;
}

function quantSection(q: QuantizeResult): ReportSection {
  const rows = q.populations.map((p) => [
    p.id,
    p.kind,
    p.neurons,
    p.depth,
    vthCell(q, p.id, p.vth),
    p.du,
    p.dv,
    p.kind !== "pulse" && p.kind !== "integrator" ? `${fmt(p.tau)}→${fmt(p.tauQ)}` : "-",
    p.biasExp,
    fmt(p.g),
    `${p.aMin}..${p.aMax}`,
    p.limitedBy,
  ]);
  const conns = q.populations.flatMap((p) =>
    p.connections.map((c) => [
      c.id,
      `${c.from}→${p.id}`,
      c.planes
        ? `${c.how}, two weight planes 2^${c.planes} apart${c.kind === "conv" ? " (high plane through a relay)" : ""}`
        : c.how,
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
      ...(q.populations.some((p) => p.connections.some((c) => c.planes))
        ? [
            "two weight planes: w_int = high·2^P + low, each plane a synapse process of 8-bit weights into the same neuron (the high one with exponent e + P, or for a conv through a Delta → Sigma relay); max |w| is of w_int.",
          ]
        : []),
      ...(q.model.populations.some((m) => m.thresholds?.length)
        ? ["vth lo..hi: a multi-threshold population compares v with per-neuron thresholds; the range of all of them."]
        : []),
    ],
  };
}

/** What each state offset and warm-up silence became (report section "State offsets"); empty when there is none. */
function offsetLines(b: LoihiBuild): string[] {
  const q = b.quant;
  if (!q.offsets.length) return [];
  const m = q.model;
  const step = (phase: number) => (phase === 0 ? m.runSteps : phase);
  const ir =
    b.log.find((l) => l.pass === "lower-state-offset")?.notes.filter((x) => x.startsWith("state offset")) ?? [];
  const rows = q.offsets.map((o) => {
    const ph = (id: string) => m.populations.find((p) => p.id === id)!.phase!;
    const inh = o.inhibit;
    // the pulses of the steps before the silent ones, d − K .. d − 1 (step 0: the last of the previous sample)
    const pulseSteps = (k: number) => Array.from({ length: k }, (_, j) => step(o.depth - k + j)).join(", ");
    return [
      o.id,
      o.depth,
      o.init
        ? `'${o.init.pulse}' at step ${step(ph(o.init.pulse))} → step ${o.depth + 1}, max |w| ${o.init.maxAbsInt} << ${o.init.weightExp}`
        : "-",
      o.self ? `max |w| ${o.self.maxAbsInt} << ${o.self.weightExp}` : o.silence ? "-" : "- (reset value 0)",
      inh
        ? `${inh.steps > 1 ? `pulses at steps ${pulseSteps(inh.steps)} → steps ${o.depth - inh.steps + 1}..${o.depth}` : `'${inh.pulse}' at step ${step(ph(inh.pulse))} → step ${o.depth}`}, up to ${inh.maxInhibition} (${inh.connections} synapse group${inh.connections === 1 ? "" : "s"}${inh.steps > 1 ? " a step" : ""}), headroom ${inh.headroom}`
        : "-",
      o.silence ? `${o.silence} step${o.silence === 1 ? "" : "s"}` : "-",
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
    "  warm-up silence: a layer read k steps late (a recurrent edge, a delay) is inhibited so over its last k warm-up steps,",
    "  which its readers would otherwise receive in their first k aligned steps (with a synaptic current, also against what u holds);",
    "  initial v: when step 1 is silent (depth 1), no synapse reaches it in the first sample: an initial v holds the neurons whose bias alone would fire.",
    ...table(
      [
        "population",
        "depth",
        "initial state (pulse)",
        "self-recurrent (τ·R)",
        "warm-up inhibition (pulse)",
        "read late by",
        "initial v",
      ],
      rows,
    ),
  ];
}

/** The measured float-vs-integer agreement, per layer and over all, and the readout. */
export function agreementLines(a: Agreement, how: string): string[] {
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
  if (a.readout) {
    const ties = a.readout.ties ? `, ${tiesText(a.readout.ties)}` : "";
    lines.push(
      `readout '${a.readout.id}': argmax agrees on ${a.readout.argmaxAgree}/${a.readout.samples} samples${ties}; max |Δ| ${fmt(a.readout.maxAbsDiff)}`,
    );
    for (const d of a.readout.disagreements ?? []) {
      const j = d.judgement;
      if (!j?.tie) lines.push(`  ${notATie(d)}`);
      else
        lines.push(
          `  sample ${d.sample}: float class ${d.floatClass}, integer class ${d.fixedClass}: a tie, float margin ${fmt(j.margin)} ≤ bound ${fmt(j.bound)} (${j.departures} departure${j.departures === 1 ? "" : "s"} of the integer decisions, each within the rounding bound of its threshold)`,
        );
    }
  }
  return lines;
}

function latencySection(b: LoihiBuild): ReportSection {
  const m = b.quant.model;
  const D = m.runSteps - m.timesteps;
  return {
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
  };
}

function placementSection(b: LoihiBuild): ReportSection {
  return {
    title: "Placement",
    lines: [
      ...b.placement.notes,
      ...table(
        ["population", "neurons", "synapses", "cores"],
        b.placement.populations.map((p) => [
          p.id,
          p.neurons,
          p.synapses,
          p.cores.length === 1 ? `${p.cores[0]}` : `${p.cores[0]}..${p.cores[p.cores.length - 1]}`,
        ]),
      ),
    ],
  };
}

/** report.txt of a compile of `g`. */
export function compileReportText(g: Graph, b: LoihiBuild, f: CompileFacts): string {
  const m = b.quant.model;
  const sections: ReportSection[] = [
    { title: "Passes", lines: pipelineReport(g, b.graph, b.log) },
    quantSection(b.quant),
    { title: "State offsets", lines: offsetLines(b) },
    processesSection(b),
    { title: "Warnings", lines: f.warnings.map((w) => `warning: ${w}`) },
    latencySection(b),
    placementSection(b),
    {
      title: "Agreement (measured, not assumed)",
      lines: f.agreement
        ? agreementLines(
            f.agreement,
            f.calibrated
              ? "calibration inputs"
              : `${randomInputsName(f.agreement.samples)} (the model's input encoding, seed 0)`,
          )
        : [`not measured: ${f.skipped}`],
    },
    {
      title: "Files",
      lines: [
        f.netx.ok
          ? `network.net: netx HDF5; load with netx.hdf5.Network(net_config='network.net', input_message_bits=${m.input.messageBits}, reset_interval=${m.runSteps}, reset_offset=1)`
          : `network.net: not written: ${f.netx.reason}`,
        "network.lava.json: the Lava process graph (populations, synapses, layouts, delays, readout decoding)",
        ...(m.populations.some((p) => p.kind === "multi-threshold")
          ? ["snnc_lava_processes.py: snnc's own Lava process (MultiThresholdLIF) the process graph names"]
          : []),
        "hwconfig.json: cores and chips of every population, per-core use against the target's limits",
      ],
    },
  ];
  const header = [
    `snnc compile --target ${f.requested} (${b.target.name}): model '${g.name}', T = ${g.meta.timesteps}, encoding ${g.meta.encoding}`,
  ];
  return reportText(header, sections);
}

/** The lines `snnc compile` prints. */
export function compileSummary(b: LoihiBuild, f: CompileFacts): string[] {
  const m = b.quant.model;
  const t = b.placement.totals;
  const D = m.runSteps - m.timesteps;
  const a = f.agreement;
  const agreement = a
    ? `float vs integer (${f.calibrated ? "calibration inputs" : randomInputsName(a.samples)}): ${pctStr(a.spikeAgreement)} spikes agree` +
      (a.readout
        ? `, readout argmax ${a.readout.argmaxAgree}/${a.readout.samples}${a.readout.ties ? ` and ${tiesText(a.readout.ties)}` : ""}`
        : "")
    : "float vs integer: not measured (see report.txt)";
  return [
    `${b.target.name}: ${m.populations.length} populations, ${m.connections.length} synapse groups, ${t.neurons} neurons, ${t.synapses} synapses on ${t.cores} core${t.cores === 1 ? "" : "s"} (${t.chips} chip${t.chips === 1 ? "" : "s"})`,
    `latency ${D} step${D === 1 ? "" : "s"}: run ${m.runSteps} steps per sample`,
    agreement,
    f.netx.ok ? "network.net written (netx)" : `network.net not written: ${f.netx.reason}`,
  ];
}
