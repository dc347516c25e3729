/**
 * `snnc simulate` across worker threads, as a user runs it: the built `bin/snnc.js` in a process of
 * its own on the digits test split (360 samples), once with `--workers 1` and once with
 * `--workers 2`, in turn, under /usr/bin/time; the wall-time ratio is the acceptance figure (≤ 0.6).
 * Everything the command does is inside the timing: start-up, reading the model and the inputs,
 * the pool, each worker's model build, the result file. The model is a synthetic digits-shaped SNN
 * (8×8×1 input; bench/models.ts) written to a `.snnc.json` file. The two runs must write the same
 * result file. Results go in docs/BENCHMARKS.md ("snnc simulate across cores").
 * Usage: tsx bench/simulate.ts [--quick] [--json]   (after `npm run build`)
 */
import { readFileSync, mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { graphToJson } from "../src/ir/serialize.ts";
import { inferShapes } from "../src/ir/shapes.ts";
import { median, ROOT, timedNode } from "./common.ts";
import { benchModel } from "./models.ts";

if (!existsSync(join(ROOT, "dist/cli/main.js"))) throw new Error("dist/ is missing: run 'npm run build' first");

const quick = process.argv.includes("--quick");
const asJson = process.argv.includes("--json");
const reps = quick ? 1 : 3;

const spec = { name: "digits-8x8", size: 8, inChannels: 1, channels: [32, 64] as [number, number], classes: 10 };
const dir = mkdtempSync(join(tmpdir(), "snnc-bench-simulate-"));
const model = join(dir, "digits-8x8.snnc.json");
writeFileSync(model, graphToJson(inferShapes(benchModel({ ...spec, timesteps: 16, theta: 1 }))));

interface Row {
  target: string;
  samples: number;
  oneWorkerMs: number;
  twoWorkersMs: number;
  ratio: number;
  /** CPU time of the process (all threads) over wall time: ~2 when both cores work. */
  coresBusyOne: number;
  coresBusyTwo: number;
}

function run(target: string, workers: number): { ms: number; cpu: number; result: string } {
  const out = join(dir, `result-${workers}.json`);
  const t = timedNode(
    [
      "bin/snnc.js",
      "simulate",
      model,
      "--inputs",
      "digits",
      "--target",
      target,
      "--workers",
      String(workers),
      "-o",
      out,
    ],
    join(dir, "time.txt"),
  );
  return { ms: t.ms, cpu: t.cpu, result: readFileSync(out, "utf8") };
}

/**
 * What the machine gives right now: the same fixed CPU work (a loop) on two threads at once vs
 * twice on one, as a wall-time ratio. 0.5 on two idle cores; near 1 when other processes hold the
 * cores, which bounds what any pool can show at that moment.
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
  await job(); // warm-up
  const t0 = performance.now();
  await job();
  await job();
  const serial = performance.now() - t0;
  const t1 = performance.now();
  await Promise.all([job(), job()]);
  return (performance.now() - t1) / serial;
}

const machineBefore = await machineRatio();
const rows: Row[] = [];
for (const target of ["float", "loihi2"]) {
  let samples = 0;
  const one: { ms: number; cpu: number }[] = [];
  const two: { ms: number; cpu: number }[] = [];
  for (let i = 0; i < reps; i++) {
    const a = run(target, 1);
    const b = run(target, 2);
    if (a.result !== b.result) throw new Error(`${target}: one and two workers wrote different result files`);
    samples = (JSON.parse(a.result) as { samples: unknown[] }).samples.length;
    one.push(a);
    two.push(b);
  }
  const oneWorkerMs = median(one.map((r) => r.ms));
  const twoWorkersMs = median(two.map((r) => r.ms));
  rows.push({
    target,
    samples,
    oneWorkerMs,
    twoWorkersMs,
    ratio: twoWorkersMs / oneWorkerMs,
    coresBusyOne: median(one.map((r) => r.cpu / r.ms)),
    coresBusyTwo: median(two.map((r) => r.cpu / r.ms)),
  });
}
const machine = { before: machineBefore, after: await machineRatio() };
rmSync(dir, { recursive: true, force: true });

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
      `${r.target.padEnd(7)} ${r.samples} samples: 1 worker ${r.oneWorkerMs.toFixed(0)} ms (${r.coresBusyOne.toFixed(2)} cores busy), ` +
        `2 workers ${r.twoWorkersMs.toFixed(0)} ms (${r.coresBusyTwo.toFixed(2)} cores busy), ratio ${r.ratio.toFixed(2)}\n`,
    );
}
