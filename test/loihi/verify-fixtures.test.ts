/**
 * `snnc verify <fixture> --target loihi2` passes on every shipped fixture that compiles exactly, with
 * verify's default inputs (8 seeded random samples, seed 0): both integer engines agree, and the
 * agreement gates pass (a readout argmax that differs only as a tie within the quantisation bound,
 * docs/VERIFY.md). Run in process through the driver, as the CLI does. The fixtures the target
 * refuses are listed, so that none is skipped without saying so.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { test } from "node:test";
import { DEFAULT_RANDOM_SAMPLES } from "../../src/cli/commands/verify.ts";
import { driverFor } from "../../src/driver/index.ts";
import { loadModel } from "../../src/frontends/index.ts";
import { randomInputs } from "../../src/inputs/random-inputs.ts";
import { SnncError } from "../../src/ir/errors.ts";

/** Refused by loihi2 (exit 4): PSPNorm "ln" is not an inference-time layer. */
const REFUSED = new Set(["pspnorm-ln/model.json"]);

/** Every model file shipped under fixtures/ (TF.js, ONNX, NIR; not the deliberately broken ones). */
function shippedModels(): string[] {
  const out: string[] = [];
  for (const d of readdirSync("fixtures", { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    for (const f of readdirSync(`fixtures/${d.name}`))
      if (f === "model.json" || /^model.*\.onnx$/.test(f) || f.endsWith(".nir")) out.push(`${d.name}/${f}`);
    if (existsSync(`fixtures/${d.name}/tfjs/model.json`)) out.push(`${d.name}/tfjs/model.json`);
  }
  return out.sort();
}

const models = shippedModels();

test("the refused list names shipped models", () => {
  for (const f of REFUSED) assert.ok(models.includes(f), f);
  assert.ok(models.length - REFUSED.size >= 39, `${models.length} models`);
});

for (const f of models) {
  test(`verify ${f} --target loihi2: ${REFUSED.has(f) ? "refused" : "OK"}`, async () => {
    const file = `fixtures/${f}`;
    const g = await loadModel(file);
    const inputs = randomInputs(g, DEFAULT_RANDOM_SAMPLES, 0);
    const run = driverFor("loihi2").verify(g, { target: "loihi2", inputs, file });
    if (REFUSED.has(f)) {
      await assert.rejects(
        run,
        (e: unknown) => e instanceof SnncError && ["E_TARGET", "E_UNSUPPORTED"].includes(e.code),
      );
      return;
    }
    const r = (await run) as unknown as { ok: boolean; spikesDiffering: number; gates: { failures: string[] } };
    assert.equal(r.spikesDiffering, 0);
    assert.deepEqual(r.gates.failures, []);
    assert.equal(r.ok, true);
  });
}

test("verify nir-paper/cnn_sinabs.nir --target loihi2: weight planes chosen, spike agreement ≥ 97% (8-bit weights: below)", async () => {
  const file = "fixtures/nir-paper/cnn_sinabs.nir";
  const g = await loadModel(file);
  const inputs = randomInputs(g, DEFAULT_RANDOM_SAMPLES, 0);
  type Report = { ok: boolean; spikesDiffering: number; floatAgreement: { spikeAgreement: number } };
  const verify = async (weightPlanes?: 1 | 2) =>
    (await driverFor("loihi2").verify(g, { target: "loihi2", inputs, file, weightPlanes })) as unknown as Report;
  const chosen = await verify();
  assert.equal(chosen.ok, true);
  assert.equal(chosen.spikesDiffering, 0);
  assert.ok(chosen.floatAgreement.spikeAgreement >= 0.97, `${chosen.floatAgreement.spikeAgreement}`);
  assert.equal((await verify(2)).floatAgreement.spikeAgreement, chosen.floatAgreement.spikeAgreement);
  // Sinabs' IAF neurons keep every 8-bit rounding error for 100 steps: one plane stays below 97%
  assert.ok((await verify(1)).floatAgreement.spikeAgreement < 0.97);
});
