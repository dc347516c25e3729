/**
 * u and v of every population, step by step, from the time-stepped engine to verify's comparison
 * while both engines run: verify compares them with the event-driven engine's as it steps, and
 * neither engine keeps them (77 M values per engine for a ResNet-19 sample, in fresh memory).
 *
 * In a thread, the time-stepped run writes each step's state into a ring of shared memory (a few
 * steps long) and waits while the ring is full; this thread reads each step as soon as it is
 * written (waiting without blocking, so that a thread that stops is still heard of) and frees it.
 * A run made in this thread (asked for, run from the sources, or handed back by a thread that
 * stopped) keeps its states the usual way (`state: true`) and they are read from the run.
 */
import { populationSize, type FixedModel } from "../model/integer-model.ts";
import type { FixedRun } from "./engine-common.ts";
import type { PopulationStepper } from "./population-step.ts";

/** Steps the ring holds (4: the run in its thread keeps ahead; each slot is fresh memory, 13 MB for ResNet-19). */
export const RING_STEPS = 4;
const SLOTS = RING_STEPS;
/** Header words: steps written, steps read (freed), then the slots. */
const WRITTEN = 0;
const READ = 1;
const HEADER = 4;

/** u and v of every population (model order) at one step. */
export interface StepState {
  u(k: number): ArrayLike<number>;
  v(k: number): ArrayLike<number>;
}

/** Each population's offset in a slot (u at it, v n words later) and the slot's length. */
function slotLayout(m: FixedModel): { offsets: number[]; sizes: number[]; length: number } {
  const sizes = m.populations.map(populationSize);
  const offsets: number[] = [];
  let length = 0;
  for (const n of sizes) {
    offsets.push(length);
    length += 2 * n;
  }
  return { offsets, sizes, length };
}

/** A fresh ring for one run of `m`. */
export function stateRing(m: FixedModel): SharedArrayBuffer {
  return new SharedArrayBuffer((HEADER + SLOTS * slotLayout(m).length) * 4);
}

/** The time-stepped run's `onStep` that writes into `ring` (in the thread that runs it). */
export function ringWriter(
  m: FixedModel,
  ring: SharedArrayBuffer,
): (n: number, steppers: readonly PopulationStepper[]) => void {
  const { offsets, length } = slotLayout(m);
  const words = new Int32Array(ring);
  return (n, steppers) => {
    // wait while the ring is full: step n goes where step n − SLOTS was
    for (let read = Atomics.load(words, READ); n - 1 - read >= SLOTS; read = Atomics.load(words, READ))
      Atomics.wait(words, READ, read, 1000);
    const base = HEADER + ((n - 1) % SLOTS) * length;
    for (const [k, s] of steppers.entries()) {
      words.set(s.state.u, base + offsets[k]!);
      words.set(s.state.v, base + offsets[k]! + s.n);
    }
    Atomics.store(words, WRITTEN, n);
    Atomics.notify(words, WRITTEN);
  };
}

/** The states of one time-stepped run, step by step, as this thread compares them. */
export interface StepStates {
  /** Step n's state (n from 1, in order), once written; the run's error if it failed first. */
  at(n: number): Promise<StepState>;
  /** Step n is compared: its slot may be written again. */
  done(n: number): void;
}

/**
 * The states of `run`, read from `ring` while the run is made in another thread, or from the run
 * once it is back with its states kept (made here).
 */
export function stepStates(m: FixedModel, ring: SharedArrayBuffer, run: Promise<FixedRun>): StepStates {
  const { offsets, sizes, length } = slotLayout(m);
  const words = new Int32Array(ring);
  const ids = m.populations.map((p) => p.id);
  let settled: { run: FixedRun } | { error: unknown } | undefined;
  const ended = run.then(
    (r) => {
      settled = { run: r };
    },
    (error) => {
      settled = { error };
    },
  );
  const fromSlot = (n: number): StepState => {
    const base = HEADER + ((n - 1) % SLOTS) * length;
    return {
      u: (k) => words.subarray(base + offsets[k]!, base + offsets[k]! + sizes[k]!),
      v: (k) => words.subarray(base + offsets[k]! + sizes[k]!, base + offsets[k]! + 2 * sizes[k]!),
    };
  };
  const fromRun = (r: FixedRun, n: number): StepState => ({
    u: (k) => r.u!.get(ids[k]!)![n - 1]!,
    v: (k) => r.v!.get(ids[k]!)![n - 1]!,
  });
  return {
    async at(n) {
      for (;;) {
        const written = Atomics.load(words, WRITTEN);
        if (written >= n) return fromSlot(n);
        if (settled) {
          if ("error" in settled) throw settled.error;
          if (settled.run.u) return fromRun(settled.run, n);
          throw new Error(`the time-stepped run ended after step ${written}, before step ${n}`);
        }
        // not written yet: wait without blocking this thread (a stopped thread's exit must be heard)
        // for the next step written or the run's end, whichever comes first (a wait alone does not
        // keep the event loop alive; the pending run does)
        const w = Atomics.waitAsync(words, WRITTEN, written, 50);
        await Promise.race([w.async ? w.value : undefined, ended]);
      }
    },
    done(n) {
      Atomics.store(words, READ, n);
      Atomics.notify(words, READ);
    },
  };
}

/** How many values of u and v were compared, how many differ, and the first that does. */
export interface StateTally {
  compared: number;
  differing: number;
  first?: string;
}

/** Compares step n's u and v of the event-driven engine's populations with the time-stepped `st`. */
export function tallyStep(
  tally: StateTally,
  m: FixedModel,
  event: readonly PopulationStepper[],
  st: StepState,
  n: number,
): void {
  for (const [k, s] of event.entries()) {
    for (const [key, mine, theirs] of [
      ["u", s.state.u, st.u(k)],
      ["v", s.state.v, st.v(k)],
    ] as const) {
      tally.compared += mine.length;
      for (let i = 0; i < mine.length; i++) {
        if (mine[i] !== theirs[i]) {
          tally.differing++;
          tally.first ??= `${key} of '${m.populations[k]!.id}' neuron ${i} at step ${n}: time-stepped ${theirs[i]}, event-driven ${mine[i]}`;
        }
      }
    }
  }
}
