/**
 * The event-driven engine of the integer model: only the spikes that occurred are processed.
 * Every source emits a list of events (index, payload) per step into a ring of preallocated
 * typed arrays (as many steps as its longest outgoing delay needs); each connection scatters the
 * events it receives through its compiled synapse (event-synapses.ts: weight rows, single
 * weights, conv kernel slices placed by geometry). A connection's own post-processing (the
 * weight exponent, the int32 or 24-bit wrap) is applied to its per-step sum; when the step's
 * events cannot reach the wrap (largest payload × largest Σ|w| into one target below it) and the
 * exponent is 0 that post-processing is the identity, and the events go straight into the target.
 *
 * With direct encoding the input presents the same column at every step: a connection from the
 * input computes its contribution once per distinct column and adds it at every step the column
 * repeats. Neurons then take the same step as in the time-stepped engine (population-step.ts),
 * so the two must agree bit for bit on every spike, u and v.
 */
import { populationSize, type FixedConnection, type FixedModel, type Synapse } from "../model/integer-model.ts";
import type { StepInput } from "../../sim/reference.ts";
import {
  clearInputs,
  finishInputs,
  finishRun,
  portBuffer,
  prepareRun,
  recordStep,
  stepPopulation,
  weightExpShift,
  type FixedRun,
  type FixedRunOptions,
  type Prepared,
} from "./engine-common.ts";
import { eventSynapse, type EventSynapse } from "./event-synapses.ts";
import { fanOut } from "./fan-out.ts";
import { addWrapped24, wrap32, wrapSigned } from "./fixed-arith.ts";
import { type ConvKernel, convKernels } from "./wasm/conv-kernels.ts";

/** The events of one source at one step: indices and payloads of its nonzero outputs. */
interface Events {
  idx: Int32Array;
  val: Int32Array;
  count: number;
  /** Largest |payload| among them. */
  maxAbs: number;
}

const NO_EVENTS: Events = { idx: new Int32Array(0), val: new Int32Array(0), count: 0, maxAbs: 0 };

interface Source {
  /** ring[n % ring.length] = the events of step n. */
  ring: Events[];
}

interface Wired {
  c: FixedConnection;
  from: Source;
  dst: Float64Array;
  syn: EventSynapse;
  fan: Int32Array;
  conv: boolean;
  fromInput: boolean;
  /** The connection's own sum, when its post-processing is not the identity. */
  acc?: Float64Array;
  /** A conv synapse's SIMD kernel: its sums, wrapped to 24 bits, are added into the target. */
  simd?: ConvKernel;
  /** Input connections under direct encoding: the contribution of the last column seen. */
  cache?: { of: Events | null; contrib: Float64Array; synaptic: number };
}

const WRAP24 = 2 ** 23;
const WRAP32 = 2 ** 31;

/**
 * Events of a dense vector into `ev` (its arrays hold the vector's length). Every entry is written
 * at the next free place, which moves on only past one that is not 0: no branch on the value
 * (spikes are random: it would mispredict).
 */
function fillEvents(x: ArrayLike<number>, ev: Events): Events {
  let k = 0;
  let m = 0;
  const { idx, val } = ev;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    idx[k] = i;
    val[k] = v;
    k += +(v !== 0);
    m = Math.max(m, Math.abs(v));
  }
  ev.count = k;
  ev.maxAbs = m;
  return ev;
}

// The engine's loops over a population, each a small function of its own: the engine compiles
// a small hot function to machine code sooner than a loop inside a large one (a worker's first
// samples ran in the interpreter for longer).

/** dst += src. */
function addInto(dst: Float64Array, src: Float64Array): void {
  for (let o = 0; o < dst.length; o++) dst[o] += src[o]!;
}

/** The synaptic events of events first..count−1: the sum of their sources' fan-outs. */
function fanSum(fan: Int32Array, idx: Int32Array, first: number, count: number): number {
  let syn = 0;
  for (let k = first; k < count; k++) syn += fan[idx[k]!]!;
  return syn;
}

function newEvents(n: number): Events {
  return { idx: new Int32Array(n), val: new Int32Array(n), count: 0, maxAbs: 0 };
}

/**
 * Each synapse compiled once (runs of many samples share it): its scatter and fan-out. The
 * integer model is not changed once built; a changed copy has new synapse objects.
 */
const cache = new WeakMap<Synapse, { syn: EventSynapse; fan: Int32Array }>();
function compiled(s: Synapse): { syn: EventSynapse; fan: Int32Array } {
  let c = cache.get(s);
  if (!c) {
    c = { syn: eventSynapse(s), fan: fanOut(s) };
    cache.set(s, c);
  }
  return c;
}

/** The engine one Lava step at a time; `output(k)` is population k's output of the last step taken. */
export interface EventEngine {
  readonly prep: Prepared;
  /** Lava steps run so far. */
  readonly done: number;
  step(): void;
  output(k: number): Uint8Array;
  finish(): FixedRun;
}

export function eventEngine(model: FixedModel, input: StepInput, opts: FixedRunOptions = {}): EventEngine {
  const prep = prepareRun(model, input, opts);
  const { columns, pops, stats } = prep;
  const T = model.timesteps;
  const first = opts.fault === "drop-first-event" ? 1 : 0;
  const longest = new Map<string, number>();
  for (const c of model.connections) longest.set(c.from, Math.max(longest.get(c.from) ?? 0, c.delay));
  const ringOf = (id: string, n: number): Source => ({
    ring: Array.from({ length: (longest.get(id) ?? 0) + 2 }, () => (id === model.input.id ? NO_EVENTS : newEvents(n))),
  });
  const inputSrc = ringOf(model.input.id, 0);
  const sources = new Map<string, Source>([[model.input.id, inputSrc]]);
  for (const pp of pops) sources.set(pp.pop.id, ringOf(pp.pop.id, populationSize(pp.pop)));
  const columnEvents = new Map<Int32Array, Events>();
  const repeats = new Set(columns).size < columns.length;
  const simd = opts.simd === false ? undefined : convKernels(model);
  const wired = pops.map((pp) =>
    pp.incoming.map((c): Wired => {
      const fromInput = c.from === model.input.id;
      const w: Wired = {
        c,
        from: sources.get(c.from)!,
        dst: portBuffer(pp, c),
        ...compiled(c.synapse),
        conv: c.synapse.kind === "conv",
        fromInput,
      };
      if (c.synapse.kind === "conv") w.simd = simd?.get(c.synapse);
      if (fromInput && repeats) w.cache = { of: null, contrib: new Float64Array(populationSize(pp.pop)), synaptic: 0 };
      return w;
    }),
  );
  const outs: Uint8Array[] = pops.map((pp) => new Uint8Array(populationSize(pp.pop)));

  /** Deliver `ev` through w into `dst`; returns the synaptic events. */
  const deliver = (w: Wired, ev: Events, dst: Float64Array): number => {
    const { idx, val, count } = ev;
    const e = w.c.weightExp;
    const bound = ev.maxAbs * w.syn.maxAbsIn;
    if (w.simd) addWrapped24(dst, w.simd.scatter(idx, val, first, count));
    else if (e === 0 && bound < (w.conv ? WRAP24 : WRAP32)) {
      w.syn.scatter(idx, val, first, count, dst);
    } else {
      w.acc ??= new Float64Array(dst.length);
      const acc = w.acc;
      acc.fill(0);
      w.syn.scatter(idx, val, first, count, acc);
      if (w.conv) {
        for (let o = 0; o < acc.length; o++) if (acc[o] !== 0) dst[o] += wrapSigned(acc[o]!, 24);
      } else {
        for (let o = 0; o < acc.length; o++) if (acc[o] !== 0) dst[o] += wrap32(weightExpShift(acc[o]!, e));
      }
    }
    return fanSum(w.fan, idx, first, count);
  };

  let n = 0;
  const step = (): void => {
    n++;
    let ev = NO_EVENTS;
    if (n - 1 < T) {
      const col = columns[n - 1]!;
      ev = columnEvents.get(col) ?? fillEvents(col, newEvents(col.length));
      columnEvents.set(col, ev);
    }
    inputSrc.ring[n % inputSrc.ring.length] = ev;
    for (let k = 0; k < pops.length; k++) {
      const pp = pops[k]!;
      clearInputs(pp);
      for (const w of wired[k]!) {
        const src = n - 1 - w.c.delay;
        if (src < 1) continue;
        const e = w.from.ring[src % w.from.ring.length]!;
        if (e.count <= first) continue;
        let syn: number;
        if (w.cache) {
          const cache = w.cache;
          if (cache.of !== e) {
            cache.contrib.fill(0);
            cache.synaptic = deliver(w, e, cache.contrib);
            cache.of = e;
          }
          addInto(w.dst, cache.contrib);
          syn = cache.synaptic;
        } else syn = deliver(w, e, w.dst);
        stats.synapticEvents += syn;
        if (w.fromInput) stats.inputSynapticEvents += syn;
      }
      finishInputs(pp);
    }
    for (let k = 0; k < pops.length; k++) {
      const pp = pops[k]!;
      let out: Uint8Array;
      let count: number;
      if (prep.record) ({ out, count } = stepPopulation(pp, n));
      else {
        out = outs[k]!;
        count = pp.stepper.step(pp.a, n, out);
      }
      outs[k] = out;
      stats.spikes += count;
      const ring = sources.get(pp.pop.id)!.ring;
      const slot = ring[n % ring.length]!;
      if (count) fillEvents(out, slot);
      else slot.count = 0;
      recordStep(pp, n, out, prep.record);
    }
  };
  return {
    prep,
    get done() {
      return n;
    },
    step,
    output: (k) => outs[k]!,
    finish: () => finishRun("event", prep),
  };
}

export function runFixedEvent(model: FixedModel, input: StepInput, opts: FixedRunOptions = {}): FixedRun {
  const e = eventEngine(model, input, opts);
  while (e.done < e.prep.steps) e.step();
  return e.finish();
}
