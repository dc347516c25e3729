/**
 * The report's quantisation error per synapse group and population: the quantiser's own figures
 * (largest weight error, clipped weights, bias error) and the relative RMS error of the weights,
 * ‖ŵ − w‖₂ / ‖w‖₂ with ŵ = w_int·k/g the real weight the integers stand for (k = the source's
 * payload scale · 2^weightExp, g the target population's scale; see src/loihi/quantize/).
 */
import type { LoihiBuild } from "../loihi/build.ts";
import { round6, type ReportData } from "./report-data.ts";

type Quantisation = ReportData["quantisation"];

/** ‖ŵ − w‖₂ / ‖w‖₂ and max |ŵ − w| / max |w| of real weights w and their integers q at ŵ = q·k/g. */
export function weightErrors(
  w: ArrayLike<number>,
  q: ArrayLike<number>,
  k: number,
  g: number,
): { rms: number; max: number } {
  let se = 0;
  let sw = 0;
  let eMax = 0;
  let wMax = 0;
  for (let i = 0; i < w.length; i++) {
    const e = (q[i]! * k) / g - w[i]!;
    se += e * e;
    sw += w[i]! * w[i]!;
    eMax = Math.max(eMax, Math.abs(e));
    wMax = Math.max(wMax, Math.abs(w[i]!));
  }
  return { rms: sw > 0 ? Math.sqrt(se / sw) : 0, max: wMax > 0 ? eMax / wMax : 0 };
}

function weightsOf(s: { kind: string; weights?: ArrayLike<number>; kernel?: ArrayLike<number> }): ArrayLike<number> {
  return s.kind === "conv" ? s.kernel! : s.weights!;
}

/**
 * ‖ŵ − w‖₂ / ‖w‖₂ and max |ŵ − w| / max |w| of every synapse group whose integers stand for real
 * weights (not a gain stage's per-step gains), by id.
 */
export function reconstructionErrors(b: LoihiBuild): Map<string, { rms: number; max: number }> {
  const m = b.quant.model;
  const real = new Map(b.quant.synaptic.connections.map((c) => [c.id, c] as const));
  const ints = new Map(m.connections.map((c) => [c.id, c] as const));
  const out = new Map<string, { rms: number; max: number }>();
  for (const p of b.quant.populations) {
    if (!(p.g > 0)) continue;
    for (const c of p.connections) {
      const r = real.get(c.id);
      const fixed = ints.get(c.id);
      if (!r || !fixed || r.port === "gain") continue;
      const w = weightsOf(r.synapse);
      const wi = weightsOf(fixed.synapse);
      if (w.length !== wi.length) continue;
      const k = (fixed.from === m.input.id ? m.input.scale : 1) * 2 ** fixed.weightExp;
      out.set(c.id, weightErrors(w, wi, k, p.g));
    }
  }
  return out;
}

/** Quantisation figures of a Loihi build, per synapse group (in the quantiser's order) and per population. */
export function quantisationErrors(b: LoihiBuild): Quantisation {
  const errors = reconstructionErrors(b);
  const pulses = new Set(b.quant.model.populations.filter((p) => p.kind === "pulse").map((p) => p.id));
  const connections: Quantisation["connections"] = [];
  const populations: Quantisation["populations"] = [];
  for (const p of b.quant.populations) {
    if (p.kind === "pulse") continue;
    for (const c of p.connections) {
      const e = errors.get(c.id);
      connections.push({
        id: c.id,
        from: c.from,
        to: p.id,
        kind: c.kind,
        weightExp: c.weightExp,
        maxAbsInt: c.maxAbsInt,
        maxErr: round6(c.relErr),
        rmsErr: e ? round6(e.rms) : null,
        clipped: c.clipped,
        synapses: c.synapses,
        fromPulse: pulses.has(c.from),
      });
    }
    populations.push({
      id: p.id,
      kind: p.kind,
      neurons: p.neurons,
      g: round6(p.g),
      vth: p.vth,
      biasExp: p.biasExp,
      biasMaxAbsErr: round6(p.biasMaxAbsErr),
      tau: round6(p.tau),
      tauQ: round6(p.tauQ),
    });
  }
  return { connections, populations };
}
