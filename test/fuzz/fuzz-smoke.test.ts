/**
 * The fuzz suite's smoke run: 1,000 mutated models, weight shards and inputs (test/fuzz/), each
 * through a real snnc command in a worker thread with a 20 s budget. Every case must end in
 * success or a clean one-line error: no exit 70, no hang, no stack trace, no partial output.
 * `npm run fuzz` runs the full 10,000 (docs/ROBUSTNESS.md).
 */
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { test } from "node:test";
import { formatSummary, runFuzz } from "./run-fuzz.ts";

const SEED = 20_250_901;

test("1,000 fuzz cases: only successes and clean errors", { timeout: 1_800_000 }, async (t) => {
  const summary = await runFuzz({
    cases: 1000,
    seed: SEED,
    budgetMs: 20_000,
    workers: Math.min(2, availableParallelism()),
  });
  t.diagnostic(formatSummary(summary, SEED));
  assert.equal(summary.cases, 1000);
  assert.deepEqual(summary.strayTemp, [], "temporary files left behind");
  assert.deepEqual(
    summary.failures.map((f) => `case ${f.index} [${f.cls}] ${f.seed} ${f.mutated} (${f.what}): ${f.detail}`),
    [],
  );
  // The mutations must reach both outcomes, or the suite tests nothing.
  assert.ok((summary.counts.success ?? 0) > 50, "too few successes");
  assert.ok((summary.counts["clean-error"] ?? 0) > 300, "too few errors");
});
