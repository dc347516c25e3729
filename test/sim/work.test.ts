/**
 * Whether a default `snnc simulate` run starts worker threads: the operations of one step counted
 * by hand on the digits test model, the threshold on both sides, a graph without shapes taken as
 * large; and the shipped command on a small model runs in its own thread, writing the file a pool
 * writes.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { stepOps, THREADS_FROM, worthThreads } from "../../src/sim/work.ts";
import { inferShapes } from "../../src/ir/shapes.ts";
import { snnc } from "../support/cli.ts";
import { digitsModel, digitsModelFile } from "../support/digits-model.ts";
import { tempDir } from "../support/model-files.ts";

test("the operations of one step: multiply-adds of conv and dense layers, one per element elsewhere", () => {
  const g = inferShapes(digitsModel());
  // in 64; conv 3×3×1→4 on 8×8: 256 outputs × 9 taps; lif1 256; flatten 256; fc1 256×16; lif2 16;
  // fc2 16×10; readout 10
  assert.equal(stepOps(g), 64 + 256 * 9 + 256 + 256 + 256 * 16 + 16 + 16 * 10 + 10);
  const perSample = stepOps(g) * g.meta.timesteps;
  const atLeast = Math.ceil(THREADS_FROM / perSample);
  assert.equal(worthThreads(g, atLeast - 1), false);
  assert.equal(worthThreads(g, atLeast), true);
  const { shape: _, ...noShape } = g.nodes[1]!;
  assert.equal(
    worthThreads({ ...g, nodes: [g.nodes[0]!, noShape as (typeof g.nodes)[1], ...g.nodes.slice(2)] }, 1),
    true,
  );
});

test("simulate of a small model runs in this thread by default, and writes the file two workers write", async () => {
  const model = await digitsModelFile();
  const dir = await tempDir();
  const mine = snnc(["simulate", model, "--inputs", "digits", "-o", join(dir, "here.json")]);
  assert.equal(mine.code, 0, mine.stderr);
  assert.match(mine.stdout, /^360 samples in this thread in [\d.]+ s$/m);
  const pool = snnc(["simulate", model, "--inputs", "digits", "--workers", "2", "-o", join(dir, "pool.json")]);
  assert.equal(pool.code, 0, pool.stderr);
  assert.match(pool.stdout, /^360 samples on 2 worker\(s\) in [\d.]+ s$/m);
  assert.equal(readFileSync(join(dir, "here.json"), "utf8"), readFileSync(join(dir, "pool.json"), "utf8"));
});
