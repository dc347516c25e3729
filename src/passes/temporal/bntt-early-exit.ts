/**
 * bntt-early-exit: BNTT's temporal early exit (BNTT §3.4). BNTT's γ_t controls how much layer l
 * can fire at step t (Eq. 16: the effective threshold is θ·sqrt(σ_t²+ε)/γ_t), so once every BNTT
 * layer's mean γ_t stays below a threshold the later steps hardly contribute. With
 * γ̄_l(t) = mean over channels of γ_t in layer l, the exit step is the earliest step t such that
 * γ̄_l(t') < threshold for every BNTT layer l and every later step t' = t+1..T (BNTT Fig. 3: "lower
 * than threshold 0.1 after t > 20, therefore the exit time is t = 20"). It is at least 1, and T
 * when the last step is not below the threshold in every layer.
 *
 * The pass cuts the model's T (meta.timesteps) to the exit step. Every per-step parameter is kept
 * as it is: a run of fewer steps uses the first T entries (SEMANTICS §2). It reads the γ table
 * from the BNTT nodes, so it runs before schedule-temporal-norm / approx-temporal-norm. Without
 * the option (`earlyExit` absent) it does nothing.
 */
import { SnncError } from "../../ir/errors.ts";
import type { BNTTNode, Graph } from "../../ir/nodes.ts";
import { inferShapes } from "../../ir/shapes.ts";
import type { Pass } from "../pass.ts";
import { fmt } from "../support/rewrite.ts";

export interface GammaRow {
  layer: string;
  /** γ̄(t), t = 1..T (index t−1). */
  meanGamma: number[];
}

export interface EarlyExit {
  threshold: number;
  originalT: number;
  exitStep: number;
  layers: GammaRow[];
}

/** Mean γ_t over channels of every BNTT layer, for the first `T` steps. */
export function bnttGammaTable(g: Graph, T = g.meta.timesteps): GammaRow[] {
  return g.nodes
    .filter((n): n is BNTTNode => n.op === "bntt")
    .map((n) => {
      const C = n.gamma.shape[1]!;
      const meanGamma: number[] = [];
      for (let t = 0; t < Math.min(T, n.timesteps); t++) {
        let s = 0;
        for (let c = 0; c < C; c++) s += n.gamma.data[t * C + c]!;
        meanGamma.push(s / C);
      }
      return { layer: n.id, meanGamma };
    });
}

/** The exit step (1-based) for a γ table over T steps (see the file comment). */
export function earlyExitStep(rows: readonly GammaRow[], threshold: number, T: number): number {
  const below = (t: number) => rows.every((r) => r.meanGamma[t - 1]! < threshold);
  let exit = T;
  while (exit > 1 && below(exit)) exit--;
  return exit;
}

/** The early-exit analysis of a graph (no rewrite). */
export function bnttEarlyExit(g: Graph, threshold: number): EarlyExit {
  if (typeof threshold !== "number" || !Number.isFinite(threshold)) {
    throw new SnncError("E_USAGE", `--early-exit needs a finite γ threshold, got ${String(threshold)}`);
  }
  const T = g.meta.timesteps;
  const layers = bnttGammaTable(g, T);
  if (layers.length === 0) {
    throw new SnncError(
      "E_USAGE",
      `--early-exit ${threshold}: BNTT early exit reads the γ_t of BNTT layers, and this model has none`,
    );
  }
  for (const r of layers) {
    if (r.meanGamma.length < T) {
      throw new SnncError("E_VALUE", `BNTT holds ${r.meanGamma.length} steps but the model runs ${T}`, {
        layer: r.layer,
        param: "timesteps",
      });
    }
  }
  return { threshold, originalT: T, exitStep: earlyExitStep(layers, threshold, T), layers };
}

/** Report lines: the decision and the per-layer mean γ table. */
export function formatEarlyExit(e: EarlyExit): string[] {
  const cut =
    e.exitStep < e.originalT
      ? `T cut from ${e.originalT} to ${e.exitStep}`
      : `no step can be cut (T stays ${e.originalT})`;
  const lines = [
    `BNTT early exit at γ threshold ${fmt(e.threshold)}: exit step ${e.exitStep} of ${e.originalT}, ${cut}`,
  ];
  const w = Math.max(5, ...e.layers.map((r) => r.layer.length));
  const cells = e.layers.map((r) => r.meanGamma.map((v) => fmt(Number(v.toPrecision(4)))));
  const cw = 2 + Math.max(`t=${e.originalT}`.length, ...cells.flat().map((c) => c.length));
  lines.push(
    `  ${"layer".padEnd(w)}${Array.from({ length: e.originalT }, (_, t) => `t=${t + 1}`.padStart(cw)).join("")}   (mean γ_t over channels)`,
  );
  e.layers.forEach((r, i) => {
    lines.push(`  ${r.layer.padEnd(w)}${cells[i]!.map((c) => c.padStart(cw)).join("")}`);
  });
  return lines;
}

export const bnttEarlyExitPass: Pass = {
  name: "bntt-early-exit",
  description:
    "BNTT early exit (--early-exit <γ>): cut T to the earliest step after which every BNTT layer's mean γ_t stays below the threshold",
  requires: "BNTT nodes still present (runs before schedule-temporal-norm / approx-temporal-norm)",
  guarantees: "meta.timesteps = the exit step (≤ T); parameters unchanged",
  run(g0, opts) {
    const thr = opts.earlyExit;
    if (thr === undefined || thr === null) return { graph: g0, notes: [] };
    const g = inferShapes(g0);
    const e = bnttEarlyExit(g, thr as number);
    return { graph: { ...g, meta: { ...g.meta, timesteps: e.exitStep } }, notes: formatEarlyExit(e) };
  },
};
