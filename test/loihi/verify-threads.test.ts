/**
 * verify with the time-stepped engine and the float reference in threads of their own
 * (src/loihi/sim/stepped-thread.ts, src/sim/reference-thread.ts) gives the result it gives in one thread: the same comparisons, membranes, agreement and verdict,
 * also when the event-driven engine departs (SNNC_FIXED_FAULT's fault). Worker threads run compiled
 * JavaScript only, so the threaded runs use the build in dist/ (tsc's output, which `npm test`
 * makes first) and the one-thread runs the sources.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadModel } from "../../src/frontends/index.ts";
import { randomInputs } from "../../src/inputs/random-inputs.ts";
import { makeLoihiDriver } from "../../src/loihi/driver.ts";
import { buildLoihi, withTimesteps } from "../../src/loihi/build.ts";
import { runFixedStepped } from "../../src/loihi/sim/run-stepped.ts";
import type * as Stepped from "../../src/loihi/sim/stepped-thread.ts";
import type * as Ring from "../../src/loihi/sim/state-ring.ts";
import { simulate } from "../../src/sim/reference.ts";
import * as b from "../support/ir-builder.ts";
import { Rng } from "../support/rng.ts";
import type * as Reference from "../../src/sim/reference-thread.ts";
import { runMain } from "../cli/in-process.ts";
import { snnc } from "../support/cli.ts";
import { tempDir } from "../support/model-files.ts";

const dist = (p: string) => import(new URL(`../../dist/${p}`, import.meta.url).href);

type Verify = (g: unknown, o: Record<string, unknown>) => Promise<unknown>;

for (const [title, limits] of [
  ["the compiled thread's time-stepped runs are this thread's, array for array", undefined],
  ["a thread that runs out of memory hands its runs back: the same runs, made here", { maxOldGenerationSizeMb: 1 }],
] as const) {
  test(title, async () => {
    // the compiled module, with the sources' types
    const { startSteppedThread, steppedThreadAvailable } = (await dist(
      "loihi/sim/stepped-thread.js",
    )) as typeof Stepped;
    assert.equal(steppedThreadAvailable, true, "the build runs it in a thread");
    const g = await loadModel("fixtures/digits-tdbn-mt/model.onnx");
    const m = buildLoihi(g, { target: "loihi2" }).quant.model;
    const inputs = randomInputs(g, 3, 5);
    const thread = startSteppedThread(m, limits && { resourceLimits: limits });
    try {
      const runs = inputs.map((x) => thread.run({ x })); // asked for ahead: they come back in order
      for (const [k, x] of inputs.entries()) {
        const here = runFixedStepped(m, x, { state: true });
        assert.deepEqual(await runs[k], here, `sample ${k}`);
      }
      assert.equal(thread.inThisThread(), limits !== undefined, "where the runs were made");
    } finally {
      thread.close();
    }
  });
}

for (const [title, limits] of [
  ["runs that stream u and v through rings: every step's state is this thread's run's, and so is the rest", undefined],
  [
    "a thread that runs out of memory while streaming hands its runs back: the states come from the runs made here",
    { maxOldGenerationSizeMb: 1 },
  ],
] as const) {
  test(title, async () => {
    const { startSteppedThread } = (await dist("loihi/sim/stepped-thread.js")) as typeof Stepped;
    const { stateRing, stepStates, RING_STEPS } = (await dist("loihi/sim/state-ring.js")) as typeof Ring;
    const g = await loadModel("fixtures/digits-tdbn-mt/model.onnx");
    const m = withTimesteps(buildLoihi(g, { target: "loihi2" }).quant.model, 12);
    assert.ok(m.runSteps > 2 * RING_STEPS, `${m.runSteps} steps: the ring (${RING_STEPS} steps) must wrap, twice`);
    const inputs = randomInputs(g, 3, 5);
    const thread = startSteppedThread(m, limits && { resourceLimits: limits });
    try {
      // asked for ahead, as verify does: each run writes its own ring, one after the other
      const jobs = inputs.map((x) => {
        const ring = stateRing(m);
        const run = thread.run({ x, ring });
        return { run, states: stepStates(m, ring, run) };
      });
      for (const [k, x] of inputs.entries()) {
        const here = runFixedStepped(m, x, { state: true });
        const { run, states } = jobs[k]!;
        for (let n = 1; n <= here.steps; n++) {
          const st = await states.at(n);
          for (const [i, p] of m.populations.entries()) {
            assert.deepEqual(
              Int32Array.from(st.u(i)),
              here.u!.get(p.id)![n - 1],
              `u of ${p.id}, step ${n}, sample ${k}`,
            );
            assert.deepEqual(
              Int32Array.from(st.v(i)),
              here.v!.get(p.id)![n - 1],
              `v of ${p.id}, step ${n}, sample ${k}`,
            );
          }
          states.done(n);
        }
        const { u, v, r, ...rest } = await run;
        const { u: hu, v: hv, r: hr, ...hereRest } = here;
        assert.deepEqual(rest, hereRest, `spikes, readouts and stats of sample ${k}`);
        assert.equal(u === undefined, limits === undefined, "a streamed run keeps no states; one made here does");
      }
      assert.equal(thread.inThisThread(), limits !== undefined, "where the runs were made");
    } finally {
      thread.close();
    }
  });
}

test("the compiled float-reference thread's results are simulate's, array for array", async () => {
  const { startReferenceThread, referenceThreadAvailable } = (await dist(
    "sim/reference-thread.js",
  )) as typeof Reference;
  assert.equal(referenceThreadAvailable, true, "the build runs it in a thread");
  const g = await loadModel("fixtures/conv-bn-pool/model.json");
  const inputs = randomInputs(g, 3, 7);
  const opts = { timesteps: 5, trace: ["max_pool"] };
  const thread = startReferenceThread(g, opts);
  try {
    const runs = inputs.map((x) => thread.run(x));
    for (const [k, x] of inputs.entries()) assert.deepEqual(await runs[k], simulate(g, x, opts), `sample ${k}`);
    assert.equal(thread.inThisThread(), false);
  } finally {
    thread.close();
  }
});

for (const [fixture, fault] of [
  ["tdbn", undefined],
  ["digits-conv-bn-mpbn/tfjs", undefined],
  ["conv-bn-pool", undefined],
  ["mt-lif", "drop-first-event"],
] as const) {
  test(`verify ${fixture}${fault ? ` with the ${fault} fault` : ""}: the same result with the time-stepped engine and the float reference in threads of their own`, async () => {
    const g = await loadModel(`fixtures/${fixture}/model.json`);
    const inputs = randomInputs(g, 4, 0);
    const opts = { target: "loihi2", inputs };
    const here = await makeLoihiDriver({ fault }).verify(g, opts);
    const built = (await dist("loihi/driver.js")) as { makeLoihiDriver: typeof makeLoihiDriver };
    const verify = built.makeLoihiDriver({ fault }).verify as unknown as Verify;
    const threaded = await verify(g, { ...opts, steppedThread: true, referenceThread: true });
    assert.deepEqual(threaded, here);
    assert.equal((here as { ok: boolean }).ok, fault === undefined);
  });
}

test("a model that does not fit the board: verify fails with placement's error, also once a thread has started its run", async () => {
  const r = new Rng(3);
  const g = b.model(
    [
      b.input("in", [8, 8, 1]),
      b.conv("conv", "in", b.uniform(r, [3, 3, 1, 2100], -0.5, 1)),
      b.neuron("lif1", "conv", { theta: 0.8 }),
      b.conv("c2", "lif1", b.uniform(r, [1, 1, 2100, 2], -0.1, 0.1)),
      b.neuron("lif2", "c2", { theta: 0.8 }),
    ],
    { name: "big", T: 2, encoding: "spikes" },
  );
  const opts = { target: "loihi1", board: "chip", inputs: randomInputs(g, 2, 0) };
  const built = (await dist("loihi/driver.js")) as { makeLoihiDriver: typeof makeLoihiDriver };
  const verify = built.makeLoihiDriver({}).verify as unknown as Verify;
  for (const run of [
    () => makeLoihiDriver({}).verify(g, opts),
    () => verify(g, { ...opts, steppedThread: true, referenceThread: true }),
  ]) {
    await assert.rejects(run(), (e: Error) => {
      assert.match(e.message, /^the network does not fit board 'chip': it needs \d+ cores/);
      return true;
    });
  }
});

test("an input both engines refuse: one error line naming its file (and sample), its exit code, no unhandled rejection", async () => {
  const dir = await tempDir();
  const good = JSON.parse(readFileSync("fixtures/mlp-dense/input.json", "utf8")) as number[];
  const bad = join(dir, "bad.json");
  writeFileSync(bad, JSON.stringify(good.map((v, i) => (i === 8 ? 1e308 : v))));
  const several = join(dir, "several.json");
  writeFileSync(several, JSON.stringify({ inputs: [good, good, good.map((v, i) => (i === 8 ? 1e308 : v))] }));
  const problem =
    "layer 'input': input value 1e+308 at index 8 is not a spike (0 or 1): this target takes binary input spikes";
  const model = "fixtures/mlp-dense/model.json";
  const good1 = "fixtures/mlp-dense/input.json";
  for (const [args, where] of [
    [["verify", model, "--target", "loihi", "--input", bad, "--input", bad], bad],
    [["verify", model, "--target", "loihi", "--input", good1, "--input", several], `${several}: sample 2`],
    [["run", model, "--target", "loihi", "--input", good1, "--input", bad], bad],
  ] as const) {
    for (const built of [true, false]) {
      const r = built ? snnc([...args]) : await runMain([...args]);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stderr, `snnc: error: ${where}: ${problem}\n`, `${args[0]} ${built ? "built" : "sources"}`);
    }
  }
});
