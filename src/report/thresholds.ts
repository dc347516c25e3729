/**
 * The report's threshold histograms: every neuron's compare threshold at each stage of a compile
 * (the model as written, after the exact folds, after the target's lowerings), as distinct values
 * with the number of neurons holding each. ±∞ thresholds (neurons that never or always fire) are
 * counted apart: a histogram has no place for them.
 */
import type { Graph, NeuronNode } from "../ir/nodes.ts";
import { inferShapes } from "../ir/shapes.ts";
import { broadcastTo } from "../ir/tensor.ts";
import { round6, type ReportData } from "./report-data.ts";

type Thresholds = ReportData["thresholds"];

/** The thresholds of every neuron layer of each (stage name, graph), in stage and layer order. */
export function thresholdStages(stages: readonly { stage: string; graph: Graph }[]): Thresholds {
  const out: Thresholds = { stages: stages.map((s) => s.stage), values: [], nonFinite: [] };
  for (const { stage, graph } of stages) {
    const g = graph.nodes.every((n) => n.shape) ? graph : inferShapes(graph);
    for (const n of g.nodes) {
      if (n.op !== "neuron") continue;
      const counts = new Map<number, number>();
      for (const v of broadcastTo((n as NeuronNode).threshold, n.shape!)) {
        const k = Number.isFinite(v) ? round6(v) : v;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      for (const [theta, count] of [...counts].sort((a, b) => a[0] - b[0])) {
        if (Number.isFinite(theta)) out.values.push({ stage, layer: n.id, theta, count });
        else out.nonFinite.push({ stage, layer: n.id, value: theta > 0 ? "+inf" : "-inf", count });
      }
    }
  }
  return out;
}
