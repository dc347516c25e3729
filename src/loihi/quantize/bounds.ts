/**
 * Bounds on a population's integers after rounding. The exact per-neuron sums of its positive and
 * negative weights (at the sources' largest payloads) bound one step's input a (with a gain stage,
 * step by step: each pulse and gain at its own step, atrlif-range.ts); the report warns,
 * with the layer and the bound, wherever u could wrap, a conv sum could wrap at 24 bit, v could
 * saturate within the run, or a readout could reach its threshold.
 */
import { LAVA, type FixedConnection, type FixedPopulation } from "../model/integer-model.ts";
import { payloadMax, type QuantContext } from "./quantize-context.ts";
import { contextSources, stepInputRange } from "./atrlif-range.ts";
import { largestAbs, maxOf, minOf, rowSumsOver } from "./row-sums.ts";

/** Exact per-neuron Σ positive / negative of w_int·2^e·payload_max over these connections. */
function integerRowSums(ctx: QuantContext, conns: FixedConnection[], n: number) {
  return rowSumsOver(conns, n, (c) => payloadMax(ctx, c.from) * 2 ** c.weightExp);
}

/** One step's input range [aMin, aMax] of fp (integer units), with warnings into ctx where it breaks a bound. */
export function checkBounds(
  ctx: QuantContext,
  fp: FixedPopulation,
  n: number,
  tauQ: number,
  gainFactor?: number,
): { aMax: number; aMin: number } {
  const A = ctx.t.arithmetic;
  const T = ctx.T;
  // a gain stage: its gain port carries no current, its gated current arrives × A_t / 2^E
  const incoming = ctx.connections.filter((c) => c.to === fp.id && c.port !== "gain");
  const gainOf = (c: FixedConnection) => (c.port === "gated" ? (gainFactor ?? 1) : 1);
  // a conv's own sums (without a gain) bound its 24-bit accumulator: kept from the total where they are the same
  const convMax = new Map<FixedConnection, number>();
  const qa = rowSumsOver(
    incoming,
    n,
    (c) => gainOf(c) * payloadMax(ctx, c.from) * 2 ** c.weightExp,
    (c, r) => {
      if (c.synapse.kind === "conv" && gainOf(c) === 1) convMax.set(c, largestAbs(r));
    },
  );
  let aMax = maxOf(qa.pos);
  let aMin = minOf(qa.neg);
  if (fp.gainStage) {
    // a gain stage: each step's gain and bias pulse at their own step (atrlif-range.ts), not all at once
    const into = ctx.connections.filter((c) => c.to === fp.id);
    ({ aLo: aMin, aHi: aMax } = stepInputRange(fp, into, ctx.runSteps, contextSources(ctx)));
  }
  const act = 2 ** A.activationShift;
  // a synaptic current (du < 4095) keeps f of u a step: u gathers up to a·64 / (1 − f)
  const f = (LAVA.decayUnity - (fp.du + 1)) / LAVA.decayUnity;
  if (f > 0 && (act * Math.max(aMax, -aMin)) / (1 - f) > LAVA.uWrap) {
    ctx.warnings.push(
      `layer '${fp.id}': u could wrap: its synaptic current can gather |a|·64 / (1 − f) = ${Math.round((act * Math.max(aMax, -aMin)) / (1 - f))} > 2^23 = ${LAVA.uWrap} when all its inputs keep spiking`,
    );
  } else if (act * Math.max(aMax, -aMin) > LAVA.uWrap) {
    ctx.warnings.push(
      `layer '${fp.id}': u could wrap: one step's input reaches |a|·64 = ${act * Math.max(aMax, -aMin)} > 2^23 = ${LAVA.uWrap} when all its inputs spike`,
    );
  }
  for (const c of incoming.filter((x) => x.synapse.kind === "conv")) {
    const m = convMax.get(c) ?? largestAbs(integerRowSums(ctx, [c], n));
    if (m >= 2 ** 23)
      ctx.warnings.push(`layer '${fp.id}': the conv sum of '${c.id}' could wrap at 24 bit (up to ${m})`);
  }
  let bLo = 0;
  let bHi = 0;
  for (let i = 0; i < n; i++) {
    const b = fp.biasMant[i]! * 2 ** fp.biasExp;
    bLo = Math.min(bLo, b);
    bHi = Math.max(bHi, b);
  }
  if (fp.kind !== "integrator") {
    const stepNeg = (act * aMin) / (1 - f) + bLo;
    const leakBound = tauQ < 1 ? -stepNeg / (1 - tauQ) : Infinity;
    const vNeg = Math.min(-stepNeg * T, leakBound);
    if (vNeg > LAVA.vMax)
      ctx.warnings.push(
        `layer '${fp.id}': v could saturate at −(2^23 − 1) within ${T} steps: it can fall to −${Math.round(vNeg)}`,
      );
  } else {
    const vAbs = T * (act * Math.max(aMax, -aMin) + Math.max(bHi, -bLo));
    if (vAbs > fp.vth * 2 ** A.vthShift)
      ctx.warnings.push(
        `layer '${fp.id}': the readout integrator could reach ±${Math.round(vAbs)} within ${T} steps, beyond its threshold ${fp.vth * 2 ** A.vthShift} (it would fire and reset)`,
      );
  }
  return { aMax, aMin };
}
