/**
 * The synaptic form → the integer model, step by step: the input's encoding (input-encoding.ts);
 * then per population, in order, its scale (scales.ts), weights, bias and decays
 * (weights-biases.ts), the bounds its integers keep (bounds.ts) and its state offset
 * (state-offsets.ts); then the pulse neurons the offsets read. Each population resets its state
 * at step depth + 1, the first step its input carries the model's step 1 (Lava's LIFReset), so the
 * bias of the warm-up steps leaves nothing behind; readouts decode as v / (64g).
 */
import { floatArray, size } from "../../ir/tensor.ts";
import type { TargetSpec } from "../../target/target.ts";
import { LAVA, type FixedModel, type FixedPopulation } from "../model/integer-model.ts";
import { roundHalfAway } from "../model/rounding.ts";
import { checkBounds } from "./bounds.ts";
import { analogInputNote, balanceAnalogInput, fixedInput } from "./input-encoding.ts";
import type { QuantContext } from "./quantize-context.ts";
import type {
  ConnectionQuant,
  OffsetQuant,
  PopulationQuant,
  QuantizeOptions,
  QuantizeResult,
} from "./quantize-types.ts";
import { gainStageIntegers, gatedShift, type GainStageQuant } from "./gain-stage.ts";
import { atrlifIntegerRange, contextSources } from "./atrlif-range.ts";
import { chooseScale, type Limit } from "./scales.ts";
import { splitScales } from "./split-scales.ts";
import { offsetIntegers, pulsePopulations } from "./state-offsets.ts";
import type { RealConnection, RealPopulation, SynapticForm } from "./synaptic-form.ts";
import { decays, quantizeBias, quantizeConnection } from "./weights-biases.ts";

/** One population's integers: its connections go into ctx; the population, its report line and its state offset come back. */
function quantizePopulation(
  ctx: QuantContext,
  p: RealPopulation,
  all: RealConnection[],
  cap?: Limit,
): PopulationResult {
  const A = ctx.t.arithmetic;
  const n = size(p.shape);
  const conns = all.filter((c) => c.port !== "gain");
  const gains = all.filter((c) => c.port === "gain");
  const { g, vth, limitedBy, warning } = chooseScale(ctx, p, all, undefined, cap);
  if (warning) ctx.warnings.push(warning);
  const cstats: ConnectionQuant[] = [];
  // a gain stage's shift s: its gated synapses at scale g·2^s (gain-stage.ts)
  const shift = gains.length
    ? gatedShift(
        ctx,
        p,
        conns.filter((c) => c.port === "gated"),
        g,
      )
    : 0;
  for (const c of conns) {
    const q = quantizeConnection(ctx, p, c, c.port === "gated" ? g * 2 ** shift : g);
    if (c.port) q.connection.port = c.port;
    ctx.connections.push(q.connection);
    cstats.push(q.stats);
  }
  const gain = gains.length ? gainStageIntegers(ctx, p, gains, cstats, shift) : undefined;
  const bias = quantizeBias(ctx, p, g);
  const { du, dv } = decays(ctx, p);
  const population: FixedPopulation = {
    id: p.id,
    kind: p.kind,
    shape: p.shape,
    du,
    dv,
    vth,
    biasMant: bias.biasMant,
    biasExp: bias.biasExp,
    depth: p.depth,
    resetInterval: ctx.runSteps,
    resetOffset: p.depth + 1,
    vScale: floatArray(n).fill(2 ** A.activationShift * g),
    source: p.source ?? p.id,
    ...(p.readout ? { readout: p.readout } : {}),
    ...kindFields(ctx, p, g, dv),
    ...(gain ? { gainStage: { exp: gain.exp } } : {}),
  };
  const tauQ = 1 - dv / 2 ** A.decayBits;
  // an ATRLIF's ranges come from its exact walk (quantizeAtrlif)
  const { aMax, aMin } =
    p.kind === "atrlif"
      ? { aMax: 0, aMin: 0 }
      : checkBounds(ctx, population, n, tauQ, gain ? gain.aMax / 2 ** gain.exp : undefined);
  const offset = p.v0 || p.selfWeight || p.silence ? offsetIntegers(ctx, p, population, cstats) : undefined;
  const stats: PopulationQuant = {
    id: p.id,
    kind: p.kind,
    neurons: n,
    depth: p.depth,
    g,
    vth,
    du,
    dv,
    tauQ,
    tau: p.decay,
    biasExp: bias.biasExp,
    biasMaxAbsErr: bias.maxAbsErr,
    limitedBy,
    connections: cstats,
    aMax,
    aMin,
  };
  return { population, stats, offset, gain };
}

type PopulationResult = {
  population: FixedPopulation;
  stats: PopulationQuant;
  offset?: OffsetQuant;
  gain?: GainStageQuant;
};

/**
 * An ATRLIF population (docs/LOIHI-SEEDS.md §1, "Ranges"): quantised at the g its real walk allows,
 * then its integers walked exactly (atrlif-range.ts). Rounding can carry a range a little past its
 * bound; then it is quantised again at a smaller g (fewer theta_0 levels each time) until none is
 * broken. What is still broken at theta_0 = 1 is a warning.
 */
function quantizeAtrlif(ctx: QuantContext, p: RealPopulation, all: RealConnection[]): PopulationResult {
  const sources = contextSources(ctx);
  let cap: Limit | undefined;
  for (;;) {
    const [conns, warnings] = [ctx.connections.length, ctx.warnings.length];
    const q = quantizePopulation(ctx, p, all, cap);
    const into = ctx.connections.filter((c) => c.to === p.id);
    const r = atrlifIntegerRange(q.population, into, ctx.runSteps, sources);
    const finite = p.threshold > 0 && Number.isFinite(p.threshold);
    if (!r.problems.length || !finite || q.population.vth <= 1) {
      q.stats.aMax = r.aHi;
      q.stats.aMin = r.aLo;
      for (const x of r.problems) ctx.warnings.push(`layer '${p.id}': for some input ${x}`);
      return q;
    }
    ctx.connections.length = conns;
    ctx.warnings.length = warnings;
    const g = Math.min(q.stats.g * r.headroom, (q.population.vth - 0.5) / p.threshold);
    cap = [`${r.tightest} (after rounding)`, g];
  }
}

/** An integer threshold in voltage units: spike iff v > it, for h > θ (gt) or h ≥ θ (ge); ±∞ beyond ±(2^23 − 1). */
export function voltageThreshold(theta: number, vScale: number, fire: "gt" | "ge"): number {
  if (theta === Infinity) return 2 ** 23;
  if (theta === -Infinity) return -(2 ** 23);
  const x = theta * vScale;
  const t = fire === "gt" ? Math.floor(x) : Math.ceil(x) - 1;
  return Math.max(-(2 ** 23), Math.min(2 ** 23, t));
}

/** The fields of the ATRLIF and multi-threshold kinds (docs/LOIHI-SEEDS.md §1, §3). */
function kindFields(ctx: QuantContext, p: RealPopulation, g: number, dv: number): Partial<FixedPopulation> {
  const vs = 2 ** ctx.t.arithmetic.activationShift * g;
  if (p.kind === "atrlif") {
    const v0 = roundHalfAway((p.resetV ?? 0) * vs);
    return { dr: dv, ...(v0 ? { v0: new Int32Array(size(p.shape)).fill(v0) } : {}) };
  }
  if (p.kind !== "multi-threshold") return {};
  const out: Partial<FixedPopulation> = {
    thresholds: p.thresholds!.map((t) => Int32Array.from(t, (x) => voltageThreshold(x, vs, p.fire))),
  };
  const v = (r: number) => Math.max(-LAVA.vMax, Math.min(LAVA.vMax, roundHalfAway(r * vs)));
  if (p.resetAmount) out.resetAmount = Int32Array.from(p.resetAmount, v);
  if (p.resetValue) out.resetValue = Int32Array.from(p.resetValue, v);
  return out;
}

/** The report's closing notes: how state offsets run, and the pipeline latency. */
function closingNotes(ctx: QuantContext, offsets: OffsetQuant[], pulses: FixedPopulation[]): void {
  const { runSteps, T } = ctx;
  const shifted = offsets.filter((o) => o.init || o.self);
  if (shifted.length) {
    ctx.notes.push(
      `state offsets: ${shifted.map((o) => `'${o.id}'`).join(", ")}: the initial state arrives from a pulse neuron one step after the warm-up; a self-recurrent synapse adds the reset value one step after each spike, and an inhibition from a pulse at the last warm-up step keeps warm-up spikes out of it (pulses: ${pulses.map((q) => `'${q.id}' at step ${q.phase === 0 ? runSteps : q.phase}`).join(", ")})`,
    );
  }
  const silent = offsets.filter((o) => o.silence);
  if (silent.length) {
    ctx.notes.push(
      `warm-up silence: ${silent.map((o) => `'${o.id}' (${o.silence} step${o.silence === 1 ? "" : "s"})`).join(", ")}: read one or more steps late (a recurrent edge or a delay), so its last warm-up steps would reach its readers' first aligned steps; an inhibition from pulse neurons keeps them silent`,
    );
  }
  const depth = ctx.sf.maxDepth;
  if (depth > 0)
    ctx.notes.push(
      `pipeline latency: the deepest layer is ${depth} synaptic steps from the input: run ${runSteps} steps (T = ${T} + ${depth}) for one sample`,
    );
}

export function quantizeSynapticForm(
  sf: SynapticForm,
  t: TargetSpec,
  meta: { name: string; timesteps: number; encoding: "direct" | "spikes" },
  opts: QuantizeOptions,
): QuantizeResult {
  const notes: string[] = [];
  const ctx: QuantContext = {
    sf,
    t,
    opts,
    T: meta.timesteps,
    runSteps: meta.timesteps + sf.maxDepth,
    input: fixedInput(sf, t, meta.encoding, opts, notes),
    connections: [],
    warnings: [],
    notes,
  };
  const split = splitScales(ctx, sf);
  ctx.sf = split.sf;
  const incoming = new Map<string, RealConnection[]>(ctx.sf.populations.map((p) => [p.id, []]));
  for (const c of ctx.sf.connections) incoming.get(c.to)!.push(c);
  balanceAnalogInput(ctx, incoming);
  analogInputNote(ctx);
  const populations: FixedPopulation[] = [];
  const stats: PopulationQuant[] = [];
  const offsets: OffsetQuant[] = [];
  const gains: GainStageQuant[] = [];
  for (const p of ctx.sf.populations) {
    const q = (p.kind === "atrlif" ? quantizeAtrlif : quantizePopulation)(ctx, p, incoming.get(p.id)!);
    populations.push(q.population);
    stats.push(q.stats);
    if (q.offset) offsets.push(q.offset);
    if (q.gain) gains.push(q.gain);
  }
  // pulses (the ones some connection reads) first: they read nothing and offset populations read them
  const pulses = pulsePopulations(ctx);
  populations.unshift(...pulses.populations);
  stats.unshift(...pulses.stats);
  const model: FixedModel = {
    name: meta.name,
    target: t.name,
    timesteps: ctx.T,
    runSteps: ctx.runSteps,
    input: ctx.input,
    populations,
    connections: ctx.connections,
    outputs: ctx.sf.outputs,
  };
  closingNotes(ctx, offsets, pulses.populations);
  return {
    model,
    populations: stats,
    warnings: ctx.warnings,
    notes,
    offsets,
    gains,
    splits: split.splits,
    realConnections: ctx.sf.connections,
  };
}
