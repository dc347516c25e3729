/**
 * `npm run fuzz`: the fuzz suite at full size (test/fuzz/). Every case runs the real CLI in a
 * worker thread with a time budget; only clean errors and successes pass (docs/ROBUSTNESS.md).
 *
 *   npm run fuzz -- [--cases 10000] [--seed 1] [--budget 20] [--workers 2]
 *                   [--only 17,204] [--keep <dir>] [--seed-file <path>]...
 *
 * Exits 1 when any case fails, printing each failing case's number (rerun it with --only and
 * --keep to get its files).
 */
import { createWriteStream } from "node:fs";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { formatSummary, runFuzz } from "../test/fuzz/run-fuzz.ts";

const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "10000" },
    seed: { type: "string", default: "1" },
    budget: { type: "string", default: "20" },
    workers: { type: "string", default: String(Math.min(2, availableParallelism())) },
    only: { type: "string" },
    keep: { type: "string" },
    "seed-file": { type: "string", multiple: true },
    log: { type: "string" },
  },
});
const log = values.log ? createWriteStream(values.log) : undefined;

const seed = Number(values.seed);
const summary = await runFuzz({
  cases: Number(values.cases),
  seed,
  budgetMs: Number(values.budget) * 1000,
  workers: Number(values.workers),
  only: values.only?.split(",").map(Number),
  keepDir: values.keep,
  extraSeeds: values["seed-file"],
  onResult: log ? (r) => log.write(`${JSON.stringify(r)}\n`) : undefined,
  onCase: (done, total) => {
    if (done % 500 === 0 || done === total) process.stderr.write(`${done}/${total}\n`);
  },
});
log?.end();
process.stdout.write(`${formatSummary(summary, seed)}\n`);
process.exitCode = summary.failures.length || summary.strayTemp.length ? 1 : 0;
