/**
 * How much work a float run of a graph is (`snnc simulate`, verify's float reference), to decide whether worker threads pay for their start
 * (each loads the program and builds the model: about 0.1–0.2 s on the machine of
 * docs/BENCHMARKS.md, where the float reference does ~1e9 multiply-adds a second).
 */
import type { Graph } from "../ir/nodes.ts";
import { size } from "../ir/tensor.ts";

/** Below this many operations (multiply-adds, and one per other output element) a run stays in the calling thread. */
export const THREADS_FROM = 2e8;

/** Operations of one time step of `g` (shapes inferred): a conv's and a dense layer's multiply-adds, one per element elsewhere. */
export function stepOps(g: Graph): number {
  let ops = 0;
  for (const n of g.nodes) {
    const out = n.shape ? size(n.shape) : 0;
    if (n.op === "conv2d") {
      const co = n.kernel.shape.at(-1) ?? 1;
      ops += out * (size(n.kernel.shape) / co);
    } else if (n.op === "dense") ops += size(n.kernel.shape);
    else ops += out;
  }
  return ops;
}

/** Whether `samples` samples of `g` are worth worker threads (a graph without its shapes is taken to be). */
export function worthThreads(g: Graph, samples: number): boolean {
  if (g.nodes.some((n) => !n.shape)) return true;
  return stepOps(g) * g.meta.timesteps * samples >= THREADS_FROM;
}
