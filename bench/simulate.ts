/**
 * `snnc simulate` across worker threads: wall time of the digits test split (360 samples) on one
 * worker and on two, in one process, as a ratio (the acceptance figure: ≤ 0.6). Each timing is a
 * whole `runSamples` call, pool start-up and each worker's model build included, as a user sees it.
 * The model is a synthetic digits-shaped SNN (8×8×1 input; bench/models.ts). Results go in
 * docs/BENCHMARKS.md ("simulate across cores").
 * Usage: tsx bench/simulate.ts [--quick] [--json]
 */
import { availableParallelism, cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { runSamples } from "../src/driver/simulate/pool.ts";
import { digitsTestSet } from "../src/inputs/digits.ts";
import { inferShapes } from "../src/ir/shapes.ts";
import { benchModel } from "./models.ts";

const quick = process.argv.includes("--quick");
const asJson = process.argv.includes("--json");
const reps = quick ? 1 : 3;

const spec = { name: "digits-8x8", size: 8, inChannels: 1, channels: [32, 64] as [number, number], classes: 10 };
const g = inferShapes(benchModel({ ...spec, timesteps: 16, theta: 1 }));
const { samples } = digitsTestSet(g);

interface Row {
  target: string;
  samples: number;
  oneWorkerMs: number;
  twoWorkersMs: number;
  ratio: number;
}

async function timed(target: string, workers: number): Promise<{ ms: number; text: string }> {
  const t0 = performance.now();
  const r = await runSamples(g, samples, { target, workers });
  return { ms: performance.now() - t0, text: JSON.stringify(r) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const rows: Row[] = [];
for (const target of ["float", "loihi2"]) {
  const one: number[] = [];
  const two: number[] = [];
  for (let i = 0; i < reps; i++) {
    const a = await timed(target, 1);
    const b = await timed(target, 2);
    if (a.text !== b.text) throw new Error(`${target}: one and two workers gave different results`);
    one.push(a.ms);
    two.push(b.ms);
  }
  const oneWorkerMs = median(one);
  const twoWorkersMs = median(two);
  rows.push({ target, samples: samples.length, oneWorkerMs, twoWorkersMs, ratio: twoWorkersMs / oneWorkerMs });
}

if (asJson) {
  process.stdout.write(`${JSON.stringify({ model: spec, cores: availableParallelism(), rows }, null, 2)}\n`);
} else {
  process.stdout.write(
    `simulate: ${spec.name} (8×8×1 → conv ${spec.channels[0]} → conv ${spec.channels[1]} stride 2 → dense ${spec.classes}, T = 16), ` +
      `digits test split, ${availableParallelism()} cores (${cpus()[0]?.model ?? "?"}), median of ${reps}\n`,
  );
  for (const r of rows)
    process.stdout.write(
      `${r.target.padEnd(7)} ${r.samples} samples: 1 worker ${r.oneWorkerMs.toFixed(0)} ms, 2 workers ${r.twoWorkersMs.toFixed(0)} ms, ratio ${r.ratio.toFixed(2)}\n`,
    );
}
