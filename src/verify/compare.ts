/**
 * Spike-by-spike comparison of two runs of the same network (a reference and a compiled model),
 * independent of the target. Layers are matched by id (or through `layerMap`); a compiled model
 * whose hardware delays each layer is compared after shifting it by `latency` steps.
 *
 * Every (layer, neuron, step) output of the reference is one compared slot; a slot differs when
 * the compiled output (a spike, or the s_sum count of an MT layer) is not exactly equal.
 */
import { SnncError } from "../ir/errors.ts";
import type { NodeTrace, RunResult } from "../sim/reference.ts";

/**
 * A reference decision whose compare margin |m(h) − θ| is below this is a near-tie: float
 * rounding in a folded model may flip it. Counted and flagged in reports, never hidden.
 */
export const NEAR_TIE = 1e-9;

type Lookup<T> = ReadonlyMap<string, T> | Readonly<Record<string, T>>;

function look<T>(m: Lookup<T> | undefined, k: string): T | undefined {
  if (!m) return undefined;
  return m instanceof Map ? m.get(k) : (m as Record<string, T>)[k];
}

export interface CompareOptions {
  /** Reference layer id → compiled layer id (default: the same id). Also used for readouts. */
  layerMap?: Lookup<string>;
  /** Steps by which the compiled output lags the reference: one number, or per reference layer id. */
  latency?: number | Lookup<number>;
  /** Which reference layers to compare (default: every neuron layer of the reference run). */
  layers?: readonly string[];
  /** How many divergences to keep, earliest first (default 10). */
  maxDivergences?: number;
  /** Sample index written into the divergence records. */
  sample?: number;
}

export interface Divergence {
  sample: number;
  layer: string;
  /** Flat (row-major, the layer's own layout) neuron index. */
  neuron: number;
  /** 0-based reference step. */
  step: number;
  ref: number;
  got: number;
  /** The reference's compare margin at that slot (null when not recorded or not finite). */
  margin: number | null;
  /** True when |margin| < NEAR_TIE. */
  nearTie: boolean;
}

/** Slots compared and differing, and the spikes (or s_sum counts) each side gave in them. */
export interface SlotTally {
  spikesCompared: number;
  spikesDiffering: number;
  refSpikes: number;
  gotSpikes: number;
}

/** Count one step of a layer (`ref` against `got`, slot by slot) into `row`; `onDiffer` hears each differing slot. */
export function tallyStep(
  row: SlotTally,
  ref: ArrayLike<number>,
  got: ArrayLike<number>,
  onDiffer?: (neuron: number, ref: number, got: number) => void,
): void {
  row.spikesCompared += ref.length;
  for (let i = 0; i < ref.length; i++) {
    const a = ref[i]!;
    const b = got[i]!;
    row.refSpikes += a;
    row.gotSpikes += b;
    if (a !== b) {
      row.spikesDiffering++;
      onDiffer?.(i, a, b);
    }
  }
}

export interface LayerComparison extends SlotTally {
  layer: string;
  compiledLayer: string;
  neurons: number;
  steps: number;
  latency: number;
  /** Smallest finite reference margin in this layer (null if none recorded). */
  minMargin: number | null;
  nearTies: number;
}

export interface TraceComparison {
  steps: number;
  layers: LayerComparison[];
  spikesCompared: number;
  spikesDiffering: number;
  minMargin: number | null;
  nearTies: number;
  /** The earliest divergences (step-major, then layer order, then neuron), at most maxDivergences. */
  divergences: Divergence[];
  /** Largest |ref − compiled| over all readout values (null when the model has no readout). */
  readoutMaxAbsDiff: number | null;
}

export function compareTraces(ref: RunResult, cmp: RunResult, opts: CompareOptions = {}): TraceComparison {
  const maxDiv = opts.maxDivergences ?? 10;
  const sample = opts.sample ?? 0;
  const ids = opts.layers ?? [...ref.traces.values()].filter((t) => t.op === "neuron").map((t) => t.id);
  const T = ref.timesteps;
  const pairs: { r: NodeTrace; c: NodeTrace; lat: number; row: LayerComparison }[] = [];
  for (const id of ids) {
    const r = ref.traces.get(id);
    if (!r) throw new SnncError("E_USAGE", `the reference run has no layer '${id}'`);
    const cid = look(opts.layerMap, id) ?? id;
    const c = cmp.traces.get(cid);
    if (!c)
      throw new SnncError(
        "E_TARGET",
        `the compiled model has no layer '${cid}' to compare with reference layer '${id}' (a pass dropped or renamed it without a layer map)`,
        { layer: id },
      );
    const n = r.out[0]?.length ?? 0;
    const cn = c.out[0]?.length ?? 0;
    if (n !== cn)
      throw new SnncError("E_TARGET", `compiled layer '${cid}' has ${cn} neurons, the reference has ${n}`, {
        layer: id,
      });
    const lat = typeof opts.latency === "number" ? opts.latency : (look(opts.latency, id) ?? 0);
    if (c.out.length < T + lat) {
      throw new SnncError(
        "E_USAGE",
        `compiled layer '${cid}' ran ${c.out.length} steps; comparing ${T} reference steps at latency ${lat} needs ${T + lat}`,
        { layer: id },
      );
    }
    pairs.push({
      r,
      c,
      lat,
      row: {
        layer: id,
        compiledLayer: cid,
        neurons: n,
        steps: T,
        latency: lat,
        spikesCompared: 0,
        spikesDiffering: 0,
        refSpikes: 0,
        gotSpikes: 0,
        minMargin: null,
        nearTies: 0,
      },
    });
  }
  const divergences: Divergence[] = [];
  for (let t = 0; t < T; t++) {
    for (const { r, c, lat, row } of pairs) {
      const ro = r.out[t]!;
      const co = c.out[t + lat]!;
      const mg = r.margin?.[t];
      if (mg) {
        for (let i = 0; i < ro.length; i++) {
          const m = mg[i]!;
          if (!Number.isFinite(m)) continue;
          if (row.minMargin === null || m < row.minMargin) row.minMargin = m;
          if (m < NEAR_TIE) row.nearTies++;
        }
      }
      tallyStep(row, ro, co, (i, a, b) => {
        if (divergences.length >= maxDiv) return;
        const m = mg ? mg[i]! : NaN;
        const finite = Number.isFinite(m);
        divergences.push({
          sample,
          layer: row.layer,
          neuron: i,
          step: t,
          ref: a,
          got: b,
          margin: finite ? m : null,
          nearTie: finite && m < NEAR_TIE,
        });
      });
    }
  }
  let readoutMaxAbsDiff: number | null = null;
  for (const [id, rv] of ref.readouts) {
    const cv = cmp.readouts.get(look(opts.layerMap, id) ?? id);
    if (!cv)
      throw new SnncError("E_TARGET", `the compiled model has no readout '${look(opts.layerMap, id) ?? id}'`, {
        layer: id,
      });
    if (cv.length !== rv.length)
      throw new SnncError("E_TARGET", `compiled readout has ${cv.length} values, the reference has ${rv.length}`, {
        layer: id,
      });
    let d: number = readoutMaxAbsDiff ?? 0;
    for (let i = 0; i < rv.length; i++) {
      const x = Math.abs(rv[i]! - cv[i]!);
      if (!(x <= d)) d = x; // NaN propagates as "larger"
    }
    readoutMaxAbsDiff = d;
  }
  const layers = pairs.map((p) => p.row);
  return {
    steps: T,
    layers,
    spikesCompared: sum(layers, (l) => l.spikesCompared),
    spikesDiffering: sum(layers, (l) => l.spikesDiffering),
    minMargin: minOf(layers.map((l) => l.minMargin)),
    nearTies: sum(layers, (l) => l.nearTies),
    divergences,
    readoutMaxAbsDiff,
  };
}

export function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  let s = 0;
  for (const x of xs) s += f(x);
  return s;
}

export function minOf(xs: readonly (number | null)[]): number | null {
  let m: number | null = null;
  for (const x of xs) if (x !== null && (m === null || x < m)) m = x;
  return m;
}
