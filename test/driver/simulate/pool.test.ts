/**
 * The worker pool of `snnc simulate`, loaded from the sources (its workers run the .ts modules):
 * the outcomes are those of one thread running the samples in order, whatever the number of
 * workers; a user error inside a worker reaches the caller as that error (exit code kept).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { chunkSizes, runSamples } from "../../../src/driver/simulate/pool.ts";
import { prepareRun } from "../../../src/driver/simulate/prepare.ts";
import { floatRun, sampleRunner } from "../../../src/driver/simulate/runner.ts";
import { taskHandler } from "../../../src/driver/simulate/worker.ts";
import { digitsTestSet } from "../../../src/inputs/digits.ts";
import { SnncError } from "../../../src/ir/errors.ts";
import { digitsModel } from "../../support/digits-model.ts";

const g = digitsModel();
const inputs = digitsTestSet(g).samples.slice(0, 40);

async function inThread(target: string) {
  const r = sampleRunner(await prepareRun(g, target));
  return { meta: r.meta, outcomes: inputs.map((x, k) => r.run(x, k)) };
}

describe("runSamples", () => {
  for (const target of ["float", "loihi"]) {
    test(`${target}: 1 and 2 workers give the outcomes of one thread, in sample order`, async () => {
      const want = await inThread(target);
      assert.ok(
        want.outcomes.some((o) => o.spikes.some((s) => s > 0)),
        "the model spikes",
      );
      assert.ok(new Set(want.outcomes.map((o) => JSON.stringify(o.readout))).size > 10, "readouts differ by sample");
      for (const workers of [1, 2]) assert.deepEqual(await runSamples(g, inputs, { target, workers }), want);
    });
  }

  test("onStarted: once the samples have gone out to the workers, before any comes back; never in this thread", async () => {
    let calls = 0;
    let doneAtStart = -1;
    let done = 0;
    const r = await runSamples(g, inputs, {
      target: "float",
      workers: 2,
      onProgress: (d) => {
        done = d;
      },
      onStarted: () => {
        calls++;
        doneAtStart = done;
      },
    });
    assert.equal(r.outcomes.length, inputs.length);
    assert.equal(calls, 1);
    assert.equal(doneAtStart, 0);
    await runSamples(g, inputs.slice(0, 2), { target: "float", workers: 0, onStarted: () => calls++ });
    assert.equal(calls, 1);
    // what onStarted throws fails the run
    await assert.rejects(
      runSamples(g, inputs, {
        target: "float",
        workers: 2,
        onStarted: () => {
          throw new SnncError("E_VALUE", "stop here");
        },
      }),
      (e: unknown) => e instanceof SnncError && e.detail === "stop here",
    );
  });

  test("loihi reports its hardware steps and the model's T", async () => {
    const { meta } = await runSamples(g, inputs.slice(0, 2), { target: "loihi", workers: 1 });
    assert.equal(meta.target, "loihi2");
    assert.equal(meta.timesteps, 4);
    assert.ok(meta.runSteps > meta.timesteps);
    assert.deepEqual(
      meta.layers.map((l) => [l.name, l.neurons]),
      [
        ["lif1", 256],
        ["lif2", 16],
      ],
    );
  });

  test("no samples (an empty shard): the layers are still known", async () => {
    const r = await runSamples(g, [], { target: "float", workers: 2 });
    assert.deepEqual(r.outcomes, []);
    assert.deepEqual(
      r.meta.layers.map((l) => l.name),
      ["lif1", "lif2"],
    );
  });

  test("a model the target refuses: the worker's error, with its exit code", async () => {
    // analog (direct-encoded) input on loihi1, which takes binary spikes only
    const direct = await prepareRun(g, "loihi1").then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(direct instanceof SnncError && direct.exitCode === 4, "loihi1 refuses analog input");
    await assert.rejects(
      runSamples(g, inputs, { target: "loihi1", workers: 2 }),
      (e: unknown) => e instanceof SnncError && e.exitCode === 4 && e.message === direct.message,
    );
  });

  test("a worker builds its model once, at its first task, not per task or sample", () => {
    let builds = 0;
    const handle = taskHandler(() => {
      builds++;
      return floatRun(g);
    });
    const a = handle({ inputs: inputs.slice(0, 3), first: 0 });
    const b = handle({ inputs: inputs.slice(3, 6), first: 3 });
    assert.equal(builds, 1);
    assert.ok(!("error" in a) && a.outcomes.length === 3 && !("error" in b) && b.outcomes.length === 3);
  });

  test("chunks: every sample once, in order; at most 32 each; each at most half of what is left per worker", () => {
    assert.deepEqual(chunkSizes(0, 2), []);
    assert.deepEqual(chunkSizes(1, 2), [1]);
    assert.deepEqual(chunkSizes(3, 2), [1, 1, 1]);
    for (const [n, w] of [
      [360, 2],
      [360, 1],
      [97, 3],
      [100_000, 2],
    ] as const) {
      const sizes = chunkSizes(n, w);
      assert.equal(
        sizes.reduce((a, b) => a + b, 0),
        n,
      );
      let left = n;
      for (const k of sizes) {
        assert.ok(k >= 1 && k <= 32 && k <= Math.max(1, Math.ceil(left / (2 * w))), `${k} of ${left} left`);
        left -= k;
      }
      assert.ok(sizes.length >= 2 * w, "several per worker");
      assert.ok(sizes.at(-1)! <= 2, "the last ones small");
    }
    assert.equal(chunkSizes(100_000, 2)[0], 32);
  });
});
