/**
 * `snnc simulate <model> --inputs <digits|dir|file>`: many samples across worker threads, each
 * sample's readout (and its argmax) and per-layer firing rates, the accuracy when labels are
 * known. `--shard i/n` runs one contiguous part of the inputs; `snnc merge` joins the parts into
 * the file an unsharded run writes. The pool and the progress bar are loaded only when it runs.
 */
import { existsSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import type { ResultHeader, SimulateResult } from "../../driver/simulate/result.ts";
import type { RunMeta } from "../../driver/simulate/runner.ts";
import { SnncError } from "../../ir/errors.ts";
import {
  addTimeStepOptions,
  inFileAndInputs,
  loadModel,
  loadOptions,
  parseIntOption,
  type SampleSource,
} from "../common.ts";
import { formatTable } from "../format-table.ts";

interface SimulateOpts {
  inputs: string;
  target: string;
  json?: boolean;
  output?: string;
  shard?: string;
  workers?: string;
  labels?: string;
}

const MAX_WORKERS = 256;

export function registerSimulateCommand(program: Command): void {
  const c = program
    .command("simulate")
    .description(
      "run many samples across worker threads: readout and per-layer firing rates per sample, accuracy with labels",
    )
    .argument("<model>", "model.json (TF.js), .snnc.json (e.g. a compile --target float output, or its directory)")
    .requiredOption(
      "--inputs <src>",
      "digits (the shipped 8x8 digits, test split) | a directory of .npy/.json | a file",
    )
    .option(
      "--target <t>",
      "float (the model as given, float64) or a hardware target's own model (e.g. loihi)",
      "float",
    )
    .option("--json", "print the result file on stdout (schema: src/cli/schemas/simulate.schema.json)")
    .option("-o, --output <file>", "write the result file (atomically)")
    .option("--shard <i/n>", "run only the i-th of n contiguous parts of the inputs (join them with snnc merge)")
    .option(
      "--workers <k>",
      "worker threads (default: the available cores, or none for a run too small to pay for starting them)",
    )
    .option("--labels <file>", "class labels, one per sample of the whole input set (.json list, or text)")
    .action(async (model: string, opts: SimulateOpts) => {
      const { parseShard, shardRange } = await import("../../driver/simulate/shard.ts");
      const { checkRunnableTarget } = await import("../../driver/simulate/prepare.ts");
      const shard = opts.shard !== undefined ? parseShard(opts.shard) : undefined;
      const asked = opts.workers !== undefined ? parseIntOption(opts.workers, "--workers", 1, MAX_WORKERS) : undefined;
      await checkRunnableTarget(opts.target);
      const path = modelPath(model);
      const g = await loadModel(path, loadOptions(opts));
      const { readInputSet } = await import("../../inputs/input-set.ts");
      const set = readInputSet(opts.inputs, g);
      if (opts.labels !== undefined) {
        const { readLabels } = await import("../../inputs/labels.ts");
        set.labels = readLabels(opts.labels, set.samples.length);
      }
      const total = set.samples.length;
      const { first, end } = shard ? shardRange(total, shard) : { first: 0, end: total };
      // By default one worker per core, unless the run is too small to pay for starting them.
      const { worthThreads } = await import("../../sim/work.ts");
      const workers = asked ?? (worthThreads(g, end - first) ? Math.min(availableParallelism(), MAX_WORKERS) : 0);

      const { chunkSizes, runSamples } = await import("../../driver/simulate/pool.ts");
      const { progressBar } = await import("../progress.ts");
      const progress = progressBar(end - first, "simulate");
      const t0 = performance.now();
      const { isDirectory } = await import("../../inputs/input-set.ts");
      const dir = opts.inputs !== "digits" && isDirectory(opts.inputs);
      const sources = sampleSources(opts.inputs, dir, set.names.slice(first, end));
      const r = await import("../../driver/simulate/result.ts");
      // The model's digest is taken while the workers run, if there are any.
      let digest: ResultHeader["model"] | undefined;
      const { meta, outcomes } = await inFileAndInputs(path, sources, () =>
        runSamples(g, set.samples.slice(first, end), {
          target: opts.target,
          workers,
          file: path,
          onProgress: (done) => progress.update(done),
          onStarted: () => {
            digest = r.modelDigest(g);
          },
        }),
      ).finally(() => progress.stop());
      const seconds = (performance.now() - t0) / 1000;

      const header: ResultHeader = {
        format: r.RESULT_FORMAT,
        version: r.RESULT_VERSION,
        model: digest ?? r.modelDigest(g),
        target: meta.target,
        timesteps: meta.timesteps,
        run_steps: meta.runSteps,
        inputs: { source: set.source, samples: total, labelled: set.labels !== undefined },
      };
      const samples = r.sampleEntries(meta, outcomes, set, first);
      const doc = r.resultDocument(header, meta.layers, samples, shard && { ...shard, first, end });
      const text = r.resultJson(doc);
      if (opts.output) {
        const { writeFileAtomically } = await import("../write-file.ts");
        writeFileAtomically(opts.output, text);
      }
      if (opts.json) {
        process.stdout.write(text);
        return;
      }
      printHuman(doc, meta);
      const n = end - first;
      const range = n ? `samples ${first}..${end - 1}` : "no samples";
      const part = shard ? ` (shard ${shard.index}/${shard.count}: ${range} of ${total})` : "";
      const threads = n && workers ? Math.min(workers, chunkSizes(n, workers).length) : 0;
      const where = threads ? `on ${threads} worker(s)` : "in this thread";
      process.stdout.write(`${n} samples${part} ${where} in ${seconds.toFixed(2)} s\n`);
      if (opts.output) process.stdout.write(`wrote ${opts.output}\n`);
    });
  addTimeStepOptions(c);
}

/** Where each sample came from, for a message about it: its file (a name `<file>#<k>` is sample k of it). */
function sampleSources(spec: string, dir: boolean, names: readonly string[]): SampleSource[] {
  return names.map((n) => {
    const cut = n.lastIndexOf("#");
    const name = cut < 0 ? n : n.slice(0, cut);
    const file = spec === "digits" ? spec : dir ? join(spec, name) : spec;
    return cut < 0 ? { file, index: 0, of: 1 } : { file, index: Number(n.slice(cut + 1)), of: 2 };
  });
}

/** A `compile --target float` output directory stands for its model.snnc.json. */
function modelPath(model: string): string {
  let dir = false;
  try {
    dir = statSync(model).isDirectory();
  } catch {
    return model; // loadModel reports the missing file
  }
  if (!dir) return model;
  if (existsSync(join(model, "model.snnc.json"))) return join(model, "model.snnc.json");
  if (existsSync(join(model, "network.lava.json")) && !existsSync(join(model, "model.json")))
    throw new SnncError(
      "E_FORMAT",
      "a Loihi compile output is not read back: give the model itself with --target loihi (each worker builds it)",
      { file: model },
    );
  return model;
}

function printHuman(doc: SimulateResult, meta: RunMeta): void {
  const fmt = (x: number) => String(+x.toPrecision(4));
  for (const s of doc.samples) {
    const label = s.label !== undefined ? ` label ${s.label}` : "";
    const cls = s.predicted !== undefined ? ` → class ${s.predicted}` : "";
    const rates = meta.layers.map((l, i) => `${l.name} ${fmt(s.rates[i]!)}`).join(", ");
    process.stdout.write(
      `sample ${s.index} (${s.name})${label}: readout [${s.readout.map(fmt).join(", ")}]${cls}; rates ${rates}\n`,
    );
  }
  const rows = meta.layers.map((l, i) => [l.name, l.neurons, fmt(doc.summary.mean_rates[i]!)]);
  process.stdout.write(
    `${formatTable(["layer", "neurons", `mean firing rate (spikes/neuron/step, T=${meta.timesteps})`], rows)}\n`,
  );
  const acc = doc.summary.accuracy;
  if (acc) process.stdout.write(`accuracy: ${acc.correct}/${acc.total} = ${(100 * acc.value).toFixed(1)} %\n`);
}
