/**
 * The report page in a real browser: headless Chromium (Debian's `chromium`, driven by
 * playwright-core; .ci/run installs it) opens reports of the demo fixture and of every digits
 * fixture from disk and checks that every chart is drawn (an SVG with a non-empty box and data
 * marks with non-empty boxes), that nothing was logged as an error or thrown, and that the page
 * asked for nothing but itself. A full-page screenshot of each goes to a temporary folder (its
 * path is printed as a test diagnostic). Without Chromium the test is skipped, saying why.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { loadModel } from "../../src/frontends/index.ts";
import { randomInputs } from "../../src/inputs/random-inputs.ts";
import { readChartLibraries } from "../../src/report/chart-libraries.ts";
import { collectReport } from "../../src/report/collect.ts";
import { reportHtml } from "../../src/report/html.ts";
import { ROOT } from "../support/cli.ts";
import { COVERAGE_MODELS, digitsModels } from "./report-fixtures.ts";

const CHROMIUM = process.env.SNNC_CHROMIUM ?? "/usr/bin/chromium";
const CHARTS = ["firing-rates", "raster", "thresholds", "quantisation", "agreement", "cores-fill", "cores-use"];
/** Plot's data marks (its mark groups carry the mark's name as aria-label). */
const MARKS = ["bar", "tick", "rect", "cell"].map((m) => `g[aria-label="${m}"] > *`).join(", ");

const skip = existsSync(CHROMIUM)
  ? false
  : `Chromium not found at ${CHROMIUM} (Debian: apt-get install chromium; or set SNNC_CHROMIUM): the report is not rendered`;

interface ChartBox {
  chart: string;
  svgs: number;
  width: number;
  height: number;
  marks: number;
}

async function writeReport(model: string, dir: string): Promise<string> {
  const g = await loadModel(join(ROOT, model));
  const data = collectReport(g, { target: "loihi2", file: model, inputs: randomInputs(g, 2, 0), inputsFrom: "test" });
  const file = join(dir, `${basename(dirname(model))}-${basename(model).replace(/\W+/g, "_")}.html`);
  writeFileSync(file, reportHtml(data, readChartLibraries()));
  return file;
}

describe("the report in headless Chromium", { skip }, () => {
  it("draws every chart, logs no error, fetches nothing; a screenshot of each", { timeout: 600_000 }, async (t) => {
    const { chromium } = await import("playwright-core");
    const dir = mkdtempSync(join(tmpdir(), "snnc-report-chromium-"));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      for (const model of [COVERAGE_MODELS[0]!, ...digitsModels()]) {
        const file = await writeReport(model, dir);
        const url = pathToFileURL(file).href;
        const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
        const problems: string[] = [];
        const requests: string[] = [];
        page.on("console", (m) => {
          if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
        });
        page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
        page.on("request", (r) => requests.push(r.url()));
        await page.goto(url);
        await page.waitForSelector("body[data-rendered]", { timeout: 60_000 });
        assert.equal(await page.getAttribute("body", "data-rendered"), "true", `${model}: ${problems.join("; ")}`);
        const boxes: ChartBox[] = await page.$$eval(
          ".chart",
          (els, marks) =>
            els.map((e) => {
              const svgs = [...e.querySelectorAll("svg")].map((s) => s.getBoundingClientRect());
              const big = svgs.reduce((a, r) => (r.width * r.height > a.width * a.height ? r : a), {
                width: 0,
                height: 0,
              });
              const drawn = [...e.querySelectorAll(marks)].filter((m) => {
                const r = m.getBoundingClientRect();
                return r.width > 0 || r.height > 0; // a raster's tick is a line: one of its sides is 0
              });
              return {
                chart: e.getAttribute("data-chart") ?? "",
                svgs: svgs.length,
                width: big.width,
                height: big.height,
                marks: drawn.length,
              };
            }),
          MARKS,
        );
        assert.deepEqual(
          boxes.map((b) => b.chart),
          CHARTS,
          model,
        );
        for (const b of boxes) {
          assert.ok(b.svgs > 0 && b.width > 100 && b.height > 40, `${model}: chart '${b.chart}' has no drawn SVG`);
          assert.ok(b.marks > 0, `${model}: chart '${b.chart}' draws no data`);
        }
        assert.deepEqual(problems, [], model);
        assert.deepEqual(requests, [url], `${model}: the page fetched something besides itself`);
        const png = file.replace(/\.html$/, ".png");
        await page.screenshot({ path: png, fullPage: true });
        const head = readFileSync(png).subarray(0, 8);
        assert.deepEqual([...head], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG");
        t.diagnostic(`${model}: ${png}`);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  });
});
