/**
 * The integer model's own checks, shared by the Loihi properties: both engines agree on every
 * spike, u, v and r over two samples run back to back, and the second sample fires in every
 * population's aligned steps exactly as from a fresh network (nothing of the first leaks into it).
 */
import assert from "node:assert/strict";
import type { FixedModel } from "../../src/loihi/model/integer-model.ts";
import { runFixedEvent } from "../../src/loihi/sim/run-event.ts";
import { runFixedStepped } from "../../src/loihi/sim/run-stepped.ts";
import type { StepInput } from "../../src/sim/reference.ts";

/** Sample B run after sample A (one run of 2·runSteps steps), on the stepped engine, and the input sequence. */
export function afterAnother(m: FixedModel, A: StepInput, B: StepInput) {
  const R = m.runSteps;
  const T = m.timesteps;
  const cols = (x: StepInput) => (Array.isArray(x) ? x.slice(0, T) : Array.from({ length: T }, () => x));
  const n = m.input.shape.reduce((a, c) => a * c, 1);
  const two: FixedModel = { ...m, timesteps: R + T, runSteps: 2 * R };
  const seq = [...cols(A), ...Array.from({ length: R - T }, () => new Float64Array(n)), ...cols(B)];
  return {
    R,
    T,
    two,
    seq,
    both: runFixedStepped(two, seq, { state: true }),
    alone: runFixedStepped(m, B, { state: true }),
  };
}

/** Spikes, u, v, r of every population: both engines, and a sample after another vs a fresh one. */
export function checkIntegers(m: FixedModel, A: StepInput, B: StepInput): number {
  const { R, T, two, seq, both: st, alone } = afterAnother(m, A, B);
  const ev = runFixedEvent(two, seq, { state: true });
  for (const key of ["spikes", "u", "v", "r"] as const)
    assert.deepEqual(ev[key], st[key], `the engines differ on ${key}`);
  let compared = 0;
  for (const p of m.populations) {
    if (p.kind === "pulse" || p.kind === "integrator") continue;
    for (let k = p.depth + 1; k <= p.depth + T; k++) {
      for (const key of ["spikes", "u", "v", "r"] as const) {
        const x = st[key]?.get(p.id);
        if (!x) continue;
        assert.deepEqual(
          x[R + k - 1],
          alone[key]!.get(p.id)![k - 1],
          `'${p.id}' ${key} at aligned step ${k - p.depth}`,
        );
        compared++;
      }
    }
  }
  return compared;
}

/** How many spikes, u and v of LIF populations in their aligned steps differ between sample B after A and B alone (stepped engine). */
export function backToBackDiffering(m: FixedModel, A: StepInput, B: StepInput): number {
  const { R, T, both, alone } = afterAnother(m, A, B);
  let differing = 0;
  for (const p of m.populations) {
    if (p.kind !== "lif") continue;
    for (let k = p.depth + 1; k <= p.depth + T; k++)
      for (const key of ["spikes", "u", "v"] as const) {
        const a = both[key]!.get(p.id)![R + k - 1]!;
        const b = alone[key]!.get(p.id)![k - 1]!;
        for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing++;
      }
  }
  return differing;
}
