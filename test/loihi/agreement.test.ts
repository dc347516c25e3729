/**
 * The compile agreement: measured step by step on the event-driven engine (memory independent of
 * T), in this thread or across worker threads, it equals the agreement computed from whole traces
 * of the time-stepped engine; its default sample count and `agreementSamples` (0: not measured).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadModel } from "../../src/frontends/index.ts";
import { randomInputs } from "../../src/inputs/random-inputs.ts";
import { buildLoihi } from "../../src/loihi/build.ts";
import {
  AGREEMENT_BUDGET,
  defaultAgreementSamples,
  measureLoihiAgreement,
  sampleWork,
} from "../../src/loihi/agreement.ts";
import { loihiDriver } from "../../src/loihi/driver.ts";
import { integerRuns } from "../../src/loihi/run.ts";
import { measureAgreement } from "../../src/verify/agreement.ts";
import type { DenseSynapse } from "../../src/loihi/model/integer-model.ts";
import { binaryInput, conn, fixedModel, pop } from "../support/fixed-builder.ts";
import { ROOT } from "../support/cli.ts";

const fixture = (name: string) => loadModel(`${ROOT}fixtures/${name}/model.json`);

for (const name of ["tdbn", "residual-add", "mt-lif", "bntt", "mpbn-element"]) {
  test(`${name}: streamed event-engine agreement = whole-trace time-stepped agreement`, async () => {
    const g = await fixture(name);
    const m = buildLoihi(g, { target: "loihi2" }).quant.model;
    const inputs = randomInputs(g, 3, 11);
    const whole = measureAgreement(g, integerRuns(m, inputs), inputs);
    const streamed = await measureLoihiAgreement(g, m, inputs, { threads: 1 });
    assert.deepEqual(streamed, whole);
    assert.ok(whole.perLayer.length > 0 && whole.perLayer.every((l) => l.spikesCompared > 0));
  });
}

test("across two worker threads: the same figures as in one thread", async () => {
  const g = await fixture("tdbn");
  const m = buildLoihi(g, { target: "loihi2" }).quant.model;
  const inputs = randomInputs(g, 4, 3);
  const one = await measureLoihiAgreement(g, m, inputs, { threads: 1 });
  const two = await measureLoihiAgreement(g, m, inputs, { threads: 2 });
  assert.deepEqual(two, one);
  assert.equal(two.samples, 4);
});

test("default samples: 8 while the budget holds them, fewer (down to 0) beyond", () => {
  // the count reads only the synapses' shapes: a dense n → n synapse without its weights
  const big = (n: number) => {
    const s: DenseSynapse = { kind: "dense", inSize: n, outSize: n, weights: new Int32Array(0) };
    return fixedModel(binaryInput([n]), [pop("a", [n], { depth: 1 }, 5)], [conn("c", "in", "a", s)], 4, 5);
  };
  const small = big(4);
  assert.equal(sampleWork(small), 16 * 5);
  assert.equal(defaultAgreementSamples(small), 8);
  const mid = big(Math.ceil(Math.sqrt(AGREEMENT_BUDGET / 5 / 3))); // a little over budget / 3 per sample
  assert.equal(defaultAgreementSamples(mid), 2);
  const huge = big(Math.ceil(Math.sqrt(AGREEMENT_BUDGET / 5)) + 1);
  assert.equal(defaultAgreementSamples(huge), 0);
});

test("compile: --agreement-samples n measures n samples; 0 measures none and report.txt says so", async () => {
  const g = await fixture("tdbn");
  const two = await loihiDriver.compile(g, { target: "loihi2", agreementSamples: 2 });
  const text2 = two.files.get("report.txt") as string;
  assert.match(text2, /2 seeded random inputs \(the model's input encoding, seed 0\): 2 samples/);
  assert.ok(two.report.some((l) => l.startsWith("float vs integer (2 seeded random inputs)")));
  const none = await loihiDriver.compile(g, { target: "loihi2", agreementSamples: 0 });
  const text0 = none.files.get("report.txt") as string;
  assert.match(text0, /not measured: --agreement-samples 0/);
  assert.doesNotMatch(text0, /seeded random/);
  assert.ok(none.report.includes("float vs integer: not measured (see report.txt)"));
  // everything but the agreement is the same
  const strip = (t: string) => t.slice(0, t.indexOf("Agreement"));
  assert.equal(strip(text0), strip(text2));
});

test("across two worker threads: a sample that fails fails the measure with its own error, and the pool measures again after", async () => {
  // (that the pool waits for a worker still loading is loadedWorkers' test: test/util/worker-loaded.test.ts)
  const g = await fixture("tdbn");
  const m = buildLoihi(g, { target: "loihi2" }).quant.model;
  const good = randomInputs(g, 3, 3);
  // a sample of the wrong size fails in its thread, first of all, while the other may still load
  const bad = new Float64Array(1);
  for (let i = 0; i < 3; i++) {
    await assert.rejects(measureLoihiAgreement(g, m, [bad, ...good], { threads: 2 }), (e: Error) => {
      assert.ok(!(e.name === "AbortError"), `the sample's own error, not the abort of the others: ${e.message}`);
      return true;
    });
  }
  // and the pool still measures after that
  assert.deepEqual(
    await measureLoihiAgreement(g, m, good, { threads: 2 }),
    await measureLoihiAgreement(g, m, good, { threads: 1 }),
  );
});
