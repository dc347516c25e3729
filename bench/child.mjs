/**
 * One measurement in a process of its own (so that its peak RSS is its own), in plain node on the
 * compiled modules (dist/): compile or verify a random-weight CIFAR network for loihi2, or time
 * the phases of either. Only the model generator (bench/cifar-models.ts) goes through tsx, scoped
 * to it (a loader for every module would transform dependencies too and inflate the memory).
 * Usage: node bench/child.mjs <task> <model>
 *   task: compile | compile-1 (one agreement sample) | verify | verify-1thread (the time-stepped
 *         engine and the float reference in the same thread as the rest) | compile-phases | verify-phases
 *   model: resnet19 | resnet19-bn (its BN statistics measured on the sample: a trained network's
 *          firing rate, 10–30 % per layer; the measuring is not timed) | vgg16 | fixture:<dir>@<T>
 *          (a shipped fixture run for T steps)
 * Prints one JSON line: wall and CPU ms of the task (CPU time includes worker threads), peak RSS
 * (MB) and the RSS before it (runtime and the float model), and for *-phases the CPU ms of each
 * phase, the RSS after it and the minor page faults in it (first touches of fresh memory). compile
 * writes its files with the CLI's atomic writer, as `snnc compile` does.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tsImport } from "tsx/esm/api";

const ROOT = new URL("../", import.meta.url);
const dist = (p) => import(new URL(`dist/${p}`, ROOT).href);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const [task, name] = process.argv.slice(2);
const { inferShapes } = await dist("ir/shapes.js");
const { randomInputs } = await dist("inputs/random-inputs.js");

async function model() {
  if (name.startsWith("fixture:")) {
    const [dir, T] = name.slice("fixture:".length).split("@");
    const { loadModel } = await dist("frontends/index.js");
    const g = await loadModel(new URL(`fixtures/${dir}/model.json`, ROOT).pathname);
    return { ...g, meta: { ...g.meta, timesteps: Number(T) } };
  }
  const m = await tsImport("./cifar-models.ts", import.meta.url);
  const g = inferShapes(name === "vgg16" ? m.vgg16() : m.resnet19());
  return name === "resnet19-bn" ? m.calibrateBatchNorm(g, randomInputs(g, 1, 7)[0]) : g;
}

const g = await model();
const [x] = randomInputs(g, 1, 7);
const board = "hala-point";
const rssBefore = process.memoryUsage().rss / 2 ** 20;
const phases = {};
const rss = {};
const sizes = {};
const faults = {};
const timed = async (k, f) => {
  const t = cpuMs();
  const f0 = process.resourceUsage().minorPageFault;
  const r = await f();
  phases[k] = cpuMs() - t;
  faults[k] = process.resourceUsage().minorPageFault - f0;
  rss[k] = process.memoryUsage().rss / 2 ** 20;
  return r;
};
const t0 = performance.now();
const c0 = cpuMs();
const pf0 = process.resourceUsage().minorPageFault;
if (task === "compile" || task === "compile-1") {
  const { loihiDriver } = await dist("loihi/driver.js");
  const samples = task === "compile-1" ? { agreementSamples: 1 } : {};
  const res = await loihiDriver.compile(g, { target: "loihi2", board, ...samples });
  const { writeOutputsAtomically } = await dist("cli/write-outputs.js");
  const dir = mkdtempSync(join(tmpdir(), "snnc-bench-"));
  writeOutputsAtomically(join(dir, "out"), res.files);
  rmSync(dir, { recursive: true });
} else if (task === "verify" || task === "verify-1thread") {
  const { loihiDriver } = await dist("loihi/driver.js");
  const one = task === "verify" ? undefined : false;
  await loihiDriver.verify(g, { target: "loihi2", board, inputs: [x], steppedThread: one, referenceThread: one });
} else if (task === "compile-phases") {
  const { runPipeline } = await dist("driver/run-pipeline.js");
  const { loihiPipeline } = await dist("loihi/pipeline.js");
  const { loadTarget } = await dist("target/load-target.js");
  const { quantizeLoihi } = await dist("loihi/quantize/index.js");
  const { placeLoihi } = await dist("loihi/place/place-loihi.js");
  const { lavaProcessGraphStream } = await dist("loihi/emit/lava-process-graph.js");
  const A = await dist("loihi/agreement.js");
  const target = loadTarget("loihi2");
  const { graph } = await timed("passes", () => runPipeline(g, loihiPipeline(target, {}), { target: "loihi2" }));
  const q = await timed("quantise", () => quantizeLoihi(graph, target, {}));
  await timed("place", () => placeLoihi(q.model, target, { board }));
  // made (streamed into a byte count), not written
  let bytes = 0;
  const lava = lavaProcessGraphStream(q.model, { netx: { written: false, reason: "" } });
  await timed("network.lava.json", () => lava.write((b) => (bytes += b.length)));
  sizes.lavaJsonMB = bytes / 2 ** 20;
  phases.defaultSamples = A.defaultAgreementSamples(q.model);
  await timed("agreement, 1 sample", () => A.measureLoihiAgreement(g, q.model, [x], { threads: 1 }));
} else if (task === "verify-phases") {
  const { buildLoihi } = await dist("loihi/build.js");
  const { runFixedEvent } = await dist("loihi/sim/run-event.js");
  const { runFixedStepped } = await dist("loihi/sim/run-stepped.js");
  const { agreementReference } = await dist("verify/agreement.js");
  const { agreementLayout } = await dist("loihi/agreement.js");
  const b = await timed("build", () => buildLoihi(g, { target: "loihi2", board }));
  const m = b.quant.model;
  await timed("float reference", () => agreementReference(g, x, agreementLayout(m)));
  await timed("event engine (u, v kept)", () => runFixedEvent(m, x, { state: true }));
  await timed("time-stepped engine (u, v kept)", () => runFixedStepped(m, x, { state: true }));
}
const ms = performance.now() - t0;
const cpu = cpuMs() - c0;
const peak = process.resourceUsage().maxRSS / 1024;
const pageFaults = process.resourceUsage().minorPageFault - pf0;
console.log(
  JSON.stringify({
    task,
    name,
    ms,
    cpuMs: cpu,
    peakMB: peak,
    rssBeforeMB: rssBefore,
    phases,
    rssAfter: rss,
    pageFaults,
    faults,
    sizes,
  }),
);
