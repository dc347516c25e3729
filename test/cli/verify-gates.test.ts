/**
 * verify on a fixed-point target gates on what users care about: the deployed model's agreement with the
 * float model, not only its two integer engines agreeing (which they do in every case below).
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Ajv } from "ajv";
import { DEFAULT_MIN_SPIKE_AGREEMENT } from "../../src/verify/gates.ts";
import { snnc } from "../support/cli.ts";

const work = mkdtempSync(join(tmpdir(), "snnc-gates-"));
const validate = new Ajv({ strict: true, allErrors: true }).compile(
  JSON.parse(readFileSync("src/verify/verify-report.schema.json", "utf8")) as object,
);
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

test("a near-tie reversed by rounding is a tie within the quantisation bound: exit 0, reported in text and JSON", () => {
  // plif, verify's default inputs: sample 7's float readout puts class 2 0.078 above class 0; two
  // rounding departures in the integer model reverse it
  const r = snnc(["verify", "fixtures/plif/model.json", "--target", "loihi2", "--json"]);
  assert.equal(r.code, 0, r.stdout);
  const rep = JSON.parse(r.stdout);
  assert.ok(validate(JSON.parse(r.stdout)), JSON.stringify(validate.errors));
  assert.equal(rep.gates.ok, true);
  assert.equal(rep.gates.argmaxAgreement, 7 / 8);
  assert.equal(rep.gates.argmaxTies, 1);
  const ro = rep.floatAgreement.readout;
  assert.equal(ro.ties, 1);
  assert.equal(ro.disagreements.length, 1);
  const d = ro.disagreements[0];
  assert.deepEqual([d.sample, d.floatClass, d.fixedClass], [7, 2, 0]);
  assert.equal(d.judgement.tie, true);
  assert.equal(d.judgement.beyondBound, 0);
  assert.ok(d.judgement.margin > 0 && d.judgement.margin <= d.judgement.bound);
  const text = snnc(["verify", "fixtures/plif/model.json", "--target", "loihi2"]);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /readout argmax 87\.50% and 1 tie within the quantisation bound \(min 100\.00%\)/);
  assert.match(text.stdout, /readout 'readout': argmax agrees on 7\/8 samples, 1 tie within the quantisation bound/);
  assert.match(text.stdout, /sample 7: float class 2, integer class 0: a tie, float margin 0\.078\d* ≤ bound [\d.]+/);
});

test("an approximation's argmax disagreements are never ties", () => {
  const r = snnc([
    "verify",
    "fixtures/tebn/model.json",
    "--target",
    "loihi2",
    "--temporal-norm",
    "approx",
    "--random",
    "40",
  ]);
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /FAILED: readout 'readout' argmax agrees on \d+\/40 samples, below --min-argmax-agreement 100\.00% .*; sample \d+ \(float class \d, fixed-point class \d\) is not a tie: the compiled model approximates the float model/,
  );
  assert.doesNotMatch(r.stdout, /within the quantisation bound/);
});

test("gate options out of range are usage errors", () => {
  for (const v of ["1.5", "-0.1", "x"]) {
    const r = snnc(["verify", "fixtures/tdbn/model.json", "--target", "loihi2", "--min-spike-agreement", v]);
    assert.equal(r.code, 2, `${v}: ${r.stderr}`);
    assert.match(r.stderr, /^snnc: error: --min-spike-agreement/);
  }
});
