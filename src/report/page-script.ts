/**
 * The script of the report page (html.ts inlines it as text): it reads the JSON blob and draws
 * every chart with Observable Plot (SVG), and the tables beside them. When it has drawn everything
 * it sets `data-rendered="true"` on <body>; a failure is shown on the page and logged as an error.
 * Plain ES2017 for any browser; no template literals, backslashes or "${" (this file holds it in one).
 */
export const PAGE_SCRIPT = `
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("snnc-report-data").textContent);
  var WIDTH = 880;
  var MODELS = ["float model as written", "integer model (Loihi)"];
  var MODEL_COLORS = ["#4e79a7", "#f28e2b"];
  var CATEGORIES = ["same in both", "float model only", "integer model only", "both, different values"];
  var CATEGORY_COLORS = ["#59a14f", "#4e79a7", "#e15759", "#b07aa1"];

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function pct(x, digits) { return (100 * x).toFixed(digits === undefined ? 2 : digits) + "%"; }
  function num(x) { return x === null || x === undefined ? "-" : String(x); }
  function chart(name) { return document.querySelector('[data-chart="' + name + '"]'); }
  function tables(id) { return document.querySelector('[data-tables="' + id + '"]'); }
  function uniq(xs) { var seen = {}; return xs.filter(function (x) { return seen[x] ? false : (seen[x] = true); }); }
  function labelMargin(labels) {
    var n = labels.reduce(function (a, s) { return Math.max(a, String(s).length); }, 0);
    return Math.max(60, Math.min(300, Math.round(n * 6.2) + 16));
  }
  function table(parent, caption, head, rows, numeric) {
    if (caption) parent.appendChild(el("h3", caption));
    var t = el("table");
    var tr = el("tr");
    head.forEach(function (h) { tr.appendChild(el("th", h)); });
    t.appendChild(tr);
    rows.forEach(function (r) {
      var row = el("tr");
      r.forEach(function (c, i) { row.appendChild(el("td", num(c), numeric && numeric[i] ? "num" : undefined)); });
      t.appendChild(row);
    });
    parent.appendChild(t);
  }

  /** Horizontal bars, one group per category (fy) with one bar per series. */
  function groupedBars(rows, o) {
    var groups = uniq(rows.map(function (r) { return r.group; }));
    return Plot.plot({
      width: WIDTH,
      height: 40 + groups.length * (o.series.length * 14 + 8),
      marginLeft: labelMargin(groups),
      marginRight: 60,
      x: { label: o.label, grid: true, domain: o.domain, nice: true },
      y: { axis: null, domain: o.series },
      fy: { label: null, domain: groups, axis: "left", padding: 0.15 },
      color: { legend: true, domain: o.series, range: o.colors },
      marks: [
        Plot.barX(rows, { fy: "group", y: "series", x: "value", fill: "series", title: function (r) { return r.group + ", " + r.series + ": " + r.text; } }),
        Plot.text(rows, { fy: "group", y: "series", x: "value", text: "text", textAnchor: "start", dx: 4, fontSize: 9 }),
        Plot.ruleX([0])
      ]
    });
  }

  function summary() {
    var s = data.summary;
    var box = tables("summary");
    table(box, null, ["", ""], [
      ["model", data.model.file + " ('" + data.model.name + "')"],
      ["target", data.target.name + (data.target.requested !== data.target.name ? " (as '" + data.target.requested + "')" : "")],
      ["time steps", "T = " + data.model.timesteps + "; " + s.runSteps + " Lava steps per sample (pipeline latency " + (s.runSteps - data.model.timesteps) + ")"],
      ["network", s.populations + " populations, " + s.synapseGroups + " synapse groups, " + s.neurons + " neurons, " + s.synapses + " synapses"],
      ["placement", s.cores + " core" + (s.cores === 1 ? "" : "s") + " on " + s.chips + " chip" + (s.chips === 1 ? "" : "s")],
      ["inputs", data.inputs.samples + " sample" + (data.inputs.samples === 1 ? "" : "s") + ": " + data.inputs.from],
      ["spike agreement", pct(s.spikeAgreement) + " of spike slots (all layers)"],
      ["readout", s.readout ? "'" + s.readout.id + "': argmax agrees on " + s.readout.argmaxAgree + "/" + s.readout.samples + " samples, max |difference| " + s.readout.maxAbsDiff : "none compared"],
      ["network.net", s.netxReason === null ? "written (netx can load it)" : "not written: " + s.netxReason]
    ]);
    if (data.warnings.length) {
      box.appendChild(el("h3", "Warnings"));
      var ul = el("ul");
      data.warnings.forEach(function (w) { ul.appendChild(el("li", w, "warn")); });
      box.appendChild(ul);
    }
    if (data.notes.length) {
      box.appendChild(el("h3", "Notes"));
      var nl = el("ul");
      data.notes.forEach(function (w) { nl.appendChild(el("li", w)); });
      box.appendChild(nl);
    }
  }

  function firingRates() {
    var rows = [];
    data.firingRates.forEach(function (r) {
      [r.float, r.integer].forEach(function (v, k) {
        if (v !== null) rows.push({ group: r.layer, series: MODELS[k], value: v, text: v.toFixed(4) });
      });
    });
    chart("firing-rates").appendChild(groupedBars(rows, { series: MODELS, colors: MODEL_COLORS, label: "output per neuron per step" }));
    table(tables("firing-rates"), null, ["layer", "neurons", "float as written", "integer (Loihi)"],
      data.firingRates.map(function (r) { return [r.layer, r.neurons, r.float, r.integer]; }), [false, true, true, true]);
  }

  function raster() {
    var box = chart("raster");
    var R = data.raster;
    var steps = [];
    for (var t = 1; t <= R.timesteps; t++) steps.push(t);
    var every = Math.ceil(steps.length / 25);
    var stepTicks = steps.filter(function (s) { return s === 1 || s % every === 0; });
    box.appendChild(Plot.legend({ color: { domain: CATEGORIES, range: CATEGORY_COLORS }, swatchSize: 10 }));
    R.layers.forEach(function (L) {
      var head = L.layer + ": " + L.neurons + " neurons" + (L.shown < L.neurons ? " (the first " + L.shown + " shown)" : "") +
        ", latency " + L.latency + (L.compared ? "" : " (no integer population of this size: float spikes only)");
      box.appendChild(el("h3", head));
      var spikes = L.spikes.map(function (s) { return { t: s[0], i: s[1], c: CATEGORIES[s[2]] }; });
      box.appendChild(Plot.plot({
        width: WIDTH,
        height: Math.max(90, Math.min(320, 40 + L.shown * 2)),
        marginLeft: 50,
        x: { type: "band", domain: steps, ticks: stepTicks, label: "reference step", padding: steps.length > 30 ? 0 : 0.1 },
        y: { domain: [-0.5, L.shown - 0.5], label: "neuron", reverse: true },
        color: { domain: CATEGORIES, range: CATEGORY_COLORS },
        marks: [
          Plot.frame({ stroke: "#ddd" }),
          Plot.tickY(spikes, { x: "t", y: "i", stroke: "c", strokeWidth: 1.2 })
        ]
      }));
    });
  }

  function thresholds() {
    var T = data.thresholds;
    var layers = uniq(T.values.map(function (v) { return v.layer; }));
    chart("thresholds").appendChild(Plot.plot({
      width: WIDTH,
      height: 60 + T.stages.length * 130,
      marginLeft: 60,
      marginRight: 150,
      x: { label: "threshold θ", nice: true },
      y: { label: "neurons", grid: true },
      fy: { domain: T.stages, label: null },
      color: { legend: true, domain: layers, scheme: "tableau10" },
      marks: [
        Plot.rectY(T.values, Plot.binX({ y: "sum" }, { x: "theta", y: "count", fill: "layer", fy: "stage", thresholds: 40 })),
        Plot.ruleY([0])
      ]
    }));
    var rows = [];
    T.stages.forEach(function (stage) {
      layers.concat(uniq(T.nonFinite.map(function (v) { return v.layer; }))).filter(function (l, i, a) { return a.indexOf(l) === i; }).forEach(function (layer) {
        var vs = T.values.filter(function (v) { return v.stage === stage && v.layer === layer; });
        var nf = T.nonFinite.filter(function (v) { return v.stage === stage && v.layer === layer; });
        if (!vs.length && !nf.length) return;
        var n = vs.reduce(function (a, v) { return a + v.count; }, 0);
        var lo = vs.length ? vs[0].theta : null;
        var hi = vs.length ? vs[vs.length - 1].theta : null;
        rows.push([stage, layer, vs.length, lo, hi, n, nf.map(function (v) { return v.count + " at " + v.value; }).join(", ") || "-"]);
      });
    });
    table(tables("thresholds"), null, ["stage", "layer", "distinct values", "min θ", "max θ", "neurons", "±∞ (never / always fire)"], rows,
      [false, false, true, true, true, true, false]);
  }

  function quantisation() {
    var Q = data.quantisation;
    var series = ["largest weight error", "RMS weight error"];
    var rows = [];
    var layerGroups = Q.connections.filter(function (c) { return !c.fromPulse; });
    var pulseGroups = Q.connections.length - layerGroups.length;
    layerGroups.forEach(function (c) {
      var g = c.from + " → " + c.to + (c.id !== c.to ? " (" + c.id + ")" : "");
      rows.push({ group: g, series: series[0], value: 100 * c.maxErr, text: pct(c.maxErr, 3) });
      if (c.rmsErr !== null) rows.push({ group: g, series: series[1], value: 100 * c.rmsErr, text: pct(c.rmsErr, 3) });
    });
    chart("quantisation").appendChild(groupedBars(rows, { series: series, colors: ["#e15759", "#76b7b2"], label: "error (% of the weights' scale)" }));
    var box = tables("quantisation");
    if (pulseGroups) box.appendChild(el("p", "The chart shows the layers' synapse groups; the " + pulseGroups +
      " from pulse neurons (state offsets, per-step biases and gains) are in the table only.", "what"));
    table(box, "Synapse groups", ["synapses", "from → to", "form", "weight exp", "max |w_int|", "largest error", "RMS error", "clipped", "nonzero"],
      Q.connections.map(function (c) {
        return [c.id, c.from + " → " + c.to, c.kind, c.weightExp, c.maxAbsInt, pct(c.maxErr, 3), c.rmsErr === null ? "-" : pct(c.rmsErr, 3), c.clipped, c.synapses];
      }), [false, false, false, true, true, true, true, true, true]);
    table(box, "Populations", ["population", "kind", "neurons", "scale g", "vth", "bias exp", "max bias error", "τ → τ_int"],
      Q.populations.map(function (p) {
        return [p.id, p.kind, p.neurons, p.g, p.vth, p.biasExp, p.biasMaxAbsErr, p.tau + " → " + p.tauQ];
      }), [false, false, true, true, true, true, true, false]);
  }

  function agreement() {
    var A = data.agreement;
    var rows = A.perLayer.map(function (r) {
      return { group: r.layer, series: "spike slots differing", value: 100 * (1 - r.agreement), text: pct(r.agreement) + " agree" };
    });
    chart("agreement").appendChild(groupedBars(rows, { series: ["spike slots differing"], colors: ["#e15759"], label: "spike slots differing (%)" }));
    table(tables("agreement"), "Over " + A.samples + " sample" + (A.samples === 1 ? "" : "s") + "; all layers: " + pct(A.spikeAgreement),
      ["layer", "latency", "neurons", "agreement", "slots differing"],
      A.perLayer.map(function (r) { return [r.layer, r.latency, r.neurons, pct(r.agreement), r.differing]; }), [false, true, true, true, true]);
  }

  function cores() {
    var C = data.cores;
    var L = C.limits;
    var names = C.cores.map(function (c) { return "core " + c.core; });
    var slices = [];
    C.cores.forEach(function (c, k) {
      c.slices.forEach(function (s) { slices.push({ core: names[k], population: s.population, value: 100 * s.neurons / L.neurons, neurons: s.neurons }); });
    });
    var pops = uniq(slices.map(function (s) { return s.population; }));
    var cellsWidth = function (left) { return Math.min(WIDTH, left + 40 + names.length * 64); };
    var popMargin = labelMargin(pops);
    chart("cores-fill").appendChild(Plot.plot({
      width: cellsWidth(popMargin),
      height: 60 + pops.length * 26,
      marginLeft: popMargin,
      marginBottom: names.length > 12 ? 50 : 30,
      x: { domain: names, label: null, tickRotate: names.length > 12 ? -45 : 0 },
      y: { domain: pops, label: null },
      color: { type: "linear", domain: [0, 100], scheme: "purples", legend: true, label: "neurons of the population on the core (% of a core's " + L.neurons + ")" },
      marks: [
        Plot.cell(slices, { x: "core", y: "population", fill: "value", inset: 1, title: function (s) { return s.core + ": " + s.population + ", " + s.neurons + " neurons"; } }),
        Plot.text(slices, { x: "core", y: "population", text: "neurons", fill: function (s) { return s.value > 60 ? "white" : "black"; }, fontSize: 10 })
      ]
    }));
    var resources = [
      ["neurons", "neurons", L.neurons],
      ["synapse memory", "synapseMemoryBytes", L.synapseMemoryBytes],
      ["input axons", "inputAxons", L.inputAxons],
      ["output axons", "outputAxons", L.outputAxons],
      ["threshold profiles", "profiles", L.thresholdProfiles]
    ].filter(function (r) { return r[2] !== null && r[2] > 0; });
    var cells = [];
    C.cores.forEach(function (c, k) {
      resources.forEach(function (r) {
        var v = 100 * c[r[1]] / r[2];
        cells.push({ core: names[k], resource: r[0], value: v, text: v.toFixed(v < 10 ? 1 : 0) + "%", used: c[r[1]], limit: r[2] });
      });
    });
    chart("cores-use").appendChild(Plot.plot({
      width: cellsWidth(120),
      height: 60 + resources.length * 30,
      marginLeft: 120,
      marginBottom: names.length > 12 ? 50 : 30,
      x: { domain: names, label: null, tickRotate: names.length > 12 ? -45 : 0 },
      y: { domain: resources.map(function (r) { return r[0]; }), label: null },
      color: { type: "linear", domain: [0, 100], scheme: "blues", legend: true, label: "% of the core's limit" },
      marks: [
        Plot.cell(cells, { x: "core", y: "resource", fill: "value", inset: 1, title: function (d) { return d.core + ", " + d.resource + ": " + d.used + " of " + d.limit; } }),
        Plot.text(cells, { x: "core", y: "resource", text: "text", fill: function (d) { return d.value > 60 ? "white" : "black"; }, fontSize: 10 })
      ]
    }));
    table(tables("cores"), null, ["core", "chip", "neurons", "synapses", "synapse memory (bytes)", "input axons", "output axons", "profiles", "populations"],
      C.cores.map(function (c) {
        return [c.core, c.chip, c.neurons, c.synapses, c.synapseMemoryBytes, c.inputAxons, c.outputAxons, c.profiles,
          c.slices.map(function (s) { return s.population + " (" + s.neurons + ")"; }).join(", ")];
      }), [true, true, true, true, true, true, true, true, false]);
  }

  var parts = [summary, firingRates, raster, thresholds, quantisation, agreement, cores];
  var failed = 0;
  parts.forEach(function (f) {
    try {
      f();
    } catch (e) {
      failed++;
      console.error("snnc report: " + f.name + ": " + (e && e.stack ? e.stack : e));
      document.querySelector("main").insertBefore(el("p", "This chart could not be drawn (" + f.name + "): " + e, "error"), null);
    }
  });
  document.body.setAttribute("data-rendered", failed ? "failed" : "true");
})();
`;
