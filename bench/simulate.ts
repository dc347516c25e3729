/**
 * `snnc simulate` across worker threads: wall time of the digits test split (360 samples) on one
 * worker and on two, in one process, as a ratio (the acceptance figure: ≤ 0.6). Each timing is a
 * whole `runSamples` call, pool start-up and each worker's model build included, as a user sees it.
 * The model is a synthetic digits-shaped SNN (8×8×1 input; bench/models.ts). The pool and its
 * workers are the compiled ones in dist/, as `snnc simulate` runs them (`npm run build` first).
 * Results go in docs/BENCHMARKS.md ("snnc simulate across cores").
 * Usage: tsx bench/simulate.ts [--quick] [--json]
 */
import { existsSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { availableParallelism, cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { prepareRun } from "../src/driver/simulate/prepare.ts";
import { sampleRunner } from "../src/driver/simulate/runner.ts";
import { digitsTestSet } from "../src/inputs/digits.ts";
import { inferShapes } from "../src/ir/shapes.ts";
import { benchModel } from "./models.ts";

const poolJs = new URL("../dist/driver/simulate/pool.js", import.meta.url);
if (!existsSync(poolJs)) throw new Error("dist/ is missing: run 'npm run build' first");
const { runSamples } = (await import(poolJs.href)) as typeof import("../src/driver/simulate/pool.ts");

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
  /** CPU time of the process (all threads) over wall time, with two workers: ~2 when both cores work. */
  coresBusy: number;
  /** In this thread, CPU time: building the target's model once, and running one sample. */
  buildCpuMs: number;
  sampleCpuMs: number;
}

/** CPU time (not wall time, so other processes do not inflate it) of the build and of one sample. */
async function profile(target: string): Promise<{ buildCpuMs: number; sampleCpuMs: number }> {
  const cpu = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  const c0 = cpu();
  const r = sampleRunner(await prepareRun(g, target));
  const c1 = cpu();
  for (const x of samples) r.run(x);
  return { buildCpuMs: c1 - c0, sampleCpuMs: (cpu() - c1) / samples.length };
}

async function timed(target: string, workers: number): Promise<{ ms: number; cpuMs: number; text: string }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await runSamples(g, samples, { target, workers });
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000, text: JSON.stringify(r) };
}

/**
 * What the machine gives this process right now: the same fixed CPU work (a loop) on two threads
 * at once vs twice on one, as a wall-time ratio. 0.5 on two idle cores; near 1 when other
 * processes hold the cores (the kernel shares CPU between sessions, not threads), which bounds
 * what any pool can show at that moment.
 */
async function machineRatio(): Promise<number> {
  const spin =
    "let x = 0; for (let i = 0; i < 3e8; i++) x = (x + i) | 0; require('node:worker_threads').parentPort.postMessage(x);";
  const job = () =>
    new Promise<void>((resolve, reject) => {
      const w = new Worker(spin, { eval: true });
      w.once("message", () => resolve());
      w.once("error", reject);
    });
  const t0 = performance.now();
  await job();
  await job();
  const serial = performance.now() - t0;
  const t1 = performance.now();
  await Promise.all([job(), job()]);
  return (performance.now() - t1) / serial;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const machineBefore = await machineRatio();
const rows: Row[] = [];
for (const target of ["float", "loihi2"]) {
  const one: number[] = [];
  const two: number[] = [];
  const busy: number[] = [];
  for (let i = 0; i < reps; i++) {
    const a = await timed(target, 1);
    const b = await timed(target, 2);
    if (a.text !== b.text) throw new Error(`${target}: one and two workers gave different results`);
    one.push(a.ms);
    two.push(b.ms);
    busy.push(b.cpuMs / b.ms);
  }
  const oneWorkerMs = median(one);
  const twoWorkersMs = median(two);
  rows.push({
    target,
    samples: samples.length,
    oneWorkerMs,
    twoWorkersMs,
    ratio: twoWorkersMs / oneWorkerMs,
    coresBusy: median(busy),
    ...(await profile(target)),
  });
}

const machine = { before: machineBefore, after: await machineRatio() };
if (asJson) {
  process.stdout.write(`${JSON.stringify({ model: spec, cores: availableParallelism(), machine, rows }, null, 2)}\n`);
} else {
  process.stdout.write(
    `simulate: ${spec.name} (8×8×1 → conv ${spec.channels[0]} → conv ${spec.channels[1]} stride 2 → dense ${spec.classes}, T = 16), ` +
      `digits test split, ${availableParallelism()} cores (${cpus()[0]?.model ?? "?"}), median of ${reps}\n` +
      `the same CPU loop on 2 threads vs twice on 1, now: ratio ${machine.before.toFixed(2)} before, ${machine.after.toFixed(2)} after (0.5 = two free cores)\n`,
  );
  for (const r of rows)
    process.stdout.write(
      `${r.target.padEnd(7)} ${r.samples} samples: 1 worker ${r.oneWorkerMs.toFixed(0)} ms, 2 workers ${r.twoWorkersMs.toFixed(0)} ms, ratio ${r.ratio.toFixed(2)}, cores busy with 2 workers ${r.coresBusy.toFixed(2)}; ` +
        `in one thread (CPU time): build ${r.buildCpuMs.toFixed(0)} ms, ${r.sampleCpuMs.toFixed(2)} ms per sample\n`,
    );
}
