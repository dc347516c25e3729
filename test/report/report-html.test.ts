/**
 * `snnc report`: the HTML file it writes is one self-contained page (no external reference of any
 * kind, a Content-Security-Policy that forbids fetches, the data as one JSON blob, the charting
 * libraries inline with their licences), byte-identical for the same input, written atomically;
 * bad usage and refused models end with one error line and write nothing. Every digits fixture
 * gets its report.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT, snnc } from "../support/cli.ts";
import { COVERAGE_MODELS, digitsFoldersWithoutModel, digitsModels } from "./report-fixtures.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "snnc-report-"));

const CHARTS = ["firing-rates", "raster", "thresholds", "quantisation", "agreement", "cores-fill", "cores-use"];

interface Page {
  /** The markup outside <script> elements. */
  markup: string;
  scripts: { attrs: string; body: string }[];
}

/** Splits a page into its scripts and the rest (the page's scripts hold no "</script"). */
function parsePage(html: string): Page {
  const scripts: Page["scripts"] = [];
  const markup = html.replace(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi, (_m, attrs: string, body: string) => {
    scripts.push({ attrs, body });
    return "<script></script>";
  });
  return { markup, scripts };
}

function report(model: string, out: string, extra: string[] = []) {
  const r = snnc(["report", model, "--target", "loihi2", "-o", out, ...extra]);
  assert.equal(r.code, 0, `${model}: ${r.stderr}`);
  return r;
}

describe("snnc report", () => {
  it("writes one self-contained HTML page, the same bytes every time", () => {
    const dir = tmp();
    const a = join(dir, "a", "report.html");
    const r = report("fixtures/tdbn/model.json", a);
    assert.match(r.stdout, /^loihi2: \d+ populations on 1 core; float vs integer on 8 samples: [\d.]+% spikes agree/);
    assert.match(r.stdout, /wrote .*report\.html \(\d+ KiB\)/);
    const html = readFileSync(a, "utf8");
    report("fixtures/tdbn/model.json", join(dir, "b.html"));
    assert.equal(readFileSync(join(dir, "b.html"), "utf8"), html, "same input, same bytes");
    assert.deepEqual(readdirSync(join(dir, "a")), ["report.html"], "no staging file left");

    assert.ok(html.startsWith("<!DOCTYPE html>\n"));
    const { markup, scripts } = parsePage(html);
    // nothing outside the page: no source, link, stylesheet, frame, image or url() of any kind
    assert.doesNotMatch(markup, /\s(src|href|srcset|action|data|poster)\s*=/i);
    assert.doesNotMatch(markup, /<(link|iframe|img|object|embed|audio|video|base)\b/i);
    assert.doesNotMatch(markup, /url\(|@import/i);
    for (const s of scripts) assert.doesNotMatch(s.attrs, /\bsrc\s*=/i);
    assert.match(markup, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; [^"]*">/);
    assert.ok(!html.includes(ROOT) && !html.includes(dir), "no path of this machine");

    // the charting libraries, inline with their licence texts, then the data, then the page's script
    assert.equal(scripts.length, 4);
    assert.match(scripts[0]!.body, /^\/\*! d3 7\.\d+\.\d+ \(ISC\)\nCopyright/);
    assert.match(scripts[1]!.body, /^\/\*! @observablehq\/plot 0\.6\.\d+ \(ISC\)\nCopyright/);
    assert.match(scripts[2]!.attrs, /type="application\/json" id="snnc-report-data"/);
    assert.ok(!scripts[3]!.attrs.trim(), "the page's own script");
    const data = JSON.parse(scripts[2]!.body);
    assert.equal(data.format, "snnc.report");
    assert.equal(data.model.file, "model.json");
    assert.equal(data.inputs.samples, 8);
    assert.ok(data.firingRates.length >= 2 && data.raster.layers.length >= 2);
    assert.ok(data.quantisation.connections.length >= 3 && data.agreement.perLayer.length >= 2);
    assert.ok(data.cores.cores.length >= 1 && data.thresholds.values.length >= 2);
    for (const c of CHARTS) assert.ok(markup.includes(`data-chart="${c}"`), c);
  });

  it("--input and --samples choose the samples; a new report replaces the old file", () => {
    const dir = tmp();
    const out = join(dir, "r.html");
    writeFileSync(out, "old");
    const inputs = join(dir, "in.json");
    const one = JSON.parse(readFileSync(join(ROOT, "fixtures/tdbn/input.json"), "utf8"));
    writeFileSync(inputs, JSON.stringify({ inputs: [one, one, one] }));
    report("fixtures/tdbn/model.json", out, ["--input", inputs, "--samples", "2"]);
    const data = JSON.parse(parsePage(readFileSync(out, "utf8")).scripts[2]!.body);
    assert.equal(data.inputs.samples, 2);
    assert.equal(data.inputs.from, "the first 2 of in.json");
    assert.equal(data.summary.readout.argmaxAgree <= 2, true);
  });

  it("bad usage and models the target refuses: one error line, exit 2 / 3 / 4, nothing written", () => {
    const dir = tmp();
    const out = join(dir, "r.html");
    const cases: [string[], number, RegExp][] = [
      [["report", "fixtures/tdbn/model.json", "--target", "float", "-o", out], 2, /--target must be one of loihi/],
      [["report", "fixtures/tdbn/model.json"], 2, /needs -o <file>/],
      [["report", "fixtures/tdbn/model.json", "--samples", "0", "-o", out], 2, /--samples must be an integer >= 1/],
      [["report", "fixtures/none/model.json", "-o", out], 3, /fixtures\/none\/model\.json/],
      [["report", "fixtures/pspnorm-ln/model.json", "-o", out], 4, /layer 'psp1': PSPNorm mode "ln" .* not an inference-time layer/],
    ];
    for (const [args, code, msg] of cases) {
      const r = snnc(args);
      assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, msg);
      assert.match(r.stderr, /^snnc: error: [^\n]*\n$/);
      assert.ok(!existsSync(out), `${args.join(" ")} wrote nothing`);
    }
    // an output path that is a directory is left alone
    const r = snnc(["report", "fixtures/tdbn/model.json", "--samples", "1", "-o", dir]);
    assert.equal(r.code, 74, r.stderr);
    assert.match(r.stderr, /^snnc: error: .*: output path exists and is a directory\n$/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it("works on the coverage fixtures and on every digits fixture", () => {
    assert.deepEqual(digitsFoldersWithoutModel(), [], "every fixtures/digits-* folder holds a model");
    const dir = tmp();
    for (const [k, model] of [...COVERAGE_MODELS.slice(1), ...digitsModels()].entries()) {
      const out = join(dir, `${k}.html`);
      report(model, out, ["--samples", "1"]);
      const data = JSON.parse(parsePage(readFileSync(out, "utf8")).scripts[2]!.body);
      assert.ok(data.firingRates.length > 0 && data.quantisation.connections.length > 0, model);
      assert.ok(data.cores.cores.length > 0, model);
    }
  });
});
