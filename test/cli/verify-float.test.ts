import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import type { VerifyReport } from "../../src/verify/report.ts";
import { snnc } from "../support/cli.ts";

const validate = new Ajv({ strict: true }).compile(
  JSON.parse(
    readFileSync(fileURLToPath(new URL("../../src/verify/verify-report.schema.json", import.meta.url)), "utf8"),
  ),
);

/** The CLI with fold-bn replaced by a deliberately broken version (test/cli/break-fold.ts). */
const snncBroken = (args: string[]) => snnc(args, { imports: ["tsx", "./test/cli/break-fold.ts"] });

describe("snnc verify --target float", () => {
  it("prints the summary and exits 0 when no spike differs", () => {
    const r = snnc([
      "verify",
      "fixtures/mpbn-element/model.json",
      "--target",
      "float",
      "--input",
      "fixtures/mpbn-element/input.json",
      "--random",
      "3",
      "--seed",
      "5",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^verify --target float: OK, equivalent$/m);
    assert.match(r.stdout, /layers 2, neurons 118, steps 5, samples 4/);
    assert.match(r.stdout, /spikes compared 2360, spikes differing 0, smallest margin \d/);
  });

  it("--json prints a report that follows verify-report.schema.json", () => {
    const r = snnc(["verify", "fixtures/tdbn/model.json", "--json", "--random", "2"]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as VerifyReport;
    assert.ok(validate(doc), JSON.stringify(validate.errors));
    assert.equal(doc.ok, true);
    assert.equal(doc.samples, 2);
    assert.equal(doc.spikesDiffering, 0);
  });

  it("without --input or --random it verifies 8 seeded random samples", () => {
    const r = snnc(["verify", "fixtures/mlp-dense/model.json", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).samples, 8);
  });

  it("exits 1 on a deliberately broken fold and lists the first divergences", () => {
    const r = snncBroken([
      "verify",
      "fixtures/conv-bn-pool/model.json",
      "--input",
      "fixtures/conv-bn-pool/input.json",
      "--max-divergences",
      "3",
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^verify --target float: FAILED, spikes differ$/m);
    assert.match(r.stdout, /spikes differing [1-9]\d*/);
    const listed = r.stdout.match(
      /^ {4}sample 0 layer '\w+' neuron \d+ step \d+: reference [01], compiled [01], margin [\d.e-]+$/gm,
    );
    assert.equal(listed?.length, 3, r.stdout);
    const json = snncBroken(["verify", "fixtures/conv-bn-pool/model.json", "--json", "--random", "2"]);
    assert.equal(json.code, 1);
    const doc = JSON.parse(json.stdout) as VerifyReport;
    assert.ok(validate(doc));
    assert.equal(doc.ok, false);
    assert.ok(doc.divergences.length > 0 && doc.divergences.length <= 10);
  });

  it("the same injection leaves a model without BN equivalent (the check is specific)", () => {
    assert.equal(snncBroken(["verify", "fixtures/mlp-dense/model.json", "--random", "2"]).code, 0);
  });

  it("a refused model exits 4 with one line", () => {
    const r = snnc(["verify", "fixtures/pspnorm-ln/model.json"]);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /^snnc: error: fixtures\/pspnorm-ln\/model\.json: layer 'psp1': PSPNorm mode "ln"/);
  });

  it("bad options are usage errors", () => {
    assert.equal(snnc(["verify", "fixtures/mlp-dense/model.json", "--max-divergences", "-1"]).code, 2);
    assert.equal(snnc(["verify", "fixtures/mlp-dense/model.json", "--random", "0"]).code, 2);
    const r = snnc(["verify", "fixtures/mlp-dense/model.json", "--input", "fixtures/no-such-input.json"]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /fixtures\/no-such-input\.json/);
  });
});
