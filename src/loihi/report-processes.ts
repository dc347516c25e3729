/**
 * The report's "Lava processes" section: which populations run on which Lava process beyond the
 * bit-accurate LIF (docs/LOIHI-SEEDS.md) — ATRLIF with its Reset processes (soft reset), the
 * ProdNeuron gain stages and their pulses (per-step norms), snnc's own MultiThresholdLIF (which
 * needs a neuron program of its own on the chip) — the layers split into copies of their own
 * scale (threshold precision), and the recurrent synapses and synaptic currents (docs/LOIHI-TARGET.md,
 * "Recurrence, delays and synaptic currents").
 */
import type { ReportSection } from "./emit/report-txt.ts";
import { table } from "./emit/report-txt.ts";
import type { LoihiBuild } from "./build.ts";
import { fmt } from "../passes/support/rewrite.ts";

export function processesSection(b: LoihiBuild): ReportSection {
  const m = b.quant.model;
  const lines: string[] = [];
  const atrlif = m.populations.filter((p) => p.kind === "atrlif");
  if (atrlif.length) {
    lines.push(
      "soft reset on lava.proc.atrlif ATRLIF (theta_step 0): fires on v − r ≥ theta_0 << 6, then r += 2·(theta_0 << 6); three lava.proc.io.reset Reset processes write i = 0, v = v0, r = 0 once a sample",
      ...table(
        ["population", "theta_0", "dv = dr", "v0 (after Reset)", "Reset at the end of step"],
        atrlif.map((p) => [p.id, p.vth, p.dv, p.v0?.[0] ?? 0, `${p.resetOffset - 1} (mod ${p.resetInterval})`]),
      ),
    );
  }
  if (b.quant.gains.length) {
    lines.push(
      "per-step gain stages: lava.proc.prodneuron ProdNeuron sends (current · A_t) >> E into the neuron in the same step; A_t and the step's bias come from the pulse of that step; the current's synapses are quantised at g·2^s (the shift gives a conv the exponent Lava's Conv ignores)",
      ...table(
        ["population", "steps", "E", "s", "largest |A_t|", "largest |current|", "gain error"],
        b.quant.gains.map((g) => [g.id, g.steps, g.exp, g.shift, g.aMax, g.cMax, `${fmt(100 * g.relErr)}%`]),
      ),
    );
  }
  const custom = m.populations.filter((p) => p.kind === "multi-threshold");
  if (custom.length) {
    lines.push(
      `snnc's own process MultiThresholdLIF (snnc_lava_processes.py: thresholds per neuron, graded s_sum): ${custom.map((p) => `'${p.id}' (${p.thresholds!.length} threshold${p.thresholds!.length === 1 ? "" : "s"}${p.resetAmount ? ", soft reset" : ""})`).join(", ")}`,
      "  these populations need a custom neuron program on the chip; Lava's CPU backend runs them from snnc_lava_processes.py",
    );
  }
  for (const s of b.quant.splits) {
    lines.push(
      `threshold precision: '${s.id}' split by ${s.by} into ${s.parts.map((q) => `'${q.id}' (${q.neurons} neurons)`).join(", ")}, each with its own scale: ${fmt(s.bitsBefore)} → ${fmt(s.bitsAfter)} bits lost per neuron to the shared scale (the copies' other neurons get no input and never fire)`,
    );
  }
  // from a population back to itself, to an earlier one, or between the copies of one split layer
  const order = new Map(m.populations.map((p, i) => [p.id, i] as const));
  const layer = new Map(m.populations.map((p) => [p.id, p.source] as const));
  const back = m.connections.filter(
    (c) =>
      c.synapse.kind !== "diagonal" &&
      order.has(c.from) &&
      (order.get(c.from)! >= order.get(c.to)! || layer.get(c.from) === layer.get(c.to)),
  );
  if (back.length) {
    lines.push(
      `recurrent synapses (a Dense, or a DelayDense, from a population back to itself or an earlier one; Lava delivers a spike one step later, plus the delay): ${back.map((c) => `'${c.id}' ${c.from} → ${c.to}${c.delay ? ` delay ${c.delay}` : ""}`).join(", ")}`,
    );
  }
  const currents = m.populations.filter((p) => p.kind === "lif" && p.du < 4095);
  if (currents.length) {
    lines.push(
      `synaptic currents in Lava's u (CubaLIF): ${currents.map((p) => `'${p.id}' du ${p.du} (u keeps ${fmt((4095 - p.du) / 4096)} a step)`).join(", ")}`,
    );
  }
  return { title: "Lava processes", lines };
}
