/**
 * verify on a fixed-point target gates on what users care about: the deployed model's agreement with the
 * float model, not only its two integer engines agreeing (which they do in every case below).
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { DEFAULT_MIN_SPIKE_AGREEMENT } from "../../src/verify/gates.ts";
import { snnc } from "../support/cli.ts";

const work = mkdtempSync(join(tmpdir(), "snnc-gates-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** mpbn-channel with its first stored weight set to 3.4e38: a deployed model that no longer matches. */
function corruptedMpbnChannel(): string {
  const dir = join(work, "mpbn-channel-corrupt");
  cpSync("fixtures/mpbn-channel", dir, { recursive: true });
  const bytes = readFileSync(join(dir, "weights.bin"));
  const w = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  w[0] = 3.4e38;
  writeFileSync(join(dir, "weights.bin"), new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
  return join(dir, "model.json");
}

test("a weight set to 3.4e38: the engines still agree, verify exits 1 naming the layer", () => {
  const r = snnc(["verify", corruptedMpbnChannel(), "--target", "loihi2", "--json"]);
  assert.equal(r.code, 1, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.spikesDiffering, 0, "the two integer engines agree");
  assert.equal(rep.membranes.differing, 0);
  assert.equal(rep.gates.ok, false);
  assert.ok(rep.gates.clippedWeights >= 1);
  assert.ok(
    rep.gates.failures.some((f: string) => /weight\(s\) clipped to the target's range \(1 in '[^']+'\)/.test(f)),
    rep.gates.failures.join("; "),
  );
  assert.equal(typeof rep.gates.weakestLayer.layer, "string");
});

test("tab with --temporal-norm approx (85% spike agreement) fails; the text says why", () => {
  const r = snnc(["verify", "fixtures/tab/model.json", "--target", "loihi2", "--temporal-norm", "approx"]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /FAILED, the compiled model departs from the float model/);
  assert.match(r.stdout, /FAILED: spike agreement with the float model 8\d\.\d\d% is below --min-spike-agreement/);
  assert.doesNotMatch(r.stdout, /OK, equivalent/);
});

test("the gates are overridable: the same approximation passes at --min-spike-agreement 0.8", () => {
  const r = snnc(
    ["verify", "fixtures/tab/model.json", "--target", "loihi2", "--temporal-norm", "approx"].concat([
      "--min-spike-agreement",
      "0.8",
      "--json",
    ]),
  );
  assert.equal(r.code, 0, r.stdout);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.gates.minSpikeAgreement, 0.8);
  assert.equal(rep.gates.ok, true);
});

test("an exactly compiling fixture passes every gate", () => {
  const r = snnc(["verify", "fixtures/tdbn/model.json", "--target", "loihi2", "--json"]);
  assert.equal(r.code, 0, r.stdout);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.gates.ok, true);
  assert.equal(rep.gates.argmaxAgreement, 1);
  assert.ok(rep.gates.spikeAgreement >= DEFAULT_MIN_SPIKE_AGREEMENT);
});

test("gate options out of range are usage errors", () => {
  for (const v of ["1.5", "-0.1", "x"]) {
    const r = snnc(["verify", "fixtures/tdbn/model.json", "--target", "loihi2", "--min-spike-agreement", v]);
    assert.equal(r.code, 2, `${v}: ${r.stderr}`);
    assert.match(r.stderr, /^snnc: error: --min-spike-agreement/);
  }
});
