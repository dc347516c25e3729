/**
 * Seeded random inputs for verification: uniform [0, 1) analog images for direct encoding,
 * Bernoulli(rate) spike trains for spike encoding. Same seed, same inputs, on every machine.
 */
import { inputNode } from "../ir/graph.ts";
import type { Graph } from "../ir/nodes.ts";
import { size } from "../ir/tensor.ts";
import type { StepInput } from "../sim/reference.ts";
import { mulberry32 } from "../util/prng.ts";

export function randomInputs(g: Graph, count: number, seed: number, spikeRate = 0.3): StepInput[] {
  const rnd = mulberry32(seed);
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
