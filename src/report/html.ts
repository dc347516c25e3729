/**
 * The report page: one self-contained HTML file. Its styles and scripts are inline (the charting
 * libraries, the data as one JSON blob, the script that draws the charts from it on load) and its
 * Content-Security-Policy forbids every fetch, so viewing it needs no network. The same data and
 * libraries give the same bytes.
 */
import type { ChartLibrary } from "./chart-libraries.ts";
import { PAGE_SCRIPT } from "./page-script.ts";
import type { ReportData } from "./report-data.ts";

/** The id of the script element that holds the data. */
export const DATA_ELEMENT_ID = "snnc-report-data";

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; color: #222; margin: 0; background: #fafafa; }
header { background: #1f3b57; color: #fff; padding: 16px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; opacity: 0.85; }
main { max-width: 960px; margin: 0 auto; padding: 8px 32px 32px; }
section { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; margin: 16px 0; padding: 12px 20px; }
h2 { font-size: 17px; margin: 4px 0 6px; }
h3 { font-size: 14px; margin: 12px 0 2px; font-weight: 600; }
p.what { color: #555; margin: 0 0 8px; }
.chart { margin: 8px 0; min-height: 20px; }
table { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
th, td { border-bottom: 1px solid #eee; padding: 2px 10px 2px 0; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.warn { color: #8a4b00; }
.error { color: #b00020; font-weight: 600; }
footer { color: #777; font-size: 12px; margin: 16px 0; }
`;

/** Text as HTML character data. */
function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Script text that cannot end its <script> element early. */
function scriptText(code: string): string {
  return code.replace(/<\/(script)/gi, "<\\/$1");
}

/** JSON inside a <script> element: every "<" escaped (JSON.parse reads \u003c back as "<"). */
function jsonScriptText(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function section(id: string, title: string, what: string, charts: string[]): string {
  const divs = charts.map((c) => `<div class="chart" data-chart="${c}"></div>`).join("\n");
  return `<section id="${id}">\n<h2>${title}</h2>\n<p class="what">${what}</p>\n${divs}\n<div class="tables" data-tables="${id}"></div>\n</section>`;
}

const SECTIONS = [
  section(
    "summary",
    "Summary",
    "The deployed network, the inputs every figure below is measured on, and what the compile warns about.",
    [],
  ),
  section(
    "firing-rates",
    "Firing rates per layer",
    "Mean output per neuron and reference step over every sample: the float model as written and the integer model Loihi runs (its layers aligned by their latency).",
    ["firing-rates"],
  ),
  section(
    "raster",
    "Spike raster of one sample",
    "Every neuron that fired at each reference step of the first sample, coloured by which model emitted the spike.",
    ["raster"],
  ),
  section(
    "thresholds",
    "Thresholds before and after folding",
    "Every neuron's compare threshold as written, after the exact folds (MPBN, BN, PLIF, gains), and after the Loihi lowerings (one threshold per population); each layer in its own state units.",
    ["thresholds"],
  ),
  section(
    "quantisation",
    "Quantisation error per layer",
    "Per synapse group: the largest weight error relative to the largest weight, and the relative RMS error ‖ŵ − w‖ / ‖w‖, where ŵ is the weight the integers stand for.",
    ["quantisation"],
  ),
  section(
    "agreement",
    "Float vs fixed-point spike agreement per layer",
    "The share of spike slots (neuron × step × sample) where the integer model fires as the float model as written does.",
    ["agreement"],
  ),
  section(
    "cores",
    "Core utilisation",
    "The placement of hwconfig.json: the neurons of each population on each core (coloured by their share of a core's neuron limit), and each core's use of every per-core limit.",
    ["cores-fill", "cores-use"],
  ),
];

export function reportHtml(data: ReportData, libraries: readonly ChartLibrary[]): string {
  const title = `snnc report: ${data.model.file} (${data.model.name}) on ${data.target.name}`;
  const libs = libraries
    .map(
      (l) => `<script>/*! ${l.name} ${l.version} (${l.license})\n${l.licenseText}\n*/\n${scriptText(l.code)}</script>`,
    )
    .join("\n");
  const credits = libraries.map((l) => `${escapeHtml(l.name)} ${escapeHtml(l.version)} (${escapeHtml(l.license)})`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="snnc report">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p>T = ${data.model.timesteps}, ${escapeHtml(data.model.encoding)} encoding; ${data.inputs.samples} sample${data.inputs.samples === 1 ? "" : "s"} (${escapeHtml(data.inputs.from)})</p>
</header>
<main>
<noscript><p class="error">The charts of this report are drawn by its inline scripts: enable JavaScript to see them.</p></noscript>
${SECTIONS.join("\n")}
<footer>Written by snnc. Charts drawn with ${credits.join(" and ")}, inlined with their licence texts.</footer>
</main>
${libs}
<script type="application/json" id="${DATA_ELEMENT_ID}">${jsonScriptText(data)}</script>
<script>${scriptText(PAGE_SCRIPT)}</script>
</body>
</html>
`;
}
