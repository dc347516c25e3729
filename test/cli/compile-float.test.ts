import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { graphFromJson } from "../../src/ir/serialize.ts";
import { ROOT, snnc } from "../support/cli.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "snnc-compile-"));

interface RunJson {
  samples: { readout: number[]; layers: { name: string; total: number; raster: number[][] }[] }[];
}

describe("snnc compile --target float", () => {
  it("writes model.snnc.json and report.txt; the output re-imports and runs to identical spikes", () => {
    for (const fx of ["conv-bn-pool", "mpbn-element"]) {
      const out = join(tmp(), "out");
      const r = snnc(["compile", `fixtures/${fx}/model.json`, "--target", "float", "-o", out]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(readdirSync(out).sort(), ["model.snnc.json", "report.txt"]);
      assert.match(r.stdout, /wrote model\.snnc\.json, report\.txt to /);
      const report = readFileSync(join(out, "report.txt"), "utf8");
      assert.match(report, /^model '.*': \d+ nodes → \d+ after \d+ passes$/m);
      const folded = graphFromJson(readFileSync(join(out, "model.snnc.json"), "utf8"));
      assert.ok(
        !folded.nodes.some(
          (n) =>
            n.op === "bn" ||
            n.op === "tdbn" ||
            n.op === "pspnorm" ||
            (n.op === "neuron" && (n.mpbn || n.plifA !== undefined)),
        ),
      );
      const runOf = (model: string) => {
        const x = snnc(["run", model, "--input", `fixtures/${fx}/input.json`, "--json", "--raster"]);
        assert.equal(x.code, 0, x.stderr);
        return JSON.parse(x.stdout) as RunJson;
      };
      const ref = runOf(`fixtures/${fx}/model.json`);
      const got = runOf(join(out, "model.snnc.json"));
      assert.deepEqual(
        got.samples[0]!.layers.map((l) => [l.name, l.raster]),
        ref.samples[0]!.layers.map((l) => [l.name, l.raster]),
        `${fx}: spike rasters differ`,
      );
      assert.ok(ref.samples[0]!.layers.some((l) => l.total > 0));
    }
  });

  it("compiles deterministically (same bytes twice)", () => {
    const a = join(tmp(), "a");
    const b = join(tmp(), "b");
    assert.equal(snnc(["compile", "fixtures/mpbn-channel/model.json", "-o", a]).code, 0);
    assert.equal(snnc(["compile", "fixtures/mpbn-channel/model.json", "-o", b]).code, 0);
    for (const f of ["model.snnc.json", "report.txt"])
      assert.equal(readFileSync(join(a, f), "utf8"), readFileSync(join(b, f), "utf8"), f);
  });

  it("--list-passes prints the float pipeline in order, no model needed", () => {
    const r = snnc(["compile", "--target", "float", "--list-passes"]);
    assert.equal(r.code, 0, r.stderr);
    const names = [...r.stdout.matchAll(/^\d+\s+(\S+)/gm)].map((m) => m[1]);
    assert.deepEqual(names.slice(0, 7), [
      "fold-bn",
      "fold-tdbn",
      "fold-psp-bn",
      "absorb-affine",
      "fold-mpbn",
      "fold-plif",
      "absorb-gain",
    ]);
  });

  it("--dump-ir-after <pass> adds the IR after that pass, which re-imports", () => {
    const out = join(tmp(), "out");
    const r = snnc(["compile", "fixtures/mpbn-channel/model.json", "-o", out, "--dump-ir-after", "fold-mpbn"]);
    assert.equal(r.code, 0, r.stderr);
    const dump = graphFromJson(readFileSync(join(out, "ir-after-fold-mpbn.snnc.json"), "utf8"));
    const lif1 = dump.nodes.find((n) => n.id === "lif1")!;
    assert.ok(
      lif1.op === "neuron" && !lif1.mpbn && [...lif1.gain.data].some((v) => v === -1),
      "after fold-mpbn the negation sits on the neuron gain",
    );
    const final = graphFromJson(readFileSync(join(out, "model.snnc.json"), "utf8")).nodes.find((n) => n.id === "lif1")!;
    assert.ok(
      final.op === "neuron" && [...final.gain.data].every((v) => v === 1),
      "absorb-gain then moved it into the conv",
    );
  });

  it("an unknown --dump-ir-after pass is a usage error and writes nothing", () => {
    const out = join(tmp(), "out");
    const r = snnc(["compile", "fixtures/conv-bn-pool/model.json", "-o", out, "--dump-ir-after", "fold-everything"]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^snnc: error: --dump-ir-after 'fold-everything': target 'float' runs no such pass \(passes: fold-bn, /,
    );
    assert.equal(existsSync(out), false);
  });

  it("a refused model exits 4 with one line naming file and layer, and writes nothing", () => {
    const out = join(tmp(), "out");
    const r = snnc(["compile", "fixtures/pspnorm-ln/model.json", "-o", out]);
    assert.equal(r.code, 4);
    assert.equal(r.stderr.trim().split("\n").length, 1);
    assert.match(
      r.stderr,
      /^snnc: error: fixtures\/pspnorm-ln\/model\.json: layer 'psp1': PSPNorm mode "ln" normalises over C×H×W×T/,
    );
    assert.equal(existsSync(out), false);
  });

  it("usage errors: missing -o, bad --temporal-norm, unknown target", () => {
    assert.match(snnc(["compile", "fixtures/conv-bn-pool/model.json"]).stderr, /compile needs -o <dir>/);
    const bad = snnc([
      "compile",
      "fixtures/conv-bn-pool/model.json",
      "-o",
      join(tmp(), "o"),
      "--temporal-norm",
      "fast",
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--temporal-norm must be 'exact' or 'approx', got 'fast'/);
    const unk = snnc(["compile", "fixtures/conv-bn-pool/model.json", "-o", join(tmp(), "o"), "--target", "gpu9000"]);
    assert.equal(unk.code, 2);
    assert.match(unk.stderr, /unknown target 'gpu9000' \(known: .*float/);
  });

  it("runs from any working directory", () => {
    const out = join(tmp(), "out");
    assert.equal(snnc(["compile", join(ROOT, "fixtures/plif/model.json"), "-o", out], { cwd: tmpdir() }).code, 0);
  });
});
