/**
 * `snnc simulate` across worker threads, as a user runs it: the built `bin/snnc.js` in a process of
 * its own on the digits test split (360 samples), once with `--workers 1` and once with
 * `--workers 2`, in turn, under /usr/bin/time; the wall-time ratio is the acceptance figure (≤ 0.6).
 * Everything the command does is inside the timing: start-up, reading the model and the inputs,
 * the pool, each worker's model build, the result file. The model is a synthetic digits-shaped SNN
 * (8×8×1 input; bench/models.ts) written to a `.snnc.json` file, and the same at twice the width
 * and steps. The two runs must write the same
 * result file. Results go in docs/BENCHMARKS.md ("snnc simulate across cores").
 * Usage: tsx bench/simulate.ts [--quick] [--json]   (after `npm run build`)
 */
import { readFileSync, mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { graphToJson } from "../src/ir/serialize.ts";
import { inferShapes } from "../src/ir/shapes.ts";
import { median, ROOT, timedNode } from "./common.ts";
import { benchModel } from "./models.ts";

if (!existsSync(join(ROOT, "dist/cli/main.js"))) throw new Error("dist/ is missing: run 'npm run build' first");

const quick = process.argv.includes("--quick");
const asJson = process.argv.includes("--json");
const reps = quick ? 1 : 3;

/**
 * The acceptance's model, and the same network at twice the width and twice the steps (about eight
 * times the work per sample), which shows how the samples' part scales when it is most of a run.
 * With --quick, the first only.
 */
const specs = [
  { name: "digits-8x8", size: 8, inChannels: 1, channels: [32, 64] as [number, number], classes: 10, timesteps: 16 },
  {
    name: "digits-8x8-wide",
    size: 8,
    inChannels: 1,
    channels: [64, 128] as [number, number],
    classes: 10,
    timesteps: 32,
  },
].slice(0, quick ? 1 : 2);
const dir = mkdtempSync(join(tmpdir(), "snnc-bench-simulate-"));
const modelFile = (name: string) => join(dir, `${name}.snnc.json`);
for (const spec of specs)
  writeFileSync(modelFile(spec.name), graphToJson(inferShapes(benchModel({ ...spec, theta: 1 }))));
let model = "";

interface Row {
  model: string;
  /** One worker pinned to each core in turn (ms), and the two-worker ratio those cores allow at best. */
  pinnedMs?: number[];
  bound?: number;
  /** The one-worker run on each core while the other core runs one too (ms), and the ratio those speeds allow. */
  busyMs?: number[];
  busyBound?: number;
  target: string;
  samples: number;
  oneWorkerMs: number;
  twoWorkersMs: number;
  ratio: number;
  /** CPU time of the process (all threads) over wall time: ~2 when both cores work. */
  coresBusyOne: number;
  coresBusyTwo: number;
}

/** The shipped command's arguments (after node) for one run writing `out`. */
function simulateArgs(target: string, workers: number, out: string): string[] {
  return [
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
  ];
}

function run(target: string, workers: number, prefix: string[] = []): { ms: number; cpu: number; result: string } {
  const out = join(dir, `result-${workers}.json`);
  const t = timedNode(simulateArgs(target, workers, out), join(dir, "time.txt"), prefix);
  return { ms: t.ms, cpu: t.cpu, result: readFileSync(out, "utf8") };
}

/**
 * What the machine gives right now: the one-worker run with the whole process pinned to each core
 * in turn (`taskset`), wall ms per core. Cores of a shared virtual machine need not be equal (a
 * core whose hardware sibling another tenant keeps busy runs slower), and two workers can at best
 * add up the cores' speeds: `bound` is that best two-worker time over the unpinned one-worker time,
 * serial parts left out (0.5 for two equal free cores).
 */
function pinnedCores(target: string): number[] | undefined {
  if (spawnSync("taskset", ["-c", "0", "true"]).status !== 0) return undefined;
  return Array.from({ length: availableParallelism() }, (_, k) => run(target, 1, ["taskset", "-c", String(k)]).ms);
}

/**
 * What two busy cores give each other: the one-worker run on every core at once (one process per
 * core, each pinned), wall ms per core. The cores share caches and memory bandwidth (and on a
 * virtual machine perhaps more): a run that a busy neighbour slows by c makes two workers take at
 * least (1 + c)/2 of one, whatever the program does. `busyBound` is that floor: the best two-worker
 * time these speeds allow over the unpinned one-worker time, serial parts left out.
 */
function busyCores(target: string): number[] | undefined {
  const n = availableParallelism();
  if (n < 2 || spawnSync("taskset", ["-c", "0", "true"]).status !== 0) return undefined;
  const quote = (args: string[]) => args.map((a) => `'${a}'`).join(" ");
  const cmd = (k: number) =>
    quote([
      "/usr/bin/time",
      "-o",
      join(dir, `busy-${k}.txt`),
      "-f",
      "%e",
      "taskset",
      "-c",
      String(k),
      process.execPath,
      ...simulateArgs(target, 1, join(dir, `busy-${k}.json`)),
    ]);
  const all = Array.from({ length: n }, (_, k) => cmd(k));
  const r = spawnSync("sh", ["-c", `${all.map((c) => `${c} &`).join(" ")} wait`], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`simultaneous runs failed: ${r.stderr}`);
  return all.map(
    (_, k) =>
      Number(
        readFileSync(join(dir, `busy-${k}.txt`), "utf8")
          .trim()
          .split(/\s+/)
          .at(-1),
      ) * 1000,
  );
}

const rows: Row[] = [];
for (const spec of specs)
  for (const target of ["float", "loihi2"]) {
    model = modelFile(spec.name);
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
    const pinnedMs = pinnedCores(target);
    const bound = pinnedMs && 1 / pinnedMs.reduce((a, t) => a + 1 / t, 0) / oneWorkerMs;
    const twoWorkersMs = median(two.map((r) => r.ms));
    const busyMs = busyCores(target);
    const busyBound = busyMs && 1 / busyMs.reduce((a, t) => a + 1 / t, 0) / oneWorkerMs;
    rows.push({
      model: spec.name,
      target,
      samples,
      oneWorkerMs,
      twoWorkersMs,
      ratio: twoWorkersMs / oneWorkerMs,
      coresBusyOne: median(one.map((r) => r.cpu / r.ms)),
      coresBusyTwo: median(two.map((r) => r.cpu / r.ms)),
      pinnedMs,
      bound,
      busyMs,
      busyBound,
    });
  }
rmSync(dir, { recursive: true, force: true });

if (asJson) {
  process.stdout.write(`${JSON.stringify({ models: specs, cores: availableParallelism(), rows }, null, 2)}\n`);
} else {
  process.stdout.write(
    `simulate: digits test split, ${availableParallelism()} cores (${cpus()[0]?.model ?? "?"}), median of ${reps}\n`,
  );
  for (const spec of specs)
    process.stdout.write(
      `  ${spec.name}: 8×8×1 → conv ${spec.channels[0]} → conv ${spec.channels[1]} stride 2 → dense ${spec.classes}, T = ${spec.timesteps}\n`,
    );
  for (const r of rows)
    process.stdout.write(
      `${r.model.padEnd(16)} ${r.target.padEnd(7)} ${r.samples} samples: 1 worker ${r.oneWorkerMs.toFixed(0)} ms (${r.coresBusyOne.toFixed(2)} cores busy), ` +
        `2 workers ${r.twoWorkersMs.toFixed(0)} ms (${r.coresBusyTwo.toFixed(2)} cores busy), ratio ${r.ratio.toFixed(2)}` +
        (r.pinnedMs
          ? `; 1 worker pinned to each core: ${r.pinnedMs.map((t) => t.toFixed(0)).join(", ")} ms, best 2-worker ratio they allow ${r.bound!.toFixed(2)}`
          : "") +
        (r.busyMs
          ? `; on every core at once: ${r.busyMs.map((t) => t.toFixed(0)).join(", ")} ms, best ratio they allow ${r.busyBound!.toFixed(2)}\n`
          : "\n"),
    );
}
