/**
 * The verify report: per-sample comparisons (compare.ts) summed into one JSON object, described
 * by verify-report.schema.json, and its text summary for the CLI.
 */
import { minOf, NEAR_TIE, sum, type Divergence, type LayerComparison, type TraceComparison } from "./compare.ts";
import { tiesText, type GateResult } from "./gates.ts";

/** One layer summed over samples: a LayerComparison without the per-sample step count. */
export type LayerRow = Omit<LayerComparison, "steps">;

export interface VerifyReport {
  ok: boolean;
  target: string;
  /** Number of neuron layers compared. */
  layers: number;
  /** Neurons in those layers. */
  neurons: number;
  /** Reference steps per sample. */
  steps: number;
  samples: number;
  /** (layer, neuron, step, sample) slots compared: every possible spike, fired or not. */
  spikesCompared: number;
  /** Slots whose outputs differ (0 for an equivalent run). */
  spikesDiffering: number;
  /** Smallest reference compare margin |m(h) − θ| over all slots (null when none is finite). */
  minMargin: number | null;
  /** Slots whose reference margin is below nearTieTolerance. */
  nearTies: number;
  nearTieTolerance: number;
  /** Largest |Δ| between reference and compiled readouts (null without readouts). */
  readoutMaxAbsDiff: number | null;
  /** The earliest divergences, at most maxDivergences. */
  divergences: Divergence[];
  perLayer: LayerRow[];
  /** What the compile step did (pass notes), when the driver provides them. */
  notes?: string[];
  /** Fixed-point targets: the agreement gates against the float model (verify fails when one fails). */
  gates?: GateResult;
}

export interface ReportOptions {
  maxDivergences?: number;
  notes?: string[];
}

export function buildVerifyReport(
  target: string,
  comps: readonly TraceComparison[],
  opts: ReportOptions = {},
): VerifyReport {
  const maxDiv = opts.maxDivergences ?? 10;
  const rows = new Map<string, LayerRow>();
  for (const c of comps) {
    for (const l of c.layers) {
      const r = rows.get(l.layer);
      if (!r) {
        rows.set(l.layer, {
          layer: l.layer,
          compiledLayer: l.compiledLayer,
          neurons: l.neurons,
          latency: l.latency,
          spikesCompared: l.spikesCompared,
          spikesDiffering: l.spikesDiffering,
          refSpikes: l.refSpikes,
          gotSpikes: l.gotSpikes,
          minMargin: l.minMargin,
          nearTies: l.nearTies,
        });
      } else {
        r.spikesCompared += l.spikesCompared;
        r.spikesDiffering += l.spikesDiffering;
        r.refSpikes += l.refSpikes;
        r.gotSpikes += l.gotSpikes;
        r.minMargin = minOf([r.minMargin, l.minMargin]);
        r.nearTies += l.nearTies;
      }
    }
  }
  const perLayer = [...rows.values()];
  const divergences = comps.flatMap((c) => c.divergences).slice(0, maxDiv);
  const readouts = comps.map((c) => c.readoutMaxAbsDiff).filter((x): x is number => x !== null);
  const spikesDiffering = sum(perLayer, (l) => l.spikesDiffering);
  const report: VerifyReport = {
    ok: spikesDiffering === 0 && comps.length > 0,
    target,
    layers: perLayer.length,
    neurons: sum(perLayer, (l) => l.neurons),
    steps: comps[0]?.steps ?? 0,
    samples: comps.length,
    spikesCompared: sum(perLayer, (l) => l.spikesCompared),
    spikesDiffering,
    minMargin: minOf(perLayer.map((l) => l.minMargin)),
    nearTies: sum(perLayer, (l) => l.nearTies),
    nearTieTolerance: NEAR_TIE,
    readoutMaxAbsDiff: readouts.length ? readouts.reduce((a, b) => (b > a || Number.isNaN(b) ? b : a), 0) : null,
    divergences,
    perLayer,
  };
  if (opts.notes) report.notes = opts.notes;
  return report;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

function verdict(r: VerifyReport): string {
  if (r.spikesDiffering > 0) return "FAILED, spikes differ";
  if (r.gates && !r.gates.ok) return "FAILED, the compiled model departs from the float model";
  return r.ok ? "OK, equivalent" : "FAILED";
}

/** Human-readable summary: a header, one line per layer, and the first divergences. */
export function formatVerifyReport(r: VerifyReport): string[] {
  const num = (v: number | null) => (v === null ? "n/a" : v === 0 ? "0" : v.toPrecision(3));
  const lines = [
    `verify --target ${r.target}: ${verdict(r)}`,
    `  layers ${r.layers}, neurons ${r.neurons}, steps ${r.steps}, samples ${r.samples}`,
    `  spikes compared ${r.spikesCompared}, spikes differing ${r.spikesDiffering}, smallest margin ${num(r.minMargin)}` +
      (r.nearTies
        ? `, ${r.nearTies} decision${r.nearTies > 1 ? "s" : ""} within ${r.nearTieTolerance} of the threshold`
        : ""),
  ];
  if (r.readoutMaxAbsDiff !== null) lines.push(`  readout max |Δ| ${num(r.readoutMaxAbsDiff)}`);
  const w = Math.max(5, ...r.perLayer.map((l) => l.layer.length));
  for (const l of r.perLayer) {
    lines.push(
      `  ${l.layer.padEnd(w)}  neurons ${String(l.neurons).padStart(6)}  spikes ${String(l.refSpikes).padStart(8)}  differing ${String(l.spikesDiffering).padStart(6)}  min margin ${num(l.minMargin)}` +
        (l.latency ? `  latency ${l.latency}` : ""),
    );
  }
  if (r.gates) {
    const g = r.gates;
    lines.push(
      `  gates: spike agreement ${pct(g.spikeAgreement)} (min ${pct(g.minSpikeAgreement)}), readout argmax ${g.argmaxAgreement === null ? "n/a" : pct(g.argmaxAgreement)}${g.argmaxTies ? ` and ${tiesText(g.argmaxTies)}` : ""} (min ${pct(g.minArgmaxAgreement)})` +
        (g.weakestLayer ? `, lowest layer '${g.weakestLayer.layer}' ${pct(g.weakestLayer.agreement)}` : ""),
    );
    for (const f of g.failures) lines.push(`  FAILED: ${f}`);
  }
  if (r.notes?.length) {
    lines.push("  notes:");
    for (const n of r.notes) lines.push(`    ${n}`);
  }
  if (r.divergences.length) {
    lines.push(`  first divergences (of ${r.spikesDiffering}):`);
    for (const d of r.divergences) {
      lines.push(
        `    sample ${d.sample} layer '${d.layer}' neuron ${d.neuron} step ${d.step}: reference ${d.ref}, compiled ${d.got}, margin ${num(d.margin)}${d.nearTie ? " (near-tie)" : ""}`,
      );
    }
  }
  return lines;
}
