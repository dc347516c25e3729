/**
 * snnc benchmarks (`npm run bench`, after `npm run build`: the timed code is the compiled
 * JavaScript in dist/). Sections:
 *   engines   the event-driven engine's synaptic events/s at 1 %, 5 %, 20 % firing, and its
 *             speed-up over the time-stepped engine and its dense form (bench/engines.ts)
 *   cifar     compile of random-weight ResNet-19 and VGG-16 at CIFAR shapes (T = 4) to loihi2, and
 *             verify of one ResNet-19 sample: time and peak RSS, each in a process of its own
 *             (bench/child.mjs), with the phases of each; and a fixture compiled at T = 100 and 1,000 (snnc's limit)
 *             100 with one agreement sample (memory must not grow with T)
 *   startup   `snnc` commands on a shipped fixture against `node -e 0` (bench/startup.ts)
 *   lava      Lava's CPU run of the same network.net beside snnc's, when Lava is here (bench/lava.ts)
 * Results are written up in docs/BENCHMARKS.md.
 * Usage: tsx bench/run.ts [--quick] [--json] [--only <section>,...]
 *   --quick: fewer repetitions; no cifar verify (a minute or two each)
 */
import { spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { fmt, ROOT } from "./common.ts";
import { engineSweep } from "./engines.ts";
import { lavaBeside } from "./lava.ts";
import { startup } from "./startup.ts";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const asJson = args.includes("--json");
const only = args.includes("--only") ? args[args.indexOf("--only") + 1]!.split(",") : undefined;
const want = (s: string) => !only || only.includes(s);
const results: Record<string, unknown> = {
  machine: {
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  },
};
const say = (s: string) => {
  if (!asJson) console.log(s);
};

if (want("engines")) {
  const r = await engineSweep([0.01, 0.05, 0.2], quick ? 1 : 3);
  results.engines = r;
  say(`engines: ${r.model}`);
  for (const x of r.rows) {
    say(
      `  firing ${fmt(100 * x.rate, 1)} %: ${fmt(x.synapticEvents / 1e6, 1)} M synaptic events (${fmt(100 * x.inputShare, 1)} % from the input); ` +
        `event ${fmt(x.eventCpuMs)} ms, stepped ${fmt(x.steppedCpuMs)} ms (×${fmt(x.speedup, 1)}), ` +
        `stepped dense ${fmt(x.denseCpuMs)} ms (×${fmt(x.denseSpeedup, 1)}); ` +
        `${fmt(x.eventsPerSec / 1e6)} M events/s (${fmt(x.hiddenEventsPerSec / 1e6)} M/s without the input's)`,
    );
  }
}

if (want("cifar")) {
  const child = fileURLToPath(new URL("./child.mjs", import.meta.url));
  const tasks: [string, string][] = [
    ["compile", "resnet19"],
    ["compile-phases", "resnet19"],
    ["compile", "vgg16"],
    ["compile-1", "fixture:tdbn@1000"],
    ["compile-1", "fixture:tdbn@100"],
    ...(quick
      ? []
      : ([
          ["verify", "resnet19"],
          ["verify-1thread", "resnet19"],
          ["verify-phases", "resnet19"],
          ["verify", "resnet19-bn"],
          ["verify-1thread", "resnet19-bn"],
          ["verify-phases", "resnet19-bn"],
        ] as [string, string][])),
  ];
  const rows: unknown[] = [];
  for (const [task, name] of tasks) {
    const r = spawnSync(process.execPath, [child, task, name], {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 1 << 24,
    });
    if (r.status !== 0) {
      say(`  ${task} ${name}: failed: ${r.stderr.slice(-500)}`);
      continue;
    }
    const row = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
      ms: number;
      cpuMs: number;
      peakMB: number;
      rssBeforeMB: number;
      phases: Record<string, number>;
    };
    rows.push(row);
    const ph = Object.entries(row.phases)
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(", ");
    say(
      `cifar ${task} ${name}: wall ${fmt(row.ms)} ms, CPU ${fmt(row.cpuMs)} ms, peak RSS ${fmt(row.peakMB)} MB (${fmt(row.rssBeforeMB)} MB before)${ph ? `; CPU ms: ${ph}` : ""}`,
    );
  }
  results.cifar = rows;
}

if (want("startup")) {
  const rows = startup(quick ? 2 : 5);
  results.startup = rows;
  for (const r of rows)
    say(
      `startup ${r.command}: ${fmt(r.wallMs)} ms wall (×${fmt(r.ratio, 2)}), ${fmt(r.cpuMs)} ms CPU (×${fmt(r.cpuRatio, 2)}), peak RSS ${fmt(r.peakMB)} MB`,
    );
}

if (want("lava")) {
  const r = await lavaBeside();
  results.lava = r;
  if ("skipped" in r) say(`lava: skipped: ${r.skipped}`);
  else
    say(
      `lava: ${r.model}, ${r.steps} steps: Lava run ${fmt(r.lavaRunMs)} ms (${fmt(r.lavaTotalMs)} ms with import and loading), snnc event engine ${fmt(r.snncMs, 1)} ms: ×${fmt(r.ratio)}; spikes equal: ${r.spikesEqual}`,
    );
}

if (asJson) console.log(JSON.stringify(results, null, 2));
else {
  const m = results.machine as { node: string; cpu: string; cores: number; memoryGiB: number };
  console.log(`\n${m.node} on ${m.cores}× ${m.cpu}, ${m.memoryGiB} GiB`);
}
