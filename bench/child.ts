/**
 * One measurement in a process of its own (so that its peak RSS is its own): compile or verify a
 * random-weight CIFAR network for loihi2 on the compiled modules, or time the phases of either.
 * Usage: node --import tsx bench/child.ts compile|verify|compile-phases|verify-phases resnet19|vgg16
 * Prints one JSON line: wall ms of the task, peak RSS (MB) and the RSS before it (runtime, harness
 * and the float model), and per-phase ms for the *-phases tasks.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as Agreement from "../src/loihi/agreement.ts";
import type * as Build from "../src/loihi/build.ts";
import type * as Driver from "../src/loihi/driver.ts";
import type * as Event from "../src/loihi/sim/run-event.ts";
import type * as Stepped from "../src/loihi/sim/run-stepped.ts";
import type * as Reference from "../src/sim/reference.ts";
import type * as Pipeline from "../src/driver/run-pipeline.ts";
import type * as LoihiPipeline from "../src/loihi/pipeline.ts";
import type * as Quantize from "../src/loihi/quantize/index.ts";
import type * as Place from "../src/loihi/place/place-loihi.ts";
import type * as Targets from "../src/target/load-target.ts";
import type * as LavaJson from "../src/loihi/emit/lava-process-graph.ts";
import { inferShapes } from "../src/ir/shapes.ts";
import { randomInputs } from "../src/inputs/random-inputs.ts";
import { resnet19, vgg16 } from "./cifar-models.ts";
import { dist } from "./common.ts";

const [task, name] = process.argv.slice(2) as [string, string];
const g = inferShapes(name === "vgg16" ? vgg16() : resnet19());
const [x] = randomInputs(g, 1, 7);
const board = "hala-point";
const rssBefore = process.memoryUsage().rss / 2 ** 20;
const phases: Record<string, number> = {};
const timed = async <T>(k: string, f: () => T | Promise<T>): Promise<T> => {
  const t = performance.now();
  const r = await f();
  phases[k] = performance.now() - t;
  return r;
};
const t0 = performance.now();
if (task === "compile") {
  const { loihiDriver } = await dist<typeof Driver>("loihi/driver.js");
  const res = await loihiDriver.compile(g, { target: "loihi2", board } as never);
  const dir = mkdtempSync(join(tmpdir(), "snnc-bench-"));
  for (const [f, data] of res.files) writeFileSync(join(dir, f), data);
  rmSync(dir, { recursive: true });
} else if (task === "verify") {
  const { loihiDriver } = await dist<typeof Driver>("loihi/driver.js");
  await loihiDriver.verify(g, { target: "loihi2", board, inputs: [x!] } as never);
} else if (task === "compile-phases") {
  const { runPipeline } = await dist<typeof Pipeline>("driver/run-pipeline.js");
  const { loihiPipeline } = await dist<typeof LoihiPipeline>("loihi/pipeline.js");
  const { loadTarget } = await dist<typeof Targets>("target/load-target.js");
  const { quantizeLoihi } = await dist<typeof Quantize>("loihi/quantize/index.js");
  const { placeLoihi } = await dist<typeof Place>("loihi/place/place-loihi.js");
  const { lavaProcessGraphJson } = await dist<typeof LavaJson>("loihi/emit/lava-process-graph.js");
  const A = await dist<typeof Agreement>("loihi/agreement.js");
  const target = loadTarget("loihi2");
  const { graph } = await timed("passes", () => runPipeline(g, loihiPipeline(target, {}), { target: "loihi2" }));
  const q = await timed("quantise", () => quantizeLoihi(graph, target, {}));
  await timed("place", () => placeLoihi(q.model, target, { board }));
  await timed("network.lava.json", () => lavaProcessGraphJson(q.model, { netx: { written: false, reason: "" } }));
  phases.defaultSamples = A.defaultAgreementSamples(q.model);
  await timed("agreement, 1 sample", () => A.measureLoihiAgreement(g, q.model, [x!], { threads: 1 }));
} else if (task === "verify-phases") {
  const { buildLoihi } = await dist<typeof Build>("loihi/build.js");
  const { runFixedEvent } = await dist<typeof Event>("loihi/sim/run-event.js");
  const { runFixedStepped } = await dist<typeof Stepped>("loihi/sim/run-stepped.js");
  const { simulate } = await dist<typeof Reference>("sim/reference.js");
  const b = await timed("build", () => buildLoihi(g, { target: "loihi2", board } as never));
  const m = b.quant.model;
  await timed("float reference", () => simulate(g, x!, { all: true }));
  await timed("event engine (u, v kept)", () => runFixedEvent(m, x!, { state: true }));
  await timed("time-stepped engine (u, v kept)", () => runFixedStepped(m, x!, { state: true }));
}
const ms = performance.now() - t0;
const peak = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ task, name, ms, peakMB: peak, rssBeforeMB: rssBefore, phases }));
