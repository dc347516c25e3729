/**
 * snnc benchmarks: wall-clock time and memory of the reference simulator, the fold pipeline,
 * the Loihi compile, and the two fixed-point engines (dense time-stepped vs event-driven) at
 * several activity levels. `npm run bench`; results are written up in docs/BENCHMARKS.md.
 * Usage: tsx bench/run.ts [--quick] [--json]
 */
import { performance } from "node:perf_hooks";
import { cpus } from "node:os";
import { inferShapes } from "../src/ir/shapes.ts";
import { size } from "../src/ir/tensor.ts";
import { simulate } from "../src/sim/reference.ts";
import { randomInputs } from "../src/inputs/random-inputs.ts";
import { runPipeline } from "../src/driver/run-pipeline.ts";
import { FLOAT_PIPELINE } from "../src/passes/float-pipeline.ts";
import { buildLoihi } from "../src/loihi/build.ts";
import { runFixedStepped } from "../src/loihi/sim/run-stepped.ts";
import { runFixedEvent } from "../src/loihi/sim/run-event.ts";
import { BENCH_MODELS, benchModel } from "./models.ts";

const quick = process.argv.includes("--quick");
const asJson = process.argv.includes("--json");

/** Median wall time (ms) of `fn` over `reps` runs after one warm-up. */
function time(fn: () => unknown, reps: number): number {
  fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

interface Row {
  model: string;
  theta: number;
  neurons: number;
  synapses: number;
  timesteps: number;
  activity: number;
  referenceMs: number;
  foldMs: number;
  loihiCompileMs: number;
  steppedMs: number;
  eventMs: number;
  eventSpeedup: number;
  eventsPerSec: number;
  heapMB: number;
}

const rows: Row[] = [];
const specs = quick ? BENCH_MODELS.slice(0, 1) : BENCH_MODELS;
const reps = quick ? 3 : 5;
for (const base of specs) {
  for (const theta of quick ? [1] : [1, 4, 16]) {
    const spec = { ...base, theta };
    const g = inferShapes(benchModel(spec));
    const [x] = randomInputs(g, 1, 42);
    const neurons = g.nodes.filter((n) => n.op === "neuron").reduce((a, n) => a + size(n.shape!), 0);
    let synapses = 0;
    for (const n of g.nodes) {
      if (n.op === "conv2d") synapses += size(n.shape!) * n.kernel.shape[0]! * n.kernel.shape[1]! * n.kernel.shape[2]!;
      if (n.op === "dense") synapses += n.kernel.data.length;
    }
    const ref = simulate(g, x!);
    let spikes = 0;
    for (const tr of ref.traces.values()) for (const o of tr.out) for (const v of o) spikes += v;
    const activity = spikes / (neurons * spec.timesteps);
    const referenceMs = time(() => simulate(g, x!), reps);
    const foldMs = time(() => runPipeline(g, FLOAT_PIPELINE, { target: "float" }), reps);
    let build!: ReturnType<typeof buildLoihi>;
    const loihiCompileMs = time(() => (build = buildLoihi(g, { target: "loihi2" })), quick ? 1 : 3);
    const m = build.quant.model;
    const steppedMs = time(() => runFixedStepped(m, x!), reps);
    const eventMs = time(() => runFixedEvent(m, x!), reps);
    const run = runFixedEvent(m, x!);
    let events = 0;
    for (const s of run.spikes.values()) for (const step of s) for (const v of step) events += v;
    global.gc?.();
    rows.push({
      model: spec.name,
      theta,
      neurons,
      synapses,
      timesteps: spec.timesteps,
      activity,
      referenceMs,
      foldMs,
      loihiCompileMs,
      steppedMs,
      eventMs,
      eventSpeedup: steppedMs / eventMs,
      eventsPerSec: events / (eventMs / 1000),
      heapMB: process.memoryUsage().heapUsed / 2 ** 20,
    });
    if (!asJson) {
      const r = rows[rows.length - 1]!;
      console.log(
        `${r.model.padEnd(14)} θ=${String(theta).padEnd(3)} neurons ${String(neurons).padStart(7)}  synapses ${String(synapses).padStart(9)}  activity ${(activity * 100).toFixed(1).padStart(5)}%  ` +
          `reference ${r.referenceMs.toFixed(1).padStart(7)} ms  fold ${r.foldMs.toFixed(1).padStart(6)} ms  loihi compile ${r.loihiCompileMs.toFixed(0).padStart(5)} ms  ` +
          `fixed stepped ${r.steppedMs.toFixed(1).padStart(7)} ms  event ${r.eventMs.toFixed(1).padStart(7)} ms  (×${r.eventSpeedup.toFixed(2)})  heap ${r.heapMB.toFixed(0)} MB`,
      );
    }
  }
}
const env = { node: process.version, cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length };
if (asJson) console.log(JSON.stringify({ env, rows }, null, 2));
else console.log(`\n${env.node} on ${env.cores}× ${env.cpu}; times are medians of ${reps} runs of one sample`);
