/**
 * Seeded random inputs for verification: uniform [0, 1) analog images for direct encoding,
 * Bernoulli(rate) spike trains for spike encoding. Same seed, same inputs, on every machine.
 */
import { inputNode } from "../ir/graph.ts";
import type { Graph } from "../ir/nodes.ts";
import { size } from "../ir/tensor.ts";
import type { StepInput } from "../sim/reference.ts";

/** mulberry32: a small, well-known 32-bit PRNG; deterministic across platforms. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInputs(g: Graph, count: number, seed: number, spikeRate = 0.3): StepInput[] {
  const rnd = prng(seed);
  const n = size(inputNode(g).inputShape);
  const T = g.meta.timesteps;
  const out: StepInput[] = [];
  for (let k = 0; k < count; k++) {
    if (g.meta.encoding === "spikes") {
      out.push(Array.from({ length: T }, () => Float64Array.from({ length: n }, () => (rnd() < spikeRate ? 1 : 0))));
    } else {
      out.push(Float64Array.from({ length: n }, () => rnd()));
    }
  }
  return out;
}
